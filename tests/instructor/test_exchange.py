"""tfcourse.instructor.exchange: the exchange JupyterLab's Assignments panel works through.

The end-to-end test plays the learner with nbgrader's own commands (fetch_assignment, submit,
fetch_feedback), the ones the panel's server extension runs, and the instructor with tfcourse.
"""

from __future__ import annotations

import getpass
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from conftest import REPO, browser_tests_can_run

from tfcourse.course import Course
from tfcourse.grading import export_heldout, get_assignment
from tfcourse.instructor.demo import fill_solutions, solution_sources
from tfcourse.instructor.exchange import exchange_course, latest_submissions, pack_submissions, published_folders
from tfcourse.instructor.grade import grade
from tfcourse.instructor.release import release
from tfcourse.learner.workspace import create_workspace

C4W1 = get_assignment("C4W1")


def learner_nbgrader(work: Path, *args: str) -> str:
    """Run a learner's nbgrader command in their work folder, as the Assignments panel does (nbgrader keeps
    the learner's copies of their submissions in a Jupyter data folder: one of the test's own)."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
           "JUPYTER_DATA_DIR": str(work.parent / "jupyter-data")}
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=work, env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def inbound_submission(course: Course, student: str, timestamp: str, files: dict[str, bytes | Path]) -> Path:
    """An exchange submission as nbgrader submit leaves it; a Path value becomes a symbolic link to it."""
    folder = exchange_course(course) / "inbound" / f"{student}+{C4W1.folder}+{timestamp}"
    folder.mkdir(parents=True)
    for name, content in files.items():
        if isinstance(content, Path):
            (folder / name).symlink_to(content)
        else:
            (folder / name).write_bytes(content)
    return folder


def test_the_newest_submission_of_each_learner_is_taken(course_copy):
    """Does the grader take each learner's newest exchange submission, and skip ids a zip cannot name?"""
    course = Course(course_copy)
    inbound_submission(course, "ann", "2026-11-28 09:00:00.000001 UTC", {C4W1.notebook: b"{}"})
    newest = inbound_submission(course, "ann", "2026-11-28 10:30:00.5 UTC", {C4W1.notebook: b"{}"})
    inbound_submission(course, "jane_doe", "2026-11-28 10:00:00.0 UTC", {C4W1.notebook: b"{}"})
    (submission,) = latest_submissions(course, C4W1.folder)
    assert submission.student == "ann" and submission.path == newest
    assert submission.zip_name == f"ann__{C4W1.folder}__20261128T103000Z.zip"


def test_only_the_notebook_and_model_are_packed_and_links_never_followed(course_copy, tmp_path):
    """Does packing leave out extra files and a model that is a link (to another student's file, say)?"""
    course = Course(course_copy)
    secret = tmp_path / "someone_elses_model.keras"
    secret.write_bytes(b"not yours")
    inbound_submission(course, "ann", "2026-11-28 10:30:00.5 UTC",
                       {C4W1.notebook: b"{}", C4W1.model_filename: secret, "evil.py": b"import os"})
    (packed,) = pack_submissions(course, C4W1.folder)
    with zipfile.ZipFile(packed) as archive:
        assert archive.namelist() == [C4W1.notebook]
    assert pack_submissions(course, C4W1.folder) == []  # packed once; the exchange is only read


def test_exchange_publish_adds_only_what_is_missing(course_copy, capsys):
    """Does `tfcourse exchange publish` (what `make lab` runs) publish released assignments not yet there, once?"""
    from tfcourse.cli import main

    course = Course(course_copy)
    release(course, [C4W1.folder])
    assert published_folders(course) == []
    assert main(["exchange", "publish", "--course", str(course_copy)]) == 0
    assert f"published {C4W1.folder}" in capsys.readouterr().out and published_folders(course) == [C4W1.folder]
    assert main(["exchange", "publish", "--course", str(course_copy)]) == 0
    assert f"published {C4W1.folder}" not in capsys.readouterr().out


@pytest.mark.slow
@pytest.mark.skipif(browser_tests_can_run(), reason="tests/lab/test_browser.py runs this flow through JupyterLab's "
                                                   "Assignments panel (nbgrader's same commands), with screenshots")
def test_a_learner_submits_through_the_exchange_and_fetches_feedback(course_copy, tmp_path):
    """Release publishes to the exchange; the learner fetches, solves and submits with nbgrader's commands;
    `tfcourse grade` grades the exchange submission; the learner's "Fetch Feedback" finds the points."""
    course = Course(course_copy)
    release(course, [C4W1.folder], publish=True)
    assert published_folders(course) == [C4W1.folder]

    work = tmp_path / "my_work"
    create_workspace(course, work)
    assert str(course.exchange) in (work / "nbgrader_config.py").read_text()
    assert learner_nbgrader(work, "list").count(C4W1.folder) >= 1
    shutil.rmtree(work / C4W1.folder)  # the workspace's copy; fetched from the exchange instead
    learner_nbgrader(work, "fetch_assignment", C4W1.folder)
    notebook_path = work / C4W1.folder / C4W1.notebook
    released = nbformat.read(notebook_path, as_version=4)
    solutions = solution_sources(nbformat.read(REPO / "source" / C4W1.folder / C4W1.notebook, as_version=4))
    nbformat.write(fill_solutions(released, solutions), notebook_path)
    learner_nbgrader(work, "submit", C4W1.folder)

    export_heldout(course.heldout, course.heldout_pin, ["C4W1"])
    (row,) = grade([C4W1.folder], course=course, progress=False)
    assert row.student == getpass.getuser() and row.score == row.possible == 10, row

    learner_nbgrader(work, "fetch_feedback", C4W1.folder)
    (page,) = (work / C4W1.folder / "feedback").glob(f"*/{Path(C4W1.notebook).stem}.html")
    assert "GRADED by the instructor's scorer" in page.read_text() and "(Score: 10.0 / 10.0)" in page.read_text()
