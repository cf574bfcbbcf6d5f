"""Resource limits of sandboxed processes: memory, processes, CPU time, file sizes, disk and output.

Stops: fork bombs, unbounded memory, endless computation, disk-filling writes and floods of output
from submitted code. Memory and process counts are enforced with a cgroup (v1 or v2) where one can
be created, because a root-owned process ignores RLIMIT_NPROC and TensorFlow needs far more address
space than memory, which makes RLIMIT_AS a poor memory limit. CPU time, file size and open files
are rlimits. The chosen numbers and the measurements behind them are in docs/security.md.
"""

from __future__ import annotations

import os
import re
import resource
import signal
import time
from dataclasses import asdict, dataclass
from pathlib import Path

GiB = 2**30
MiB = 2**20


@dataclass(frozen=True)
class Limits:
    """What one sandboxed process tree may use."""

    memory_bytes: int
    max_processes: int  # processes and threads together (TensorFlow starts dozens of threads)
    cpu_seconds: int  # per process
    file_bytes: int  # largest file it may write
    disk_bytes: int  # everything it may write into its working folder
    max_files: int  # files it may create in its working folder
    output_bytes: int  # text it may print into a notebook, or hand back as a result
    open_files: int = 1024

    def to_dict(self) -> dict:
        return asdict(self)

    def describe(self) -> str:
        """One line for reports: the limits in human units."""
        return (f"memory {self.memory_bytes / GiB:g} GiB, {self.max_processes} processes, "
                f"{self.cpu_seconds} s CPU per process, files up to {self.file_bytes // MiB} MiB, "
                f"{self.disk_bytes // MiB} MiB written, output {self.output_bytes // MiB} MiB")


# A notebook kernel trains models: the reference solutions peak below 3 GiB (docs/security.md).
KERNEL_LIMITS = Limits(memory_bytes=6 * GiB, max_processes=512, cpu_seconds=3600, file_bytes=512 * MiB,
                       disk_bytes=1 * GiB, max_files=2000, output_bytes=2 * MiB)
# The scoring workers load one model or run one exercise at a time.
WORKER_LIMITS = Limits(memory_bytes=4 * GiB, max_processes=256, cpu_seconds=600, file_bytes=512 * MiB,
                       disk_bytes=1 * GiB, max_files=200, output_bytes=1 * MiB)


def _processes_of_this_user() -> int:
    uid = os.getuid()
    count = 0
    for name in os.listdir("/proc"):
        try:
            count += name.isdigit() and os.stat(f"/proc/{name}").st_uid == uid
        except OSError:
            pass
    return count


def apply_rlimits(limits: Limits, *, without_cgroup: bool) -> None:
    """Set this process's rlimits (inherited by everything it starts).

    Without a cgroup two fallbacks apply: address space stands in for memory (a coarse proxy,
    since TensorFlow maps several GiB it never touches, so four times the memory limit), and
    RLIMIT_NPROC for processes (counted per user, so it is set above what the user already runs;
    root ignores it).
    """
    settings = {
        resource.RLIMIT_CPU: (limits.cpu_seconds, limits.cpu_seconds + 5),  # SIGXCPU first, then SIGKILL
        resource.RLIMIT_FSIZE: (limits.file_bytes,) * 2,
        resource.RLIMIT_NOFILE: (limits.open_files,) * 2,
        resource.RLIMIT_CORE: (0, 0),
    }
    if without_cgroup:
        settings[resource.RLIMIT_AS] = (4 * limits.memory_bytes,) * 2
        settings[resource.RLIMIT_NPROC] = (_processes_of_this_user() + limits.max_processes,) * 2
    for which, (soft, hard) in settings.items():
        _, current_hard = resource.getrlimit(which)
        if current_hard != resource.RLIM_INFINITY:
            soft, hard = min(soft, current_hard), min(hard, current_hard)
        resource.setrlimit(which, (soft, hard))


@dataclass(frozen=True)
class CgroupEvents:
    """What the kernel counted for a cgroup: out-of-memory kills, refused forks, peak memory."""

    oom_kills: int = 0
    process_limit_hits: int = 0
    peak_memory_bytes: int = 0


def _mounts() -> list[tuple[str, str, set[str]]]:
    """(mount point, filesystem type, options) of every cgroup mount."""
    found = []
    try:
        lines = Path("/proc/self/mounts").read_text().splitlines()
    except OSError:
        return found
    for line in lines:
        parts = line.split()
        if len(parts) >= 4 and parts[2] in ("cgroup", "cgroup2"):
            found.append((parts[1], parts[2], set(parts[3].split(","))))
    return found


def _own_cgroups() -> dict[str, str]:
    """controller (or '' for cgroup v2) -> this process's cgroup path."""
    own = {}
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return own
    for line in lines:
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(",") if controllers else [""]:
            own[controller] = path
    return own


