"""Grading a class on Dask (tfcourse/instructor/parallel.py): the same rows as grading one model at a time,
on a LocalCluster, on an external `dask scheduler` with two `dask worker` processes, and after a worker is
killed mid-batch."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO

from tfcourse.course import Course
from tfcourse.grading import export_heldout, get_assignment
from tfcourse.instructor.demo import run_demo
from tfcourse.instructor.grade import grade
from tfcourse.instructor.release import release

SPEC = get_assignment("C1W1")
# (weight, bias) of each student's one-neuron housing model; None: a broken submission.
STUDENTS = {"ann": (0.5, 0.5), "bob": (0.48, 0.55), "cy": (0.1, 0.0), "dee": (0.5, 0.52), "eve": None,
            "fay": (0.51, 0.47)}


def housing_model_bytes(weight: float, bias: float, folder: Path) -> bytes:
    import keras

    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
    model.layers[0].set_weights([np.array([[weight]], dtype="float32"), np.array([bias], dtype="float32")])
    path = folder / f"{weight}-{bias}.keras"
    model.save(path)
    return path.read_bytes()


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course copy with C1W1 released, its held-out data exported, and one zip of a model file per student."""
    return course_with_submissions(tmp_path_factory.mktemp("parallel"))


def course_with_submissions(root: Path) -> Course:
    course = Course(REPO).copy_to(root / "course")
    release(course, [SPEC.folder])
    export_heldout(course.heldout, course.heldout_pin, ["C1W1"])
    for student, weights in STUDENTS.items():
        model = b"not a keras file" if weights is None else housing_model_bytes(*weights, root)
        archive = course.archive(SPEC.folder)
        archive.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(archive / f"{student}__{SPEC.folder}__20260101T000000Z.zip", "w") as stream:
            stream.writestr(SPEC.model_filename, model)
    return course


@pytest.fixture(scope="module")
def one_at_a_time(course):
    """The rows of grading every model one at a time, without Dask."""
    return grade([SPEC.folder], course=course, models=True, progress=False)


def leftovers(folder: Path) -> list[str]:
    """What the scorers' sandboxes left in a workers' temporary folder."""
    return sorted(path.name for path in folder.glob("tfcourse-*"))


def test_a_local_cluster_gives_the_rows_of_grading_one_at_a_time(course, one_at_a_time, tmp_path, monkeypatch):
    """Do two local Dask workers give every student the same points and reasons as the serial batch, and
    leave no sandbox folder behind?"""
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # the workers' temporary folders, which must end empty
    rows = grade([SPEC.folder], course=course, models=True, progress=False, workers=2, again=True)
    assert leftovers(tmp_path) == []
    assert rows == one_at_a_time
    assert {row.student: row.score for row in rows} == {"ann": 10, "bob": 5, "cy": 0, "dee": 10, "eve": 0, "fay": 10}
    assert "not a Keras 3 .keras file" in " ".join(next(row for row in rows if row.student == "eve").reasons)


# The demo batches whose notebooks run fastest (no training); two, so that each assignment's units must get
# their own assignment's kit.
NOTEBOOKS = [get_assignment("C4W1").folder, get_assignment("C3W1").folder]


@pytest.fixture(scope="module")
def notebook_course(tmp_path_factory):
    """A course copy whose C4W1 demo batch (reference, weak, broken and cheating students) was graded one
    notebook at a time, without Dask; yields (course, rows)."""
    course = Course(REPO).copy_to(tmp_path_factory.mktemp("parallel-notebooks") / "course")
    return course, run_demo(course, folders=NOTEBOOKS, progress=False)


def feedback_pages(course: Course) -> dict[str, str]:
    return {f"{page.parent.parent.name}/{page.parent.name}": page.read_text()
            for folder in NOTEBOOKS for page in course.feedback.glob(f"*/{folder}/*.html")}


@pytest.mark.parametrize("workers", [1, 2])
def test_notebooks_on_a_local_cluster_get_the_rows_of_grading_one_at_a_time(notebook_course, workers, tmp_path,
                                                                           monkeypatch):
    """Executed on 1 or 2 local Dask workers (each kernel with its share of the cores), does every demo student
    get the serial batch's points and reasons, and a feedback page, with no unit or sandbox folder left?"""
    course, serial = notebook_course
    pages = feedback_pages(course)
    for folder in NOTEBOOKS:
        for page in course.feedback.glob(f"*/{folder}/*.html"):
            page.unlink()
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    rows = grade(NOTEBOOKS, course=course, students=[row.student for row in serial], progress=False,
                 workers=workers, again=True)
    assert rows == serial
    assert [row.score for row in rows if row.student == "reference"] == [10, 10]
    assert sorted(feedback_pages(course)) == sorted(pages)
    assert leftovers(tmp_path) == []


def test_notebooks_on_an_external_cluster_get_the_rows_of_grading_one_at_a_time(notebook_course, external_cluster):
    """Executed by two `dask worker` processes that know nothing of the course folder, same rows?"""
    course, serial = notebook_course
    address, workers, workers_tmp = external_cluster
    rows = grade(NOTEBOOKS, course=course, students=[row.student for row in serial], progress=False,
                 scheduler=address, again=True)
    assert rows == serial
    for process in workers:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    assert leftovers(workers_tmp) == []


