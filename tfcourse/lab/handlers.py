"""The server side of JupyterLab's Check and Submit: run `tfcourse check/submit` on a notebook, return its output.

Thin on purpose: the command line does the work, so the lab and the terminal never disagree. The
handler only turns a notebook path into the command's arguments, refusing paths outside the server's
root folder and notebooks that are neither a tfcourse assignment nor a task of a mock exam (whose Check
runs `tfcourse exam check N`). A second route tells the status bar the exam's time left, and a third runs
`tfcourse progress` for the command palette's "My progress", its chart written into the root folder.

An exam check is the one command run in this process rather than as `tfcourse`: the same function the
command calls, printing the same summary, but with one sandboxed scorer kept warm for the server's life,
so a check answers in about a second instead of the command's 5-11 s of starting TensorFlow.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import os
import shlex
import sys
import threading
from pathlib import Path

from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado import web

from tfcourse.course import is_course_root
from tfcourse.errors import NotFound, UserError
from tfcourse.exam.attempt import clock, task_of_notebook
from tfcourse.grading import get_assignment
from tfcourse.learner.progress import CHART_FILE

ACTIONS = ("check", "submit")
TIMEOUT_S = 600  # a self-check scores a model; a slow one takes seconds, never minutes


def inside(root: Path, path: str, what: str = "a notebook") -> Path:
    """``path`` resolved under ``root``; ValueError for one that leads outside it."""
    root = root.resolve()
    resolved = (root / path).resolve()
    if not resolved.is_relative_to(root):
        raise ValueError(f"{path} is not {what} in {root}")
    return resolved


def tfcourse_arguments(root: Path, action: str, path: str, student: str | None) -> list[str]:
    """The `tfcourse` arguments for ``action`` on the notebook at ``path`` (relative to ``root``).

    Raises ValueError with a reason when the request cannot name an assignment notebook under ``root``.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}: use one of {', '.join(ACTIONS)}")
    notebook = inside(root, path)
    if not notebook.is_file():
        raise ValueError(f"{path} is not a notebook in {root}")
    folder = notebook.parent.relative_to(root.resolve()).as_posix() or "."
    task = task_of_notebook(notebook)
    if task is not None:
        if action != "check":
            raise ValueError("an exam task is not submitted: check it, and your best check counts")
        return ["exam", "check", str(task), f"--dir={folder}"]
    try:
        spec = get_assignment(notebook.stem)
    except UserError:
        spec = None
    if spec is None or spec.notebook != notebook.name:
        raise ValueError(f"{notebook.name} is not a tfcourse assignment notebook")
    arguments = [action, spec.assignment_id, f"--dir={folder}"]
    if action == "submit":
        if not student:
            raise ValueError("submitting needs your student id")
        arguments.append(f"--student={student}")  # one token: an id that looks like an option stays an id
    return arguments


def progress_arguments(root: Path) -> list[str]:
    """`tfcourse progress` for a server started in ``root``, its chart written to ``root``/progress.png.

    A server started in the course folder reads the default work folder, my_work/; one started anywhere
    else (a work folder, as `tfcourse lab` does) passes ``--dir=.`` and the command finds the course from it.
    """
    return ["progress", *([] if is_course_root(root) else ["--dir=."]), f"--chart={CHART_FILE}"]


def command_reply(arguments: list[str], status: int, output: str, **more) -> str:
    """The JSON reply of a route that ran `tfcourse <arguments>`: {ok, command, output, ...more}."""
    return json.dumps({"ok": status == 0, "command": shlex.join(["tfcourse", *arguments]), "output": output, **more})


