"""Models mode at class scale: one batch of N submitted model files, graded one at a time and on Dask.

Trains one small model for the assignment (or takes --model), submits it as N students' zips in a
throw-away course copy, and grades the batch (vet, collect, score, gradebook) without Dask, then with a
LocalCluster of 1 and of 2 workers. Prints models per second for each, and Dask's own overhead per unit
(a task that does nothing, submitted and gathered one at a time as grading does). Nothing is asserted.

    .venv/bin/python benchmarks/parallel_models.py [--assignment C1W1] [--models 500] [--model path.keras]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tfcourse.course import Course  # noqa: E402
from tfcourse.grading import export_heldout, get_assignment  # noqa: E402
from tfcourse.instructor.grade import grade  # noqa: E402
from tfcourse.instructor.release import release  # noqa: E402


def housing_model(path: Path) -> Path:
    """C1W1's exact one-neuron model."""
    import keras
    import numpy as np

    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
    model.layers[0].set_weights([np.array([[0.5]], dtype="float32"), np.array([0.5], dtype="float32")])
    model.save(path)
    return path


def stage(course: Course, folder: str, model: Path, count: int) -> None:
    """``count`` students' zips, each holding ``model``, waiting in the archive folder."""
    spec = get_assignment(folder)
    archive = course.archive(folder)
    archive.mkdir(parents=True, exist_ok=True)
    payload = model.read_bytes()
    for index in range(count):
        with zipfile.ZipFile(archive / f"s{index:04d}__{spec.folder}__20260101T000000Z.zip", "w") as stream:
            stream.writestr(spec.model_filename, payload)


def dask_overhead(units: int = 200) -> float:
    """Seconds per no-op unit, submitted and awaited one at a time on a local 1-worker cluster."""
    from dask.distributed import Client, LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, host="127.0.0.1", dashboard_address=None) as cluster, \
            Client(cluster) as client:
        client.submit(int, 0, pure=False).result()
        start = time.perf_counter()
        for index in range(units):
            client.submit(int, index, pure=False).result()
        return (time.perf_counter() - start) / units


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", default="C1W1")
    parser.add_argument("--models", type=int, default=500)
    parser.add_argument("--model", type=Path, help="a saved .keras model for the assignment (default: C1W1's exact one)")
    args = parser.parse_args()
    spec = get_assignment(args.assignment)
    rows = []
    with tempfile.TemporaryDirectory(prefix="tfcourse-bench-") as scratch:
        course = Course(REPO).copy_to(Path(scratch) / "course")
        release(course, [spec.folder])
        export_heldout(course.heldout, course.heldout_pin, [spec.assignment_id])
        model = args.model or housing_model(Path(scratch) / "model.keras")
        stage(course, spec.folder, model, args.models)
        for label, options in (("one at a time (no Dask)", {}), ("Dask, 1 worker", {"workers": 1}),
                               ("Dask, 2 workers", {"workers": 2})):
            start = time.perf_counter()
            graded = grade([spec.folder], course=course, models=True, progress=False, **options)
            seconds = time.perf_counter() - start
            rows.append((label, len(graded), seconds, len(graded) / seconds))
    print(f"\n{spec.assignment_id}, {args.models} model files, {os.cpu_count()} cores "
          f"(each run: vet, collect, score, gradebook; Dask runs include starting the cluster)\n")
    print("| run | graded | seconds | models per second |\n|---|---:|---:|---:|")
    for label, count, seconds, rate in rows:
        print(f"| {label} | {count} | {seconds:.1f} | {rate:.2f} |")
    print(f"\nDask's overhead per unit (a no-op task, one at a time): {dask_overhead() * 1000:.1f} ms")


if __name__ == "__main__":
    main()
