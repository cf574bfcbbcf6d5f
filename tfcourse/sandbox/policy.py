"""What a sandboxed process may see and do, and the bubblewrap command line that enforces it.

Stops: reading instructor files (source/, gradebook.db, held-out data, nbgrader_config.py), other
students' folders and dataset splits a notebook may not load; writing anywhere but its own working
folder; network access; secrets in environment variables; a working folder that shadows installed
packages. The file system is a whitelist: the system's programs and libraries, this Python
installation and the tfcourse package, read-only; the working folder, read-write; nothing else.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tfcourse.sandbox.limits import Limits

SANDBOX_ENV = "TFCOURSE_SANDBOX"  # "off" runs without bubblewrap (tests of the fallback, benchmarks)
# "on" passes NVIDIA's device files into the sandbox, so graded notebooks and the scorer can use the GPU.
# Off by default: the sandbox's /dev holds no GPU, every assignment is sized for a CPU, and a submission
# given the GPU gets the driver's whole interface (and GPU time no CPU-time limit counts).
GPU_ENV = "TFCOURSE_SANDBOX_GPU"
SANDBOX_HOME = "/tmp/home"
# Read-only system folders; entries that are symlinks (merged /usr) are recreated as symlinks.
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
# The parts of /etc that Python, TensorFlow and matplotlib read; not shadow, not ssh keys.
ETC_ENTRIES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "passwd", "group", "nsswitch.conf", "hosts",
               "localtime", "timezone", "fonts", "ssl", "ca-certificates", "alternatives", "mime.types",
               "matplotlibrc")


@dataclass(frozen=True)
class SandboxPolicy:
    """Everything the launcher needs to start one sandboxed process tree."""

    purpose: str  # "notebook kernel", "model worker", ... (used in messages)
    workdir: Path  # read-write; the process starts here
    limits: Limits
    workdir_source: Path | None = None  # the host folder mounted at ``workdir`` (default: workdir itself)
    quiet: bool = False  # drop the process's own stdout and stderr
    readonly: tuple[Path, ...] = ()  # extra folders or files, visible read-only at the same path
    writable: tuple[Path, ...] = ()  # extra folders visible read-write (a kernel's sockets)
    hidden: tuple[Path, ...] = ()  # files or folders inside visible folders that must look empty
    env: dict[str, str] = field(default_factory=dict)  # "{home}" stands for the sandbox's home folder
    cgroup: dict | None = None  # made by the host (limits.Cgroup.to_dict())
    report: Path | None = None  # where the launcher records what happened

    def writable_sources(self) -> list[Path]:
        """Every host folder the process can write to (what the launcher measures)."""
        return [self.workdir_source or self.workdir, *self.writable]

    def to_json(self) -> str:
        data = {
            "purpose": self.purpose, "workdir": str(self.workdir), "limits": self.limits.to_dict(),
            "workdir_source": str(self.workdir_source) if self.workdir_source else None, "quiet": self.quiet,
            "readonly": [str(p) for p in self.readonly], "writable": [str(p) for p in self.writable],
            "hidden": [str(p) for p in self.hidden], "env": dict(self.env), "cgroup": self.cgroup,
            "report": str(self.report) if self.report else None,
        }
        return json.dumps(data, indent=1)

    @classmethod
    def from_json(cls, text: str) -> SandboxPolicy:
        data = json.loads(text)
        return cls(
            purpose=data["purpose"], workdir=Path(data["workdir"]), limits=Limits(**data["limits"]),
            workdir_source=Path(data["workdir_source"]) if data["workdir_source"] else None, quiet=data["quiet"],
            readonly=tuple(map(Path, data["readonly"])), writable=tuple(map(Path, data["writable"])),
            hidden=tuple(map(Path, data["hidden"])), env=data["env"], cgroup=data["cgroup"],
            report=Path(data["report"]) if data["report"] else None,
        )


@functools.lru_cache(maxsize=1)
def bubblewrap_problem() -> str | None:
    """Why bubblewrap cannot sandbox here (None when it can): not installed, disabled, or refused."""
    if os.environ.get(SANDBOX_ENV, "").lower() == "off":
        return f"disabled by {SANDBOX_ENV}=off"
    if shutil.which("bwrap") is None:
        return "bubblewrap (bwrap) is not installed; on Debian: apt-get install bubblewrap"
    probe = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-all",
             "--cap-drop", "ALL", "--die-with-parent", "true"]
    try:
        completed = subprocess.run(probe, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"bubblewrap could not start: {error}"
    if completed.returncode != 0:
        lines = completed.stderr.strip().splitlines()
        return f"bubblewrap cannot create namespaces here: {lines[-1] if lines else completed.returncode}"
    return None


def gpu_devices(dev: Path = Path("/dev")) -> list[Path]:
    """NVIDIA's device files in ``dev`` (nvidiactl, nvidia-uvm, nvidia0, ..., nvidia-caps/) when
    TFCOURSE_SANDBOX_GPU=on; none otherwise. CUDA needs them all; its libraries are in /usr already."""
    if os.environ.get(GPU_ENV, "").lower() != "on":
        return []
    return sorted(dev.glob("nvidia*"))


def python_paths() -> list[Path]:
    """This interpreter's installation, its virtual environment and the tfcourse package (read-only)."""
    import tfcourse

    paths = [Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), Path(sys.executable).resolve().parent,
             Path(tfcourse.__file__).resolve().parent]
    kept: list[Path] = []
    for path in sorted(set(paths), key=lambda p: len(p.parts)):
        if not any(outer == path or outer in path.parents for outer in kept):
            kept.append(path)
    return kept


