"""Notebook mode at class scale: the demo batch of some assignments, graded one at a time and on Dask.

In a throw-away course copy, grades the demo students' zips (reference, weak, broken and cheating) of the
assignments once to set up, then times grading the whole batch again (vet, collect, sandboxed execute, score, gradebook, feedback)
without Dask, then with a LocalCluster of 1 and of 2 workers, and with 2 workers at other kernel thread
budgets when asked. Prints one row per run: wall seconds, submissions per minute, the speed-up over one
worker, how busy the cores were (/proc/stat), and whether every gradebook row (points and reasons) equals
the serial batch's. Nothing is
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


def cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies of all cores since boot (Linux), to tell how full a run kept the cores."""
    fields = [int(value) for value in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def busy_share(before: tuple[int, int], after: tuple[int, int]) -> float:
    return (after[0] - before[0]) / max(1, after[1] - before[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("assignments", nargs="*", default=["C1W4", "C4W1"], help="assignment ids (default C1W4 C4W1)")
    parser.add_argument("--threads", type=int, nargs="+", default=[1],
                        help="kernel thread budgets to try with 2 workers (default 1: the cores shared)")
    parser.add_argument("--skip-serial", action="store_true",
                        help="do not time grading one at a time again (the set-up batch's rows are still compared)")
    args = parser.parse_args()
    folders = [get_assignment(name).folder for name in args.assignments]
    runs = []
    with tempfile.TemporaryDirectory(prefix="tfcourse-bench-") as scratch:
        course = Course(REPO).copy_to(Path(scratch) / "course")
        serial = run_demo(course, folders=folders, progress=False)
        students = sorted({row.student for row in serial})
        if not args.skip_serial:
            started, cpu = time.perf_counter(), cpu_times()
            serial = grade(folders, course=course, students=students, progress=False, again=True)
            runs.append(("one at a time (no Dask)", "TF's own", time.perf_counter() - started, serial,
                         busy_share(cpu, cpu_times())))
        for workers, threads in [(1, None), *((2, budget) for budget in args.threads)]:
            started, cpu = time.perf_counter(), cpu_times()
            rows = grade(folders, course=course, students=students, progress=False, workers=workers, again=True,
                         kernel_threads=threads)
            budget = threads or max(1, (os.cpu_count() or 1) // workers)
            runs.append((f"{workers} Dask worker{'s' if workers > 1 else ''}", str(budget),
                         time.perf_counter() - started, rows, busy_share(cpu, cpu_times())))
    one_worker = next(seconds for name, _, seconds, _, _ in runs if name.startswith("1 Dask"))
    print(f"\n{len(serial)} submissions of {', '.join(args.assignments)} on {os.cpu_count()} cores\n")
    print("| run | kernel threads | wall s | submissions / min | vs 1 worker | cores busy | points as serial "
          "| reasons as serial |")
    print("|---|---:|---:|---:|---:|---:|---|---|")
    for name, budget, seconds, rows, busy in runs:
        same_points = [(r.student, r.assignment, r.score) for r in rows] == \
            [(r.student, r.assignment, r.score) for r in serial]
        print(f"| {name} | {budget} | {seconds:.1f} | {60 * len(rows) / seconds:.1f} | {one_worker / seconds:.2f}x "
              f"| {busy:.0%} | {'yes' if same_points else 'NO'} | {'yes' if rows == serial else 'NO'} |")
    for name, _, _, rows, _ in runs:
        for row, first in zip(rows, serial):
            if row != first:
                print(f"{name}: {row.student} {row.assignment} {row.score:g} {row.reasons} "
                      f"(serial: {first.score:g} {first.reasons})")


if __name__ == "__main__":
    main()
