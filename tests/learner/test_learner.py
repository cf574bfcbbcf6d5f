"""Tests of tfcourse.learner: notebook validation, self-check and submission packing."""

from __future__ import annotations

import hashlib
import zipfile
from datetime import UTC
from pathlib import Path

import nbformat
import pytest
from conftest import REPO, code_cell, notebook
from nbgrader.utils import compute_checksum

from tfcourse.instructor.demo import fill_solutions, solution_sources
from tfcourse.learner.check import check_assignment
from tfcourse.learner.submit import SubmissionRefused, submission_name, submit
from tfcourse.learner.validate import inspect_notebook

C1W1 = "C1W1_housing_prices"


def locked_test_cell(source="assert True", grade_id="test_it"):
    cell = code_cell(source, grade=True, locked=True, points=1, grade_id=grade_id)
    cell.metadata.nbgrader["checksum"] = compute_checksum(cell)
    return cell


def verdicts_of(tmp_path, nb, released=None) -> dict[str, bool]:
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    return {v.item: v.ok for v in inspect_notebook(path, released)}


def test_invalid_json_is_reported(tmp_path):
    """Is a notebook that is not JSON reported as invalid rather than crashing the check?"""
    path = tmp_path / "nb.ipynb"
    path.write_text('{"cells": [')
    (verdict,) = inspect_notebook(path)
    assert not verdict.ok and "not a valid notebook" in verdict.message


def test_edited_and_deleted_test_cells_are_found(tmp_path):
    """Are an edited test cell and a deleted one (compared with the release) both reported?"""
    released_nb = notebook(locked_test_cell(grade_id="a"), locked_test_cell(grade_id="b"))
    released = tmp_path / "released.ipynb"
    nbformat.write(released_nb, released)
    edited = notebook(locked_test_cell(grade_id="a"))
    edited.cells[0].source = "pass  # no more test"
    path = tmp_path / "nb.ipynb"
    nbformat.write(edited, path)
    (test_cells,) = [v for v in inspect_notebook(path, released) if v.item == "test cells"]
    assert not test_cells.ok
    assert "test cell a was edited" in test_cells.message and "test cell b was deleted" in test_cells.message


def test_unrun_and_failing_notebooks_are_found(tmp_path):
    """Are never-run cells and errors outside test cells reported?"""
    ran = code_cell("x = 1")
    ran.execution_count = 1
    failing = code_cell("1 / 0")
    failing.execution_count = 2
    failing.outputs = [nbformat.v4.new_output("error", ename="ZeroDivisionError", evalue="division by zero")]
    verdicts = verdicts_of(tmp_path, notebook(ran, failing, code_cell("y = 2")))
    assert verdicts == {"notebook": True, "test cells": True, "run": False, "errors": False}


def test_submission_names_match_the_collector_regexp():
    """Does nbgrader_config.py's zip_collect regexp read student and file back from our zip names?"""
    import re
    from datetime import datetime

    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(REPO)).load_config()
    pattern = config.FileNameCollectorPlugin.named_regexp
    name = submission_name("ada.lovelace-1", C1W1, datetime(2026, 11, 25, 19, 30, tzinfo=UTC))
    match = re.match(pattern, f"/x/extracted/{name[:-4]}/{C1W1}.ipynb")
    assert match["student_id"] == "ada.lovelace-1" and match["file_id"] == f"{C1W1}.ipynb"
    assert match["timestamp"] == "20261125T193000Z"
    with pytest.raises(ValueError):
        submission_name("bad_id", C1W1, datetime.now(UTC))


SOLVED = "C4W2_dnn_forecast"  # a model assignment whose reference runs in about 16 s


