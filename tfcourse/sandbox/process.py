"""A sandboxed process tree as the host sees it: its policy file, cgroup, launcher command and outcome."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import uuid
from dataclasses import dataclass, replace
from pathlib import Path

from tfcourse.sandbox.limits import Cgroup, GiB
from tfcourse.sandbox.policy import SandboxPolicy

UNSANDBOXED = "graded without sandbox"


def remove_tree(path: Path) -> None:
    """Delete a folder tree without following links and without recursion (any depth, any permissions)."""
    path = Path(path)
    if path.is_symlink() or not path.is_dir():
        path.unlink(missing_ok=True)
        return
    empty_folder(path)
    path.rmdir()


def empty_folder(folder: Path) -> None:
    """Delete everything inside ``folder`` (kept itself), iteratively, links as links."""
    folder = Path(folder)
    if not folder.is_dir():
        return
    pending, emptied = [folder], []
    while pending:
        directory = pending.pop()
        os.chmod(directory, 0o700)  # a sandboxed process may have made it unreadable
        emptied.append(directory)
        for entry in os.scandir(directory):
            if entry.is_dir(follow_symlinks=False):
                pending.append(Path(entry.path))
            else:
                os.unlink(entry.path)
    for directory in reversed(emptied[1:]):
        os.rmdir(directory)


@dataclass(frozen=True)
class SandboxOutcome:
    """What happened to a sandboxed process tree, in words a gradebook can show."""

    sandboxed: bool
    unsandboxed_because: str | None
    events: tuple[str, ...]  # limits it hit, each as a readable phrase
    exit_code: int | None
    peak_memory_bytes: int = 0  # as the cgroup counted it (0 without one)

    def note(self) -> str | None:
        """'graded without sandbox (why)' when bubblewrap could not be used, else None."""
        if self.sandboxed:
            return None
        return f"{UNSANDBOXED} ({self.unsandboxed_because})" if self.unsandboxed_because else UNSANDBOXED


class Sandbox:
    """One sandboxed process tree: call :meth:`command` to get the launcher command line, then
    :meth:`outcome` once it has run, then :meth:`close`.
    """

    def __init__(self, policy: SandboxPolicy):
        self.private = Path(tempfile.mkdtemp(prefix="tfcourse-sandbox-host-"))
        self.cgroup = Cgroup.create(f"tfcourse-{uuid.uuid4().hex[:12]}", policy.limits)
        self.policy = replace(policy, cgroup=self.cgroup.to_dict() if self.cgroup else None,
                              report=self.private / "report.json")
        self.policy_file = self.private / "policy.json"
        self.policy_file.write_text(self.policy.to_json())

    def command(self, argv: list[str]) -> list[str]:
        """The command that runs ``argv`` in this sandbox (through the launcher)."""
        return [sys.executable, "-I", "-m", "tfcourse.sandbox.launch", str(self.policy_file), "--", *argv]

    def outcome(self) -> SandboxOutcome:
        """Read the launcher's report and the cgroup's counters."""
        try:
            report = json.loads(self.policy.report.read_text())
        except (OSError, ValueError):
            report = {}
        limits = self.policy.limits
        events = []
        peak = 0
        if report.get("stopped_for"):
            events.append(f"stopped by the sandbox: it {report['stopped_for']}")
        if self.cgroup is not None:
            counted = self.cgroup.events()
            peak = counted.peak_memory_bytes
            if counted.oom_kills:
                events.append(f"killed for going over the memory limit ({limits.memory_bytes / GiB:g} GiB)")
            if counted.process_limit_hits:
                events.append(f"hit the process limit ({limits.max_processes} processes and threads)")
        return SandboxOutcome(sandboxed=bool(report.get("sandboxed")),
                              unsandboxed_because=report.get("unsandboxed_because"),
                              events=tuple(events), exit_code=report.get("exit_code"), peak_memory_bytes=peak)

    def close(self) -> None:
        """Kill whatever is left of the process tree, remove its cgroup and private files."""
        if self.cgroup is not None:
            self.cgroup.remove()
        shutil.rmtree(self.private, ignore_errors=True)
