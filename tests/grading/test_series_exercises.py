"""C4W1's forecasting exercises judged both ways: the notebook's rules pass on every seed, plausible
mistakes fail with a readable reason."""

from __future__ import annotations

import numpy as np
import pytest

from tfcourse.grading import get_assignment
from tfcourse.grading.exercises import series as series_exercises


def naive_forecast(series, split_time):
    return series[split_time - 1:-1]


def moving_average_forecast(series, window_size):
    return np.array([series[t:t + window_size].mean() for t in range(len(series) - window_size)])


def differenced_forecast(series, split_time, period, window_size, add_past=True):
    differenced = series[period:] - series[:-period]
    forecast = moving_average_forecast(differenced, window_size)[split_time - period - window_size:]
    return forecast + series[split_time - period:-period] if add_past else forecast


def forecast_errors(actual, forecast):
    errors = np.asarray(forecast) - np.asarray(actual)
    return float(np.mean(errors ** 2)), float(np.mean(np.abs(errors)))


REFERENCE = {"naive_forecast": naive_forecast, "moving_average_forecast": moving_average_forecast,
             "differenced_forecast": differenced_forecast, "forecast_errors": forecast_errors}


def judged(exercise, namespace: dict, seed: int = 7) -> tuple[float, str]:
    inputs = exercise.inputs(seed, "C4W1")
    return exercise.judge(inputs, exercise.drive(namespace, inputs), 1.0)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("exercise", series_exercises.EXERCISES, ids=lambda exercise: exercise.name)
def test_the_notebooks_rules_pass_on_every_seed(exercise, seed):
    """Does a function that follows the stated rules get full points on the grader's generated series?"""
    assert judged(exercise, REFERENCE, seed)[0] == 1.0


MISTAKES = {
    "naive from the future": ("naive_forecast", lambda s, t: s[t:], "expected"),
    "naive one step late": ("naive_forecast", lambda s, t: s[t - 2:-2], "expected"),
    "moving average keeps the last window": (
        "moving_average_forecast", lambda s, w: np.convolve(s, np.ones(w) / w, mode="valid"), "values, expected"),
    "moving average of the wrong window": (
        "moving_average_forecast", lambda s, w: moving_average_forecast(s, w + 1)[1:], "expected"),
    "differenced without the past": (
        "differenced_forecast", lambda s, t, p, w: differenced_forecast(s, t, p, w, add_past=False), "expected"),
    "errors swapped": ("forecast_errors", lambda a, f: forecast_errors(a, f)[::-1], "expected"),
    "raises": ("naive_forecast", lambda s, t: s.nosuchmethod(), "AttributeError"),
}


@pytest.mark.parametrize("mistake", MISTAKES)
def test_plausible_mistakes_fail_with_a_reason(mistake):
    """Does each typical mistake, including forecasting with the future itself, get 0 and say why?"""
    name, function, phrase = MISTAKES[mistake]
    exercise = next(exercise for exercise in series_exercises.EXERCISES if exercise.name == name)
    points, reason = judged(exercise, {name: function})
    assert points == 0.0 and phrase in reason, reason


@pytest.mark.parametrize("exercise", series_exercises.EXERCISES, ids=lambda exercise: exercise.name)
def test_malformed_answers_and_missing_functions(exercise):
    """Are answers of the wrong shape judged 0, and a cell without the function refused by name?"""
    inputs = exercise.inputs(1, "C4W1")
    for answers in (None, "text", [], [[1.0]] * series_exercises.RUNS, [[float("nan")] * 400] * series_exercises.RUNS):
        assert exercise.judge(inputs, answers, 1.0)[0] == 0.0
    with pytest.raises(NameError, match=exercise.name):
        exercise.drive({}, inputs)


def test_the_graders_series_come_from_the_seed():
    """Are the series fixed by the seed (a regrade agrees), new for another seed, never the notebook's?"""
    for exercise in series_exercises.EXERCISES:
        assert exercise.inputs(5, "C4W1") == exercise.inputs(5, "C4W1") != exercise.inputs(6, "C4W1")
    lengths = {len(run["series"]) for run in series_exercises.EXERCISES[0].inputs(5, "C4W1")["runs"]}
    assert 1461 not in lengths


def test_c4w1_is_graded_on_exercises_alone():
    """Does C4W1 have no model part and 10 points over four test cells?"""
    spec = get_assignment("C4W1")
    assert not spec.has_model and spec.possible == 10.0 and len(spec.cell_points) == 4
