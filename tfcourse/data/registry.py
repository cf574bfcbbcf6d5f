"""The dataset registry: each dataset's files, sources, checksums, provenance and reader."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tfcourse.data import cache
from tfcourse.data.sources import Source, SourceUnavailable
from tfcourse.errors import UnknownName, UserError

SPLITS = ("train", "validation", "test")

Arrays = tuple[np.ndarray, np.ndarray]


class DataUnavailable(UserError, RuntimeError):
    """No source could provide a dataset file; the message lists what each source said."""


@dataclass(frozen=True)
class DataFile:
    """One file of a dataset: its name in the cache, checksum, and sources in order of preference."""

    name: str
    sha256: str
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class DatasetSpec:
    """Everything the course knows about one dataset.

    ``read`` turns the verified files (name -> path) and a split name into ``(x, y)`` arrays;
    ``example_shape`` and ``example_dtype`` describe one ``x`` so a TFDS builder can declare its
    features without reading the data. Image datasets also name their ``class_names`` so they can
    be written as a directory tree.
    """

    name: str
    description: str
    provenance: str
    license: str
    files: tuple[DataFile, ...]
    read: Callable[[dict[str, Path], str], Arrays]
    example_shape: tuple[int, ...] = ()
    example_dtype: str = "float32"
    class_names: tuple[str, ...] = ()
    splits: tuple[str, ...] = SPLITS
    notes: str = ""
    # Generated sets: ``split_files(paths, split, root)`` makes ``root`` hold a public split's files
    # (image folders or a CSV file), verified against pinned checksums, and ``heldout(paths, seed)``
    # draws the held-out examples from the instructor's secret seed instead of reading a "test" split.
    split_files: Callable[[dict[str, Path], str, Path], None] | None = None
    heldout: Callable[[dict[str, Path], int], Arrays] | None = None
    # A set made like another (same generator, classes and held-out size) draws the same held-out examples
    # from the same store seed: they grade both assignments, and are drawn once.
    heldout_draws_as: str = ""

    @property
    def is_image(self) -> bool:
        """Images: uint8 arrays of two (grayscale) or three (colour) axes, with class names."""
        return bool(self.class_names) and self.example_dtype == "uint8" and len(self.example_shape) in (2, 3)

    @property
    def is_text(self) -> bool:
        """Text: one string per example (loaded as Python ``str``)."""
        return self.example_dtype == "string"

    @property
    def offline(self) -> bool:
        """True when every file has a source that works without the internet."""
        return all(any(source.offline for source in data_file.sources) for data_file in self.files)


_REGISTRY: dict[str, DatasetSpec] = {}


def register(spec: DatasetSpec) -> DatasetSpec:
    """Add a dataset to the registry (names are unique)."""
    if spec.name in _REGISTRY:
        raise ValueError(f"dataset {spec.name!r} is already registered")
    _REGISTRY[spec.name] = spec
    return spec


def get_spec(name: str) -> DatasetSpec:
    """Return the registered dataset called ``name``."""
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY))
        raise UnknownName(f"unknown dataset {name!r}; registered datasets: {known} "
                          "(`tfcourse data list` describes them)") from None


def dataset_names() -> list[str]:
    """Names of all registered datasets, sorted."""
    return sorted(_REGISTRY)


def fetch_file(dataset: str, data_file: DataFile) -> Path:
    """Return the verified cached path of one dataset file, fetching it from the first working source."""
    target = cache.cache_dir() / dataset / data_file.name
    if cache.is_valid(target, data_file.sha256):
        return target
    reasons = []
    for source in data_file.sources:
        try:
            return cache.write_verified(target, data_file.sha256, source.fetch)
        except (SourceUnavailable, cache.ChecksumMismatch) as error:
            reasons.append(f"  - {source.describe()}: {error}")
    raise DataUnavailable(f"cannot obtain {dataset}/{data_file.name}; tried:\n" + "\n".join(reasons))


def fetch_files(spec: DatasetSpec) -> dict[str, Path]:
    """Fetch and verify every file of a dataset; return name -> cached path."""
    return {data_file.name: fetch_file(spec.name, data_file) for data_file in spec.files}


def local_source_paths() -> list[Path]:
    """Every file on this machine that a registered dataset is read from (system and package files).

    The grader hides them from sandboxed notebooks, which may load only the splits it exports.
    """
    paths = []
    for spec in _REGISTRY.values():
        for data_file in spec.files:
            for source in data_file.sources:
                path = source.local_path() if hasattr(source, "local_path") else None
                if path is not None:
                    paths.append(path)
    return sorted(set(paths))