def dask_command(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "distributed.cli.dask_" + arguments[0], *arguments[1:]]


@pytest.fixture
def external_cluster(tmp_path):
    """A `dask scheduler` and two `dask worker` processes on 127.0.0.1, as an instructor starts them on
    several machines; stopped afterwards. Yields (scheduler address, worker processes)."""
    scheduler_file = tmp_path / "scheduler.json"
    workers_tmp = tmp_path / "workers-tmp"
    workers_tmp.mkdir()
    processes = [subprocess.Popen(dask_command("scheduler", "--host", "127.0.0.1", "--port", "0",
                                               "--dashboard-address", "127.0.0.1:0",
                                               "--scheduler-file", str(scheduler_file)),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)]
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.is_file() and time.monotonic() < deadline:
            time.sleep(0.2)
        import json

        address = json.loads(scheduler_file.read_text())["address"]
        for _ in range(2):
            processes.append(subprocess.Popen(dask_command("worker", address, "--host", "127.0.0.1", "--nthreads", "1",
                                                           "--no-nanny", "--dashboard-address", "127.0.0.1:0",
                                                           "--local-directory", str(tmp_path / "dask")),
                                              env={**os.environ, "TMPDIR": str(workers_tmp)},
                                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                              start_new_session=True))
        from dask.distributed import Client

        with Client(address) as client:
            client.wait_for_workers(2, timeout=60)
        yield address, processes[1:], workers_tmp
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def test_an_external_scheduler_and_two_workers_give_the_same_rows(course, one_at_a_time, external_cluster):
    """Does a cluster started with `dask scheduler` and `dask worker` grade the batch as one process does?"""
    address, workers, workers_tmp = external_cluster
    rows = grade([SPEC.folder], course=course, models=True, progress=False, scheduler=address, again=True)
    assert rows == one_at_a_time
    for process in workers:  # `dask worker` stopped as an instructor stops it: its sandboxes go with it
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
    assert leftovers(workers_tmp) == []


def test_a_worker_killed_mid_batch_costs_nothing(course, one_at_a_time, external_cluster):
    """With one of the two workers killed while the batch runs, is every unit done by the other and every
    student recorded once, with the same points?"""
    import threading

    from dask.distributed import Client

    address, workers, _ = external_cluster
    killed = []

    def kill_a_busy_worker():
        """Kill the first worker seen running a unit (its first unit starts a sandbox: several seconds)."""
        with Client(address) as client:
            pids = client.run(os.getpid)
            deadline = time.monotonic() + 120
            while not killed and time.monotonic() < deadline:
                busy = [worker for worker, tasks in client.processing().items() if tasks]
                if busy:
                    process = next(p for p in workers if p.pid == pids[busy[0]])
                    os.killpg(process.pid, signal.SIGKILL)
                    killed.append(process)
                time.sleep(0.05)

    killer = threading.Thread(target=kill_a_busy_worker)
    killer.start()
    rows = grade([SPEC.folder], course=course, models=True, progress=False, scheduler=address, again=True)
    killer.join()
    assert killed and killed[0].poll() is not None  # a worker died while it ran a unit
    assert rows == one_at_a_time
    assert len({row.student for row in rows}) == len(rows) == len(STUDENTS)


def test_a_stopped_batch_resumes_and_regrades_only_what_changed(tmp_path, monkeypatch, one_at_a_time):
    """Stopped (Ctrl-C) after two students, does the batch run again grade only the others, keep the rows of the
    two, and, once a student submits again, grade only that student?"""
    import tfcourse.instructor.grade as grading

    course = course_with_submissions(tmp_path)
    scored = []
    real = grading.grade_model_file

    def counted(course, spec, student, **options):
        if len(scored) == 2 and stop:
            raise KeyboardInterrupt
        scored.append(student)
        return real(course, spec, student, **options)

    monkeypatch.setattr(grading, "grade_model_file", counted)
    stop = True
    with pytest.raises(KeyboardInterrupt):
        grade([SPEC.folder], course=course, models=True, progress=False)
    stop = False
    first_two = list(scored)
    rows = grade([SPEC.folder], course=course, models=True, progress=False)
    assert scored[2:] == [student for student in sorted(STUDENTS) if student not in first_two]
    assert [(row.student, row.score, row.reasons) for row in rows] == \
        [(row.student, row.score, row.reasons) for row in one_at_a_time]
    archive = course.archive(SPEC.folder)
    with zipfile.ZipFile(archive / f"bob__{SPEC.folder}__20260102T000000Z.zip", "w") as stream:
        stream.writestr(SPEC.model_filename, housing_model_bytes(0.5, 0.5, tmp_path))
    (archive / f"bob__{SPEC.folder}__20260101T000000Z.zip").unlink()
    scored.clear()
    rows = grade([SPEC.folder], course=course, models=True, progress=False)
    assert scored == ["bob"] and next(row for row in rows if row.student == "bob").score == 10
    scored.clear()
    grade([SPEC.folder], course=course, models=True, progress=False, again=True)
    assert scored == sorted(STUDENTS)


