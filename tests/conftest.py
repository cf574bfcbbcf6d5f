"""Shared fixtures: an isolated cache, a throw-away course directory, and notebook factories."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import nbformat
import pytest

from tfcourse.course import Course

REPO = Path(__file__).resolve().parents[1]
# Debian's chromium and its driver, which tests/test_browser.py drives with selenium (`make setup` installs them).
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


def browser_tests_can_run() -> bool:
    """Whether tests/test_browser.py runs: selenium importable, chromium and chromedriver installed."""
    return bool(importlib.util.find_spec("selenium") and CHROMIUM and CHROMEDRIVER)


@pytest.fixture
def isolated_cache(tmp_path, monkeypatch) -> Path:
    """A fresh, empty tfcourse cache directory for one test."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("TFCOURSE_CACHE_DIR", str(cache))
    return cache


@pytest.fixture
def course_copy(tmp_path) -> Path:
    """A throw-away copy of the course directory for one test."""
    return Course(REPO).copy_to(tmp_path / "course").root


def code_cell(source: str, **nbgrader):
    """A code cell, with nbgrader metadata when keyword arguments are given."""
    cell = nbformat.v4.new_code_cell(source)
    if nbgrader:
        cell.metadata["nbgrader"] = {"schema_version": 3, "locked": False, "solution": False, "grade": False,
                                     **nbgrader}
    return cell


def notebook(*cells):
    """A notebook made of ``cells`` with a Python kernelspec."""
    return nbformat.v4.new_notebook(cells=list(cells), metadata={
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}})
