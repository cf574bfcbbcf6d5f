"""The course directory: where source/, release/, submissions and held-out data live."""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from tfcourse.errors import NotFound

CONFIG_FILE = "nbgrader_config.py"
# What an instructor needs to generate, grade and run the demo: the rest is regenerated.
INSTRUCTOR_FILES = ("source", "demo", CONFIG_FILE)
HELDOUT_PIN = "heldout.pin"


def default_heldout_dir(course_id: str, root: Path) -> Path:
    """Where held-out data lives unless configured: outside the course, in the instructor's data folder.

    The folder is named after the course id and a key of the course folder's path,
    ``<course_id>-<first 12 hex digits of the SHA-256 of the resolved path>``, so two course folders
    with one course id on a machine never share a store (an export in one would stop the other from
    grading). A moved or copied course folder looks in a new place; grading says where, and how to
    bring the store along.
    """
    data_home = Path(os.environ.get("XDG_DATA_HOME") or "~/.local/share").expanduser()
    return data_home / "tfcourse" / "heldout" / f"{course_id}-{folder_key(root)}"


def folder_key(root: Path) -> str:
    """12 hex digits that tell this course folder from any other on the machine (its resolved path's SHA-256)."""
    return hashlib.sha256(str(Path(root).resolve()).encode()).hexdigest()[:12]


def is_course_root(folder: Path) -> bool:
    """Whether ``folder`` is a course directory: nbgrader_config.py with source/ or release/ beside it."""
    return (folder / CONFIG_FILE).is_file() and ((folder / "source").is_dir() or (folder / "release").is_dir())


def find_root(start: Path | None = None) -> Path:
    """The nearest directory at or above ``start`` holding nbgrader_config.py and source/ or release/.

    (A learner's work folder has an nbgrader_config.py of its own, but no assignments of the course's.)
    """
    start = Path(start or Path.cwd()).resolve()
    for candidate in (start, *start.parents):
        if is_course_root(candidate):
            return candidate
    raise NotFound(f"no {CONFIG_FILE} found in {start} or above; run this inside the course directory, or pass --course")


@dataclass(frozen=True)
class Course:
    """Paths of one nbgrader course directory (nbgrader's standard layout)."""

    root: Path

    @classmethod
    def at(cls, root: str | os.PathLike | None = None) -> Course:
        """The course at ``root``, or found from the current directory."""
        if root and not (Path(root) / CONFIG_FILE).is_file():
            raise NotFound(f"{root} is not a course directory (it has no {CONFIG_FILE}); pass --course the folder "
                           f"that holds source/ and {CONFIG_FILE}")
        return cls(Path(root).resolve() if root else find_root())

    @property
    def source(self) -> Path:
        return self.root / "source"

    @property
    def release(self) -> Path:
        return self.root / "release"

    @property
    def submitted(self) -> Path:
        return self.root / "submitted"

    @property
    def autograded(self) -> Path:
        return self.root / "autograded"

    @property
    def feedback(self) -> Path:
        return self.root / "feedback"

    @property
    def downloaded(self) -> Path:
        return self.root / "downloaded"

    def archive(self, folder: str) -> Path:
        """Where collected submission zips wait for ``nbgrader zip_collect``."""
        return self.downloaded / folder / "archive"

    @property
    def heldout(self) -> Path:
        """The instructor's held-out data folder: ``c.TfCourse.heldout_dir``, else outside the course.

        The default is ``~/.local/share/tfcourse/heldout/<course_id>-<folder key>`` (``$XDG_DATA_HOME``
        respected; see :func:`default_heldout_dir`).
        """
        configured = self.heldout_configured
        if not configured:
            return default_heldout_dir(self.course_id, self.root)
        path = Path(os.path.expanduser(configured))
        return path if path.is_absolute() else self.root / path

    @property
    def heldout_configured(self) -> str | None:
        """``c.TfCourse.heldout_dir`` as nbgrader_config.py sets it; None where the default store is used."""
        return read_config(self.root).get("TfCourse", {}).get("heldout_dir") or None

    @property
    def course_id(self) -> str:
        """nbgrader's ``c.CourseDirectory.course_id``: the course's name in the exchange and the held-out store."""
        return read_config(self.root).get("CourseDirectory", {}).get("course_id", "tfcourse")

    @property
    def exchange(self) -> Path:
        """nbgrader's exchange (``c.Exchange.root``), where learners fetch and submit from JupyterLab."""
        configured = read_config(self.root).get("Exchange", {}).get("root")
        path = Path(os.path.expanduser(configured)) if configured else Path("exchange")
        return path if path.is_absolute() else self.root / path

    @property
    def heldout_pin(self) -> Path:
        """The checksum of the held-out manifest, pinned when it was exported (never visible to submissions)."""
        return self.root / HELDOUT_PIN

    def copy_to(self, root: str | os.PathLike, *, heldout_dir: str | os.PathLike | None = None) -> Course:
        """A scratch copy of the instructor files (source/, demo/, nbgrader_config.py) at ``root``.

        Tests and benchmarks grade in such a copy so the working tree is never written to. The
        copy keeps its held-out data in ``heldout_dir``, by default a folder beside it.
        """
        target = Path(root).resolve()
        target.mkdir(parents=True, exist_ok=True)
        for name in INSTRUCTOR_FILES:
            origin = self.root / name
            if origin.is_dir():
                shutil.copytree(origin, target / name)
            else:
                shutil.copy(origin, target / name)
        heldout = Path(heldout_dir) if heldout_dir else target.with_name(f"{target.name}-heldout")
        with open(target / CONFIG_FILE, "a") as config:
            config.write(f"\n# This scratch copy keeps its held-out data beside it.\nc.TfCourse.heldout_dir = {str(heldout)!r}\n")
        return Course(target)

    def released_folders(self) -> list[str]:
        """Assignment folders in release/, sorted."""
        return sorted(p.name for p in self.release.iterdir() if p.is_dir()) if self.release.is_dir() else []

    def assignment_folders(self) -> list[str]:
        """Assignment folders in source/, sorted (C1W1_..., C1W2_..., ...)."""
        return sorted(p.name for p in self.source.iterdir() if p.is_dir() and not p.name.startswith("."))


def read_config(root: Path) -> dict:
    """The course's nbgrader_config.py as plain nested dicts (``{"TfCourse": {...}, ...}``)."""
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader(CONFIG_FILE, path=str(root)).load_config()
    return {section: dict(values) for section, values in config.items() if hasattr(values, "items")}
