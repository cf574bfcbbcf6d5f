"""Calibration of the exam's levels: each task's reference and weak answers over variants and hidden draws.

For every task and variant (an attempt seed), the starter file is written with the answer's body, run
as a candidate runs it (``python solution.py``, a plain process), timed, and the saved model is scored
by the sandboxed scorer on the hidden data of several hidden seeds. Nothing is asserted: one row per
(task, answer, variant) with the training seconds, the measured values and the levels. docs/exam.md
keeps the runs.

    .venv/bin/python benchmarks/calibrate_exam.py [--tasks 1 5] [--variants 1 2 3] [--hidden 5]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))  # the answers live in the tests, not in anything candidates receive

from exam_answers import REFERENCE, WEAK, run_answer  # noqa: E402

from tfcourse.exam.attempt import MODEL_FILE, variant  # noqa: E402
from tfcourse.exam.tasks import TASKS, get_task  # noqa: E402
from tfcourse.grading.scorer import Scorer  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, nargs="+", default=[task.number for task in TASKS])
    parser.add_argument("--variants", type=int, nargs="+", default=[1, 2, 3], help="attempt seeds")
    parser.add_argument("--hidden", type=int, default=5, help="hidden-data seeds per model")
    args = parser.parse_args()
    print("| task | answer | variant | training s | values (min-max) | levels |")
    print("|---|---|---:|---:|---|---|")
    with Scorer() as scorer, tempfile.TemporaryDirectory() as scratch:
        for number in args.tasks:
            task = get_task(number)
            for name, bodies in (("reference", REFERENCE), ("weak", WEAK)):
                for seed in args.variants:
                    folder = Path(scratch) / f"{number}-{name}-{seed}"
                    folder.mkdir(parents=True)
                    task.write_training(variant(seed, task), folder)
                    seconds = run_answer(task, bodies[number], folder)
                    values, levels = [], []
                    for hidden in range(1000, 1000 + args.hidden):
                        data = task.hidden(variant(seed, task), hidden)
                        checks = scorer.score_model(task.spec, folder / MODEL_FILE, data)
                        values.append(checks[0].value if checks[0].value is not None else float("nan"))
                        levels.append(sum(check.score for check in checks))
                    shown = variant(seed, task)
                    print(f"| {number} | {name} | {seed} {shown} | {seconds:.1f} | {min(values):.4f}-{max(values):.4f} "
                          f"| {min(levels):g}-{max(levels):g} |", flush=True)


if __name__ == "__main__":
    main()
