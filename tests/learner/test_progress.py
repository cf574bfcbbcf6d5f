"""`tfcourse progress` reads what the course writes: saved lab notebooks, the activity log, nbgrader's
submission cache and fetched feedback. (A real self-check showing up here: tests/learner/test_learner.py.)"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tfcourse.cli import main
from tfcourse.course import CONFIG_FILE, Course
from tfcourse.grading.specs import ASSIGNMENTS
from tfcourse.learner import activity
from tfcourse.learner.progress import CHECKED, LAB_RUN, NOT_YET, PARTLY, gather, table
from tfcourse.skills import CHECKLIST, lab_path

REPO = Path(__file__).resolve().parents[2]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def learner(tmp_path, monkeypatch):
    """A learner's course folder (the labs as released, unrun), an empty work folder, log and nbgrader cache."""
    course = tmp_path / "course"
    shutil.copytree(REPO / "notebooks", course / "notebooks")
    shutil.copy(REPO / CONFIG_FILE, course / CONFIG_FILE)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "jupyter"))
    (course / "my_work").mkdir()
    return Course(course)


def run_lab(notebook: Path, cells: int | None = None) -> None:
    """Mark the first ``cells`` code cells (all when None) as run, as Jupyter saves a notebook after running."""
    content = json.loads(notebook.read_text())
    code = [cell for cell in content["cells"] if cell["cell_type"] == "code"]
    for count, cell in enumerate(code[:cells], start=1):
        cell["execution_count"] = count
    notebook.write_text(json.dumps(content))


def test_a_fresh_learner_has_done_nothing(learner, capsys):
    """Does a learner who has run, checked and submitted nothing see every skill 'not yet', and a chart?"""
    progress = gather(learner)
    assert {line.status for line in progress.skills} == {NOT_YET}
    assert all(work.best is None and work.submissions == work.feedback == 0 for work in progress.assignments.values())
    assert set(progress.assignments) == set(ASSIGNMENTS)
    assert main(["progress", "--course", str(learner.root)]) == 0
    printed = capsys.readouterr().out
    assert f"0 checked, 0 partly, 0 lab run, {len(CHECKLIST)} not yet" in printed
    assert "Labs run through: 0 of 24" in printed
    assert (learner.root / "my_work" / "progress.png").read_bytes().startswith(PNG_SIGNATURE)


def test_checks_submissions_feedback_and_labs_are_counted(learner, tmp_path):
    """Do a full-marks check, a half-marks check, a lab run through, nbgrader submissions and fetched feedback
    each show where they belong, with unreadable log lines skipped?"""
    assert activity.record(activity.CHECK, "C1W2", score=10.0, possible=10.0, ready=True) is None
    assert activity.record(activity.CHECK, "C1W3", score=5.0, possible=10.0, ready=True) is None
    assert activity.record(activity.CHECK, "C1W3", score=2.5, possible=10.0, ready=True) is None
    assert activity.record(activity.SUBMIT, "C1W2", zip="alice__C1W2_callbacks__x.zip") is None
    with activity.log_path().open("a") as log:
        log.write("not json\n[1, 2]\n")
    run_lab(learner.root / lab_path("C3W4_lab1_text_generation"))
    run_lab(learner.root / lab_path("C4W1_lab1_synthetic_series"), cells=2)
    cache = tmp_path / "jupyter" / "nbgrader_cache" / learner.course_id
    (cache / "alice+C1W2_callbacks+2026-12-03 10:00:00.000000 UTC").mkdir(parents=True)
    feedback = learner.root / "my_work" / "C1W2_callbacks" / "feedback" / "2026-12-03 10:00:00.000000 UTC"
    feedback.mkdir(parents=True)
    (feedback / "C1W2_callbacks.html").write_text("<html></html>")

    progress = gather(learner)
    status = {line.skill.key: line.status for line in progress.skills}
    assert status["callbacks"] == CHECKED and status["conv-pool"] == PARTLY
    assert status["generate-text"] == LAB_RUN and status["series"] == NOT_YET
    c1w2, c1w3 = progress.assignments["C1W2"], progress.assignments["C1W3"]
    assert (c1w2.best, c1w2.checks, c1w2.submissions, c1w2.feedback) == (10.0, 1, 2, 1)
    assert (c1w3.best, c1w3.checks, c1w3.submissions) == (5.0, 2, 0)
    shown = table(progress)
    assert "C1W3 5/10" in shown and "Labs run through: 1 of 24 (C3W4_lab1_text_generation)" in shown
    assert "C4W1_lab1_synthetic_series (2/" in shown


def test_an_unwritable_log_is_reported_not_raised(tmp_path, monkeypatch):
    """Does a state folder that cannot be written give a reason instead of failing the check that records?"""
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocker))
    reason = activity.record(activity.CHECK, "C1W1", score=1.0, possible=10.0, ready=True)
    assert reason and "could not record this check" in reason
    assert activity.read_log() == []