def _read_int(path: Path, default: int = 0) -> int:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return default


def _read_key(path: Path, key: str) -> int:
    try:
        for line in path.read_text().splitlines():
            name, _, value = line.partition(" ")
            if name == key:
                return int(value)
    except (OSError, ValueError):
        pass
    return 0


@dataclass(frozen=True)
class Cgroup:
    """A cgroup (v1 memory + pids hierarchies, or one v2 directory) holding one sandboxed process tree."""

    memory_dir: Path | None
    pids_dir: Path | None
    version: int

    @property
    def directories(self) -> tuple[Path, ...]:
        return tuple(dict.fromkeys(d for d in (self.memory_dir, self.pids_dir) if d is not None))

    @classmethod
    def create(cls, name: str, limits: Limits) -> Cgroup | None:
        """Make a cgroup named ``name`` with the memory and process limits, or None where that is impossible."""
        if not re.fullmatch(r"[A-Za-z0-9_.-]+", name):
            raise ValueError(f"bad cgroup name {name!r}")
        own = _own_cgroups()
        v1 = {controller: Path(point) for point, kind, options in _mounts() if kind == "cgroup"
              for controller in ("memory", "pids") if controller in options}
        v2 = next((Path(point) for point, kind, _ in _mounts() if kind == "cgroup2"), None)
        made: list[Path] = []
        try:
            if "memory" in v1 and "pids" in v1:
                memory_dir = v1["memory"] / own.get("memory", "/").lstrip("/") / name
                pids_dir = v1["pids"] / own.get("pids", "/").lstrip("/") / name
                for directory in (memory_dir, pids_dir):
                    directory.mkdir()
                    made.append(directory)
                (memory_dir / "memory.limit_in_bytes").write_text(str(limits.memory_bytes))
                swap = memory_dir / "memory.memsw.limit_in_bytes"
                if swap.exists():
                    swap.write_text(str(limits.memory_bytes))
                (pids_dir / "pids.max").write_text(str(limits.max_processes))
                return cls(memory_dir, pids_dir, 1)
            if v2 is not None:
                directory = v2 / own.get("", "/").lstrip("/") / name
                directory.mkdir()
                made.append(directory)
                if not (directory / "memory.max").exists() or not (directory / "pids.max").exists():
                    raise OSError("the memory and pids controllers are not delegated here")
                (directory / "memory.max").write_text(str(limits.memory_bytes))
                if (directory / "memory.swap.max").exists():
                    (directory / "memory.swap.max").write_text("0")
                (directory / "pids.max").write_text(str(limits.max_processes))
                return cls(directory, directory, 2)
        except OSError:
            for directory in reversed(made):
                try:
                    directory.rmdir()
                except OSError:
                    pass
        return None

    def to_dict(self) -> dict:
        return {"memory_dir": str(self.memory_dir) if self.memory_dir else None,
                "pids_dir": str(self.pids_dir) if self.pids_dir else None, "version": self.version}

    @classmethod
    def from_dict(cls, data: dict | None) -> Cgroup | None:
        if not data:
            return None
        return cls(Path(data["memory_dir"]) if data["memory_dir"] else None,
                   Path(data["pids_dir"]) if data["pids_dir"] else None, data["version"])

    def add(self, pid: int) -> None:
        """Move a process (and so everything it starts later) into the cgroup."""
        for directory in self.directories:
            (directory / "cgroup.procs").write_text(str(pid))

    def pids(self) -> set[int]:
        found = set()
        for directory in self.directories:
            try:
                found |= {int(line) for line in (directory / "cgroup.procs").read_text().split()}
            except OSError:
                pass
        return found

    def events(self) -> CgroupEvents:
        """Out-of-memory kills and refused forks counted so far."""
        if self.version == 1:
            memory = self.memory_dir
            return CgroupEvents(
                oom_kills=_read_key(memory / "memory.oom_control", "oom_kill"),
                process_limit_hits=_read_key(self.pids_dir / "pids.events", "max"),
                peak_memory_bytes=_read_int(memory / "memory.max_usage_in_bytes"),
            )
        return CgroupEvents(
            oom_kills=_read_key(self.memory_dir / "memory.events", "oom_kill"),
            process_limit_hits=_read_key(self.pids_dir / "pids.events", "max"),
            peak_memory_bytes=_read_int(self.memory_dir / "memory.peak"),
        )

    def kill_all(self, sparing: int | None = None) -> None:
        """SIGKILL every process in the cgroup but ``sparing`` (repeated, since a fork bomb keeps forking)."""
        for _ in range(50):
            pids = self.pids() - {sparing}
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.02)

    def remove(self) -> None:
        """Kill what is left and delete the cgroup directories."""
        self.kill_all()
        for directory in self.directories:
            for _ in range(50):
                try:
                    directory.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)
