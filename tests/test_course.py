"""Tests of tfcourse.course: finding the course directory, its configured paths, scratch copies."""

from __future__ import annotations

from pathlib import Path

import pytest

from tfcourse.course import Course, find_root, folder_key

REPO = Path(__file__).resolve().parents[1]


def test_find_root_from_a_subfolder():
    """Is the course found from any folder below nbgrader_config.py, and refused outside one?"""
    assert find_root(REPO / "source" / "C1W1_housing_prices") == REPO
    with pytest.raises(FileNotFoundError, match="nbgrader_config.py"):
        find_root(Path("/"))


def test_copy_to_holds_instructor_files_only(tmp_path):
    """Does a scratch copy hold source/, demo/ and the config, and leave release/ to be generated?"""
    copy = Course(REPO).copy_to(tmp_path / "course")
    assert copy.assignment_folders() == Course(REPO).assignment_folders()
    assert (copy.root / "nbgrader_config.py").read_text().startswith((REPO / "nbgrader_config.py").read_text())
    assert (copy.root / "demo").is_dir() and not copy.release.exists()


def test_heldout_lives_outside_the_course_by_default(tmp_path, monkeypatch):
    """Is the held-out folder outside the course unless configured, in the instructor's data folder?"""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert Course(REPO).heldout == tmp_path / "data" / "tfcourse" / "heldout" / f"tfcourse-{folder_key(REPO)}"
    assert REPO not in Course(REPO).heldout.parents
    assert Course(REPO).heldout_pin.parent == REPO


def test_heldout_dir_comes_from_the_config(tmp_path):
    """Is the held-out directory read from nbgrader_config.py, relative to the course or absolute?"""
    copy = Course(REPO).copy_to(tmp_path / "course")
    assert copy.heldout == tmp_path / "course-heldout"
    config = copy.root / "nbgrader_config.py"
    config.write_text(config.read_text() + "\nc.TfCourse.heldout_dir = 'secret'\n")
    assert copy.heldout == copy.root / "secret"