def test_ctrl_c_stops_a_cluster_batch_and_leaves_nothing_behind(course, tmp_path, monkeypatch):
    """Interrupted (KeyboardInterrupt where the second result is recorded), does the batch stop at once, with
    the local cluster's worker processes gone and no sandbox folder left?"""
    import psutil

    import tfcourse.instructor.grade as grading

    monkeypatch.setenv("TMPDIR", str(tmp_path))
    recorded = []
    real = grading._record_without_notebook

    def interrupted(*arguments, **options):
        if len(recorded) == 1:
            raise KeyboardInterrupt
        recorded.append(real(*arguments, **options))
        return recorded[-1]

    monkeypatch.setattr(grading, "_record_without_notebook", interrupted)
    before = {child.pid for child in psutil.Process().children(recursive=True)}
    with pytest.raises(KeyboardInterrupt):
        grade([SPEC.folder], course=course, models=True, progress=False, workers=2, again=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        left = [child for child in psutil.Process().children(recursive=True) if child.pid not in before]
        if not left:
            break
        time.sleep(0.5)
    assert left == [] and leftovers(tmp_path) == [], (left, leftovers(tmp_path))


def test_ctrl_c_stops_notebooks_on_a_cluster_and_leaves_nothing_behind(notebook_course, tmp_path, monkeypatch):
    """Interrupted where the first executed notebook comes back, while the other worker still runs one, does the
    batch stop with no worker, nbgrader, kernel or unit folder left?"""
    import psutil

    import tfcourse.instructor.grade as grading

    course, serial = notebook_course
    monkeypatch.setenv("TMPDIR", str(tmp_path))

    def interrupted(*arguments, **options):
        raise KeyboardInterrupt

    monkeypatch.setattr(grading, "score_autograded", interrupted)
    before = {child.pid for child in psutil.Process().children(recursive=True)}
    with pytest.raises(KeyboardInterrupt):
        grade(NOTEBOOKS, course=course, students=[row.student for row in serial], progress=False,
              workers=2, again=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        left = [child for child in psutil.Process().children(recursive=True) if child.pid not in before
                and "multiprocessing.resource_tracker" not in " ".join(child.cmdline())]  # Python's, for this process
        if not left:
            break
        time.sleep(0.5)
    assert left == [] and leftovers(tmp_path) == [], ([p.cmdline() for p in left], leftovers(tmp_path))
    assert not [process for process in psutil.process_iter(["cmdline"])
                if any(str(tmp_path) in part for part in process.info["cmdline"] or [])]


def _leave_a_unit_folder() -> str:
    """What a worker killed mid-unit leaves: a unit folder in its temporary folder."""
    import tempfile

    return tempfile.mkdtemp(prefix="tfcourse-unit-")


def test_what_local_workers_leave_in_their_temporary_folder_goes_with_the_cluster(tmp_path, monkeypatch):
    """Do a local cluster's workers keep their temporary files in one folder of the grader's, which closing the
    cluster removes, even what a worker never cleaned up itself?"""
    from tfcourse.instructor.parallel import Cluster

    monkeypatch.setenv("TMPDIR", str(tmp_path))
    with Cluster(workers=1) as cluster:
        (left,) = cluster.client.run(_leave_a_unit_folder).values()
        assert Path(left).is_dir() and Path(left).parent.parent == tmp_path
    assert not Path(left).exists() and leftovers(tmp_path) == []


def test_inputs_lost_with_their_last_worker_are_sent_again(tmp_path):
    """Dask's memory manager soon keeps one copy of the scattered inputs: when the worker holding it dies,
    is the next model scored anyway (the inputs sent again) instead of its unit being cancelled?"""
    from tfcourse.grading import EvaluationData
    from tfcourse.instructor.parallel import Cluster

    model = tmp_path / "model.keras"
    model.write_bytes(housing_model_bytes(0.5, 0.5, tmp_path))
    examples = EvaluationData(np.array([0.0, 8.0, 10.0], dtype=np.float32), np.array([0.5, 4.5, 5.5]), "lost", True)
    with Cluster(workers=2) as cluster:
        first, _ = cluster.evaluate(SPEC, model, [])(examples, True)
        scattered = cluster._scattered[(SPEC.assignment_id, examples.label)]
        deadline = time.monotonic() + 60
        while len(cluster.client.who_has([scattered])[scattered.key]) > 1 and time.monotonic() < deadline:
            time.sleep(0.5)
        holders = cluster.client.who_has([scattered])[scattered.key]
        assert len(holders) == 1  # the broadcast's second copy was dropped
        os.kill(cluster.client.run(os.getpid)[holders[0]], signal.SIGKILL)
        deadline = time.monotonic() + 60
        while scattered.status == "finished" and time.monotonic() < deadline:  # until the scheduler forgets it
            time.sleep(0.5)
        assert scattered.status == "cancelled"
        again, _ = cluster.evaluate(SPEC, model, [])(examples, True)
    assert np.allclose(first, again) and np.allclose(first[:, 0], [0.5, 4.5, 5.5])
