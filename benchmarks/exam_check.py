"""How long `tfcourse exam check` takes: a cold check (the CLI starts the sandboxed scorer and makes the hidden
data each time) and warm checks (scorer and hidden data kept, as a long-running server would keep them), per
task, on reference models.

    .venv/bin/python benchmarks/exam_check.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))  # the reference answers live in the tests

from exam_answers import REFERENCE, run_answer  # noqa: E402

from tfcourse.exam.attempt import check, hidden_data, start  # noqa: E402
from tfcourse.exam.store import ExamStore  # noqa: E402
from tfcourse.exam.tasks import TASKS  # noqa: E402
from tfcourse.grading.scorer import Scorer  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = start(Path(scratch) / "attempt", 60, ExamStore(Path(scratch) / "store"))
        for task in TASKS:
            run_answer(task, REFERENCE[task.number], folder / task.folder)
        print("| task | cold check s (new scorer) | warm check s, median (min-max) | score |")
        print("|---|---:|---:|---|")
        for task in TASKS:
            hidden_data.cache_clear()
            began = time.perf_counter()
            outcome = check(task.number, folder)
            cold = time.perf_counter() - began
            with Scorer() as scorer:
                check(task.number, folder, scorer=scorer)  # starts the worker
                warm = []
                for _ in range(args.repeats):
                    began = time.perf_counter()
                    check(task.number, folder, scorer=scorer)
                    warm.append(time.perf_counter() - began)
            print(f"| {task.number} | {cold:.2f} | {statistics.median(warm):.2f} ({min(warm):.2f}-{max(warm):.2f}) "
                  f"| {outcome.score:g} |", flush=True)


if __name__ == "__main__":
    main()
