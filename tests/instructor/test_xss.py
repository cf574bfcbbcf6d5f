"""A hostile submission's scripts, in the pages nbgrader makes of it: feedback and formgrader.

The hostile notebook carries script in every form a notebook can: display outputs (text/html with
<script>, <img onerror>, inline <svg onload>; image/svg+xml with a script; application/javascript;
text/markdown), stream and error text, and markdown cells with raw <script>, <img onerror>, an
<iframe srcdoc>, a javascript: link and an SVG attachment with a script. Every script, if it ran, would
add its name to ``window.xssCanaries`` and retitle the page.

Fast: its outputs, written by hand, rendered in-process through nbgrader's two templates (feedback,
formgrade) with the course's nbgrader_config.py; no live markup may be left in the HTML. Slow, in
headless chromium: `tfcourse grade` grades it (C4W1, with the reference solutions); its feedback page
and formgrader's view of it (in a real Jupyter server) must run none of the scripts and still show the
honest plots, text and markdown. A control page, the same autograded notebook rendered by nbconvert's
defaults, shows that the payloads are live when nothing is sanitised. Screenshots go to
test-artifacts/xss/ (not committed).
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import pytest
from conftest import REPO, browser_tests_can_run, free_port, headless_chromium, wait_for_jupyter
from nbgrader.server_extensions.formgrader import handlers

from tfcourse.course import Course
from tfcourse.grading import export_heldout, get_assignment
from tfcourse.instructor.demo import fill_solutions, solution_sources
from tfcourse.instructor.grade import grade
from tfcourse.instructor.release import release

try:  # without selenium (or chromium) only the browser test is skipped
    from selenium import webdriver
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:
    webdriver = By = WebDriverWait = None

needs_browser = pytest.mark.skipif(not browser_tests_can_run(),
                                   reason="no selenium, chromium or chromedriver: `make setup` installs them "
                                          "(apt-get install chromium chromium-driver; pip install -e '.[test]')")

ARTIFACTS = REPO / "test-artifacts" / "xss"
C4W1 = get_assignment("C4W1")
STUDENT = "xss-learner"
TOKEN = "tfcourse-xss-test"
TIMESTAMP = "20260101T000000Z"

# Payloads that nbconvert's defaults put live into a page: the control page must run every one.
LIVE_WITHOUT_SANITISING = {"html-script", "html-img-onerror", "html-svg-onload", "html-svg-script",
                           "javascript-output", "markdown-output", "markdown-script", "markdown-img-onerror",
                           "markdown-iframe"}
# How many plots (PNG outputs) C4W1's reference solution draws.
HONEST_PLOTS = 4


def canary(name: str, scope: str = "window") -> str:
    """JavaScript that records ``name`` as having run (in ``scope``, the page's window) and retitles the page."""
    return f"({scope}.xssCanaries = {scope}.xssCanaries || []).push('{name}'); {scope}.document.title = 'XSS {name}';"


def hostile_svg(name: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40" onload="{canary(name)}">'
            f'<script>{canary(name)}</script><rect width="40" height="40" fill="red"/></svg>')


def onerror_image(name: str) -> str:
    return f'<img src=x onerror="{canary(name)}">'


def output_payloads() -> list[dict]:
    """The data of each hostile display output, by mime type."""
    return [
        {"text/html": f"<script>{canary('html-script')}</script>"},
        {"text/html": onerror_image("html-img-onerror")},
        {"text/html": f'<svg onload="{canary("html-svg-onload")}"><script>{canary("html-svg-script")}</script></svg>'},
        {"image/svg+xml": hostile_svg("svg-output"), "text/plain": "an SVG"},
        {"application/javascript": canary("javascript-output")},
        {"text/markdown": onerror_image("markdown-output")},
    ]


STREAM = f"<script>{canary('stream')}</script>"
ERROR = onerror_image("error")
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="


def markdown_cells() -> list:
    """An honest markdown cell (a table, inline code); a hostile one (raw HTML, a javascript: link, an attachment)."""
    honest = nbformat.v4.new_markdown_cell(
        "## Honest notes\n| window | MAE |\n|:--|--:|\n| 30 | 6.1 |\n\nComparing `x < y` stays code.")
    hostile = nbformat.v4.new_markdown_cell(
        "## Hostile markdown\n"
        f"<script>{canary('markdown-script')}</script>\n\n"
        f"{onerror_image('markdown-img-onerror')}\n\n"
        f"<iframe srcdoc=\"<script>{canary('markdown-iframe', scope='parent')}</script>\"></iframe>\n\n"
        "[open me](javascript:alert('markdown-link'))\n\n"
        "![chart](attachment:chart.svg)\n",
        attachments={"chart.svg": {"image/svg+xml": base64.b64encode(hostile_svg("attachment").encode()).decode()}})
    return [honest, hostile]


def hostile_code_cells() -> list:
    """Code cells that display the hostile outputs, print markup and raise with markup when executed."""
    return [nbformat.v4.new_code_cell(source) for source in (
        "# Hostile: display outputs that carry script\nfrom IPython.display import display\n"
        + "\n".join(f"display({data!r}, raw=True)" for data in output_payloads()),
        f"# Hostile: markup in stream text (always escaped)\nprint({STREAM!r})",
        f"# Hostile: markup in an error message (always escaped)\nraise ValueError({ERROR!r})",
    )]


def hand_made_notebook():
    """The hostile cells with the outputs their execution makes, written by hand, and an honest PNG output."""
    cell = nbformat.v4.new_code_cell("# outputs of the hostile cells, and a plot")
    cell.outputs = [nbformat.v4.new_output("display_data", data=data) for data in output_payloads()]
    cell.outputs += [nbformat.v4.new_output("stream", name="stdout", text=STREAM),
                     nbformat.v4.new_output("error", ename="ValueError", evalue=ERROR, traceback=[ERROR]),
                     nbformat.v4.new_output("display_data", data={"image/png": PNG, "text/plain": "a plot"})]
    return nbformat.v4.new_notebook(cells=[*markdown_cells(), cell])


def hostile_submission(course: Course) -> bytes:
    """C4W1's released notebook with the reference solutions, and the hostile cells at the end."""
    released = nbformat.read(course.release / C4W1.folder / C4W1.notebook, as_version=4)
    notebook = fill_solutions(released, solution_sources(nbformat.read(course.source / C4W1.folder / C4W1.notebook,
                                                                       as_version=4)))
    notebook.cells += [*markdown_cells(), *hostile_code_cells()]
    return nbformat.writes(notebook).encode()


class Formgrader:
    """A Jupyter server on the course folder (formgrader enabled), bound to 127.0.0.1 with a token."""

    def __init__(self, course: Course, scratch: Path):
        self.url = f"http://127.0.0.1:{free_port()}"
        env = {**os.environ, "JUPYTER_CONFIG_DIR": str(scratch / "jupyter-config"),
               "JUPYTER_DATA_DIR": str(scratch / "jupyter-data"), "JUPYTER_RUNTIME_DIR": str(scratch / "runtime")}
        self.log = open(scratch / "jupyter-server.log", "wb")
        # Started in the course folder, as an instructor starts it: nbgrader reads nbgrader_config.py there.
        self.server = subprocess.Popen(
            [sys.executable, "-m", "jupyter", "server", f"--ServerApp.root_dir={course.root}", "--no-browser",
             f"--port={self.url.rsplit(':', 1)[1]}", "--ip=127.0.0.1", f"--ServerApp.token={TOKEN}", "--allow-root",
             "--ServerApp.jpserver_extensions={'nbgrader.server_extensions.formgrader': True}"],
            cwd=course.root, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        try:
            wait_for_jupyter(self.url, TOKEN, self.server)
        except BaseException:
            self.close()
            raise

    def submission_url(self, course: Course) -> str:
        """formgrader's page for the hostile submission's notebook."""
        from nbgrader.api import Gradebook

        with Gradebook(f"sqlite:///{course.root / 'gradebook.db'}", course_id="tfcourse") as gradebook:
            submission = gradebook.find_submission_notebook(Path(C4W1.notebook).stem, C4W1.folder, STUDENT)
            return f"{self.url}/formgrader/submissions/{submission.id}/?token={TOKEN}"

    def close(self) -> None:
        self.server.terminate()
        try:
            self.server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.server.kill()
            self.server.wait()
        self.log.close()


def chromium():
    return headless_chromium("--disable-background-networking", "--disable-extensions", "--disable-sync",
                             "--no-first-run", "--allow-file-access-from-files",
                             # Only 127.0.0.1 resolves: the pages' CDN scripts (MathJax) fail at once, nothing leaves.
                             "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1", window_size="1400,2400")


def open_page(browser, url: str, shot: str) -> None:
    """Load ``url``, give failing images time to fire their error handlers; screenshot its top and hostile cells."""
    browser.get(url)
    WebDriverWait(browser, 30).until(lambda b: b.execute_script("return document.readyState") == "complete")
    time.sleep(1.5)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / f"{shot}.png"))
    browser.execute_script("document.getElementById('Honest-notes').scrollIntoView()")
    browser.save_screenshot(str(ARTIFACTS / f"{shot}-hostile-cells.png"))


