"""Notebook mode at class scale: the demo batch of some assignments, graded one at a time and on Dask.

In a throw-away course copy, grades the demo students' zips (reference, weak, broken and cheating) of the
assignments once to set up, then times grading the whole batch again (vet, collect, sandboxed execute, score, gradebook, feedback)
without Dask, then with a LocalCluster of 1 and of 2 workers, and with 2 workers at other kernel thread
budgets when asked. Prints one row per run: wall seconds, submissions per minute, the speed-up over one
worker, and whether every gradebook row (points and reasons) equals the serial batch's. Nothing is
asserted.

    .venv/bin/python benchmarks/parallel_notebooks.py [C1W4 C4W1 ...] [--threads 1 2]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tfcourse.course import Course  # noqa: E402
from tfcourse.grading import get_assignment  # noqa: E402
from tfcourse.instructor.demo import run_demo  # noqa: E402
from tfcourse.instructor.grade import grade  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("assignments", nargs="*", default=["C1W4", "C4W1"], help="assignment ids (default C1W4 C4W1)")
    parser.add_argument("--threads", type=int, nargs="+", default=[1],
                        help="kernel thread budgets to try with 2 workers (default 1: the cores shared)")
    args = parser.parse_args()
    folders = [get_assignment(name).folder for name in args.assignments]
    runs = []
    with tempfile.TemporaryDirectory(prefix="tfcourse-bench-") as scratch:
        course = Course(REPO).copy_to(Path(scratch) / "course")
        students = sorted({row.student for row in run_demo(course, folders=folders, progress=False)})
        started = time.perf_counter()
        serial = grade(folders, course=course, students=students, progress=False, again=True)
        runs.append(("one at a time (no Dask)", "TF's own", time.perf_counter() - started, serial))
        for workers, threads in [(1, None), *((2, budget) for budget in args.threads)]:
            started = time.perf_counter()
            rows = grade(folders, course=course, students=students, progress=False, workers=workers, again=True,
                         kernel_threads=threads)
            budget = threads or max(1, (os.cpu_count() or 1) // workers)
            runs.append((f"{workers} Dask worker{'s' if workers > 1 else ''}", str(budget),
                         time.perf_counter() - started, rows))
    one_worker = runs[1][2]
    print(f"\n{len(serial)} submissions of {', '.join(args.assignments)} on {os.cpu_count()} cores\n")
    print("| run | kernel threads | wall s | submissions / min | vs 1 worker | rows as serial |")
    print("|---|---:|---:|---:|---:|---|")
    for name, budget, seconds, rows in runs:
        print(f"| {name} | {budget} | {seconds:.1f} | {60 * len(rows) / seconds:.1f} | {one_worker / seconds:.2f}x "
              f"| {'yes' if rows == serial else 'NO'} |")


if __name__ == "__main__":
    main()
