"""Benchmark: what each reference notebook costs a learner, and what grading adds.

Three tables, measured in one run on the same machine (nothing is asserted: it is a benchmark):

1. **Learner run**: the reference solution executed as a learner would (a plain kernel, nbclient),
   split into setup, training, the graded cells (saving and the in-kernel self-check) and the rest.
2. **Notebook-mode grading, per submission**: one reference submission through the two phases
   (nbgrader autograde in the sandbox, then the scorer on held-out data, gradebook and annotation),
   with bubblewrap on and off. Overhead = per-submission time minus the time its own notebook cells
   took in that very run (their timings are in the autograded notebook), so training-time noise
   cancels out; the sandbox's cost is the difference of the two overheads, and is also measured on
   its own as the time to start a trivial process through the launcher. Batch costs paid once
   (workers, data view, collection, feedback) are listed apart.
3. **Model-only grading**: scoring a saved reference model with the warm worker (several times),
   against a cold sandboxed worker started for that one model.

    .venv/bin/python benchmarks/grading_times.py [C1W1 C1W3 ...]
"""

from __future__ import annotations

import json
import os
import platform
import statistics
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
from tfcourse.grading.policies import export_notebook_splits  # noqa: E402
from tfcourse.grading.scorer import Scorer  # noqa: E402
from tfcourse.instructor import nbgrader_steps  # noqa: E402
from tfcourse.instructor.demo import fill_solutions, solution_sources, stage_submissions  # noqa: E402
from tfcourse.instructor.grade import collect, grade_notebook  # noqa: E402
from tfcourse.sandbox.policy import SANDBOX_ENV  # noqa: E402

MODEL_REPEATS = 10
STARTS = 10


def cell_seconds(cell) -> float:
    timing = cell.get("metadata", {}).get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not start or not end:
        return 0.0
    parse = lambda stamp: datetime.fromisoformat(stamp.replace("Z", "+00:00"))  # noqa: E731
    return (parse(end) - parse(start)).total_seconds()


def learner_run(course: Course, folder: str, workdir: Path) -> dict[str, float]:
    """Execute the reference notebook; split its time into setup, training, graded cells, rest."""
    spec = get_assignment(folder)
    released = nbformat.read(course.release / folder / spec.notebook, as_version=4)
    source = nbformat.read(course.source / folder / spec.notebook, as_version=4)
    notebook = fill_solutions(released, solution_sources(source))
    started = time.perf_counter()
    NotebookClient(notebook, timeout=600, resources={"metadata": {"path": str(workdir)}}).execute()
    times = {"total": time.perf_counter() - started, "setup": 0.0, "training": 0.0, "graded cells": 0.0}
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade") and not meta.get("solution"):
            times["graded cells"] += cell_seconds(cell)
        elif "session.start()" in cell.source:
            times["setup"] += cell_seconds(cell)
        elif ".fit(" in cell.source or "= house_model()" in cell.source or "= train_model(" in cell.source:
            times["training"] += cell_seconds(cell)
    times["other"] = times["total"] - times["setup"] - times["training"] - times["graded cells"]
    return times


def timed(action):
    started = time.perf_counter()
    value = action()
    return value, time.perf_counter() - started


def start_seconds(mode: str, scratch: Path) -> float:
    """Mean time to start and finish a trivial Python process through the sandbox launcher."""
    import subprocess

    from tfcourse.grading.policies import exercise_worker_policy
    from tfcourse.sandbox.process import Sandbox

    os.environ[SANDBOX_ENV] = mode
    folder = scratch / f"start-{mode}"
    folder.mkdir()
    total = 0.0
    for _ in range(STARTS):
        sandbox = Sandbox(exercise_worker_policy(folder))
        _, seconds = timed(lambda: subprocess.run(sandbox.command([sys.executable, "-I", "-c", "pass"]), check=True))
        sandbox.close()
        total += seconds
    os.environ.pop(SANDBOX_ENV)
    return total / STARTS