def fired(browser) -> set[str]:
    return set(browser.execute_script("return window.xssCanaries || []"))


def javascript_urls(browser) -> int:
    return browser.execute_script(
        "return Array.from(document.querySelectorAll('[href], [src]')).filter(e => "
        "/^\\s*javascript:/i.test(e.getAttribute('href') || e.getAttribute('src') || '')).length")


def assert_no_script_ran(browser, page: str) -> None:
    assert fired(browser) == set(), f"{page}: these payloads ran: {sorted(fired(browser))}"
    assert "XSS" not in browser.title, (page, browser.title)
    assert javascript_urls(browser) == 0, f"{page}: a javascript: link or source is on the page"
    text = browser.find_element(By.TAG_NAME, "body").text
    assert "<script>" in text, f"{page}: the hostile markup should show, escaped, as text"


def assert_honest_parts_render(browser, page: str) -> None:
    plots = browser.execute_script(
        "return Array.from(document.querySelectorAll('img[src^=\"data:image/png;base64,\"]'))"
        ".map(img => img.complete && img.naturalWidth > 0)")
    assert plots.count(True) >= HONEST_PLOTS, f"{page}: plots shown: {plots}"
    text = browser.find_element(By.TAG_NAME, "body").text
    assert "GRADED by the instructor's scorer" in text, page  # stream text (the scorer's report)
    assert "Comparing x < y stays code." in text, page  # markdown with inline code
    headers = [cell.text for cell in browser.find_elements(By.CSS_SELECTOR, "table th")]
    assert headers[:2] == ["window", "MAE"], (page, headers)  # a markdown table


