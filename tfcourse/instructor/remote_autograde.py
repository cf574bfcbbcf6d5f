"""The execute phase of one notebook submission as a Dask unit: nbgrader autograde in a course of its own.

A unit gets a *kit* (nbgrader_config.py and a small SQLite gradebook that knows only the assignment's
released cells, made once per assignment and batch by :func:`make_kit`) and the submitted files. It
lays them out as a throwaway course in the worker's temporary folder, runs the same sandboxed
``nbgrader autograde`` as serial grading (the kernel sees its own folder and the public splits the
worker exports itself, nothing else), and returns the autograded notebook, the model file it kept and
the sandbox's report, as plain bytes and JSON. Then the folder is deleted.

The unit writes no gradebook but its own throwaway one, and sees no held-out data: the grading
process scores what comes back and alone records it. A worker machine needs tfcourse installed with
its offline data (``make setup``), bubblewrap for the sandbox, and nothing of the course folder.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from tfcourse.instructor import nbgrader_steps

MAX_SUBMITTED_FILES = 200
MAX_SUBMITTED_BYTES = 100 * 2**20  # a submission folder larger than this is not sent to a worker
MAX_RETURNED_BYTES = 250 * 2**20  # the autograded notebook (output-capped) and the model (200 MiB at most)
KIT_FILES = ("nbgrader_config.py", "gradebook.db")


class SubmissionTooLarge(ValueError):
    """A submission folder with too many or too large files to send to a worker."""


@dataclass(frozen=True)
class UnitResult:
    """What one unit returns: nbgrader's outcome, the sandbox's report and the autograded folder's files."""

    returncode: int
    log: str
    report: dict
    files: dict[str, bytes]
    seconds: float  # the unit's time on its worker

    def step(self) -> nbgrader_steps.StepResult:
        return nbgrader_steps.StepResult(("nbgrader", "autograde"), self.returncode, self.log)


@dataclass(frozen=True)
class Kit:
    """The files every unit of a batch needs, sent to the workers once (one object: Dask would scatter a plain
    dict value by value, under the dict's own keys)."""

    folders: tuple[str, ...]
    files: dict[str, bytes]


def make_kit(root: Path, folders: list[str], work: Path) -> Kit:
    """The files every unit of ``folders`` needs: the course's nbgrader_config.py and a gradebook holding only
    those assignments' release records (made by one `nbgrader generate_assignment` in a scratch course, so the
    real gradebook is neither copied nor touched, whatever database it is)."""
    kit = work / "kit"
    if kit.exists():
        shutil.rmtree(kit)
    (kit / "source").mkdir(parents=True)
    shutil.copy2(root / "nbgrader_config.py", kit / "nbgrader_config.py")
    for folder in folders:
        shutil.copytree(root / "source" / folder, kit / "source" / folder)
    step = nbgrader_steps.generate_assignment(kit, "*", env={"TFCOURSE_DB_URL": f"sqlite:///{kit / 'gradebook.db'}"})
    if not step.ok:
        raise RuntimeError(f"could not prepare {', '.join(folders)} for the workers: {step.reason()}")
    return Kit(tuple(folders), {name: (kit / name).read_bytes() for name in KIT_FILES})


def submitted_files(folder: Path) -> dict[str, bytes]:
    """A submission folder's regular files (not following links), as the unit receives them."""
    names = sorted(path.name for path in folder.iterdir())
    if len(names) > MAX_SUBMITTED_FILES:
        raise SubmissionTooLarge(f"the submission holds {len(names)} files, more than {MAX_SUBMITTED_FILES}")
    files, total = {}, 0
    for name in names:
        path = folder / name
        if path.is_symlink() or not path.is_file():
            continue
        total += path.stat().st_size
        if total > MAX_SUBMITTED_BYTES:
            raise SubmissionTooLarge(f"the submission's files hold more than {MAX_SUBMITTED_BYTES // 2**20} MiB")
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(descriptor, "rb") as stream:
            files[name] = stream.read(MAX_SUBMITTED_BYTES + 1)
    return files


_views: dict[str, Path] = {}
_running: set = set()  # the units' nbgrader processes, stopped when the worker closes
_lock = threading.Lock()


def _data_view(assignment_id: str) -> Path:
    """This worker's export of the public splits an assignment's notebook may load (made once per process)."""
    from tfcourse.grading.policies import export_notebook_splits
    from tfcourse.grading.specs import get_assignment

    with _lock:
        if assignment_id not in _views:
            _views[assignment_id] = export_notebook_splits(
                get_assignment(assignment_id), Path(tempfile.mkdtemp(prefix="tfcourse-splits-")))
        return _views[assignment_id]


def close_worker_units() -> None:
    """Stop the units still running in this process and delete the splits it exported."""
    with _lock:
        for process in list(_running):
            process.kill()
        for view in _views.values():
            shutil.rmtree(view.parent if view.parent.name.startswith("tfcourse-splits-") else view,
                          ignore_errors=True)
        _views.clear()


def autograde_unit(kit: Kit, folder: str, student: str, files: dict[str, bytes], *,
                   cell_timeout_s: int | None = None, kernel_threads: int | None = None) -> UnitResult:
    """Autograde one submission in a throwaway course; return what the grading process needs to score it."""
    from tfcourse.grading.specs import get_assignment

    if folder not in kit.folders:
        raise ValueError(f"the kit of {', '.join(kit.folders)} was sent with a unit of {folder}")
    started = time.perf_counter()
    spec = get_assignment(folder)
    view = _data_view(spec.assignment_id)
    root = Path(tempfile.mkdtemp(prefix="tfcourse-unit-"))
    try:
        for name, content in kit.files.items():
            (root / name).write_bytes(content)
        (root / "source" / folder).mkdir(parents=True)  # nbgrader copies non-notebook files from here: none
        submitted = root / "submitted" / student / folder
        submitted.mkdir(parents=True)
        for name, content in files.items():
            (submitted / Path(name).name).write_bytes(content)
        report_path = root / "kernel.json"
        extra = (f"--SandboxedExecute.threads={kernel_threads}",) if kernel_threads else ()
        step = nbgrader_steps.autograde(root, folder, student, data_view=view, report=report_path,
                                        cell_timeout_s=cell_timeout_s, extra_config=extra,
                                        env={"TFCOURSE_DB_URL": f"sqlite:///{root / 'gradebook.db'}"},
                                        running=_running)
        report = _read_json(report_path)
        autograded = root / "autograded" / student / folder
        returned, total = {}, 0
        for name in (spec.notebook, spec.model_filename):
            path = autograded / name
            if path.is_file() and not path.is_symlink():
                total += path.stat().st_size
                if total <= MAX_RETURNED_BYTES:
                    returned[name] = path.read_bytes()
        return UnitResult(step.returncode, step.log, report, returned, time.perf_counter() - started)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _read_json(path: Path) -> dict:
    import json

    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
