"""What a graded assignment is scored on: its model part (data, shapes, metric, ladder) and its exercises.

Each part belongs to one graded test cell of the notebook (by nbgrader grade_id), and the scorer
writes that part's points into that cell's grade in nbgrader's gradebook. Thresholds were calibrated
on the offline data on 2 CPU cores; the measurements behind them are in docs/grading.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from tfcourse.grading.rules import Accuracy, Measure, ModelRule

if TYPE_CHECKING:
    from tfcourse.grading.exercises import Exercise


@dataclass(frozen=True)
class Rung:
    """Points awarded when the metric reaches ``threshold`` (>= for accuracy, <= for errors)."""

    threshold: float
    points: float


@dataclass(frozen=True)
class ExercisePart:
    """A function or class the grader calls on inputs it chooses (the notebook's ``cell`` holds it)."""

    test_cell: str  # grade_id of the locked test cell whose points this part decides
    exercise: Exercise
    points: float


@dataclass(frozen=True)
class AssignmentSpec:
    """How one assignment is graded: a saved model scored on held-out data, exercises, or both.

    An assignment without a ``ladder`` has no model part (C3W1's preprocessing functions): it is
    graded on its exercises alone, and its ``dataset`` is only what the notebook may load.
    """

    assignment_id: str
    folder: str
    title: str
    dataset: str
    # In words, for the tables `tfcourse release` writes: what the learner builds (README), the data it
    # learns from (README), and what the grader scores it on (docs/grading.md).
    summary: str = ""
    data_note: str = ""
    graded_on: str = ""
    measure: Measure = Accuracy()  # what the ladder judges (tfcourse.grading.rules): accuracy, an error, ...
    ladder: tuple[Rung, ...] = ()
    input_shape: tuple[int, ...] = ()  # the shape of one example as the grader feeds it
    output_units: int = 0
    prepare: Callable[[np.ndarray], np.ndarray] | None = None  # raw dataset x -> what the model receives
    input_note: str = ""
    model_cell: str = ""  # grade_id of the locked test cell whose points the model decides
    exercises: tuple[ExercisePart, ...] = ()
    rules: tuple[ModelRule, ...] = ()  # more points of the model's test cell: the gap, the frozen base
    # Built artifacts (tfcourse.built.ARTIFACTS) the notebook uses: each graded notebook gets a copy.
    artifacts: tuple[str, ...] = ()
    # What a split of the dataset becomes before a model is scored on it: (x, y) -> (inputs, targets).
    # C3W4 turns paragraphs into (previous words, next word) pairs. None: the split as it is.
    examples: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]] | None = None
    def __post_init__(self):
        from tfcourse.grading.rules import NextWords

        words = isinstance(self.measure, NextWords)  # each output unit is a word of the model's own vocabulary
        if self.ladder and not (self.model_cell and self.prepare and (self.output_units or words)):
            raise ValueError(f"{self.assignment_id}: a model part needs model_cell, prepare and output_units")
        if not self.ladder and not self.exercises:
            raise ValueError(f"{self.assignment_id}: an assignment needs a model part (ladder) or exercises")

    @property
    def has_model(self) -> bool:
        """Whether a saved model is part of the grade."""
        return bool(self.ladder)

    @property
    def model_filename(self) -> str:
        """Where the notebook saves the trained model, next to the notebook."""
        return f"{self.assignment_id}_model.keras"

    @property
    def notebook(self) -> str:
        """The notebook's file name inside its assignment folder."""
        return f"{self.folder}.ipynb"

    @property
    def metric_name(self) -> str:
        """How reports name the metric."""
        return self.measure.name

    @property
    def higher_is_better(self) -> bool:
        """Accuracies reach a rung from below (>=), errors from above (<=)."""
        return self.measure.higher_is_better

    @property
    def is_forecaster(self) -> bool:
        """Whether the model forecasts a series from windows the grader cuts (Course 4)."""
        from tfcourse.grading.rules import Forecast

        return isinstance(self.measure, Forecast)

    @property
    def model_rules(self) -> tuple:
        """The measure and the extra rules: everything that may find something on the model in the worker."""
        return (self.measure, *self.rules)

    @property
    def model_points(self) -> float:
        return self.ladder[0].points if self.ladder else 0.0

    @property
    def model_cell_points(self) -> float:
        """Points of the model's test cell: the ladder's top rung, plus its rules' points."""
        if not self.has_model:
            return 0.0
        return self.model_points + sum(rule.points for rule in self.rules)

    @property
    def possible(self) -> float:
        """Total points of the assignment."""
        return self.model_cell_points + sum(part.points for part in self.exercises)

    @property
    def cell_points(self) -> dict[str, float]:
        """grade_id of each graded test cell -> its points (what the notebook's metadata must say)."""
        model = {self.model_cell: self.model_cell_points} if self.has_model else {}
        return {**model, **{part.test_cell: part.points for part in self.exercises}}

    def points_for(self, value: float) -> tuple[float, Rung | None]:
        """Points for a metric value, and the rung reached (None when below every rung)."""
        for rung in self.ladder:
            reached = value >= rung.threshold if self.higher_is_better else value <= rung.threshold
            if reached:
                return rung.points, rung
        return 0.0, None


def scale_pixels(x: np.ndarray) -> np.ndarray:
    """Pixel values 0-255 -> float32 in [0, 1] (what the week-2 and week-3 notebooks feed)."""
    return (x / 255.0).astype(np.float32)


def scale_pixels_with_channel(x: np.ndarray) -> np.ndarray:
    """Pixel values 0-255 -> float32 in [0, 1], with a channel axis (28x28 -> 28x28x1)."""
    return scale_pixels(x)[..., np.newaxis]


def raw_pixels_with_channel(x: np.ndarray) -> np.ndarray:
    """Pixel values kept at 0-255 as float32, with a channel axis: what image_dataset_from_directory yields."""
    return x.astype(np.float32)[..., np.newaxis]


def as_column(x: np.ndarray) -> np.ndarray:
    """A vector of numbers -> an (n, 1) float32 column."""
    return np.asarray(x, dtype=np.float32).reshape(-1, 1)


def raw_pixels(x: np.ndarray) -> np.ndarray:
    """Pixel values kept at 0-255 as float32 (images that already have a channel axis)."""
    return x.astype(np.float32)


def as_series(x: np.ndarray) -> np.ndarray:
    """A series' values as float32 (the model worker cuts the windows from it)."""
    return np.asarray(x, dtype=np.float32).reshape(-1)


def raw_text(x: np.ndarray) -> np.ndarray:
    """Texts as numpy unicode strings, one per example (the model worker hands them to Keras as Python strings)."""
    return np.asarray(x, dtype=str)
