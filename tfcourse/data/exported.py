"""Dataset splits exported as plain arrays: what a notebook sees while it is graded, and nothing else.

The grader exports the splits a released notebook may load (train and validation) into a folder
that the sandboxed kernel sees read-only, and points ``$TFCOURSE_SPLITS_DIR`` at it. ``load`` then
reads only from there, so the test split, which the held-out data is made from, is not in reach.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np

from tfcourse.data.registry import DataUnavailable, get_spec

SPLITS_ENV = "TFCOURSE_SPLITS_DIR"


def exported_splits_dir() -> Path | None:
    """The exported-splits folder this process must load from, or None outside grading."""
    configured = os.environ.get(SPLITS_ENV)
    return Path(configured) if configured else None


def export_split(directory: Path, name: str, split: str, x: np.ndarray, y: np.ndarray) -> Path:
    """Write one split as ``<directory>/<name>/<split>.npz`` (uncompressed: read back in milliseconds)."""
    path = Path(directory) / name / f"{split}.npz"
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, x=storable(x), y=y)
    return path


def storable(x: np.ndarray) -> np.ndarray:
    """Text (an object array of ``str``) as numpy unicode, which .npz files hold without pickling."""
    return np.asarray(x, dtype=str) if x.dtype == object else x


def read_split(directory: Path, name: str, split: str) -> tuple[np.ndarray, np.ndarray]:
    """Read an exported split; any other split is refused with the list of what is there."""
    get_spec(name)
    path = Path(directory) / name / f"{split}.npz"
    if not path.is_file():
        raise split_unavailable(name, split, [p.stem for p in (Path(directory) / name).glob("*.npz")])
    with np.load(path, allow_pickle=False) as arrays:
        return arrays["x"], arrays["y"]


def export_folder(directory: Path, name: str, split: str, source: Path) -> Path:
    """Copy one split of an image-folder set as ``<directory>/<name>/<split>/<class>/...``."""
    target = Path(directory) / name / split
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target)
    return target


def exported_folder(directory: Path, name: str, split: str) -> Path:
    """An exported image-folder split; any other split is refused with the list of what is there."""
    target = Path(directory) / name / split
    if not target.is_dir():
        dataset = Path(directory) / name
        raise split_unavailable(name, split, [p.name for p in dataset.iterdir() if p.is_dir()] if dataset.is_dir() else [])
    return target


def split_unavailable(name: str, split: str, available: list[str]) -> DataUnavailable:
    """The error for a split a graded notebook may not load, naming the ones it may."""
    return DataUnavailable(f"split {split!r} of dataset {name!r} is not available while your notebook is graded; "
                           f"it may load: {', '.join(sorted(available)) or 'nothing of this dataset'}")
