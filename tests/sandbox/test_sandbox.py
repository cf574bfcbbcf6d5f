"""Tests of tfcourse.sandbox: what a sandboxed process can see, the limits it meets, and the warm worker.

These need bubblewrap, which `make setup` installs; without it they fail with the reason, since
the grader's claims about isolation would then be untested.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from dataclasses import replace

import pytest

from tfcourse.sandbox.limits import WORKER_LIMITS, MiB
from tfcourse.sandbox.policy import SandboxPolicy, bubblewrap_problem
from tfcourse.sandbox.process import UNSANDBOXED, Sandbox
from tfcourse.sandbox.worker import Worker


def run_in_sandbox(policy: SandboxPolicy, code: str, timeout: float = 60):
    """Run Python ``code`` in a sandbox; return (completed process, outcome)."""
    sandbox = Sandbox(policy)
    try:
        completed = subprocess.run(sandbox.command([sys.executable, "-I", "-c", code]),
                                   capture_output=True, text=True, timeout=timeout)
        return completed, sandbox.outcome()
    finally:
        sandbox.close()


@pytest.fixture
def policy(tmp_path) -> SandboxPolicy:
    """A worker-like policy over a fresh working folder, with a secret file next to it and one hidden."""
    work = tmp_path / "work"
    work.mkdir()
    (tmp_path / "secret.txt").write_text("the answers")
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "visible.txt").write_text("public")
    (shared / "hidden.txt").write_text("private")
    return SandboxPolicy("test sandbox", work, WORKER_LIMITS, readonly=(shared,), hidden=(shared / "hidden.txt",),
                         env={"ALLOWED": "yes"})


def test_bubblewrap_is_available():
    """Is bubblewrap installed and able to create namespaces (what `make setup` provides)?"""
    assert bubblewrap_problem() is None, bubblewrap_problem()


def test_only_the_working_folder_and_whitelisted_paths_are_visible(policy, tmp_path):
    """Can sandboxed code write its folder and read what it is given, but not the rest or hidden files?"""
    code = f"""
import json, os, sys
from pathlib import Path
open("written.txt", "w").write("ok")
report = {{
    "secret": Path({str(tmp_path / 'secret.txt')!r}).exists(),
    "visible": Path({str(tmp_path / 'shared' / 'visible.txt')!r}).read_text(),
    "hidden": Path({str(tmp_path / 'shared' / 'hidden.txt')!r}).read_text(),
    "shadow": Path("/etc/shadow").exists(),
    "home": os.listdir("/root") if os.path.isdir("/root") else [],
    "env": sorted(os.environ),
    "cwd_on_path": any(p in ("", os.getcwd()) for p in sys.path),
}}
try:
    open({str(tmp_path / 'shared' / 'visible.txt')!r}, "a").write("x")
    report["write_readonly"] = True
except OSError:
    report["write_readonly"] = False
print(json.dumps(report))
"""
    completed, outcome = run_in_sandbox(policy, code)
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    assert report == {**report, "secret": False, "visible": "public", "hidden": "", "shadow": False,
                      "write_readonly": False, "cwd_on_path": False}
    assert ".cache" not in report["home"] and "ALLOWED" in report["env"]
    assert set(report["env"]) <= {"ALLOWED", "HOME", "LANG", "MPLCONFIGDIR", "PATH", "PWD", "PYTHONDONTWRITEBYTECODE",
                                  "TMPDIR"}
    assert (policy.workdir / "written.txt").read_text() == "ok"
    assert outcome.sandboxed and outcome.note() is None


def test_no_network(policy):
    """Is a server listening on the host's loopback unreachable from the sandbox?"""
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        code = f"""
import socket
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=3)
    print("connected")
except OSError as error:
    print("refused", error)
"""
        completed, _ = run_in_sandbox(policy, code)
    assert completed.stdout.startswith("refused"), completed.stdout + completed.stderr


def test_process_limit(policy):
    """Does a process tree that forks past its limit get refused, and is that reported?"""
    small = replace(policy, limits=replace(WORKER_LIMITS, max_processes=30))
    code = """
import os, time
children = 0
try:
    while children < 200:
        if os.fork() == 0:
            time.sleep(3)
            os._exit(0)
        children += 1
except OSError as error:
    print("stopped at", children, type(error).__name__)
"""
    completed, outcome = run_in_sandbox(small, code)
    assert "stopped at" in completed.stdout, completed.stdout + completed.stderr
    assert any("process limit (30" in event for event in outcome.events), outcome


def test_memory_limit(policy):
    """Is a process that allocates past its memory limit killed, and is that reported?"""
    small = replace(policy, limits=replace(WORKER_LIMITS, memory_bytes=256 * MiB))
    code = "blocks = [bytearray(64 * 2**20) for _ in range(16)]\nprint('allocated')"
    completed, outcome = run_in_sandbox(small, code)
    assert "allocated" not in completed.stdout and completed.returncode != 0
    assert any("memory limit (0.25 GiB)" in event for event in outcome.events), outcome


def test_disk_limit(policy):
    """Is a process that writes more than its folder may hold stopped, many small files or not?"""
    small = replace(policy, limits=replace(WORKER_LIMITS, disk_bytes=20 * MiB))
    code = """
import time
for index in range(200):
    open(f"part{index}.bin", "wb").write(bytes(2**20))
    time.sleep(0.02)
print("wrote everything")
"""
    completed, outcome = run_in_sandbox(small, code)
    assert "wrote everything" not in completed.stdout
    assert any("wrote more than 20 MiB" in event for event in outcome.events), outcome


