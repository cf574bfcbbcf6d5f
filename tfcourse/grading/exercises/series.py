"""C4W1's forecasting exercises: the naive, moving-average and differenced forecasts, and their errors.

The grader calls the learner's functions on series it generates at grading time from the secret seed
(its own trend, season length, amplitude, noise and split), with window sizes and periods the notebook
never uses. The expected answers are computed here in plain numpy from the rules the notebook states;
answers come back as plain lists of numbers and must match to 1e-4 (relative to the series' scale).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from tfcourse.grading.exercises.base import Exercise, call_each, learner_function, raised_reason
from tfcourse.series import noise, seasonality, trend

PREAMBLE = "import numpy as np\nimport tensorflow as tf\nimport keras\n"
RUNS = 3
TOLERANCE = 1e-4


def grader_series(rng: np.random.Generator) -> dict:
    """A series of the grader's own: its length, trend, season, noise and split point are all drawn."""
    length = int(rng.integers(240, 420))
    period = int(rng.integers(20, 60))
    time = np.arange(length)
    values = (float(rng.uniform(-5, 20)) + trend(time, float(rng.uniform(-0.05, 0.2)))
              + seasonality(time, period=period, amplitude=float(rng.uniform(5, 40)))
              + noise(time, float(rng.uniform(0.5, 5)), seed=int(rng.integers(1 << 30))))
    return {"series": [round(float(value), 4) for value in values], "period": period,
            "split_time": int(rng.integers(length // 2, length - 30)), "window_size": int(rng.integers(2, 15))}


def series_runs(rng: np.random.Generator) -> dict:
    return {"runs": [grader_series(rng) for _ in range(RUNS)]}


# The notebook's rules, in plain numpy ----------------------------------------------------------------

def expected_naive(run: dict) -> np.ndarray:
    """Each step from ``split_time`` on forecast by the value just before it."""
    series = np.array(run["series"])
    return series[run["split_time"] - 1:-1]


def moving_average(series: np.ndarray, window_size: int) -> np.ndarray:
    """The mean of each ``window_size`` consecutive values: entry ``t`` forecasts step ``t + window_size``."""
    return np.array([series[t:t + window_size].mean() for t in range(len(series) - window_size)])


def expected_moving_average(run: dict) -> np.ndarray:
    return moving_average(np.array(run["series"]), run["window_size"])


def expected_differenced(run: dict) -> np.ndarray:
    """From ``split_time`` on: the moving average of the season-differenced series, plus the value one period back."""
    series = np.array(run["series"])
    split, period, window = run["split_time"], run["period"], run["window_size"]
    differenced = series[period:] - series[:-period]
    forecast = moving_average(differenced, window)[split - period - window:]
    return forecast + series[split - period:-period]


def expected_errors(run: dict) -> np.ndarray:
    """(MSE, MAE) of the naive forecast against the values from ``split_time`` on."""
    actual = np.array(run["series"])[run["split_time"]:]
    error = expected_naive(run) - actual
    return np.array([np.mean(error ** 2), np.mean(np.abs(error))])


# Calling the learner's functions (in the sandbox) and judging the answers (in the grader) ----------------

def _numbers(value) -> list[float]:
    return [float(number) for number in np.asarray(value, dtype=np.float64).reshape(-1)]


def _driver(name: str, call: Callable[[Callable, dict], Any]) -> Callable[[dict, dict], list]:
    def drive(namespace: dict, inputs: dict) -> list:
        function = learner_function(namespace, name)
        return call_each(lambda run: _numbers(call(function, run)), inputs["runs"])
    return drive


def _judge(name: str, expected: Callable[[dict], np.ndarray], rule: str, setting: Callable[[dict], str]):
    def judge(inputs: dict, answers: Any, points: float) -> tuple[float, str]:
        runs = inputs["runs"]
        if not isinstance(answers, list) or len(answers) != len(runs):
            return 0.0, f"{name} could not be run on the grader's series"
        for run, answer in zip(runs, answers):
            want = expected(run)
            if raised_reason(answer) is not None:
                return 0.0, f"with {setting(run)}: {raised_reason(answer)}"
            if not isinstance(answer, list) or len(answer) != len(want):
                return 0.0, (f"with {setting(run)} on a series of {len(run['series'])} values: "
                             f"{len(answer) if isinstance(answer, list) else '?'} values, expected {len(want)} ({rule})")
            got = np.array(answer, dtype=np.float64)
            scale = max(1.0, float(np.max(np.abs(want))))
            wrong = np.flatnonzero(~np.isfinite(got) | (np.abs(got - want) > TOLERANCE * scale))
            if len(wrong):
                first = int(wrong[0])
                return 0.0, (f"with {setting(run)}: value {first} is {got[first]:.4f}, expected {want[first]:.4f} "
                             f"({len(wrong)} of {len(want)} wrong; {rule})")
        return points, f"right on all {len(runs)} of the grader's series ({rule})"
    return judge


def _exercise(name: str, title: str, call, expected, rule: str, setting) -> Exercise:
    return Exercise(name=name, cell=name, title=title, preamble=PREAMBLE, make_inputs=series_runs,
                    drive=_driver(name, call), judge=_judge(name, expected, rule, setting))


NAIVE_FORECAST = _exercise(
    "naive_forecast", "naive forecast",
    lambda function, run: function(np.array(run["series"]), run["split_time"]), expected_naive,
    "each value from split_time on is forecast by the one before it", lambda run: f"split_time={run['split_time']}")

MOVING_AVERAGE_FORECAST = _exercise(
    "moving_average_forecast", "moving-average forecast",
    lambda function, run: function(np.array(run["series"]), run["window_size"]), expected_moving_average,
    "entry t is the mean of series[t:t + window_size], one per window",
    lambda run: f"window_size={run['window_size']}")

DIFFERENCED_FORECAST = _exercise(
    "differenced_forecast", "differenced forecast",
    lambda function, run: function(np.array(run["series"]), run["split_time"], run["period"], run["window_size"]),
    expected_differenced,
    "the moving average of series[period:] - series[:-period], from split_time on, plus the value one period back",
    lambda run: f"split_time={run['split_time']}, period={run['period']}, window_size={run['window_size']}")

FORECAST_ERRORS = _exercise(
    "forecast_errors", "MSE and MAE",
    lambda function, run: function(np.array(run["series"])[run["split_time"]:], expected_naive(run)), expected_errors,
    "(mean squared error, mean absolute error) of a forecast against the actual values",
    lambda run: f"{len(run['series']) - run['split_time']} values")

EXERCISES = (NAIVE_FORECAST, MOVING_AVERAGE_FORECAST, DIFFERENCED_FORECAST, FORECAST_ERRORS)
