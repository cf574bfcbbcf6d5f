"""nbgrader's autograde with every notebook kernel inside the sandbox.

Stops: a submission's notebook reaching the instructor's files, other students' work, the
held-out data or the network while nbgrader executes it; files it plants for the grader to trip
over (links, folders full of junk); floods of output. nbgrader_config.py calls :func:`configure`,
which swaps nbgrader's ``Execute`` preprocessor for :class:`SandboxedExecute`.

Its kernel manager starts the kernel through the sandbox launcher (bubblewrap, limits, scrubbed
environment). The kernel works in a private scratch folder mounted where the notebook expects its
own folder; when it has exited, only the assignment's model file is copied back into
autograded/<student>/<folder>/ (a regular file, opened without following links, of bounded size),
and the scratch folder is deleted. So nbgrader, which later writes and chmods files there, and the
scorer only ever meet files the grader put there. The kernel has no network: it talks to nbgrader
over Unix sockets in a folder shared with the sandbox, and is interrupted by a message, not a
signal. Output past 2 MiB is dropped. A report of the run (sandboxed or not, limits hit, cells that
timed out, files refused) goes where ``tfcourse grade`` reads it.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from dataclasses import replace
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from nbgrader.preprocessors import Execute
from traitlets import Integer, Unicode

from tfcourse.sandbox.limits import KERNEL_LIMITS
from tfcourse.sandbox.process import Sandbox, remove_tree

TRUNCATED = "[output truncated by the grader: this notebook printed more than {limit} MiB]\n"
RECORDED_OUTPUTS = ("stream", "display_data", "update_display_data", "execute_result", "error")
MAX_ARTIFACT_BYTES = 200 * 2**20


def copy_in(workdir: Path, scratch: Path, limit: int = 200) -> None:
    """Give the kernel's scratch folder the regular files nbgrader placed in its folder."""
    for path in sorted(workdir.iterdir())[:limit]:
        if not path.is_symlink() and path.is_file():
            (scratch / path.name).write_bytes(path.read_bytes())


