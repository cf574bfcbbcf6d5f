"""The held-out store: the instructor's secret test data and grading seed, read only by the scorer.

Stops: a submission reading, training on or rewriting held-out data, and misgrading after tampering.
The store lives outside the course folder by default and is never visible inside a sandbox. Its
manifest lists every file's SHA-256 and the secret seed that draws exercise inputs; ``export``
pins the manifest's own checksum in the course folder, and grading verifies the manifest and
every file against that pin before anyone is scored, stopping the batch with a setup error
rather than grading against changed data.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tfcourse.data import fetch_files, get_spec, load
from tfcourse.data.cache import sha256_of
from tfcourse.data.exported import storable
from tfcourse.errors import UserError
from tfcourse.grading.specs import ASSIGNMENTS, AssignmentSpec

MANIFEST = "manifest.json"


class HeldoutError(UserError, RuntimeError):
    """The held-out data is missing or does not match its pinned checksums (a setup error)."""


@dataclass(frozen=True)
class EvaluationData:
    """Examples a model is scored on, and a label saying which data they are."""

    x: np.ndarray
    y: np.ndarray
    label: str
    is_heldout: bool


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


@dataclass(frozen=True)
class HeldoutStore:
    """An exported, verified held-out folder."""

    directory: Path
    manifest: dict

    @property
    def seed(self) -> int:
        """The secret seed that draws the grader's inputs to function exercises."""
        return int(self.manifest["seed"])

    def data(self, spec: AssignmentSpec) -> EvaluationData:
        """The held-out examples of one assignment, checked against the manifest again as they are read."""
        if not spec.has_model:  # graded on exercises alone, with inputs drawn from the secret seed
            return EvaluationData(np.array([]), np.array([]), "the grader's own inputs, drawn at grading time", True)
        entry = self.manifest["files"].get(spec.assignment_id)
        if entry is None:
            raise HeldoutError(f"the held-out store has no data for {spec.assignment_id}; "
                               f"run `tfcourse heldout export` again")
        path = self.directory / entry["file"]
        if not path.is_file() or sha256_of(path) != entry["sha256"]:
            raise HeldoutError(f"held-out file {path} changed since it was exported (checksum mismatch)")
        with np.load(path, allow_pickle=False) as arrays:
            x, y = scored_examples(spec, arrays["x"], arrays["y"])
        return EvaluationData(x, y, f"held-out test data, {len(y):,} examples", True)


def manifest_digest(directory: Path) -> str:
    return hashlib.sha256((Path(directory) / MANIFEST).read_bytes()).hexdigest()


def dataset_seed(seed: int, dataset: str) -> int:
    """The seed a generated dataset's held-out examples are drawn from (secret as the store's seed is)."""
    return int.from_bytes(hashlib.sha256(f"{seed}:{dataset}".encode()).digest()[:8], "big")


def heldout_examples(dataset: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A dataset's held-out examples: generated from the secret seed where the set is generated, else its test split."""
    data_spec = get_spec(dataset)
    if data_spec.heldout is not None:
        return data_spec.heldout(fetch_files(data_spec), dataset_seed(seed, dataset))
    return load(dataset, "test")


def export_heldout(directory: Path, pin_file: Path, assignments: Collection[str] | None = None) -> HeldoutStore:
    """Write every assignment's held-out examples and a new secret seed; pin the manifest in ``pin_file``.

    Generated datasets draw their held-out examples from that seed, so they exist nowhere else.
    ``assignments`` (ids such as ``"C4W2"``) limits the export to those, as a demo or a test of a few
    assignments needs; grading any other then asks for a full export.

    The folder is written with owner-only permissions; ``pin_file`` belongs in the course folder.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)
    seed = secrets.randbits(62)
    files = {}
    for spec in ASSIGNMENTS.values():
        if not spec.has_model or (assignments is not None and spec.assignment_id not in assignments):
            continue
        x, y = heldout_examples(spec.dataset, seed)
        path = directory / f"{spec.assignment_id}.npz"
        np.savez_compressed(path, x=storable(x), y=y)
        files[spec.assignment_id] = {"file": path.name, "sha256": sha256_of(path), "examples": int(len(y))}
    manifest = {"seed": seed, "files": files}
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    Path(pin_file).parent.mkdir(parents=True, exist_ok=True)
    Path(pin_file).write_text(manifest_digest(directory) + "\n")
    return open_heldout(directory, pin_file)


def open_heldout(directory: Path, pin_file: Path) -> HeldoutStore:
    """Open the held-out store after checking the manifest against its pin and every file against the manifest."""
    directory, pin_file = Path(directory), Path(pin_file)
    if not (directory / MANIFEST).is_file():
        raise HeldoutError(f"no held-out data in {directory}; run `tfcourse heldout export` first")
    if not pin_file.is_file():
        raise HeldoutError(f"no checksum pin at {pin_file}; run `tfcourse heldout export` again")
    if manifest_digest(directory) != pin_file.read_text().strip():
        raise HeldoutError(f"{directory / MANIFEST} changed since it was exported (its checksum no longer "
                           f"matches {pin_file}); nothing was graded")
    manifest = json.loads((directory / MANIFEST).read_text())
    for assignment, entry in manifest["files"].items():
        path = directory / entry["file"]
        if not path.is_file() or sha256_of(path) != entry["sha256"]:
            raise HeldoutError(f"held-out file {path} ({assignment}) changed since it was exported; nothing was graded")
    return HeldoutStore(directory, manifest)
