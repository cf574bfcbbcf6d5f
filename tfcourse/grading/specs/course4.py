"""Course 4 (Sequences, Time Series and Prediction): how each week's assignment is graded.

Forecasters are scored on the future of their series: the scorer cuts every input window itself
from the values before each held-out step (the window length is read from the model's input shape),
scores the mean absolute error of the one-step forecasts, and counts it only when it beats the
naive forecast on the same steps by a stated margin (:class:`ForecastRule`).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from tfcourse.data import load
from tfcourse.grading.series_exercises import (
    DIFFERENCED_FORECAST,
    FORECAST_ERRORS,
    MOVING_AVERAGE_FORECAST,
    NAIVE_FORECAST,
)
from tfcourse.grading.specs.base import AssignmentSpec, ExercisePart, ForecastRule, Rung, as_series


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
    dataset="synthetic_series",  # what the notebook explores; the exercises are graded on the grader's own series
    exercises=(ExercisePart(test_cell="test_naive_forecast", exercise=NAIVE_FORECAST, points=2.0),
               ExercisePart(test_cell="test_moving_average_forecast", exercise=MOVING_AVERAGE_FORECAST, points=3.0),
               ExercisePart(test_cell="test_differenced_forecast", exercise=DIFFERENCED_FORECAST, points=3.0),
               ExercisePart(test_cell="test_forecast_errors", exercise=FORECAST_ERRORS, points=2.0)),
)

def forecaster(assignment_id: str, folder: str, title: str, dataset: str, *, ladder: tuple[Rung, ...],
               beat_naive_by: float, heldout: str) -> AssignmentSpec:
    """A one-step forecaster of ``dataset``, scored by MAE on its held-out steps (what ``heldout`` names)."""
    return AssignmentSpec(
        assignment_id=assignment_id,
        folder=folder,
        title=title,
        dataset=dataset,
        metric="mae",
        ladder=ladder,
        input_shape=(None,),
        output_units=1,
        prepare=as_series,
        input_note=f"windows of the values before each {heldout}, cut by the grader to your model's input length",
        model_cell="test_forecaster",
        examples=with_history(dataset),
        forecast=ForecastRule(beat_naive_by=beat_naive_by),
    )


# The naive forecast errs by about 5.6-6.0 on a held-out year; the noise alone (sd 5) by 4.0, and the
# season's yearly jump costs every window model some more (docs/grading.md).
C4W2 = forecaster("C4W2", "C4W2_dnn_forecast", "a DNN forecaster for the synthetic series", "synthetic_series",
                  ladder=(Rung(5.5, 10.0), Rung(5.9, 5.0)), beat_naive_by=0.05, heldout="held-out day")

# The reference (the window's mean plus an LSTM's change) errs by 4.5-4.8 on held-out years, 79-81% of
# the naive forecast's; an LSTM that forecasts levels swings from 4.9 to 6.5 (docs/grading.md).
C4W3 = forecaster("C4W3", "C4W3_lstm_forecast", "an LSTM forecaster for the synthetic series", "synthetic_series",
                  ladder=(Rung(5.0, 10.0), Rung(5.4, 5.0)), beat_naive_by=0.10, heldout="held-out day")

# Tomorrow's maximum is mostly today's: the naive forecast errs by 3.02 on the test years, the reference
# by 2.80-2.81 (93%), a dense network by 2.90 (docs/grading.md).
C4W4 = forecaster("C4W4", "C4W4_conv_lstm_temperatures",
                  "a Conv1D + LSTM forecaster for Melbourne's daily temperatures", "melbourne_temperatures",
                  ladder=(Rung(2.88, 10.0), Rung(2.92, 5.0)), beat_naive_by=0.03, heldout="test day (1989-1990)")

ASSIGNMENTS = (C4W1, C4W2, C4W3, C4W4)
