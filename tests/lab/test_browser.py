"""The learner's JupyterLab in a real browser (Debian's chromium, headless, driven by Selenium).

A learner opens the Assignments panel, opens C4W1, runs every cell of their (the reference) solution,
validates (nbgrader's button), self-checks and packs a zip (tfcourse's Check and Submit buttons), submits
from the panel; the instructor grades; the learner fetches the feedback in the panel and reads the points. Each step
leaves a screenshot in test-artifacts/browser/ (not committed). Skipped
where no chromium or chromedriver is installed (`make setup` installs both where apt exists).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from conftest import CHROMEDRIVER, CHROMIUM, REPO, free_port, headless_chromium, wait_for_jupyter

from tfcourse.course import Course
from tfcourse.grading import export_heldout, get_assignment
from tfcourse.instructor.demo import fill_solutions, solution_sources
from tfcourse.instructor.grade import grade
from tfcourse.instructor.release import release
from tfcourse.lab import jupyter_lab_arguments
from tfcourse.learner.workspace import create_workspace

selenium = pytest.importorskip("selenium", reason="selenium is not installed (pip install -e '.[test]')")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                                 reason="no chromium/chromedriver: `make setup` installs them with apt "
                                        "(apt-get install chromium chromium-driver)")]

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support import expected_conditions as until  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

ARTIFACTS = REPO / "test-artifacts" / "browser"
C4W1 = get_assignment("C4W1")
TOKEN = "tfcourse-browser-test"
LEARNER = "learner-1"  # the id typed into tfcourse's Submit dialog


class Lab:
    """A JupyterLab server on the learner's work folder, and a headless chromium looking at it.

    ``plain``: started as every Jupyter tutorial says, `jupyter lab` in the folder, without the options
    `tfcourse lab` adds: tfcourse's extensions must then come from the environment, as pip installed them.
    """

    def __init__(self, work: Path, scratch: Path, *, plain: bool = False):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
               # nbgrader keeps a learner's submissions (and their secrets) in the Jupyter data folder
               "JUPYTER_DATA_DIR": str(scratch / "jupyter-data"),
               "JUPYTER_CONFIG_DIR": str(scratch / "jupyter-config"), "JUPYTER_RUNTIME_DIR": str(scratch / "runtime"),
               "XDG_STATE_HOME": str(scratch / "state")}  # the learner's activity log, for `tfcourse progress`
        self.log = open(scratch / "jupyterlab.log", "wb")
        self.server = subprocess.Popen(
            [sys.executable, "-m", "jupyter", "lab", *([] if plain else jupyter_lab_arguments(work)), "--no-browser",
             f"--port={self.port}",
             "--ip=127.0.0.1", f"--ServerApp.token={TOKEN}", "--allow-root",
             f"--LabApp.workspaces_dir={scratch / 'workspaces'}"],
            cwd=work, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        wait_for_jupyter(self.url, TOKEN, what="JupyterLab")
        self.browser = headless_chromium()
        self.shots = 0

    def open(self, path: str = "") -> None:
        self.browser.get(f"{self.url}/lab/{path}?token={TOKEN}")
        self.wait_for(By.CSS_SELECTOR, "#jp-main-dock-panel")

    def wait_for(self, by: str, selector: str, timeout_s: float = 60):
        return WebDriverWait(self.browser, timeout_s).until(until.visibility_of_element_located((by, selector)))

    def click_text(self, text: str, tag: str = "*", timeout_s: float = 60) -> None:
        """Click the first visible element whose own text is ``text``."""
        element = WebDriverWait(self.browser, timeout_s).until(
            until.element_to_be_clickable((By.XPATH, f"//{tag}[normalize-space(text())='{text}']")))
        element.click()

    def menu(self, menu: str, item: str) -> None:
        """Choose ``item`` from the menu bar's ``menu``, once the item is enabled."""
        self.click_text(menu, tag="div")
        WebDriverWait(self.browser, 60).until(until.element_to_be_clickable((
            By.XPATH, f"//li[contains(@class, 'lm-Menu-item') and not(contains(@class, 'lm-mod-disabled'))]"
                      f"/div[normalize-space(text())='{item}']"))).click()

    def palette(self, command: str) -> None:
        """Run ``command`` (its label) from the command palette: View, Activate Command Palette, type, Enter."""
        self.menu("View", "Activate Command Palette")
        field = self.wait_for(By.CSS_SELECTOR, ".lm-CommandPalette-input")
        field.send_keys(command)
        field.send_keys(Keys.ENTER)

    def close_dialog(self) -> None:
        """Press the open dialog's main button (OK, Close)."""
        self.wait_for(By.CSS_SELECTOR, ".jp-Dialog .jp-mod-accept").click()
        WebDriverWait(self.browser, 30).until(
            until.invisibility_of_element_located((By.CSS_SELECTOR, ".jp-Dialog")))

    def wait_for_text(self, text: str, timeout_s: float = 120) -> None:
        WebDriverWait(self.browser, timeout_s).until(
            lambda browser: text in browser.find_element(By.TAG_NAME, "body").text)

    def screenshot(self, name: str) -> Path:
        self.shots += 1
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{self.shots:02d}-{name}.png"
        self.browser.save_screenshot(str(path))
        return path

    def close(self) -> None:
        self.browser.quit()
        self.server.terminate()
        self.server.wait(timeout=30)
        self.log.close()