# What nbgrader's feedback and formgrade templates need (GenerateFeedback and formgrader set the same).
TEMPLATES = Path(handlers.template_path)
BOOTSTRAP_CSS = Path(handlers.static_path) / "node_modules" / "bootstrap" / "dist" / "css"
TEMPLATE_RESOURCES = {
    "nbgrader": {"notebook": "hostile", "score": 0, "max_score": 10, "late_penalty": 0},  # feedback
    "assignment_id": C4W1.folder, "notebook_id": "hostile", "submission_id": "1", "index": 0, "total": 1,
    "base_url": "", "student": STUDENT, "last_name": None, "first_name": None, "notebook_path": "hostile.ipynb",
}


@pytest.mark.parametrize("template", ["feedback", "formgrade"])
def test_nbgrader_templates_leave_no_live_markup(template):
    """Rendered by nbgrader's feedback or formgrade template with the course's nbgrader_config.py, is every
    payload inert (no script, handler or frame of its own, no javascript: URL), the PNG and table still there?"""
    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(REPO)).load_config()
    exporter = HTMLExporter(config=config, template_name=template, extra_template_basedirs=[str(TEMPLATES)],
                            extra_template_paths=[str(BOOTSTRAP_CSS)])
    page = BeautifulSoup(exporter.from_notebook_node(hand_made_notebook(), resources=TEMPLATE_RESOURCES)[0],
                         "html.parser")
    live = [tag for tag in page.find_all(True)
            if any("xssCanaries" in str(value) for value in tag.attrs.values())
            or (tag.name == "script" and "xssCanaries" in tag.get_text())
            or tag.name in ("iframe", "object", "embed")
            or any(str(tag.get(name, "")).strip().lower().startswith("javascript:") for name in ("href", "src"))]
    assert live == [], live
    assert page.select('img[src^="data:image/png;base64,"]'), "the PNG output is gone"
    assert [th.get_text() for th in page.select("table th")][:2] == ["window", "MAE"]


@pytest.fixture
def graded(tmp_path):
    """(course, its feedback page): the hostile submission graded by `tfcourse grade` in a course copy."""
    course = Course(REPO).copy_to(tmp_path / "course")
    release(course, [C4W1.folder])
    export_heldout(course.heldout, course.heldout_pin, [C4W1.assignment_id])
    archive = course.archive(C4W1.folder) / f"{STUDENT}__{C4W1.folder}__{TIMESTAMP}.zip"
    archive.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive, "w") as packed:
        packed.writestr(C4W1.notebook, hostile_submission(course))
    (row,) = grade([C4W1.folder], course=course, progress=False, cell_timeout_s=120)
    assert row.score == row.possible, row  # the hostile cells change no points
    page = course.feedback / STUDENT / C4W1.folder / f"{Path(C4W1.notebook).stem}.html"
    assert page.is_file(), row
    return course, page


@pytest.mark.slow
@needs_browser
def test_no_page_runs_a_submissions_script(graded, tmp_path):
    """Do the feedback page and formgrader's view of a hostile submission run none of its scripts, and still
    show its plots, text and markdown, where nbconvert's defaults would have run them all?"""
    from nbconvert import HTMLExporter

    course, feedback_page = graded
    autograded = nbformat.read(course.autograded / STUDENT / C4W1.folder / C4W1.notebook, as_version=4)
    assert any("chart.svg" in cell.get("attachments", {}) for cell in autograded.cells), "the attachment was lost"
    control = tmp_path / "control.html"
    control.write_text(HTMLExporter().from_notebook_node(autograded)[0])

    browser = chromium()
    server = None
    try:
        open_page(browser, control.as_uri(), "01-control-nbconvert-defaults")
        WebDriverWait(browser, 10).until(lambda b: LIVE_WITHOUT_SANITISING <= fired(b))
        assert javascript_urls(browser) == 1

        open_page(browser, feedback_page.as_uri(), "02-feedback")
        assert_no_script_ran(browser, "feedback page")
        assert_honest_parts_render(browser, "feedback page")
        assert "Score: 10.0 / 10.0" in browser.find_element(By.TAG_NAME, "body").text

        server = Formgrader(course, tmp_path)
        open_page(browser, server.submission_url(course), "03-formgrader")
        assert browser.execute_script("return typeof window.jQuery") == "function", "formgrader's own scripts ran"
        assert_no_script_ran(browser, "formgrader")
        assert_honest_parts_render(browser, "formgrader")
    finally:
        browser.quit()
        if server is not None:
            server.close()
