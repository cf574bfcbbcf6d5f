"""The host's side of a warm sandboxed worker: start it, send it jobs, restart it when it dies."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path

from tfcourse.sandbox.forkserver import HEADER_BYTES
from tfcourse.sandbox.policy import SandboxPolicy
from tfcourse.sandbox.process import Sandbox, SandboxOutcome, empty_folder

START_TIMEOUT_S = 180.0
LINE_LIMIT_BYTES = 2 << 20


class WorkerFailed(RuntimeError):
    """The worker could not start (a setup problem, not a submission's)."""


class Worker:
    """A fork server (``tfcourse.sandbox.forkserver``) running ``handler_module`` in a sandbox.

    Use as a context manager. :meth:`run` returns the job's answer, or ``{"ok": False, "error": ...}``
    when the job failed, timed out or took the worker down, in which case the worker is restarted
    for the next job.
    """

    def __init__(self, policy: SandboxPolicy, handler_module: str):
        self.policy = policy
        self.handler_module = handler_module
        self.sandbox: Sandbox | None = None
        self.process: subprocess.Popen | None = None
        self.log_path: Path | None = None
        self._buffer = b""
        self._next_id = 0
        self.restarts = 0
        self.last_outcome: SandboxOutcome | None = None

    def __enter__(self) -> Worker:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> None:
        """Start the worker and wait until it has imported its handler."""
        self.sandbox = Sandbox(self.policy)
        self.log_path = self.sandbox.private / "worker.log"
        argv = [sys.executable, "-I", "-m", "tfcourse.sandbox.forkserver", self.handler_module]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(self.sandbox.command(argv), stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, stderr=log)
        self._buffer = b""
        line = self._read_line(START_TIMEOUT_S)
        try:
            ready = line is not None and json.loads(line).get("ready") is True
        except (ValueError, AttributeError):
            ready = False
        if not ready:
            log_tail = self.log_path.read_text(errors="replace").strip().splitlines()[-3:]
            self.close()
            raise WorkerFailed(f"the {self.policy.purpose} did not start: {' / '.join(log_tail) or 'no output'}")

    def _read_line(self, timeout_s: float) -> bytes | None:
        """One line from the worker, or None when it died, timed out or sent too much."""
        deadline = time.monotonic() + timeout_s
        fd = self.process.stdout.fileno()
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or len(self._buffer) > LINE_LIMIT_BYTES:
                return None
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                return None
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line

    def _read_exactly(self, size: int, timeout_s: float) -> bytes | None:
        """``size`` bytes from the worker (some may already be buffered), or None."""
        deadline = time.monotonic() + timeout_s
        fd = self.process.stdout.fileno()
        while len(self._buffer) < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                return None
            chunk = os.read(fd, min(1 << 20, size - len(self._buffer)))
            if not chunk:
                return None
            self._buffer += chunk
        data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def _exchange(self, job: dict, timeout_s: float) -> dict | None:
        """Send one request and read its answer; None when the worker died or broke the protocol."""
        self._next_id += 1
        self._buffer = b""
        payload = json.dumps(job).encode()
        header = json.dumps({"id": self._next_id, "timeout_s": timeout_s, "size": len(payload)}).encode()
        try:
            self.process.stdin.write(header.ljust(HEADER_BYTES) + payload)
            self.process.stdin.flush()
            line = self._read_line(timeout_s + 30)
            response = json.loads(line) if line is not None else None
        except (OSError, ValueError):
            return None
        if not isinstance(response, dict) or response.get("id") != self._next_id:
            return None
        if not response.get("answered"):
            return {"ok": False, "error": str(response.get("error") or "no answer")}
        data = self._read_exactly(int(response.get("size", 0)), 30)
        if data is None:
            return None
        try:
            answer = json.loads(data)  # the child's own words: untrusted, checked here
        except ValueError:
            answer = None
        if not isinstance(answer, dict) or not isinstance(answer.get("ok"), bool):
            return {"ok": False, "error": "ended without a readable answer"}
        return {"ok": answer["ok"], "result": answer.get("result"), "error": str(answer.get("error") or "")[:500]}

    def run(self, job: dict, timeout_s: float) -> dict:
        """Run one job: ``{"ok": True, "result": ...}`` or ``{"ok": False, "error": ...}``.

        A crash or hang of the whole worker becomes an error answer and a restart; a worker that
        cannot be restarted becomes an error answer too, for this job and the next.
        """
        try:
            if self.process is None or self.process.poll() is not None:
                self.restart()
        except WorkerFailed as failure:
            return {"ok": False, "error": str(failure)}
        answer = self._exchange(job, timeout_s)
        if answer is not None:
            return answer
        outcome = self.sandbox.outcome() if self.sandbox else None
        why = "; ".join(outcome.events) if outcome and outcome.events else "it stopped answering"
        try:
            self.restart()
        except WorkerFailed:
            pass  # the next job tries again
        return {"ok": False, "error": f"the {self.policy.purpose} crashed while running this job ({why})"}

    def restart(self) -> None:
        """Replace a dead or wedged worker by a fresh one, in an emptied working folder."""
        self.close()
        self.restarts += 1
        empty_folder(self.policy.workdir_source or self.policy.workdir)
        self.start()

    def outcome(self) -> SandboxOutcome | None:
        """How the current worker is sandboxed (and what limits it hit so far)."""
        return self.sandbox.outcome() if self.sandbox else None

    def close(self) -> None:
        """Stop the worker and clean up its sandbox."""
        if self.process is not None:
            if self.process.poll() is None:
                try:
                    self.process.stdin.close()
                    self.process.wait(timeout=5)
                except (OSError, subprocess.TimeoutExpired):
                    self.process.kill()
                    self.process.wait()
            for stream in (self.process.stdin, self.process.stdout):
                try:
                    stream.close()
                except OSError:
                    pass
            self.process = None
        if self.sandbox is not None:
            self.last_outcome = self.sandbox.outcome()
            self.sandbox.close()
            self.sandbox = None
