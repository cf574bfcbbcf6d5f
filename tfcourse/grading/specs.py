"""What each graded assignment is scored on: data, shapes, metric, thresholds and points.

Thresholds were calibrated on the offline data on 2 CPU cores; the measurements that chose
them are in docs/grading.md. A ladder maps a metric to points: the first rung it reaches wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

TOTAL_POINTS = 10.0


@dataclass(frozen=True)
class Rung:
    """Points awarded when the metric reaches ``threshold`` (>= for accuracy, <= for errors)."""

    threshold: float
    points: float


@dataclass(frozen=True)
class EpochCheck:
    """A check on the training history (only run when the notebook passes ``history``)."""

    points: float
    max_epochs: int
    # When set, training must have been stopped early by a callback once this
    # training accuracy was reached (the week-2 callback exercise).
    stop_at_accuracy: float | None = None


@dataclass(frozen=True)
class AssignmentSpec:
    """How one assignment's model is graded."""

    assignment_id: str
    folder: str
    title: str
    dataset: str
    metric: str  # "accuracy" or "mae"
    ladder: tuple[Rung, ...]
    input_shape: tuple[int, ...]  # the shape of one example as the grader feeds it
    output_units: int
    prepare: Callable[[np.ndarray], np.ndarray]  # raw dataset x -> what the model receives
    input_note: str
    epochs: EpochCheck | None = None

    @property
    def model_filename(self) -> str:
        """Where the notebook saves the trained model, next to the notebook."""
        return f"{self.assignment_id}_model.keras"

    @property
    def notebook(self) -> str:
        """The notebook's file name inside its assignment folder."""
        return f"{self.folder}.ipynb"

    @property
    def accepted_output_units(self) -> tuple[int, ...]:
        """Output widths the grader accepts: a binary classifier may use one unit or two."""
        if self.metric == "accuracy" and self.output_units == 1:
            return (1, 2)
        return (self.output_units,)

    @property
    def possible(self) -> float:
        """Total points of the assignment."""
        return self.ladder[0].points + (self.epochs.points if self.epochs else 0.0)

    def points_for(self, value: float) -> tuple[float, Rung | None]:
        """Points for a metric value, and the rung reached (None when below every rung)."""
        for rung in self.ladder:
            reached = value >= rung.threshold if self.metric == "accuracy" else value <= rung.threshold
            if reached:
                return rung.points, rung
        return 0.0, None


def scale_pixels(x: np.ndarray) -> np.ndarray:
    """Pixel values 0-255 -> float32 in [0, 1] (what the week-2 and week-3 notebooks feed)."""
    return (x / 255.0).astype(np.float32)


def raw_pixels_with_channel(x: np.ndarray) -> np.ndarray:
    """Pixel values kept at 0-255 as float32, with a channel axis: what image_dataset_from_directory yields."""
    return x.astype(np.float32)[..., np.newaxis]


def as_column(x: np.ndarray) -> np.ndarray:
    """A vector of numbers -> an (n, 1) float32 column."""
    return np.asarray(x, dtype=np.float32).reshape(-1, 1)


ASSIGNMENTS: dict[str, AssignmentSpec] = {spec.assignment_id: spec for spec in (
    AssignmentSpec(
        assignment_id="C1W1",
        folder="C1W1_housing_prices",
        title="housing prices",
        dataset="housing",
        metric="mae",
        ladder=(Rung(0.10, 10.0), Rung(0.25, 5.0)),
        input_shape=(1,),
        output_units=1,
        prepare=as_column,
        input_note="one number per house: the bedroom count",
    ),
    AssignmentSpec(
        assignment_id="C1W2",
        folder="C1W2_callbacks",
        title="callbacks",
        dataset="fashion_mnist",
        metric="accuracy",
        ladder=(Rung(0.85, 6.0), Rung(0.80, 3.0)),
        input_shape=(28, 28),
        output_units=10,
        prepare=scale_pixels,
        input_note="28x28 images with pixel values scaled to [0, 1]",
        epochs=EpochCheck(points=4.0, max_epochs=10, stop_at_accuracy=0.88),
    ),
    AssignmentSpec(
        assignment_id="C1W3",
        folder="C1W3_convolutions",
        title="convolutions",
        dataset="fashion_mnist",
        metric="accuracy",
        ladder=(Rung(0.89, 8.0), Rung(0.87, 4.0)),
        input_shape=(28, 28, 1),
        output_units=10,
        prepare=lambda x: scale_pixels(x)[..., np.newaxis],
        input_note="28x28x1 images with pixel values scaled to [0, 1]",
        epochs=EpochCheck(points=2.0, max_epochs=10),
    ),
    AssignmentSpec(
        assignment_id="C1W4",
        folder="C1W4_real_world_images",
        title="real-world images",
        dataset="faces_or_not",
        metric="accuracy",
        ladder=(Rung(0.85, 10.0), Rung(0.75, 5.0)),
        input_shape=(25, 25, 1),
        output_units=1,
        prepare=raw_pixels_with_channel,
        input_note="25x25x1 grayscale images with raw pixel values 0-255, as image_dataset_from_directory yields",
    ),
)}


def get_assignment(assignment_id: str) -> AssignmentSpec:
    """Look up an assignment by id (``C1W3``) or folder name (``C1W3_convolutions``)."""
    key = assignment_id.split("_", 1)[0].upper()
    try:
        return ASSIGNMENTS[key]
    except KeyError:
        raise KeyError(f"unknown assignment {assignment_id!r}; known: {', '.join(ASSIGNMENTS)}") from None