@pytest.fixture
def lab(course_copy, tmp_path):
    """(course, the learner's work folder, Lab): C4W1 released and published; the learner's folder made."""
    course = Course(course_copy)
    release(course, [C4W1.folder], publish=True)
    work = tmp_path / "my_work"
    work.mkdir()
    create_workspace(course, work)
    shutil.rmtree(work / C4W1.folder)  # fetched from the panel instead
    session = Lab(work, tmp_path)
    try:
        yield course, work, session
    finally:
        session.close()


def test_learner_fetches_works_validates_submits_and_reads_feedback_in_jupyterlab(lab):
    """Can a learner go from the Assignments panel to a submission and back to their feedback in the browser?"""
    course, work, session = lab
    try:
        learner_flow(course, work, session)
    except BaseException:
        session.screenshot("failure")
        raise


def learner_flow(course: Course, work: Path, session: Lab) -> None:
    session.open()
    session.menu("Nbgrader", "Assignment List")
    session.wait_for_text(C4W1.folder)
    session.screenshot("assignments-panel")
    session.click_text("Fetch", tag="button")
    session.wait_for_text("Submit")
    session.screenshot("fetched")

    # The learner's work: here, the reference solution typed into the fetched notebook.
    notebook_path = work / C4W1.folder / C4W1.notebook
    solutions = solution_sources(nbformat.read(REPO / "source" / C4W1.folder / C4W1.notebook, as_version=4))
    nbformat.write(fill_solutions(nbformat.read(notebook_path, as_version=4), solutions), notebook_path)

    session.open(f"tree/{C4W1.folder}/{C4W1.notebook}")
    session.wait_for_text("Python 3 (ipykernel) | Idle")
    session.browser.find_element(By.CSS_SELECTOR, ".jp-Notebook .jp-Cell").click()
    session.menu("Run", "Run All Cells")
    session.wait_for_text("SELF-CHECK", timeout_s=180)
    session.screenshot("ran-all-cells")
    session.click_text("Validate", tag="span")  # nbgrader's toolbar button
    session.wait_for_text("Success! Your notebook passes all the tests.", timeout_s=240)
    session.screenshot("validated")
    session.close_dialog()

    # tfcourse's own buttons on the notebook's toolbar: `tfcourse check`, then `tfcourse submit`.
    session.click_text("Check", tag="span")
    session.wait_for_text("Self-check: done", timeout_s=120)
    session.wait_for_text("Ready to submit.")
    session.screenshot("tfcourse-check")
    session.close_dialog()
    session.click_text("Submit", tag="span")
    session.wait_for(By.CSS_SELECTOR, ".jp-Dialog input").send_keys(LEARNER)
    session.browser.find_element(By.CSS_SELECTOR, ".jp-Dialog .jp-mod-accept").click()
    session.wait_for_text("Submission: done", timeout_s=120)
    session.wait_for_text("Submission written to")
    session.screenshot("tfcourse-submit")
    session.close_dialog()
    (archive,) = (work / "submissions").glob(f"{LEARNER}__{C4W1.folder}__*.zip")
    with zipfile.ZipFile(archive) as packed:
        assert packed.namelist() == [C4W1.notebook]

    session.open()
    session.menu("Nbgrader", "Assignment List")
    session.click_text("Submit", tag="button")
    session.wait_for_text("Submitted assignments", timeout_s=60)
    session.screenshot("submitted")

    export_heldout(course.heldout, course.heldout_pin, ["C4W1"])
    (row,) = grade([C4W1.folder], course=course, progress=False)
    assert row.score == row.possible == 10, row

    session.browser.refresh()
    session.wait_for(By.CSS_SELECTOR, "#jp-main-dock-panel")
    session.menu("Nbgrader", "Assignment List")
    session.click_text("Fetch Feedback", tag="button")
    session.wait_for_text("(view feedback)", timeout_s=60)
    session.screenshot("feedback-fetched")

    # "My progress" in the command palette: C4W1's full-marks self-check checks its three skills.
    session.palette("tfcourse: My progress")
    session.wait_for_text("My progress: done", timeout_s=60)
    session.wait_for_text("Skills checklist: 3 checked")
    session.screenshot("progress")
    session.close_dialog()
    assert (work / "progress.png").read_bytes().startswith(b"\x89PNG")
    session.wait_for(By.XPATH, "//div[contains(@class, 'lm-TabBar-tabLabel') and text()='progress.png']")
    (page,) = (work / C4W1.folder / "feedback").glob(f"*/{Path(C4W1.notebook).stem}.html")
    session.browser.get(f"{session.url}/files/{page.relative_to(work).as_posix()}?token={TOKEN}")
    session.wait_for_text("Score: 10.0 / 10.0")
    session.screenshot("feedback")


