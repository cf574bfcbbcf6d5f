"""Calibration: how each ladder's measured value spreads over training runs and held-out draws.

For each assignment and demo student (reference, weak, broken), the student's notebook is executed as
a learner would run it (a plain kernel, nbclient), once per initialisation (``TFCOURSE_SEED``, which
``session.start()`` reads), and the saved model is scored by the sandboxed scorer on held-out sets
drawn from several store seeds, exactly as grading draws them. Nothing is asserted: it prints one row
per (assignment, student) with the ladder's value over every (initialisation, held-out seed) pair
(mean, standard deviation, min, max), the points earned (min-max), and for the reference how many
standard deviations its mean lies beyond the full-credit threshold. docs/grading.md keeps the runs.

    .venv/bin/python benchmarks/calibrate.py C4W2 C4W3 [--inits 3 | --init-seeds 1 2 3 42] [--seeds 5]
        [--students reference weak]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tfcourse.course import Course  # noqa: E402
from tfcourse.grading import EvaluationData, get_assignment  # noqa: E402
from tfcourse.grading.heldout import heldout_examples, scored_examples  # noqa: E402
from tfcourse.grading.scorer import Scorer  # noqa: E402
from tfcourse.instructor.demo import student_notebook  # noqa: E402

FIRST_INIT = 1
FIRST_HELDOUT_SEED = 1000  # calibration seeds: public, so never the seed of a real store


def train(course: Course, folder: str, student: str, init: int, workdir: Path) -> Path | None:
    """Execute one student's notebook with initialisation ``init``; the model it saved, if any."""
    spec = get_assignment(folder)
    notebook = nbformat.reads(student_notebook(course, folder, student), as_version=4)
    os.environ["TFCOURSE_SEED"] = str(init)
    try:
        NotebookClient(notebook, timeout=600, resources={"metadata": {"path": str(workdir)}}).execute()
    except Exception as error:  # noqa: BLE001  (a broken student's notebook is expected to fail)
        reason = str(error).strip().splitlines()[-1:] or [type(error).__name__]
        print(f"  {folder} {student} init {init}: the notebook failed: {reason[0][:200]}", file=sys.stderr)
    finally:
        os.environ.pop("TFCOURSE_SEED", None)
    model = workdir / spec.model_filename
    return model if model.is_file() else None


class HeldoutDraws:
    """Held-out sets of each dataset for the calibration seeds, drawn once per run."""

    def __init__(self):
        self._drawn: dict[tuple[str, int], EvaluationData] = {}

    def get(self, folder: str, seed: int) -> EvaluationData:
        spec = get_assignment(folder)
        key = (spec.assignment_id, seed)
        if key not in self._drawn:
            x, y = scored_examples(spec, *heldout_examples(spec.dataset, seed))
            self._drawn[key] = EvaluationData(x, y, f"held-out seed {seed}", True)
        return self._drawn[key]


def score(scorer: Scorer, folder: str, model: Path, data: EvaluationData) -> tuple[float | None, float, dict]:
    """The ladder's measured value (None when the model could not be scored), the model part's points, and
    the value each further rule measured (a gap), by check name."""
    spec = get_assignment(folder)
    checks = scorer.score_model(spec, model, data)
    others = {check.name: check.value for check in checks[1:] if check.value is not None}
    return checks[0].value, sum(check.score for check in checks), others


def summarise(folder: str, student: str, runs: list[dict]) -> dict:
    """One table row over every (initialisation, seed) pair of one student."""
    spec = get_assignment(folder)
    values = [run["value"] for run in runs if run["value"] is not None]
    points = [run["points"] for run in runs]
    row = {"assignment": spec.assignment_id, "student": student, "runs": len(runs),
           "full": spec.ladder[0].threshold, "partial": spec.ladder[-1].threshold,
           "points": f"{min(points):g}-{max(points):g}" if points else "-"}
    if values:
        mean, sd = statistics.fmean(values), statistics.pstdev(values)
        sign = 1 if spec.higher_is_better else -1
        row.update(mean=mean, sd=sd, min=min(values), max=max(values),
                   margin_sd=(sign * (mean - spec.ladder[0].threshold) / sd) if sd > 0 else float("inf"))
    return row


def print_table(rows: list[dict]) -> None:
    print("\n| assignment | student | runs | full / partial | mean | sd | min | max | points | (mean - full) / sd |")
    print("|---|---|---:|---|---:|---:|---:|---:|---|---:|")
    for row in rows:
        if "mean" not in row:
            print(f"| {row['assignment']} | {row['student']} | {row['runs']} | {row['full']:g} / {row['partial']:g} "
                  f"| - | - | - | - | {row['points']} | - |")
            continue
        print(f"| {row['assignment']} | {row['student']} | {row['runs']} | {row['full']:g} / {row['partial']:g} "
              f"| {row['mean']:.4f} | {row['sd']:.4f} | {row['min']:.4f} | {row['max']:.4f} | {row['points']} "
              f"| {row['margin_sd']:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("assignments", nargs="+", help="assignment ids, e.g. C4W2")
    parser.add_argument("--inits", type=int, default=3, help="training initialisations per student (default 3)")
    parser.add_argument("--init-seeds", type=int, nargs="+",
                        help="the initialisations themselves (instead of --inits), e.g. 1 2 3 42 (42: the tests' own)")
    parser.add_argument("--seeds", type=int, default=5, help="held-out seeds per trained model (default 5)")
    parser.add_argument("--students", nargs="+", default=["reference", "weak"], help="demo students")
    parser.add_argument("--json", type=Path, help="also write every run here")
    args = parser.parse_args()
    course = Course(REPO)
    draws = HeldoutDraws()
    runs: list[dict] = []
    rows = []
    with Scorer() as scorer, tempfile.TemporaryDirectory(prefix="tfcourse-calibrate-") as scratch:
        for assignment in args.assignments:
            folder = get_assignment(assignment).folder
            for student in args.students:
                mine = []
                for init in args.init_seeds or range(FIRST_INIT, FIRST_INIT + args.inits):
                    workdir = Path(scratch) / f"{assignment}-{student}-{init}"
                    workdir.mkdir()
                    started = time.perf_counter()
                    model = train(course, folder, student, init, workdir)
                    trained_s = time.perf_counter() - started
                    for seed in range(FIRST_HELDOUT_SEED, FIRST_HELDOUT_SEED + args.seeds):
                        value, points, others = (None, 0.0, {}) if model is None else score(
                            scorer, folder, model, draws.get(folder, seed))
                        run = {"assignment": assignment, "student": student, "init": init, "seed": seed,
                               "value": value, "points": points, "others": others, "notebook_s": round(trained_s, 1)}
                        mine.append(run)
                    values = [f"{run['value']:.4f}" if run["value"] is not None else "-" for run in mine[-args.seeds:]]
                    print(f"{assignment} {student} init {init} ({trained_s:.0f} s): {' '.join(values)}", flush=True)
                    for name in mine[-1]["others"]:
                        shown = [f"{run['others'].get(name, float('nan')):.4f}" for run in mine[-args.seeds:]]
                        print(f"  {name}: {' '.join(shown)}", flush=True)
                runs += mine
                rows.append(summarise(folder, student, mine))
    print_table(rows)
    if args.json:
        args.json.write_text(json.dumps({"runs": runs, "rows": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