@pytest.fixture(scope="module")
def solved_notebook(tmp_path_factory) -> Path:
    """A learner folder with C4W2 solved and run top to bottom (as after 'Run All' and save)."""
    from nbclient import NotebookClient

    folder = tmp_path_factory.mktemp("learner") / SOLVED
    folder.mkdir()
    released = nbformat.read(REPO / "release" / SOLVED / f"{SOLVED}.ipynb", as_version=4)
    solutions = solution_sources(nbformat.read(REPO / "source" / SOLVED / f"{SOLVED}.ipynb", as_version=4))
    solved = fill_solutions(released, solutions)
    NotebookClient(solved, timeout=300, resources={"metadata": {"path": str(folder)}}).execute()
    nbformat.write(solved, folder / f"{SOLVED}.ipynb")
    return folder


def test_check_passes_a_solved_notebook(solved_notebook):
    """Does the self-check pass a solved, run notebook and score its saved model on validation data?"""
    report = check_assignment("C4W2", directory=solved_notebook)
    assert report.ready_to_submit, report.summary()
    assert report.score == 10.0


def test_a_self_check_marks_its_skills_done(solved_notebook, tmp_path, monkeypatch):
    """After a real self-check of C4W2 at full marks, does `tfcourse progress` show its skills checked, and the
    skills of assignments never checked unchecked?"""
    from tfcourse.course import Course
    from tfcourse.learner.progress import CHECKED, PARTLY, gather

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    course = Course(REPO)
    assert all(line.status != CHECKED for line in gather(course, tmp_path).skills)
    report = check_assignment("C4W2", directory=solved_notebook)
    assert report.score == report.possible, report.summary()
    progress = gather(course, tmp_path)
    status = {line.skill.key: line.status for line in progress.skills}
    assert {key for key, state in status.items() if state == CHECKED} == \
        {line.skill.key for line in progress.skills if "C4W2" in line.skill.assignments}
    assert PARTLY not in status.values()
    assert (progress.assignments["C4W2"].checks, progress.assignments["C4W2"].best) == (1, report.score)


def test_check_scores_a_weak_model_low(solved_notebook, tmp_path):
    """Does the self-check's scorer give a forecaster that always says 0 no points, with the reason?"""
    import shutil

    import keras

    folder = tmp_path / SOLVED
    shutil.copytree(solved_notebook, folder)
    model = keras.Sequential([keras.Input(shape=(20,)), keras.layers.Dense(1, kernel_initializer="zeros")])
    model.save(folder / "C4W2_model.keras")
    report = check_assignment("C4W2", directory=folder)
    assert report.score == 0.0 and "of the naive forecast's" in report.summary(), report.summary()


def test_submit_packs_notebook_and_model_without_touching_them(solved_notebook, tmp_path):
    """Does submit write a zip of the notebook and its model, leaving the learner's files unchanged?"""
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in solved_notebook.iterdir()}
    path, _ = submit("C4W2", "alice", directory=solved_notebook, out_dir=tmp_path)
    assert path.name.startswith(f"alice__{SOLVED}__") and path.suffix == ".zip"
    assert sorted(zipfile.ZipFile(path).namelist()) == sorted([f"{SOLVED}.ipynb", "C4W2_model.keras"])
    assert before == {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in solved_notebook.iterdir()}


def test_submit_refuses_a_notebook_that_was_never_run(tmp_path):
    """Is an unrun notebook refused with a message that says to run it?"""
    folder = tmp_path / C1W1
    folder.mkdir()
    (folder / f"{C1W1}.ipynb").write_bytes((REPO / "release" / C1W1 / f"{C1W1}.ipynb").read_bytes())
    with pytest.raises(SubmissionRefused, match="never run"):
        submit("C1W1", "alice", directory=folder, out_dir=tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_an_exam_task_is_not_self_checked_as_an_assignment(tmp_path):
    """Does `tfcourse check EXAM1` point to `tfcourse exam check 1` instead of looking for a notebook?"""
    from tfcourse.errors import UnknownName

    with pytest.raises(UnknownName, match=r"task 1 of the mock exam.*`tfcourse exam check 1`"):
        check_assignment("EXAM1", directory=tmp_path)
