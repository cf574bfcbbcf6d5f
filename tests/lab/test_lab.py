"""tfcourse in JupyterLab: the server extension's arguments for `tfcourse check/submit`, and the built lab
extension. The whole flow, clicking the buttons in a browser, is tests/lab/test_browser.py."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tfcourse.grading import get_assignment
from tfcourse.lab import LABEXTENSIONS, SOURCE_DIGEST, frontend_digest, jupyter_lab_arguments
from tfcourse.lab.handlers import progress_arguments, run_tfcourse, tfcourse_arguments

C4W1 = get_assignment("C4W1")


@pytest.fixture
def work(tmp_path) -> Path:
    """A learner's work folder holding the C4W1 notebook (its content does not matter here)."""
    (tmp_path / C4W1.folder).mkdir()
    (tmp_path / C4W1.folder / C4W1.notebook).write_text("{}")
    (tmp_path / "notes.ipynb").write_text("{}")
    return tmp_path


def test_check_and_submit_name_the_assignment_and_its_folder(work):
    """Does a notebook path become `tfcourse check/submit <id> --dir <its folder>`, relative to the root?"""
    path = f"{C4W1.folder}/{C4W1.notebook}"
    assert tfcourse_arguments(work, "check", path, None) == ["check", "C4W1", f"--dir={C4W1.folder}"]
    assert tfcourse_arguments(work, "submit", path, "ada") == ["submit", "C4W1", f"--dir={C4W1.folder}",
                                                               "--student=ada"]


@pytest.mark.parametrize("action, path, student, reason", [
    ("check", "../outside.ipynb", None, "is not a notebook in"),
    ("check", "missing/C4W1_baseline_forecasts.ipynb", None, "is not a notebook in"),
    ("check", "notes.ipynb", None, "is not a tfcourse assignment notebook"),
    ("grade", f"{C4W1.folder}/{C4W1.notebook}", None, "unknown action 'grade'"),
    ("submit", f"{C4W1.folder}/{C4W1.notebook}", None, "needs your student id"),
    ("submit", f"{C4W1.folder}/{C4W1.notebook}", "", "needs your student id"),
])
def test_requests_that_name_no_assignment_notebook_are_refused(work, action, path, student, reason):
    """Are paths outside the root, other notebooks, other commands and a missing id refused with the reason?"""
    with pytest.raises(ValueError, match=reason):
        tfcourse_arguments(work, action, path, student)


def test_an_exam_task_notebook_is_checked_by_exam_check_and_never_submitted(work, tmp_path, monkeypatch):
    """Does the Check button on a mock exam's task notebook run `tfcourse exam check N` in its folder?"""
    from tfcourse.exam.attempt import clock, start
    from tfcourse.exam.store import ExamStore
    from tfcourse.exam.tasks import get_task

    attempt = start(work / "exam", 30, ExamStore(tmp_path / "store"))
    folder = f"exam/{get_task(4).folder}"
    assert tfcourse_arguments(work, "check", f"{folder}/solution.ipynb", None) == ["exam", "check", "4",
                                                                                  f"--dir={folder}"]
    with pytest.raises(ValueError, match="an exam task is not submitted"):
        tfcourse_arguments(work, "submit", f"{folder}/solution.ipynb", "ada")
    (work / "elsewhere" / get_task(4).folder).mkdir(parents=True)  # a task-like folder outside any attempt
    (work / "elsewhere" / get_task(4).folder / "solution.ipynb").write_text("{}")
    with pytest.raises(ValueError, match="is not a tfcourse assignment notebook"):
        tfcourse_arguments(work, "check", f"elsewhere/{get_task(4).folder}/solution.ipynb", None)
    shown = clock(attempt / get_task(4).folder)  # what the status bar's clock is told
    assert 29 * 60 < shown["seconds_left"] <= 30 * 60 and set(shown["best"]) == {"1", "2", "3", "4", "5"}


