"""The sandbox launcher: applies limits, starts the command under bubblewrap, and watches it.

Run as ``python -I -m tfcourse.sandbox.launch POLICY.json -- COMMAND...``. It joins the cgroup the
host made, sets rlimits, starts ``COMMAND`` inside bubblewrap (or, where bubblewrap cannot run, with
a scrubbed environment only), and polls the working folder so that a process that writes too much
is stopped. It records what happened in the policy's report file, which only the host can read.
It exits with the command's exit status (128 + signal when killed).

Stops: disk-filling writes (many files, each under the file-size rlimit) that no rlimit bounds.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from tfcourse.sandbox.limits import Cgroup, apply_rlimits
from tfcourse.sandbox.policy import SandboxPolicy, bubblewrap_command, bubblewrap_problem, sandbox_env

POLL_S = 0.5


def folder_usage(folders: list[Path], max_files: int) -> tuple[int, int, bool]:
    """(bytes, entries, unreadable) under ``folders``; stops counting once past ``max_files``.

    A folder the launcher cannot list (the sandboxed code made it unreadable) counts as a breach,
    since what is inside cannot be measured.
    """
    total, entries, unreadable = 0, 0, False
    pending = list(folders)
    while pending and entries <= max_files:
        try:
            listing = list(os.scandir(pending.pop()))
        except FileNotFoundError:
            continue
        except OSError:
            unreadable = True
            continue
        for entry in listing:
            entries += 1
            try:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(Path(entry.path))
                else:
                    total += entry.stat(follow_symlinks=False).st_size
            except OSError:
                pass
    return total, entries, unreadable


def write_report(policy: SandboxPolicy, report: dict) -> None:
    if policy.report is None:
        return
    temporary = policy.report.with_suffix(".part")
    temporary.write_text(json.dumps(report))
    os.replace(temporary, policy.report)


def set_parent_death_signal() -> None:
    """Die with the parent process (PR_SET_PDEATHSIG), whatever started it and however it ends.

    The launcher sets it for itself (if nbgrader is killed, its kernel's launcher goes too, and
    bubblewrap with it) and, without bubblewrap, for the command it starts.
    """
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)


def kill_tree(child: subprocess.Popen, *, sandboxed: bool, cgroup: Cgroup | None) -> None:
    """Kill the command and everything it started (bubblewrap's PID namespace dies with its first process)."""
    child.kill()
    if not sandboxed:
        try:
            os.killpg(child.pid, signal.SIGKILL)
        except OSError:
            pass
        if cgroup is not None:
            cgroup.kill_all(sparing=os.getpid())


def main(argv: list[str] | None = None) -> int:
    """Start the sandboxed command and wait for it."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) < 3 or argv[1] != "--":
        print("usage: python -I -m tfcourse.sandbox.launch POLICY.json -- COMMAND...", file=sys.stderr)
        return 2
    set_parent_death_signal()
    policy = SandboxPolicy.from_json(Path(argv[0]).read_text())
    command = argv[2:]
    problem = bubblewrap_problem()
    cgroup = Cgroup.from_dict(policy.cgroup)
    report = {"sandboxed": problem is None, "unsandboxed_because": problem, "cgroup": cgroup is not None,
              "limits": policy.limits.to_dict(), "stopped_for": None, "exit_code": None}
    write_report(policy, report)
    if cgroup is not None:
        cgroup.add(os.getpid())
    apply_rlimits(policy.limits, without_cgroup=cgroup is None)

    # A kernel's own stdout and stderr are not its notebook's output (that goes over its sockets):
    # they are dropped, so nothing it writes there can flood or garble the grader's logs.
    output = subprocess.DEVNULL if policy.quiet else None
    with tempfile.TemporaryDirectory(prefix="tfcourse-sandbox-") as private:
        if problem is None:
            empty_file = Path(private) / "empty"
            empty_file.write_bytes(b"")
            child = subprocess.Popen(bubblewrap_command(policy, command, empty_file), env={"PATH": os.defpath},
                                     stdout=output, stderr=output)
        else:
            home = Path(private) / "home"
            home.mkdir()
            child = subprocess.Popen(command, cwd=policy.workdir_source or policy.workdir,
                                     env=sandbox_env(policy, str(home)), stdout=output, stderr=output,
                                     preexec_fn=set_parent_death_signal, start_new_session=True)

        def forward(signum, _frame):
            child.send_signal(signum)

        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, forward)

        while True:
            try:
                returncode = child.wait(timeout=POLL_S)
                break
            except subprocess.TimeoutExpired:
                pass
            used, files, unreadable = folder_usage(policy.writable_sources(), policy.limits.max_files)
            stopped_for = None
            if used > policy.limits.disk_bytes:
                stopped_for = f"wrote more than {policy.limits.disk_bytes // 2**20} MiB into its folder"
            elif files > policy.limits.max_files:
                stopped_for = f"created more than {policy.limits.max_files:,} files"
            elif unreadable:
                stopped_for = "made part of its folder unreadable to the grader"
            if stopped_for:
                report["stopped_for"] = stopped_for
                write_report(policy, report)
                kill_tree(child, sandboxed=problem is None, cgroup=cgroup)
                returncode = child.wait()
                break
    report["exit_code"] = returncode
    write_report(policy, report)
    return returncode if returncode >= 0 else 128 - returncode


if __name__ == "__main__":
    sys.exit(main())
