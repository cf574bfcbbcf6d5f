"""Held-out examples: what a model is scored on, drawn from the instructor's secret seed where the data allows.

A generated dataset (Course 2's photos, the synthetic series, ...) draws its held-out examples from a
seed derived from the store's secret seed, so they exist nowhere a learner could read; other data
falls back to its test split. The store that keeps them is :mod:`tfcourse.grading.store`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from tfcourse.data import fetch_files, get_spec, load
from tfcourse.errors import UserError
from tfcourse.grading.specs import AssignmentSpec


class HeldoutError(UserError, RuntimeError):
    """The held-out data is missing or does not match its pinned checksums (a setup error)."""


@dataclass(frozen=True)
class EvaluationData:
    """Examples a model is scored on, and a label saying which data they are."""

    x: np.ndarray
    y: np.ndarray
    label: str
    is_heldout: bool
    # The error of a forecast that knew the series' signal and missed only its noise, where the grader made
    # that noise (the exam's series): what a forecaster's skill is measured against.
    least_error: float | None = None


def scored_examples(spec: AssignmentSpec, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """What a model is scored on from a split: the split itself, or what the spec's ``examples`` makes of it."""
    return spec.examples(x, y) if spec.examples is not None else (x, y)


def validation_data(spec: AssignmentSpec) -> EvaluationData:
    """The public validation split: what a learner's self-check scores."""
    if not spec.has_model:
        return EvaluationData(np.array([]), np.array([]), "self-check on the grader's public example inputs; "
                                                           "your instructor grades on secret ones", False)
    x, y = scored_examples(spec, *load(spec.dataset, "validation"))
    return EvaluationData(x, y, f"self-check on validation data, {len(y):,} examples; "
                                "your instructor grades on held-out data", False)


def training_data(spec: AssignmentSpec) -> EvaluationData:
    """The public training split: what a gap rule compares held-out (or validation) accuracy with."""
    x, y = scored_examples(spec, *load(spec.dataset, "train"))
    return EvaluationData(x, y, f"training split, {len(y):,} examples", False)



def dataset_seed(seed: int, dataset: str) -> int:
    """The seed a generated dataset's held-out examples are drawn from (secret as the store's seed is)."""
    return int.from_bytes(hashlib.sha256(f"{seed}:{dataset}".encode()).digest()[:8], "big")


def heldout_examples(dataset: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A dataset's held-out examples: generated from the secret seed where the set is generated, else its test split."""
    data_spec = get_spec(dataset)
    if data_spec.heldout is not None:
        return data_spec.heldout(fetch_files(data_spec), dataset_seed(seed, data_spec.heldout_draws_as or dataset))
    return load(dataset, "test")


