"""Held-out data: exported for the instructor outside release/, verified by checksum when graded.

When ``$TFCOURSE_HELDOUT_DIR`` is set (the instructor's grading run sets it), models are scored
on the held-out test split stored there. Otherwise grading is a learner's self-check on the
public validation split, and every report says so.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tfcourse.data import load
from tfcourse.data.cache import sha256_of
from tfcourse.grading.specs import ASSIGNMENTS, AssignmentSpec

HELDOUT_ENV = "TFCOURSE_HELDOUT_DIR"
MANIFEST = "manifest.json"


class HeldoutError(RuntimeError):
    """The held-out data is missing or does not match its manifest."""


@dataclass(frozen=True)
class EvaluationData:
    """Examples a model is scored on, and a label saying which data they are."""

    x: np.ndarray
    y: np.ndarray
    label: str
    is_heldout: bool


def heldout_dir() -> Path | None:
    """The configured held-out directory, or None for a learner's self-check."""
    configured = os.environ.get(HELDOUT_ENV)
    return Path(configured) if configured else None


def export_heldout(directory: Path) -> Path:
    """Write every assignment's held-out test split to ``directory`` with a checksum manifest."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    manifest = {}
    for spec in ASSIGNMENTS.values():
        x, y = load(spec.dataset, "test")
        path = directory / f"{spec.assignment_id}.npz"
        np.savez_compressed(path, x=x, y=y)
        manifest[spec.assignment_id] = {"file": path.name, "sha256": sha256_of(path), "examples": int(len(y))}
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return directory


def _load_heldout(directory: Path, spec: AssignmentSpec) -> tuple[np.ndarray, np.ndarray]:
    manifest_path = directory / MANIFEST
    if not manifest_path.is_file():
        raise HeldoutError(f"no held-out data at {directory} (run `tfcourse heldout export {directory}`)")
    entry = json.loads(manifest_path.read_text()).get(spec.assignment_id)
    if entry is None:
        raise HeldoutError(f"{manifest_path} has no entry for {spec.assignment_id}")
    path = directory / entry["file"]
    if not path.is_file() or sha256_of(path) != entry["sha256"]:
        raise HeldoutError(f"held-out file {path} is missing or corrupt (checksum mismatch)")
    with np.load(path, allow_pickle=False) as arrays:
        return arrays["x"], arrays["y"]


def evaluation_data(spec: AssignmentSpec) -> EvaluationData:
    """The data ``spec``'s model is scored on: held-out for the instructor, validation otherwise."""
    directory = heldout_dir()
    if directory is not None:
        x, y = _load_heldout(directory, spec)
        return EvaluationData(x, y, f"held-out test data, {len(y):,} examples", True)
    x, y = load(spec.dataset, "validation")
    return EvaluationData(x, y, f"self-check on validation data, {len(y):,} examples; "
                                "the instructor grades on held-out data", False)
