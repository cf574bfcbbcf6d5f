"""The gradebook in a real Postgres server (`tfcourse grade --db postgresql://...`): a throwaway server on a
random port of 127.0.0.1, graded into, read back by `nbgrader export`, and stopped."""

from __future__ import annotations

import csv
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO, free_port

from tfcourse.course import Course
from tfcourse.grading import export_heldout, get_assignment
from tfcourse.instructor.grade import grade
from tfcourse.instructor.release import release

SPEC = get_assignment("C1W1")
POSTGRES_BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin"))


def as_postgres(command: list[str]) -> list[str]:
    """Postgres refuses to run as root: run its programs as the postgres user when we are root."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@pytest.fixture
def postgres():
    """A fresh Postgres cluster in a folder of its own, listening on a random port of 127.0.0.1 (its socket in
    that folder); yields its URL; stopped and deleted afterwards."""
    if not POSTGRES_BIN:
        pytest.fail("no Postgres server installed (make setup installs Debian's postgresql)")
    binaries = Path(POSTGRES_BIN[-1])
    # Not under pytest's root-only tmp folder: the postgres user must reach it.
    folder = Path(tempfile.mkdtemp(prefix="tfcourse-postgres-"))
    data = folder / "data"
    data.mkdir()
    if os.geteuid() == 0:
        for path in (folder, data):
            shutil.chown(path, "postgres")
    started = False
    try:
        subprocess.run(as_postgres([str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "grader"]),
                       check=True, capture_output=True)
        port = free_port()
        subprocess.run(as_postgres([str(binaries / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-w",
                                    "-o", f"-h 127.0.0.1 -p {port} -k {folder}", "start"]), check=True, capture_output=True)
        started = True
        yield f"postgresql://grader@127.0.0.1:{port}/postgres"
    finally:
        if started:
            subprocess.run(as_postgres([str(binaries / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
                           capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def housing_model_bytes(weight: float, bias: float, path: Path) -> bytes:
    import keras

    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
    model.layers[0].set_weights([np.array([[weight]], dtype="float32"), np.array([bias], dtype="float32")])
    model.save(path)
    return path.read_bytes()


def test_grades_go_to_postgres_and_nbgrader_export_reads_them(postgres, tmp_path):
    """Does `grade --db postgresql://...` record every submission in the Postgres server (none in the course's
    SQLite file), so that `nbgrader export` against that server gives the same points?"""
    course = Course(REPO).copy_to(tmp_path / "course")
    release(course, [SPEC.folder])
    export_heldout(course.heldout, course.heldout_pin, ["C1W1"])
    archive = course.archive(SPEC.folder)
    archive.mkdir(parents=True)
    for student, weights in {"ann": (0.5, 0.5), "bob": (0.48, 0.55), "cy": (0.1, 0.0)}.items():
        with zipfile.ZipFile(archive / f"{student}__{SPEC.folder}__20260101T000000Z.zip", "w") as stream:
            stream.writestr(SPEC.model_filename, housing_model_bytes(*weights, tmp_path / f"{student}.keras"))
    sqlite_before = (course.root / "gradebook.db").read_bytes() if (course.root / "gradebook.db").exists() else b""
    rows = grade([SPEC.folder], course=course, models=True, progress=False, db=postgres)
    assert {row.student: row.score for row in rows} == {"ann": 10, "bob": 5, "cy": 0}
    sqlite_after = (course.root / "gradebook.db").read_bytes() if (course.root / "gradebook.db").exists() else b""
    assert sqlite_after == sqlite_before  # nothing of this run went to SQLite
    subprocess.run([sys.executable, "-m", "nbgrader", "export", f"--CourseDirectory.db_url={postgres}"],
                   cwd=course.root, check=True, capture_output=True)
    with open(course.root / "grades.csv") as stream:
        exported = {r["student_id"]: float(r["score"]) for r in csv.DictReader(stream) if r["assignment"] == SPEC.folder}
    assert exported == {row.student: row.score for row in rows}
