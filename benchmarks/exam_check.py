"""How long `tfcourse exam check` takes: a cold check (the CLI starts the sandboxed scorer each time) and
warm checks (one scorer kept, as a long-running server would keep it), per task, on reference models.

    .venv/bin/python benchmarks/exam_check.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))  # the reference answers live in the tests

from exam_answers import REFERENCE  # noqa: E402

from tfcourse.exam.attempt import check, start, starter_source  # noqa: E402
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
            (folder / task.folder / "solution.py").write_text(starter_source(replace(task, starter_body=REFERENCE[task.number])))
            subprocess.run([sys.executable, "solution.py"], cwd=folder / task.folder, check=True, capture_output=True,
                           env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
        print("| task | cold check s (new scorer) | warm check s, median (min-max) | score |")
        print("|---|---:|---:|---|")
        for task in TASKS:
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
