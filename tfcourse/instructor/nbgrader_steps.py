"""Each nbgrader step the instructor pipeline runs, as a subprocess in the course directory.

A subprocess per step (and per student at autograde) keeps one broken submission from taking
the batch down. Nothing secret travels to nbgrader: the held-out data is read by the scorer only,
after nbgrader has run.
"""

from __future__ import annotations

import os
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


def run_nbgrader(root: Path, *args: str, timeout_s: int | None = None,
                 extra_config: tuple[str, ...] = ()) -> StepResult:
    """Run ``nbgrader <args>`` in the course directory and capture its log."""
    env = dict(os.environ)
    env["PATH"] = interpreter_first(env.get("PATH", ""))
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    command = (sys.executable, "-m", "nbgrader", *args, *extra_config)
    with tempfile.TemporaryFile() as log:
        try:
            # nbgrader's log goes to a file, not a pipe: its size is not held in memory, and bytes a
            # notebook manages to slip into it cannot fail a strict decode.
            returncode = subprocess.run(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
                                        timeout=timeout_s).returncode
            suffix = ""
        except subprocess.TimeoutExpired:
            returncode, suffix = 124, f"\n[ERROR] nbgrader {args[0]} ran longer than {timeout_s} s"
        size = log.seek(0, os.SEEK_END)
        log.seek(max(0, size - LOG_TAIL_BYTES))
        text = log.read().decode("utf-8", errors="replace")
    return StepResult(command, returncode, text + suffix)


def generate_assignment(root: Path, folder: str) -> StepResult:
    """Generate release/<folder> from source/<folder> and record its grade cells in the gradebook
    (``folder`` may be ``"*"``: every assignment in source/, in one run)."""
    return run_nbgrader(root, "generate_assignment", folder, "--force")


def release_assignment(root: Path, folder: str) -> StepResult:
    """Copy release/<folder> into the exchange's outbound folder (creating the exchange if need be)."""
    return run_nbgrader(root, "release_assignment", folder, "--force")


def zip_collect(root: Path, folder: str, archive_directory: str = "archive") -> StepResult:
    """Unpack the zips of downloaded/<folder>/<archive_directory> into submitted/<student>/<folder>."""
    return run_nbgrader(root, "zip_collect", folder, "--force",
                        extra_config=(f"--ZipCollectApp.archive_directory={archive_directory}",))


def autograde(root: Path, folder: str, student: str, *, data_view: Path, report: Path,
              cell_timeout_s: int | None = None) -> StepResult:
    """Execute one student's notebook in the sandbox (nbgrader_config.py installs SandboxedExecute).

    ``data_view`` holds the dataset splits the notebook may load; ``report`` receives what the
    sandbox saw. Files in submitted/ are only copied, never changed.
    """
    extra = (f"--SandboxedExecute.data_view={data_view}", f"--SandboxedExecute.report_file={report}")
    if cell_timeout_s:
        extra += (f"--Execute.timeout={cell_timeout_s}",)
    return run_nbgrader(root, "autograde", folder, "--student", student, "--force",
                        timeout_s=AUTOGRADE_TIMEOUT_S, extra_config=extra)


def generate_feedback(root: Path, folder: str) -> StepResult:
    """Write feedback/<student>/<folder>/*.html from every autograded notebook of ``folder``, in one run."""
    return run_nbgrader(root, "generate_feedback", folder, "--force")