def test_the_server_checks_an_exam_task_on_a_warm_scorer_as_the_command_would(work, tmp_path, monkeypatch):
    """Does the in-server exam check print the command's summary, and refuse once the time is up?"""
    from exam_answers import save_line_model

    from tfcourse.exam import attempt as exam_attempt
    from tfcourse.exam.store import ExamStore
    from tfcourse.exam.tasks import get_task
    from tfcourse.lab.handlers import WarmExamChecks

    folder = exam_attempt.start(work / "exam", 30, ExamStore(tmp_path / "store"), seed=1)
    task = get_task(1)
    save_line_model(folder, 1, offset=0.3)  # a mean absolute error of 0.3: level 3
    arguments = tfcourse_arguments(work, "check", f"exam/{task.folder}/solution.ipynb", None)
    checks = WarmExamChecks()
    try:
        status, output = checks.run(work, arguments)
        assert status == 0 and output.startswith("Task 1: 3 / 5\n  mean absolute error: 0.3000"), output
        assert "Level 4 needs mean absolute error <= 0.15" in output
        deadline = exam_attempt.find_attempt(folder).deadline
        monkeypatch.setattr(exam_attempt.time, "time", lambda: deadline + 1)
        status, output = checks.run(work, arguments)
        assert status == 2 and output.startswith("tfcourse exam: time is up"), output
    finally:
        checks.close()


def test_my_progress_runs_tfcourse_progress_in_a_work_folder_outside_the_course(course_copy, tmp_path, monkeypatch):
    """Does the palette's "My progress" run `tfcourse progress` in the server's root, finding the course from a
    work folder that `tfcourse workspace` made anywhere, and write the chart there for JupyterLab to open?"""
    import asyncio

    from tfcourse.course import Course
    from tfcourse.learner.workspace import create_workspace, locate_work

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))  # this learner's own, empty activity log
    assert progress_arguments(course_copy) == ["progress", "--chart=progress.png"]
    work = tmp_path / "elsewhere" / "work"
    work.mkdir(parents=True)
    create_workspace(Course(course_copy), work)
    assert locate_work(work / "C1W1_housing_prices") == (Course(course_copy), work)
    arguments = progress_arguments(work)
    assert arguments == ["progress", "--dir=.", "--chart=progress.png"]
    status, output = asyncio.run(run_tfcourse(work, arguments))
    assert status == 0 and output.startswith("Skills checklist: 0 checked"), output
    assert (work / "progress.png").read_bytes().startswith(b"\x89PNG")
    status, output = asyncio.run(run_tfcourse(tmp_path / "elsewhere", arguments))
    assert status != 0 and "no course folder found" in output, output


def test_a_link_out_of_the_root_is_refused(work, tmp_path_factory):
    """Is a notebook reached through a link that leaves the work folder refused?"""
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (elsewhere / C4W1.notebook).write_text("{}")
    (work / "linked").symlink_to(elsewhere)
    with pytest.raises(ValueError, match="is not a notebook in"):
        tfcourse_arguments(work, "check", f"linked/{C4W1.notebook}", None)


def test_jupyter_lab_gets_both_server_extensions_and_the_lab_extension(tmp_path):
    """Does `tfcourse lab` start JupyterLab on the folder with nbgrader's and tfcourse's extensions?"""
    arguments = jupyter_lab_arguments(tmp_path)
    assert f"--ServerApp.root_dir={tmp_path.resolve()}" in arguments
    assert any("'tfcourse.lab': True" in a and "assignment_list': True" in a for a in arguments)
    assert f"--LabApp.extra_labextensions_path={LABEXTENSIONS}" in arguments


def test_the_environment_has_both_extensions_installed_and_enabled():
    """Does plain `jupyter lab` in this environment find tfcourse's lab and server extensions (pip installed
    them), and is the installed lab extension the current build?"""
    import sys

    from tfcourse.learner.doctor import jupyter_listings

    lab, server = jupyter_listings()
    assert re.search(r"tfcourse-lab v0\.1\.0 enabled\s+OK \(python, tfcourse\)", lab)
    assert re.search(r"tfcourse\.lab enabled", server)
    installed = Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "tfcourse-lab"
    built = {path.relative_to(LABEXTENSIONS / "tfcourse-lab"): path.read_bytes()
             for path in (LABEXTENSIONS / "tfcourse-lab").rglob("*") if path.is_file()}
    assert {name: (installed / name).read_bytes() for name in built if (installed / name).is_file()} == built, \
        "the installed lab extension is not the current build: `make setup` installs it again"


def test_the_built_lab_extension_is_built_from_the_current_sources():
    """Was tfcourse/lab/labextensions/ rebuilt (`make labextension`) after the last change to frontend/?"""
    assert SOURCE_DIGEST.read_text().strip() == frontend_digest(), "run `make labextension` and commit the build"
    built = json.loads((LABEXTENSIONS / "tfcourse-lab" / "package.json").read_text())
    assert (LABEXTENSIONS / "tfcourse-lab" / built["jupyterlab"]["_build"]["load"]).is_file()
