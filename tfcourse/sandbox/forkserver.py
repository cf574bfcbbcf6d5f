"""A warm worker that runs inside the sandbox: it imports once, then forks a fresh child for every job.

Run as ``python -I -m tfcourse.sandbox.forkserver HANDLER_MODULE``. The handler module is imported
once (TensorFlow with it, which is what makes the worker warm); it must not run TensorFlow
operations at import, because a process that has started TensorFlow's runtime cannot fork safely.
Each request line on stdin is ``{"id": ..., "job": {...}, "timeout_s": ...}``; the server forks, the
child runs ``handler.handle(job)`` and writes its JSON result to a pipe, and the server answers one
line ``{"id": ..., "ok": true, "result": ...}`` or ``{"id": ..., "ok": false, "error": "..."}``.

Stops: one submission influencing the next one scored by the same worker. A job never runs in the
server itself, so it cannot change what later jobs see in memory; the server is not dumpable, so
a job cannot ptrace it or read its memory; whatever processes a job leaves behind are killed before
the next job starts; a job's stdout is not the protocol channel.
"""

from __future__ import annotations

import ctypes
import importlib
import json
import os
import select
import signal
import sys
import time

PR_SET_DUMPABLE = 4
RESULT_LIMIT_BYTES = 1 << 20


class JobRejected(Exception):
    """Raised by a handler for a readable, one-line refusal (the message is the reason)."""


def _not_dumpable() -> None:
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)


def _in_own_pid_namespace() -> bool:
    """True inside bubblewrap's PID namespace, where every other process belongs to the sandbox."""
    try:
        return os.getpid() < 100 and open("/proc/1/comm").read().strip() == "bwrap"
    except OSError:
        return False


def kill_leftovers(child_pid: int) -> None:
    """Kill whatever the last job left running: every process in the namespace but us and its init."""
    try:
        os.killpg(child_pid, signal.SIGKILL)
    except OSError:
        pass
    if not _in_own_pid_namespace():
        return
    me = os.getpid()
    for _ in range(20):
        others = [int(name) for name in os.listdir("/proc") if name.isdigit() and int(name) not in (1, me)]
        if not others:
            return
        for pid in others:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        for pid in others:
            try:
                os.waitpid(pid, os.WNOHANG)
            except OSError:
                pass
        time.sleep(0.01)


def _run_child(handler, request: dict, result_fd: int) -> None:
    """The forked child: run one job and write its JSON outcome to ``result_fd``; never returns."""
    try:
        os.setpgid(0, 0)
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        try:
            outcome = {"ok": True, "result": handler.handle(request["job"])}
        except JobRejected as rejection:
            outcome = {"ok": False, "error": str(rejection)}
        except BaseException as error:  # noqa: BLE001  (any failure of the job is its answer)
            outcome = {"ok": False, "error": f"{type(error).__name__}: {error}"[:500]}
        payload = json.dumps(outcome).encode()
        view = memoryview(payload)
        while view:
            view = view[os.write(result_fd, view[:65536]):]
    finally:
        os._exit(0)


def run_job(handler, request: dict) -> dict:
    """Fork, run the job in the child, collect its answer within its time limit."""
    timeout_s = float(request.get("timeout_s", 120))
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _run_child(handler, request, write_fd)
    os.close(write_fd)
    deadline = time.monotonic() + timeout_s
    chunks, size, error = [], 0, None
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            error = f"took longer than {timeout_s:g} s"
            break
        ready, _, _ = select.select([read_fd], [], [], remaining)
        if not ready:
            continue
        chunk = os.read(read_fd, 65536)
        if not chunk:
            break
        size += len(chunk)
        if size > RESULT_LIMIT_BYTES:
            error = f"handed back more than {RESULT_LIMIT_BYTES // 2**20} MiB"
            break
        chunks.append(chunk)
    os.close(read_fd)
    if error is not None:
        kill_leftovers(pid)
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:  # already reaped while killing leftovers
        status = None
    kill_leftovers(pid)
    if error is not None:
        return {"ok": False, "error": error}
    if status is not None and os.WIFSIGNALED(status):
        name = signal.Signals(os.WTERMSIG(status)).name
        return {"ok": False, "error": f"crashed ({name})" + (" - out of memory?" if name == "SIGKILL" else "")}
    try:
        outcome = json.loads(b"".join(chunks) or b"null")
    except ValueError:
        outcome = None
    if not isinstance(outcome, dict) or not isinstance(outcome.get("ok"), bool):
        return {"ok": False, "error": "ended without a readable answer"}
    return {"ok": outcome["ok"], "result": outcome.get("result"), "error": str(outcome.get("error", ""))[:500]}


def serve(handler_module: str) -> int:
    """Answer job requests from stdin until it closes."""
    _not_dumpable()
    protocol = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # stray prints (TensorFlow's, a job's) never reach the protocol channel
    handler = importlib.import_module(handler_module)
    protocol.write(json.dumps({"ready": True, "pid": os.getpid()}) + "\n")
    protocol.flush()
    for line in sys.stdin:
        try:
            request = json.loads(line)
        except ValueError:
            continue
        response = run_job(handler, request)
        response["id"] = request.get("id")
        protocol.write(json.dumps(response) + "\n")
        protocol.flush()
    return 0


if __name__ == "__main__":
    sys.exit(serve(sys.argv[1]))