def test_file_size_and_cpu_limits(policy):
    """Are a file larger than the limit and a CPU-bound loop both stopped by rlimits?"""
    small = replace(policy, limits=replace(WORKER_LIMITS, file_bytes=1 * MiB, cpu_seconds=1))
    completed, _ = run_in_sandbox(small, "open('big', 'wb').write(bytes(2 * 2**20))")
    assert "File too large" in completed.stderr or completed.returncode != 0
    completed, _ = run_in_sandbox(small, "while True: pass", timeout=60)
    assert completed.returncode != 0


def test_without_bubblewrap_the_environment_is_still_scrubbed(policy, monkeypatch):
    """Where bubblewrap is off, does the process still get a scrubbed environment, and say so plainly?"""
    monkeypatch.setenv("TFCOURSE_SANDBOX", "off")
    monkeypatch.setenv("INSTRUCTOR_SECRET", "hunter2")
    completed, outcome = run_in_sandbox(policy, "import os; print(sorted(os.environ))")
    assert "INSTRUCTOR_SECRET" not in completed.stdout and "ALLOWED" in completed.stdout
    assert not outcome.sandboxed and outcome.note().startswith(UNSANDBOXED)


def test_gpu_device_files_are_passed_only_when_switched_on(policy, tmp_path, monkeypatch):
    """Does TFCOURSE_SANDBOX_GPU=on find NVIDIA's device files and bind them into the sandbox (a stand-in file
    here: this machine has no GPU), and does the default leave them out?"""
    from tfcourse.sandbox import policy as sandbox_policy

    dev = tmp_path / "dev"
    (dev / "nvidia-caps").mkdir(parents=True)
    for name in ("nvidia0", "nvidiactl", "nvidia-uvm", "null"):
        (dev / name).write_text("")
    assert sandbox_policy.gpu_devices(dev) == []
    monkeypatch.setenv(sandbox_policy.GPU_ENV, "on")
    assert [path.name for path in sandbox_policy.gpu_devices(dev)] == ["nvidia-caps", "nvidia-uvm", "nvidia0",
                                                                      "nvidiactl"]
    stand_in = tmp_path / "nvidia0"
    stand_in.write_text("a device")
    empty = tmp_path / "empty"
    empty.write_text("")
    code = [sys.executable, "-I", "-c", f"from pathlib import Path; print(Path({str(stand_in)!r}).read_text())"]
    monkeypatch.setattr(sandbox_policy, "gpu_devices", lambda: [stand_in])
    command = sandbox_policy.bubblewrap_command(policy, code, empty)
    assert command.index("--dev-bind") > command.index("/tmp")  # after the fresh /dev and /tmp, not under them
    completed = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert completed.stdout.strip() == "a device", completed.stderr
    monkeypatch.setattr(sandbox_policy, "gpu_devices", lambda: [])
    completed = subprocess.run(sandbox_policy.bubblewrap_command(policy, code, empty), capture_output=True,
                               text=True, timeout=60)
    assert completed.returncode != 0 and "FileNotFoundError" in completed.stderr


# --- the warm fork server -------------------------------------------------------------------------

EXERCISE_PREFIX = "import os\n"


@pytest.fixture(scope="module")
def worker(tmp_path_factory):
    from tfcourse.grading.policies import exercise_worker_policy

    with Worker(exercise_worker_policy(tmp_path_factory.mktemp("scratch")), "tfcourse.grading.exercise_job") as warm:
        yield warm


def exercise_job(source: str) -> dict:
    from tfcourse.grading.exercises.callback import STOP_AT_ACCURACY

    return {"assignment": "C1W2", "cell": STOP_AT_ACCURACY.cell, "source": source, "inputs": {"runs": []}}


def test_jobs_leave_nothing_running_for_the_next(worker):
    """Are processes a job leaves behind killed before the next job starts?"""
    daemon = "import subprocess\nsubprocess.Popen(['sleep', '60'], start_new_session=True)\nclass StopAtAccuracy: pass\n"
    assert worker.run(exercise_job(daemon), 30)["ok"]
    census = ("import os\nothers = [p for p in os.listdir('/proc') if p.isdigit() and int(p) not in (1, os.getpid(), "
              "os.getppid())]\nraise RuntimeError(f'others={len(others)}')")
    answer = worker.run(exercise_job(census), 30)
    assert "others=0" in answer["error"], answer


def test_a_job_that_hangs_is_stopped(worker):
    """Does a job that never ends become an error after its time limit, with the worker still usable?"""
    answer = worker.run(exercise_job("while True: pass"), 2)
    assert not answer["ok"] and "longer than 2 s" in answer["error"]
    assert worker.run(exercise_job("class StopAtAccuracy: pass"), 30)["ok"]


def test_a_job_cannot_write_the_protocol(worker):
    """Can a job not forge the next job's answer, by printing or by writing to inherited descriptors?"""
    forge = ("import os\nfor fd in range(0, 256):\n    try:\n        os.write(fd, b'{\"id\": 0, \"answered\": true}\\n')\n"
             "    except OSError:\n        pass\nprint('{\"ok\": true}')\nclass StopAtAccuracy: pass\n")
    worker.run(exercise_job(forge), 30)  # its own answer may be garbled: that is its problem
    answer = worker.run(exercise_job("raise RuntimeError('the second job')"), 30)
    assert not answer["ok"] and "the second job" in answer["error"], answer
