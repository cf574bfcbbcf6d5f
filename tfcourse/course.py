"""The course directory: where source/, release/, submissions and held-out data live."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

CONFIG_FILE = "nbgrader_config.py"
# What an instructor needs to generate, grade and run the demo: the rest is regenerated.
INSTRUCTOR_FILES = ("source", "demo", CONFIG_FILE)
DEFAULT_HELDOUT = "heldout"


def find_root(start: Path | None = None) -> Path:
    """The nearest directory at or above ``start`` holding nbgrader_config.py."""
    start = Path(start or Path.cwd()).resolve()
    for candidate in (start, *start.parents):
        if (candidate / CONFIG_FILE).is_file():
            return candidate
    raise FileNotFoundError(f"no {CONFIG_FILE} found in {start} or above; run this inside the course directory")


@dataclass(frozen=True)
class Course:
    """Paths of one nbgrader course directory (nbgrader's standard layout)."""

    root: Path

    @classmethod
    def at(cls, root: str | os.PathLike | None = None) -> "Course":
        """The course at ``root``, or found from the current directory."""
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
        """The instructor's held-out data directory (``c.TfCourse.heldout_dir`` in nbgrader_config.py)."""
        configured = read_config(self.root).get("heldout_dir", DEFAULT_HELDOUT)
        path = Path(os.path.expanduser(configured))
        return path if path.is_absolute() else self.root / path

    def copy_to(self, root: str | os.PathLike) -> "Course":
        """A scratch copy of the instructor files (source/, demo/, nbgrader_config.py) at ``root``.

        Tests and benchmarks grade in such a copy so the working tree is never written to.
        """
        target = Path(root)
        target.mkdir(parents=True, exist_ok=True)
        for name in INSTRUCTOR_FILES:
            origin = self.root / name
            if origin.is_dir():
                shutil.copytree(origin, target / name)
            else:
                shutil.copy(origin, target / name)
        return Course(target.resolve())

    def assignment_folders(self) -> list[str]:
        """Assignment folders in source/, sorted (C1W1_..., C1W2_..., ...)."""
        return sorted(p.name for p in self.source.iterdir() if p.is_dir() and not p.name.startswith("."))


def read_config(root: Path) -> dict:
    """The ``TfCourse`` section of the course's nbgrader_config.py, as a plain dict."""
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader(CONFIG_FILE, path=str(root)).load_config()
    return dict(config.get("TfCourse", {}))