def main(argv: list[str]) -> None:
    folders = [get_assignment(a).folder for a in argv] or Course(REPO).assignment_folders()
    learner, grading, batch, models, peaks = {}, {}, {}, {}, {}
    with tempfile.TemporaryDirectory() as scratch:
        starts = {mode: start_seconds(mode, Path(scratch)) for mode in ("on", "off")}
        course = Course(REPO).copy_to(Path(scratch) / "course")
        store = export_heldout(course.heldout, course.heldout_pin, {get_assignment(folder).assignment_id for folder in folders})
        for folder in folders:
            nbgrader_steps.generate_assignment(course.root, folder)
            workdir = Path(scratch) / "learner" / folder
            workdir.mkdir(parents=True)
            learner[folder] = learner_run(course, folder, workdir)

        with Scorer(exercise_seed=store.seed) as scorer:
            for folder in folders:
                spec = get_assignment(folder)
                data = store.data(spec)
                costs = {}
                _, costs["workers"] = timed(lambda: scorer.warm_up(spec))
                view, costs["data view"] = timed(lambda: export_notebook_splits(spec, Path(scratch) / "splits" / folder))
                stage_submissions(course, [folder], ("reference",))
                _, costs["vet + collect"] = timed(lambda: collect(course, folder))
                for mode in ("on", "off"):
                    os.environ[SANDBOX_ENV] = mode
                    (row, _), seconds = timed(lambda: grade_notebook(
                        course, spec, "reference", data=data, scorer=scorer, data_view=view,
                        work=Path(scratch), cell_timeout_s=None))
                    graded = nbformat.read(course.autograded / "reference" / folder / spec.notebook, as_version=4)
                    cells = sum(cell_seconds(cell) for cell in graded.cells if cell.cell_type == "code")
                    grading[(folder, mode)] = (seconds, cells, row.score, row.possible, row.reasons)
                    if mode == "on":
                        report = json.loads((Path(scratch) / f"reference.{folder}.kernel.json").read_text())
                        peaks[folder] = report.get("peak_memory_bytes", 0) / 2**30
                os.environ.pop(SANDBOX_ENV)
                _, costs["feedback (whole batch)"] = timed(lambda: nbgrader_steps.generate_feedback(course.root, folder))
                batch[folder] = costs
                if not spec.has_model:  # graded on exercises alone: nothing to score model-only
                    continue
                model_folder = course.autograded / "reference" / folder
                warm = [timed(lambda: scorer.score_model(spec, model_folder / spec.model_filename, data))[1]
                        for _ in range(MODEL_REPEATS)]
                with Scorer(exercise_seed=store.seed) as cold_scorer:
                    _, cold = timed(lambda: cold_scorer.score_model(spec, model_folder / spec.model_filename, data))
                models[folder] = (warm, cold)

    print(f"# Grading benchmark: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}\n")
    print("## Learner run of each reference notebook (plain kernel)\n")
    print("| assignment | total (s) | setup (s) | training (s) | graded cells (s) | other (s) |")
    print("|---|---:|---:|---:|---:|---:|")
    for folder, t in learner.items():
        print(f"| {folder} | {t['total']:.1f} | {t['setup']:.1f} | {t['training']:.1f} | {t['graded cells']:.1f} "
              f"| {t['other']:.1f} |")
    print("\n## Notebook-mode grading, per submission (execute in the sandbox, then score)\n")
    print("| assignment | learner run (s) | graded (s) | its notebook cells (s) | overhead (s) "
          "| without sandbox: graded (s) | cells (s) | overhead (s) | sandbox cost (s) | kernel peak memory (GiB) "
          "| points |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for folder in folders:
        on, on_cells, score, possible, _ = grading[(folder, "on")]
        off, off_cells, *_ = grading[(folder, "off")]
        print(f"| {folder} | {learner[folder]['total']:.1f} | {on:.1f} | {on_cells:.1f} | {on - on_cells:.1f} "
              f"| {off:.1f} | {off_cells:.1f} | {off - off_cells:.1f} | {(on - on_cells) - (off - off_cells):.1f} "
              f"| {peaks[folder]:.2f} | {score:g}/{possible:g} |")
    print(f"\n## Starting one sandboxed process (`python -I -c pass` through the launcher), mean of {STARTS}\n")
    print("| with bubblewrap (s) | without (s) | bubblewrap's cost (s) |")
    print("|---:|---:|---:|")
    print(f"| {starts['on']:.3f} | {starts['off']:.3f} | {starts['on'] - starts['off']:.3f} |")
    print("\n## Batch costs, paid once per assignment\n")
    names = list(next(iter(batch.values())))
    print("| assignment | " + " | ".join(f"{name} (s)" for name in names) + " |")
    print("|---|" + "---:|" * len(names))
    for folder, costs in batch.items():
        print(f"| {folder} | " + " | ".join(f"{costs[name]:.1f}" for name in names) + " |")
    print("\n## Model-only grading (`tfcourse grade --models`), seconds per model\n")
    print(f"| assignment | warm worker, mean of {MODEL_REPEATS} | warm worker, max | cold worker for one model "
          "| cold / warm |")
    print("|---|---:|---:|---:|---:|")
    for folder, (warm, cold) in models.items():
        mean = statistics.mean(warm)
        print(f"| {folder} | {mean:.2f} | {max(warm):.2f} | {cold:.2f} | {cold / mean:.1f}x |")
    for folder in folders:
        reasons = grading[(folder, "on")][4]
        if reasons:
            print(f"\nnote: {folder} lost points: {'; '.join(reasons)}")


if __name__ == "__main__":
    main(sys.argv[1:])