def test_a_mock_exam_shows_its_clock_and_checks_a_task_in_plain_jupyterlab(tmp_path):
    """In plain `jupyter lab` (not `tfcourse lab`), does an exam task's notebook show the time left in the status
    bar, and its Check button score the task?"""
    from exam_answers import save_line_model

    from tfcourse.exam.attempt import find_attempt, start
    from tfcourse.exam.store import ExamStore
    from tfcourse.exam.tasks import get_task

    work = tmp_path / "my_work"
    attempt = start(work / "exam", 30, ExamStore(tmp_path / "store"), seed=1)
    task = get_task(1)
    save_line_model(attempt, 1)  # the line itself: its mean absolute error is 0, a 5
    session = Lab(work, tmp_path, plain=True)
    try:
        session.open(f"tree/exam/{task.folder}/solution.ipynb")
        session.wait_for(By.CSS_SELECTOR, ".tfcourse-exam-clock")
        session.wait_for_text("Exam: 0:2")  # 0:29:59 left, or a little less
        assert " left" in session.wait_for(By.CSS_SELECTOR, ".tfcourse-exam-clock").text
        assert not session.browser.find_elements(By.XPATH, "//span[normalize-space(text())='Submit']")
        session.screenshot("exam-clock")
        session.click_text("Check", tag="span")
        session.wait_for_text("Exam check: done", timeout_s=120)
        session.wait_for_text("Task 1: 5 / 5")
        session.screenshot("exam-check")
        session.close_dialog()
        # tfcourse's extension turns off JupyterLab's news announcements, whose first-run prompt came up by now
        assert "official Jupyter news" not in session.browser.find_element(By.TAG_NAME, "body").text
    except BaseException:
        session.screenshot("exam-failure")
        raise
    finally:
        session.close()
    assert find_attempt(attempt).best_scores()[1] == 5
