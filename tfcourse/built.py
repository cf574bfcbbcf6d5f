"""Artifacts the course builds once on this machine: Course 2's pre-trained base, Course 3's word vectors.

Each is trained from data the course ships (nothing is downloaded), cached with its checksum under the
user's cache folder and copied into the data view of every graded notebook whose spec declares it
(``AssignmentSpec.artifacts``). One lifecycle serves them all: :meth:`BuiltArtifact.cached` builds when
the cache is missing or corrupt, :meth:`~BuiltArtifact.path` gives a notebook the grader's copy while it
is graded (and the cached one otherwise), :meth:`~BuiltArtifact.export` makes that copy. A new artifact is
one :class:`BuiltArtifact` in :data:`ARTIFACTS`, with the module that trains it.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tfcourse.data.exported import exported_splits_dir
from tfcourse.data.registry import DataUnavailable
from tfcourse.errors import UnknownName


@dataclass(frozen=True)
class BuiltArtifact:
    """One artifact: its file, where graded notebooks find their copy, and how it is built and described."""

    name: str
    what: str  # how messages name it ("the pre-trained base")
    file_name: str
    exported_folder: str  # inside a graded notebook's data view
    build: Callable[[bool], Path]  # (progress) -> the cached file, built first when missing or corrupt
    summary: Callable[[], str]  # one line on the cached artifact (its size, its accuracy)
    plural: bool = False  # "the word vectors are", "the base is"

    def cached(self, progress: bool = True) -> Path:
        """The cached file, built first when it is missing or corrupt."""
        return self.build(progress)

    def path(self) -> Path:
        """The file this process may use: the grader's exported copy while graded, else the cached one."""
        exported = exported_splits_dir()
        if exported is not None:
            path = exported / self.exported_folder / self.file_name
            if not path.is_file():
                raise DataUnavailable(f"{self.what} {'are' if self.plural else 'is'} not available to this graded notebook")
            return path
        return self.cached()

    def export(self, directory: Path) -> Path:
        """Copy the artifact into a graded notebook's data view (``<directory>/<exported_folder>/<file>``)."""
        target = Path(directory) / self.exported_folder / self.file_name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.cached(), target)
        return target


def _build_base(progress: bool) -> Path:
    from tfcourse import pretrained

    return pretrained.ensure_built(progress=progress)


def _describe_base() -> str:
    from tfcourse import pretrained

    return f"validation accuracy on its own classes {pretrained.info()['validation_accuracy']:.3f}"


def _build_vectors(progress: bool) -> Path:
    from tfcourse import word_vectors

    return word_vectors.ensure_built(progress=progress)


def _describe_vectors() -> str:
    from tfcourse import word_vectors

    recorded = word_vectors.info()
    return f"{recorded['words']:,} words, {recorded['dimensions']} dimensions"


ARTIFACTS: dict[str, BuiltArtifact] = {artifact.name: artifact for artifact in (
    BuiltArtifact("product_base", "the pre-trained base", "product_base.keras", "pretrained", _build_base,
                  _describe_base),
    BuiltArtifact("word_vectors", "the course's word vectors", "course_vectors.100d.txt", "word_vectors",
                  _build_vectors, _describe_vectors, plural=True),
)}


def get_artifact(name: str) -> BuiltArtifact:
    """The built artifact called ``name``."""
    try:
        return ARTIFACTS[name]
    except KeyError:
        raise UnknownName(f"unknown built artifact {name!r}; known: {', '.join(ARTIFACTS)}") from None
