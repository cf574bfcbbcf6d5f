"""Benchmark: how long each Course 1 reference notebook takes, and what grading adds.

For every assignment it (1) executes the reference solution like a learner would (nbclient,
per-cell timings) and (2) autogrades the same submission through `tfcourse grade` (nbgrader
autograde + out-of-process evaluation + feedback). It prints one table; nothing is asserted.

    .venv/bin/python benchmarks/notebook_times.py [--autograde] [C1W1 C1W3 ...]

Without --autograde only the learner runs are timed (about 4 minutes for Course 1).
"""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tfcourse.course import Course  # noqa: E402
from tfcourse.grading import export_heldout, get_assignment  # noqa: E402
from tfcourse.instructor.demo import fill_solutions, solution_sources, stage_submissions  # noqa: E402
from tfcourse.instructor.grade import grade  # noqa: E402
from tfcourse.instructor.nbgrader_steps import generate_assignment  # noqa: E402


def cell_seconds(cell) -> float:
    timing = cell.get("metadata", {}).get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not start or not end:
        return 0.0
    return (datetime.fromisoformat(end.replace("Z", "+00:00")) - datetime.fromisoformat(start.replace("Z", "+00:00"))).total_seconds()


def learner_run(course: Course, folder: str, workdir: Path) -> dict[str, float]:
    """Execute the reference notebook; split its time into setup, training, grading cell, rest."""
    spec = get_assignment(folder)
    released = nbformat.read(course.release / folder / spec.notebook, as_version=4)
    notebook = fill_solutions(released, solution_sources(nbformat.read(course.source / folder / spec.notebook, as_version=4)))
    started = time.perf_counter()
    NotebookClient(notebook, timeout=600, resources={"metadata": {"path": str(workdir)}}).execute()
    total = time.perf_counter() - started
    times = {"setup": 0.0, "training": 0.0, "grading cell": 0.0}
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        seconds = cell_seconds(cell)
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade") and not meta.get("solution"):
            times["grading cell"] += seconds
        elif "session.start()" in cell.source:
            times["setup"] += seconds
        elif ".fit(" in cell.source or "= house_model()" in cell.source or "= train_model(" in cell.source:
            times["training"] += seconds
    times["total"] = total
    times["other"] = total - times["setup"] - times["training"] - times["grading cell"]
    return times


def main(argv: list[str]) -> None:
    with_autograde = "--autograde" in argv
    argv = [a for a in argv if a != "--autograde"]
    folders = [get_assignment(a).folder for a in argv] or Course(REPO).assignment_folders()
    with tempfile.TemporaryDirectory() as scratch:
        course = Course(REPO).copy_to(Path(scratch) / "course")
        root = course.root
        rows = []
        for folder in folders:
            generate_assignment(root, folder)
            workdir = Path(scratch) / "learner" / folder
            workdir.mkdir(parents=True)
            rows.append((folder, learner_run(course, folder, workdir)))
        autograde_times = {folder: (float("nan"), float("nan"), 10.0) for folder in folders}
        if with_autograde:
            export_heldout(course.heldout)
            stage_submissions(course, folders, ("reference",))
        for folder in folders if with_autograde else ():
            started = time.perf_counter()
            (row,) = grade([folder], course=course, students=["reference"], progress=False)
            autograde_times[folder] = (time.perf_counter() - started, row.score, row.possible)

    print(f"# Course 1 reference notebooks: {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}")
    print("| assignment | notebook total (s) | setup (s) | training (s) | grading cell (s) | other (s) "
          "| overhead in notebook (s) | autograde total (s) | autograde overhead (s) | points |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for folder, t in rows:
        autograde_s, score, possible = autograde_times[folder]
        print(f"| {folder} | {t['total']:.1f} | {t['setup']:.1f} | {t['training']:.1f} | {t['grading cell']:.1f} "
              f"| {t['other']:.1f} | {t['total'] - t['training']:.1f} | {autograde_s:.1f} "
              f"| {autograde_s - t['training']:.1f} | {score:g}/{possible:g} |")
    print("\noverhead in notebook = notebook total - training (imports, data loading, saving, the out-of-process "
          "evaluation); autograde overhead = autograde total - training (adds nbgrader, kernel start, feedback)")


if __name__ == "__main__":
    main(sys.argv[1:])
