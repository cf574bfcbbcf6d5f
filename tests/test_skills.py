"""The handbook's skills checklist names real labs and assignments, and covers the whole course."""

from __future__ import annotations

from pathlib import Path

import pytest

from tfcourse.errors import UnknownName
from tfcourse.exam.tasks import TASKS
from tfcourse.grading.specs import ASSIGNMENTS
from tfcourse.skills import CHECKLIST, SECTIONS, describe, get_skill, lab_path, teaching

REPO = Path(__file__).resolve().parents[1]
LABS = {path.stem for path in (REPO / "notebooks").rglob("*.ipynb")}


def test_every_named_lab_and_assignment_exists():
    """Does every checklist line name labs that are in notebooks/ (at the path describe() gives) and real assignments?"""
    for skill in CHECKLIST:
        assert skill.labs and skill.assignments, skill.key
        for lab in skill.labs:
            assert (REPO / lab_path(lab)).is_file(), (skill.key, lab)
        assert set(skill.assignments) <= set(ASSIGNMENTS), skill.key
        assert skill.section in SECTIONS


def test_every_lab_and_assignment_teaches_a_skill():
    """Is no lab or assignment of the course left off the checklist (so progress counts all of them)?"""
    assert {lab for skill in CHECKLIST for lab in skill.labs} == LABS
    assert {a for skill in CHECKLIST for a in skill.assignments} == set(ASSIGNMENTS)
    assert len({skill.key for skill in CHECKLIST}) == len(CHECKLIST)


def test_exam_tasks_study_from_the_checklist():
    """Does each exam task's study list come from its checklist lines, labs first, each once?"""
    for task in TASKS:
        teaches = task.teaches
        assert len(teaches) == len(set(teaches)) and teaches
        assert set(teaches) == {name for key in task.skills for name in (*get_skill(key).labs,
                                                                          *get_skill(key).assignments)}
        assert all(name in LABS for name in teaches[:sum(name in LABS for name in teaches)])
    assert teaching(("callbacks",)) == ("C1W2_lab2_callbacks", "C1W2")
    assert describe("C1W2") == "assignment C1W2 (callbacks)"
    assert describe("C1W2_lab2_callbacks") == "lab notebooks/C1/W2/C1W2_lab2_callbacks.ipynb"
    with pytest.raises(UnknownName, match="unknown skill"):
        get_skill("juggling")
