"""nbgrader's autograde with every notebook kernel inside the sandbox.

Stops: a submission's notebook reaching the instructor's files, other students' work, the
held-out data or the network while nbgrader executes it, and floods of output. nbgrader_config.py
calls :func:`configure`, which swaps nbgrader's ``Execute`` preprocessor for
:class:`SandboxedExecute`. Its kernel manager starts the kernel through the sandbox launcher
(bubblewrap, limits, scrubbed environment) and talks to it over Unix sockets in a folder shared
with the sandbox, since the kernel has no network. It interrupts kernels with a message, not a
signal, caps the text a notebook may print, and writes a report of what happened (sandboxed or
not, limits hit, cells that timed out) where ``tfcourse grade`` reads it.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from nbgrader.preprocessors import Execute
from traitlets import Integer, Unicode

from tfcourse.sandbox.limits import KERNEL_LIMITS
from tfcourse.sandbox.process import Sandbox

TRUNCATED = "[output truncated by the grader: this notebook printed more than {limit} MiB]\n"


class SandboxedKernelManager(AsyncKernelManager):
    """Starts the kernel inside the sandbox; ``policy_for`` (set by SandboxedExecute) gives its policy."""

    policy_for = None  # callable: working folder -> SandboxPolicy

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.transport = "ipc"
        self.sandbox: Sandbox | None = None
        self.outcome = None
        self.workdir: Path | None = None
        self._socket_dir: Path | None = None

    async def _async_pre_start_kernel(self, **kw):
        workdir = Path(kw.get("cwd") or os.getcwd()).resolve()
        self.workdir = workdir
        # Unix socket paths must stay short (108 bytes), so the folder sits directly in /tmp.
        self._socket_dir = Path(tempfile.mkdtemp(prefix="tfk-", dir="/tmp"))
        self.connection_file = str(self._socket_dir / "kernel.json")
        self.ip = str(self._socket_dir / "ipc")
        self.sandbox = Sandbox(replace(self.policy_for(workdir), writable=(self._socket_dir,)))
        self.kernel_spec.interrupt_mode = "message"  # SIGINT cannot cross into the sandbox's PID namespace
        return await super()._async_pre_start_kernel(**kw)

    def format_kernel_cmd(self, extra_arguments=None):
        command = super().format_kernel_cmd(extra_arguments)
        if Path(command[0]).name.startswith("python"):
            command.insert(1, "-I")  # the working folder never shadows installed packages
        return self.sandbox.command(command)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if self.sandbox is not None:
            self.outcome = self.sandbox.outcome()
            self.sandbox.close()
            self.sandbox = None
        if self._socket_dir is not None:
            shutil.rmtree(self._socket_dir, ignore_errors=True)
            self._socket_dir = None

    cleanup_resources = _async_cleanup_resources


class SandboxedExecute(Execute):
    """nbgrader's Execute preprocessor with a sandboxed kernel, an output cap and a report."""

    data_view = Unicode("", help="Folder of the dataset splits the notebook may load (built when empty).").tag(
        config=True)
    report_file = Unicode("", help="Where to write a JSON report of the run (none when empty).").tag(config=True)
    max_output_bytes = Integer(KERNEL_LIMITS.output_bytes, help="Text a notebook may print in all.").tag(config=True)

    def __init__(self, *args, **kwargs):
        kwargs["kernel_manager_class"] = SandboxedKernelManager
        super().__init__(*args, **kwargs)
        self._printed = 0
        self._truncated = False
        self._timeouts: list[str] = []
        self._manager: SandboxedKernelManager | None = None
        self._built_view: Path | None = None

    def _policy_for(self, workdir: Path):
        from tfcourse.grading.policies import export_notebook_splits, kernel_policy
        from tfcourse.grading.specs import get_assignment

        view = self.data_view
        if not view:
            self._built_view = Path(tempfile.mkdtemp(prefix="tfcourse-splits-"))
            view = export_notebook_splits(get_assignment(workdir.name), self._built_view)
        return kernel_policy(workdir, Path(view))

    def create_kernel_manager(self):
        manager = super().create_kernel_manager()
        manager.policy_for = self._policy_for
        self._manager = manager
        return manager

    def output(self, outs, msg, display_id, cell_index):
        size = len(json.dumps(msg.get("content", {}), default=str))
        if self._printed + size > self.max_output_bytes:
            if not self._truncated:
                self._truncated = True
                from nbformat.v4 import new_output

                outs.append(new_output("stream", name="stdout",
                                       text=TRUNCATED.format(limit=self.max_output_bytes // 2**20)))
            return None
        self._printed += size
        return super().output(outs, msg, display_id, cell_index)

    async def _async_handle_timeout(self, timeout, cell=None):
        self._timeouts.append(f"a cell ran longer than the per-cell time limit ({timeout} s) and was interrupted")
        return await super()._async_handle_timeout(timeout, cell)

    def preprocess(self, nb, resources=None, km=None):
        failure = None
        try:
            return super().preprocess(nb, resources, km)
        except BaseException as error:
            failure = f"{type(error).__name__}: {error}"
            raise
        finally:
            workdir = self._manager.workdir if self._manager is not None else None
            self._write_report(failure, remove_links(workdir) if workdir else [])
            if self._built_view is not None:
                shutil.rmtree(self._built_view, ignore_errors=True)

    def _write_report(self, failure: str | None, removed_links: list[str]) -> None:
        if not self.report_file:
            return
        outcome = self._manager.outcome if self._manager is not None else None
        report = {
            "removed_links": removed_links,
            "sandboxed": bool(outcome and outcome.sandboxed),
            "unsandboxed_because": outcome.unsandboxed_because if outcome else "the kernel never started",
            "events": list(outcome.events) if outcome else [],
            "peak_memory_bytes": outcome.peak_memory_bytes if outcome else 0,
            "timeouts": self._timeouts,
            "output_truncated": self._truncated,
            "failure": failure,
        }
        Path(self.report_file).write_text(json.dumps(report, indent=1))


def remove_links(folder: Path, limit: int = 10_000) -> list[str]:
    """Delete symbolic links and other special files the notebook left in its folder; return their names.

    nbgrader chmods every file of the autograded folder afterwards, following links, and the scorer
    must only ever read files the notebook wrote there: a link planted by the kernel (to another
    student's model, to a system file) is removed before either happens.
    """
    removed, seen = [], 0
    for directory, folders, files in os.walk(folder, followlinks=False):
        for name in folders + files:
            seen += 1
            path = Path(directory) / name
            if seen > limit or not (path.is_symlink() or not (path.is_file() or path.is_dir())):
                continue
            try:
                path.unlink()
                removed.append(str(path.relative_to(folder)))
            except OSError:
                pass
    return removed


def configure(c) -> None:
    """Make nbgrader's autograde run notebooks with :class:`SandboxedExecute` (call from nbgrader_config.py)."""
    from nbgrader.converters import Autograde

    defaults = Autograde.class_traits()["autograde_preprocessors"].default()
    c.Autograde.autograde_preprocessors = [SandboxedExecute if step is Execute else step for step in defaults]