def sandbox_env(policy: SandboxPolicy, home: str) -> dict[str, str]:
    """The whole environment of a sandboxed process: nothing is inherited from the grader's."""
    return {
        "PATH": os.pathsep.join([str(Path(sys.prefix) / "bin"), "/usr/local/bin", "/usr/bin", "/bin"]),
        "HOME": home,
        "TMPDIR": "/tmp",
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLCONFIGDIR": f"{home}/.config/matplotlib",
        **{key: value.replace("{home}", home) for key, value in policy.env.items()},
    }


def bubblewrap_command(policy: SandboxPolicy, argv: list[str], empty_file: Path) -> list[str]:
    """The bwrap command line that runs ``argv`` under ``policy``.

    ``empty_file`` is bound over hidden files, so they exist but read as empty.
    """
    command = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL"]
    for name in SYSTEM_DIRS:
        path = Path(name)
        if path.is_symlink():
            command += ["--symlink", os.readlink(path), name]
        elif path.is_dir():
            command += ["--ro-bind", name, name]
    for entry in ETC_ENTRIES:
        path = Path("/etc") / entry
        if path.exists():
            command += ["--ro-bind", str(path), str(path)]
    command += ["--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp", "--dir", SANDBOX_HOME]
    for device in gpu_devices():
        command += ["--dev-bind", str(device), str(device)]
    for path in [*python_paths(), *policy.readonly]:
        command += ["--ro-bind", str(path), str(path)]
    for path in policy.writable:
        command += ["--bind", str(path), str(path)]
    command += ["--bind", str(policy.workdir_source or policy.workdir), str(policy.workdir)]
    hidden_dirs = [path for path in policy.hidden if path.is_dir()]
    for path in policy.hidden:
        if any(folder in path.parents for folder in hidden_dirs):
            continue  # already hidden with its folder
        if path.is_dir():
            command += ["--tmpfs", str(path)]
        elif path.exists():
            command += ["--ro-bind", str(empty_file), str(path)]
    command += ["--clearenv"]
    for key, value in sandbox_env(policy, SANDBOX_HOME).items():
        command += ["--setenv", key, value]
    command += ["--chdir", str(policy.workdir), "--", *argv]
    return command
