"""Shared fixtures: an isolated cache, a throw-away course directory, and notebook factories."""

from __future__ import annotations

import importlib.util
import re
import shutil
import socket
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from tfcourse.course import Course

REPO = Path(__file__).resolve().parents[1]
# Debian's chromium and its driver, which tests/lab/test_browser.py drives with selenium (`make setup` installs them).
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


def browser_tests_can_run() -> bool:
    """Whether tests/lab/test_browser.py runs: selenium importable, chromium and chromedriver installed."""
    return bool(importlib.util.find_spec("selenium") and CHROMIUM and CHROMEDRIVER)


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (the only address test servers listen on)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_jupyter(url: str, token: str, process=None, timeout_s: float = 90, what: str = "the Jupyter server") -> None:
    """Wait until the Jupyter server at ``url`` answers its status API; fail early if ``process`` exits."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise AssertionError(f"{what} exited with {process.returncode}")
        try:
            urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{what} did not start within {timeout_s} s")


def headless_chromium(*arguments: str, window_size: str = "1400,900"):
    """Debian's chromium, headless, driven by selenium (as root it needs --no-sandbox)."""
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={window_size}",
                     *arguments):
        options.add_argument(argument)
    return webdriver.Chrome(service=webdriver.ChromeService(executable_path=CHROMEDRIVER), options=options)


@pytest.fixture(scope="session", autouse=True)
def learner_state(tmp_path_factory):
    """Every test's self-checks and submissions go to a scratch activity log (tfcourse.learner.activity), never
    to the user's own ~/.local/state; subprocesses (the CLI, Jupyter servers) inherit the setting."""
    with pytest.MonkeyPatch.context() as patch:
        state = tmp_path_factory.mktemp("xdg-state")
        patch.setenv("XDG_STATE_HOME", str(state))
        yield state


@pytest.fixture(scope="module")
def scorer():
    """A scorer whose sandboxed workers start on first use and stay warm for the test module."""
    from tfcourse.grading.scorer import Scorer

    with Scorer() as warm:
        yield warm


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



def pytest_xdist_make_scheduler(config, log):
    """`make test`'s scheduler (``--dist loadscope``): each test file is one unit of work, as xdist's
    ``loadscope`` makes it, except tests/test_demo.py, which is one unit per course, so that the four demo
    batches (each graded once per worker, by the ``demo`` fixture) spread over the workers. xdist's own
    ``loadgroup`` marks do not reach the test ids under pytest 9 (measured: two tests of one group ran on
    two workers), so the grouping is made here."""
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class CourseScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            course = re.search(r"\[(?:[^\]]*-)?(C\d)", nodeid) if path.endswith("test_demo.py") else None
            return f"{path}::{course.group(1)}" if course else path

    return CourseScheduling(config, log)
