"""The exam's tasks: what each asks for, its variants, the training data an attempt gets, and its hidden data.

Every attempt draws its variants from its secret seed (kept in the exam store, never in the attempt's
folder). A task's training data is written into the attempt's folder; its hidden data is made again
from the secret seed whenever a model is checked and is never written anywhere. A task's scoring rule
(its five levels) is its spec in :mod:`tfcourse.grading.specs.exam`.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tfcourse.grading.heldout import EvaluationData
from tfcourse.grading.specs import AssignmentSpec
from tfcourse.grading.specs.exam import EXAM1, EXAM5
from tfcourse.series import noise, trend

Variant = dict[str, float]


@dataclass(frozen=True)
class ExamTask:
    """One of the exam's tasks: its scoring spec, the skill it tests, and how a variant is drawn and served."""

    number: int
    spec: AssignmentSpec
    skill: str  # the handbook's skill area
    asks: str  # what the model must take and output, for the task's text
    data_files: str  # where the training data is and its format, for the task's text
    teaches: tuple[str, ...]  # course notebooks that teach what the task needs, for the report
    draw_variant: Callable[[np.random.Generator], Variant]
    write_training: Callable[[Variant, Path], None]
    hidden: Callable[[Variant, int], EvaluationData]
    starter_body: str  # the body of solution_model() in the starter file

    @property
    def folder(self) -> str:
        """The task's folder in an attempt: ``task1_basic_model``."""
        return f"task{self.number}_{self.spec.folder.split('_', 1)[1]}"


def _write_csv(path: Path, header: tuple[str, ...], rows) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


# Task 1: a straight line y = slope * x + intercept. The candidate gets eleven points from -5 to 5; the
# hidden points reach twice as far, so only a model that learned the line (not the points) scores.
LINE_TRAINING_X = np.arange(-5.0, 6.0)


def _line_variant(rng: np.random.Generator) -> Variant:
    slopes = [s for s in np.arange(-3.0, 3.5, 0.5) if abs(s) >= 1.0]
    return {"slope": float(rng.choice(slopes)), "intercept": float(rng.integers(-5, 6))}


def _line(variant: Variant, x: np.ndarray) -> np.ndarray:
    return (variant["slope"] * x + variant["intercept"]).astype(np.float32)


def _line_training(variant: Variant, folder: Path) -> None:
    _write_csv(folder / "data.csv", ("x", "y"),
               ((f"{x:g}", f"{y:g}") for x, y in zip(LINE_TRAINING_X, _line(variant, LINE_TRAINING_X))))


def _line_hidden(variant: Variant, seed: int) -> EvaluationData:
    x = np.random.default_rng(seed).uniform(-10.0, 10.0, 200).astype(np.float32)
    return EvaluationData(x, _line(variant, x), "the hidden points", True)


# Task 5: a daily series with a trend, a smooth season of the variant's period and shape, and noise of
# standard deviation SERIES_NOISE in every variant: no forecast can err by less than the noise (a mean
# absolute error of about 0.8 * SERIES_NOISE), so the levels are errors that mean the same in every
# variant. The candidate gets the first 1,100 days; the hidden 300 days after them get fresh noise.
SERIES_TRAINING_STEPS, SERIES_HIDDEN_STEPS, SERIES_NOISE = 1100, 300, 2.0


def _series_variant(rng: np.random.Generator) -> Variant:
    return {"baseline": float(rng.integers(0, 21)), "slope": round(float(rng.uniform(0.01, 0.05)), 3),
            "period": float(rng.choice([60, 91, 182, 365])), "amplitude": float(rng.integers(10, 31)),
            "overtone": round(float(rng.uniform(0.0, 0.6)), 2), "phase": float(rng.integers(0, 365)),
            "noise_seed": float(rng.integers(1 << 30))}


def _series_values(variant: Variant, time: np.ndarray, noise_seed: int) -> np.ndarray:
    angle = 2 * np.pi * (time + variant["phase"]) / variant["period"]
    season = variant["amplitude"] * (np.sin(angle) + variant["overtone"] * np.sin(2 * angle))
    return (variant["baseline"] + trend(time, variant["slope"]) + season
            + noise(time, SERIES_NOISE, seed=noise_seed)).astype(np.float32)


def _series_public(variant: Variant) -> np.ndarray:
    time = np.arange(SERIES_TRAINING_STEPS, dtype=np.float32)
    return _series_values(variant, time, int(variant["noise_seed"]))


def _series_training(variant: Variant, folder: Path) -> None:
    values = _series_public(variant)
    _write_csv(folder / "series.csv", ("day", "value"), ((day, f"{value:.4f}") for day, value in enumerate(values)))


def _series_hidden(variant: Variant, seed: int) -> EvaluationData:
    time = np.arange(SERIES_TRAINING_STEPS, SERIES_TRAINING_STEPS + SERIES_HIDDEN_STEPS, dtype=np.float32)
    future = _series_values(variant, time, seed)
    # As written to series.csv (four decimals), so the history the windows are cut from is the candidate's.
    history = np.round(_series_public(variant), 4).astype(np.float32)
    least = float(np.mean(np.abs(noise(time, SERIES_NOISE, seed=seed))))
    return EvaluationData(np.concatenate([history, future]), future, "the hidden days", True, least_error=least)


TASKS: tuple[ExamTask, ...] = (
    ExamTask(
        number=1, spec=EXAM1, skill="a basic model: build, compile and train a model on numbers",
        asks="one number in (`keras.Input(shape=(1,))`), one number out: the y that belongs to x",
        data_files="`data.csv` next to `solution.py`: columns x and y, eleven rows",
        teaches=("notebooks/C1/W1 (hello world: one neuron)", "source/C1W1_housing_prices"),
        draw_variant=_line_variant, write_training=_line_training, hidden=_line_hidden,
        starter_body='''\
    table = np.loadtxt(HERE / "data.csv", delimiter=",", skiprows=1, dtype="float32")
    x, y = table[:, 0], table[:, 1]
    # YOUR CODE HERE: build, compile and train a model that maps x to y.
    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mean_squared_error")
    model.fit(x, y, epochs=1, verbose=0)
    return model
'''),
    ExamTask(
        number=5, spec=EXAM5, skill="time series: windows, forecasting one step ahead",
        asks=("a window of the series' past values in (`keras.Input(shape=(window,))` or `(window, 1)`, any "
              "window length up to 1,000), one number out: the next day's value"),
        data_files="`series.csv` next to `solution.py`: columns day and value, days 0-1099",
        teaches=("source/C4W1_baseline_forecasts", "source/C4W2_dnn_forecast", "source/C4W3_lstm_forecast"),
        draw_variant=_series_variant, write_training=_series_training, hidden=_series_hidden,
        starter_body='''\
    table = np.loadtxt(HERE / "series.csv", delimiter=",", skiprows=1, dtype="float32")
    series = table[:, 1]
    # YOUR CODE HERE: cut windows of past values and train a model that forecasts the next value.
    window = 20
    windows = np.stack([series[i:i + window] for i in range(len(series) - window)])
    targets = series[window:]
    model = keras.Sequential([keras.Input(shape=(window,)), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="huber")
    model.fit(windows, targets, epochs=1, verbose=0)
    return model
'''),
)


def get_task(number: int) -> ExamTask:
    """The task with this number; a clear error for one the exam does not have."""
    from tfcourse.errors import UnknownName

    for task in TASKS:
        if task.number == number:
            return task
    raise UnknownName(f"the exam has no task {number}; its tasks are {', '.join(str(t.number) for t in TASKS)}")