def copy_back(scratch: Path, workdir: Path, names: list[str]) -> list[str]:
    """Copy the named artifacts from the scratch folder into ``workdir``; return why any was refused."""
    refused = []
    for name in names:
        try:
            descriptor = os.open(scratch / name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except FileNotFoundError:
            continue
        except OSError:
            refused.append(f"{name} is a symbolic link or unreadable; it was not kept")
            continue
        with os.fdopen(descriptor, "rb") as source:
            info = os.fstat(source.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_ARTIFACT_BYTES:
                refused.append(f"{name} is not a regular file of at most {MAX_ARTIFACT_BYTES // 2**20} MiB; "
                               "it was not kept")
                continue
            target = workdir / name
            if target.is_symlink() or target.exists():
                target.unlink()
            with open(target, "xb") as copy:
                copy.write(source.read(MAX_ARTIFACT_BYTES + 1))
    return refused


class SandboxedKernelManager(AsyncKernelManager):
    """Starts the kernel inside the sandbox, in a scratch folder; set ``policy_for`` and ``artifacts``."""

    policy_for = None  # callable: the notebook's folder -> SandboxPolicy
    artifacts: list[str] = []  # file names copied back from the scratch folder

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.transport = "ipc"
        self.sandbox: Sandbox | None = None
        self.outcome = None
        self.refused: list[str] = []
        self.workdir: Path | None = None
        self._scratch: Path | None = None
        self._socket_dir: Path | None = None

    async def _async_pre_start_kernel(self, **kw):
        self.workdir = Path(kw.get("cwd") or os.getcwd()).resolve()
        self._scratch = Path(tempfile.mkdtemp(prefix="tfcourse-kernel-"))
        # Unix socket paths must stay short (108 bytes), so the folder sits directly in /tmp.
        self._socket_dir = Path(tempfile.mkdtemp(prefix="tfk-", dir="/tmp"))
        try:
            copy_in(self.workdir, self._scratch)
            self.connection_file = str(self._socket_dir / "kernel.json")
            self.ip = str(self._socket_dir / "ipc")
            policy = self.policy_for(self.workdir)
            self.sandbox = Sandbox(replace(policy, workdir_source=self._scratch, writable=(self._socket_dir,),
                                           quiet=True))
            self.kernel_spec.interrupt_mode = "message"  # SIGINT cannot cross into the sandbox's PID namespace
            return await super()._async_pre_start_kernel(**kw)
        except BaseException:
            self._release()
            raise

    def format_kernel_cmd(self, extra_arguments=None):
        command = super().format_kernel_cmd(extra_arguments)
        if Path(command[0]).name.startswith("python"):
            command.insert(1, "-I")  # the working folder never shadows installed packages
        return self.sandbox.command(command)

    def _release(self) -> None:
        """After the kernel: read the sandbox's outcome, keep the artifacts, delete everything else."""
        if self.sandbox is not None:
            self.outcome = self.sandbox.outcome()
            self.sandbox.close()  # kills whatever the kernel left running before its files are read
            self.sandbox = None
        if self._scratch is not None:
            if self.workdir is not None and self.outcome is not None:
                self.refused = copy_back(self._scratch, self.workdir, self.artifacts)
            remove_tree(self._scratch)
            self._scratch = None
        if self._socket_dir is not None:
            remove_tree(self._socket_dir)
            self._socket_dir = None

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        self._release()

    cleanup_resources = _async_cleanup_resources


class SandboxedExecute(Execute):
    """nbgrader's Execute preprocessor with a sandboxed kernel, an output cap and a report."""

    data_view = Unicode("", help="Folder of the dataset splits the notebook may load (built when empty).").tag(
        config=True)
    report_file = Unicode("", help="Where to write a JSON report of the run (none when empty).").tag(config=True)
    max_output_bytes = Integer(KERNEL_LIMITS.output_bytes, help="Text a notebook may print in all.").tag(config=True)
    threads = Integer(0, help="CPU threads TensorFlow may use in the kernel (0: its own choice, every core); "
                              "parallel grading gives each of N kernels its share of the cores.").tag(config=True)

    def __init__(self, *args, **kwargs):
        kwargs["kernel_manager_class"] = SandboxedKernelManager
        kwargs["store_widget_state"] = False  # widget messages would bypass the output cap
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
        return kernel_policy(workdir, Path(view), threads=self.threads or None)

    def create_kernel_manager(self):
        from tfcourse.grading.specs import get_assignment

        manager = super().create_kernel_manager()
        manager.policy_for = self._policy_for
        folder = Path(self.resources.get("metadata", {}).get("path") or os.getcwd()).name
        manager.artifacts = [get_assignment(folder).model_filename]
        self._manager = manager
        return manager

    def process_message(self, msg, cell, cell_index):
        if msg.get("msg_type") in RECORDED_OUTPUTS:
            size = len(json.dumps(msg.get("content", {}), default=str))
            if self._printed + size > self.max_output_bytes:
                if not self._truncated:
                    from nbformat.v4 import new_output

                    self._truncated = True
                    cell.outputs.append(new_output("stream", name="stdout",
                                                   text=TRUNCATED.format(limit=self.max_output_bytes // 2**20)))
                return None
            self._printed += size
        return super().process_message(msg, cell, cell_index)

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
            self._write_report(failure)
            if self._built_view is not None:
                remove_tree(self._built_view)

    def _write_report(self, failure: str | None) -> None:
        if not self.report_file:
            return
        manager = self._manager
        outcome = manager.outcome if manager is not None else None
        report = {
            "sandboxed": bool(outcome and outcome.sandboxed),
            "unsandboxed_because": outcome.unsandboxed_because if outcome else "the kernel never started",
            "events": list(outcome.events) if outcome else [],
            "peak_memory_bytes": outcome.peak_memory_bytes if outcome else 0,
            "refused_artifacts": manager.refused if manager is not None else [],
            "timeouts": self._timeouts,
            "output_truncated": self._truncated,
            "failure": failure,
        }
        Path(self.report_file).write_text(json.dumps(report, indent=1))


def configure(c) -> None:
    """Make nbgrader's autograde run notebooks with :class:`SandboxedExecute` (call from nbgrader_config.py)."""
    from nbgrader.converters import Autograde

    defaults = Autograde.class_traits()["autograde_preprocessors"].default()
    c.Autograde.autograde_preprocessors = [SandboxedExecute if step is Execute else step for step in defaults]
