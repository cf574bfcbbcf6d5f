"""A warm worker that runs inside the sandbox: it imports once, then forks a fresh child for every job.

Run as ``python -I -m tfcourse.sandbox.forkserver HANDLER_MODULE``. The handler module is imported
once (TensorFlow with it, which is what makes the worker warm); it must not run TensorFlow
operations at import, because a process that has started TensorFlow's runtime cannot fork safely.

Protocol, on stdin and stdout: each request is a header of exactly :data:`HEADER_BYTES` bytes
(JSON ``{"id", "timeout_s", "size"}`` padded with spaces) followed by ``size`` bytes of job JSON.
The server forks; the child parses the job, runs ``handler.handle(job)`` and writes
``{"ok": true, "result": ...}`` or ``{"ok": false, "error": "..."}`` to a pipe. The server answers
with one header line ``{"id", "answered": bool, "error", "size"}`` and, when answered, ``size``
bytes: the child's JSON, relayed as it is, for the host to parse and judge.

Stops: one submission influencing or reading another scored by the same worker. A job never runs
in the server itself, and the server never parses a job or an answer, so it holds nothing of one
job's content when the next is forked (it zeroes its buffers); it is not dumpable, so a job cannot
ptrace it or read its memory; a job's child keeps no file descriptor but its result pipe, so it
cannot write to the protocol; everything a job leaves running is killed before the next starts;
a job that outlives its time limit is killed.
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
HEADER_BYTES = 256
RESULT_LIMIT_BYTES = 1 << 20


class JobRejected(Exception):
    """Raised by a handler for a readable, one-line refusal (the message is the reason)."""


def _not_dumpable() -> None:
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)


def _in_own_pid_namespace() -> bool:
    """True inside bubblewrap's PID namespace, where every other process belongs to the sandbox."""
    try:
        with open("/proc/1/comm") as comm:
            return os.getpid() < 100 and comm.read().strip() == "bwrap"
    except OSError:
        return False


def _live_others() -> list[int]:
    """Processes other than init and this one that are not zombies."""
    me, others = os.getpid(), []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) in (1, me):
            continue
        try:
            with open(f"/proc/{name}/stat") as stat:
                if stat.read().rsplit(")", 1)[1].split()[0] != "Z":
                    others.append(int(name))
        except (OSError, IndexError):
            pass
    return others


def kill_leftovers(child_pid: int) -> None:
    """Kill whatever the last job left running (in the sandbox: every process but init and us)."""
    try:
        os.killpg(child_pid, signal.SIGKILL)
    except OSError:
        pass
    if not _in_own_pid_namespace():
        return
    for _ in range(100):
        try:
            os.kill(-1, signal.SIGKILL)  # every process we may signal, but us and init
        except ProcessLookupError:
            pass
        try:
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        except ChildProcessError:
            pass
        if not _live_others():
            return
        time.sleep(0.01)


def _read_exactly(fd: int, size: int) -> bytearray | None:
    """``size`` bytes from ``fd`` straight into one buffer, or None at end of input."""
    buffer = bytearray(size)
    view, done = memoryview(buffer), 0
    while done < size:
        count = os.readv(fd, [view[done:]])
        if count == 0:
            return None
        done += count
    return buffer


def _zero(buffer: bytearray) -> None:
    buffer[:] = bytes(len(buffer))


def _rejection_class():
    """The JobRejected handlers import: this file runs as ``__main__``, so the class is looked up by module name."""
    return importlib.import_module("tfcourse.sandbox.forkserver").JobRejected


def _run_child(handler, job_bytes: bytearray, result_fd: int) -> None:
    """The forked child: run one job and write its JSON outcome to ``result_fd``; never returns."""
    try:
        os.setpgid(0, 0)
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        highest = os.sysconf("SC_OPEN_MAX")
        os.closerange(3, result_fd)
        os.closerange(result_fd + 1, highest)
        try:
            outcome = {"ok": True, "result": handler.handle(json.loads(job_bytes))}
        except BaseException as error:  # noqa: BLE001  (any failure of the job is its answer)
            readable = isinstance(error, _rejection_class())
            outcome = {"ok": False, "error": (str(error) if readable else f"{type(error).__name__}: {error}")[:500]}
        view = memoryview(json.dumps(outcome).encode())
        while view:
            view = view[os.write(result_fd, view[:65536]):]
    finally:
        os._exit(0)


def run_job(handler, job_bytes: bytearray, timeout_s: float) -> tuple[dict, bytearray]:
    """Fork, run the job in the child, collect its raw answer within the time limit."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _run_child(handler, job_bytes, write_fd)
    os.close(write_fd)
    _zero(job_bytes)
    deadline = time.monotonic() + timeout_s
    answer, size, error = bytearray(RESULT_LIMIT_BYTES + 1), 0, None
    view = memoryview(answer)
    while error is None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            error = f"took longer than {timeout_s:g} s"
            break
        if not select.select([read_fd], [], [], remaining)[0]:
            continue
        count = os.readv(read_fd, [view[size:]])
        if count == 0:
            break
        size += count
        if size > RESULT_LIMIT_BYTES:
            error = f"handed back more than {RESULT_LIMIT_BYTES // 2**20} MiB"
    os.close(read_fd)
    status = None
    while error is None and status is None:
        finished, code = os.waitpid(pid, os.WNOHANG)
        if finished:
            status = code
        elif time.monotonic() > deadline:
            error = f"took longer than {timeout_s:g} s"
        else:
            time.sleep(0.005)
    kill_leftovers(pid)
    try:
        _, code = os.waitpid(pid, 0)
        status = code if status is None else status
    except ChildProcessError:  # already reaped while killing leftovers
        pass
    if error is None and status is not None and os.WIFSIGNALED(status):
        name = signal.Signals(os.WTERMSIG(status)).name
        error = f"crashed ({name})" + (" - out of memory?" if name == "SIGKILL" else "")
    if error is None and size == 0:
        error = "ended without an answer"
    if error is not None:
        _zero(answer)
        return {"answered": False, "error": error, "size": 0}, bytearray()
    return {"answered": True, "error": "", "size": size}, answer


def serve(handler_module: str) -> int:
    """Answer job requests from stdin until it closes."""
    _not_dumpable()
    protocol = os.dup(1)
    os.dup2(2, 1)  # stray prints (TensorFlow's) never reach the protocol channel
    handler = importlib.import_module(handler_module)
    os.write(protocol, (json.dumps({"ready": True, "pid": os.getpid()}) + "\n").encode())
    while True:
        header_bytes = _read_exactly(0, HEADER_BYTES)
        if header_bytes is None:
            return 0
        header = json.loads(header_bytes)
        job_bytes = _read_exactly(0, int(header["size"]))
        if job_bytes is None:
            return 0
        response, answer = run_job(handler, job_bytes, float(header["timeout_s"]))
        response["id"] = header["id"]
        os.write(protocol, (json.dumps(response) + "\n").encode())
        view = memoryview(answer)[: response["size"]]
        while view:
            view = view[os.write(protocol, view):]
        _zero(answer)


if __name__ == "__main__":
    sys.exit(serve(sys.argv[1]))
