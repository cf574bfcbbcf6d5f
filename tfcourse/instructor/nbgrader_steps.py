"""Each nbgrader step the instructor pipeline runs, as a subprocess in the course directory.

A subprocess per step (and per student at autograde) keeps one broken submission from taking
the batch down. Nothing secret travels to nbgrader: the held-out data is read by the scorer only,
after nbgrader has run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class StepResult:
    """What one nbgrader command did."""

    command: tuple[str, ...]
    returncode: int
    log: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def reason(self) -> str:
        """The most telling line of nbgrader's log: its last error, else its last line."""
        lines = [line.strip() for line in self.log.splitlines() if line.strip()]
        errors = [line for line in lines if "[ERROR]" in line or "Error" in line]
        return (errors or lines or ["no output"])[-1][:300]


# A whole submission's autograde, beyond which nbgrader itself is stopped (cells have their own limit).
AUTOGRADE_TIMEOUT_S = 1800
LOG_TAIL_BYTES = 64 * 1024  # what is kept of a step's log, for its reason


def interpreter_first(path: str) -> str:
    """``path`` (a PATH value) with this interpreter's bin folder first: nbgrader starts helpers (alembic, the
    kernel) by name, and they must be this environment's."""
    bin_dir = str(Path(sys.executable).parent)
    return os.pathsep.join([bin_dir, *(entry for entry in path.split(os.pathsep) if entry and entry != bin_dir)])


def run_nbgrader(root: Path, *args: str, timeout_s: int | None = None, extra_config: tuple[str, ...] = (),
                 env: dict[str, str] | None = None, running: set | None = None) -> StepResult:
    """Run ``nbgrader <args>`` in the course directory and capture its log.

    ``env`` adds to this process' environment. With ``running`` (a Dask unit's), the process is in that set
    while it runs, for whoever must stop it early, and is killed when the thread that started it dies (util-linux'
    setpriv, where there is one), so a worker killed mid-unit takes nbgrader and the sandboxed kernel along.
    """
    environment = {**os.environ, **(env or {})}
    environment["PATH"] = interpreter_first(environment.get("PATH", ""))
    environment.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    command = (sys.executable, "-m", "nbgrader", *args, *extra_config)
    if running is not None and shutil.which("setpriv"):
        command = ("setpriv", "--pdeathsig", "KILL", "--", *command)
    with tempfile.TemporaryFile() as log:
        # nbgrader's log goes to a file, not a pipe: its size is not held in memory, and bytes a
        # notebook manages to slip into it cannot fail a strict decode.
        process = subprocess.Popen(command, cwd=root, env=environment, stdout=log, stderr=subprocess.STDOUT)
        if running is not None:
            running.add(process)
        try:
            returncode, suffix = process.wait(timeout=timeout_s), ""
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            returncode, suffix = 124, f"\n[ERROR] nbgrader {args[0]} ran longer than {timeout_s} s"
        except BaseException:  # Ctrl-C: nbgrader (and the kernel, which dies with it) stops too
            process.kill()
            process.wait()
            raise
        finally:
            if running is not None:
                running.discard(process)
        size = log.seek(0, os.SEEK_END)
        log.seek(max(0, size - LOG_TAIL_BYTES))
        text = log.read().decode("utf-8", errors="replace")
    return StepResult(command, returncode, text + suffix)


def generate_assignment(root: Path, folder: str, env: dict[str, str] | None = None) -> StepResult:
    """Generate release/<folder> from source/<folder> and record its grade cells in the gradebook
    (``folder`` may be ``"*"``: every assignment in source/, in one run)."""
    return run_nbgrader(root, "generate_assignment", folder, "--force", env=env)


def release_assignment(root: Path, folder: str) -> StepResult:
    """Copy release/<folder> into the exchange's outbound folder (creating the exchange if need be)."""
    return run_nbgrader(root, "release_assignment", folder, "--force")


def zip_collect(root: Path, folder: str, archive_directory: str = "archive") -> StepResult:
    """Unpack the zips of downloaded/<folder>/<archive_directory> into submitted/<student>/<folder>."""
    return run_nbgrader(root, "zip_collect", folder, "--force",
                        extra_config=(f"--ZipCollectApp.archive_directory={archive_directory}",))


def autograde(root: Path, folder: str, student: str, *, data_view: Path, report: Path,
              cell_timeout_s: int | None = None, extra_config: tuple[str, ...] = (),
              env: dict[str, str] | None = None, running: set | None = None) -> StepResult:
    """Execute one student's notebook in the sandbox (nbgrader_config.py installs SandboxedExecute).

    ``data_view`` holds the dataset splits the notebook may load; ``report`` receives what the
    sandbox saw. Files in submitted/ are only copied, never changed. ``extra_config``, ``env`` and ``running``
    go to :func:`run_nbgrader`.
    """
    extra = (f"--SandboxedExecute.data_view={data_view}", f"--SandboxedExecute.report_file={report}",
             *extra_config)
    if cell_timeout_s:
        extra += (f"--Execute.timeout={cell_timeout_s}",)
    return run_nbgrader(root, "autograde", folder, "--student", student, "--force",
                        timeout_s=AUTOGRADE_TIMEOUT_S, extra_config=extra, env=env, running=running)


def generate_feedback(root: Path, folder: str) -> StepResult:
    """Write feedback/<student>/<folder>/*.html from every autograded notebook of ``folder``, in one run."""
    return run_nbgrader(root, "generate_feedback", folder, "--force")