async def run_tfcourse(root: Path, arguments: list[str]) -> tuple[int, str]:
    """Run `tfcourse` with ``arguments`` in ``root``; its exit status and everything it printed."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tfcourse", *arguments, cwd=root, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    try:
        output, _ = await asyncio.wait_for(process.communicate(), TIMEOUT_S)
    except TimeoutError:
        process.kill()
        return 1, f"tfcourse did not finish within {TIMEOUT_S} s"
    return process.returncode, output.decode(errors="replace")


class WarmExamChecks:
    """`tfcourse exam check N --dir=FOLDER`, run here on one sandboxed scorer started at the first check."""

    def __init__(self) -> None:
        self._scorer = None
        self._lock = threading.Lock()  # one check at a time on the one scorer

    def run(self, root: Path, arguments: list[str]) -> tuple[int, str]:
        """The command's exit status and what it would have printed."""
        from tfcourse.exam.attempt import check
        from tfcourse.grading.scorer import Scorer

        number, folder = int(arguments[2]), root / arguments[3].removeprefix("--dir=")
        with self._lock:
            if self._scorer is None:
                self._scorer = Scorer()
            try:
                return 0, check(number, folder, scorer=self._scorer).summary() + "\n"
            except UserError as error:  # what the command prints for it, and its status
                return 2, f"tfcourse exam: {error}\n"

    def close(self) -> None:
        with self._lock:
            if self._scorer is not None:
                self._scorer.close()
                self._scorer = None


WARM_EXAM_CHECKS = WarmExamChecks()
atexit.register(WARM_EXAM_CHECKS.close)


class RunHandler(APIHandler):
    """POST {action, path, student?}: run `tfcourse <action>` on the notebook; reply {ok, command, output}."""

    def initialize(self, root: Path) -> None:
        self.root = root

    @web.authenticated
    async def post(self) -> None:
        request = self.get_json_body() or {}
        try:
            arguments = tfcourse_arguments(self.root, str(request.get("action")), str(request.get("path", "")),
                                           request.get("student"))
        except ValueError as reason:
            raise web.HTTPError(400, str(reason)) from None
        if arguments[0] == "exam":
            status, output = await asyncio.get_running_loop().run_in_executor(
                None, WARM_EXAM_CHECKS.run, self.root, arguments)
        else:
            status, output = await run_tfcourse(self.root, arguments)
        self.finish(command_reply(arguments, status, output))


class ProgressHandler(APIHandler):
    """POST: run `tfcourse progress` in the root; reply {ok, command, output, chart} (the chart's path there)."""

    def initialize(self, root: Path) -> None:
        self.root = root

    @web.authenticated
    async def post(self) -> None:
        arguments = progress_arguments(self.root)
        status, output = await run_tfcourse(self.root, arguments)
        self.finish(command_reply(arguments, status, output, chart=CHART_FILE))


class ExamClockHandler(APIHandler):
    """GET ?path=<a notebook or folder>: the exam attempt holding it, {attempt, seconds_left, best}, or
    {attempt: null} outside any attempt."""

    def initialize(self, root: Path) -> None:
        self.root = root

    @web.authenticated
    def get(self) -> None:
        try:
            place = inside(self.root, self.get_argument("path", ""), "a notebook or folder")
        except ValueError as reason:
            raise web.HTTPError(400, str(reason)) from None
        try:
            reply = clock(place if place.is_dir() else place.parent)
        except NotFound:
            reply = {"attempt": None}
        except UserError as reason:  # a record that fails its verification: say so, as the CLI does
            raise web.HTTPError(409, str(reason)) from None
        self.finish(json.dumps(reply))


def add_handlers(web_app, root: Path) -> None:
    """Serve RunHandler at <base url>/tfcourse/run, ExamClockHandler at <base url>/tfcourse/exam and
    ProgressHandler at <base url>/tfcourse/progress."""
    base = web_app.settings["base_url"]
    web_app.add_handlers(".*$", [(url_path_join(base, "tfcourse", "run"), RunHandler, {"root": root}),
                                 (url_path_join(base, "tfcourse", "exam"), ExamClockHandler, {"root": root}),
                                 (url_path_join(base, "tfcourse", "progress"), ProgressHandler, {"root": root})])
