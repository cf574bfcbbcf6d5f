"""`tfcourse doctor`: what is wrong with this machine's setup for the course, one line per check, with the fix.

Each check says OK, WARN (the course runs, something optional is missing) or FAIL (the course cannot
run, or a GPU that is there cannot be used), and for WARN and FAIL how to fix it. It ends with how long
each course's graded assignments take to train here: a short Keras micro-benchmark, run in the same
subprocess that times TensorFlow's import, scaled by the reference times in docs/benchmarks.md.

The checks take what they judge as arguments (versions, nvidia-smi's output, a dataset's files), so the
tests can simulate every failure; :func:`run_checks` gathers the real ones.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

OK, WARN, FAIL = "OK", "WARN", "FAIL"
SUPPORTED_PYTHON = (3, 11)
AND_CUDA = 'pip install "tensorflow[and-cuda]>=2.21,<2.22"'

# Seconds each graded reference notebook takes to run end to end on the reference machine (2 CPU cores, no
# GPU; docs/benchmarks.md, "Learner run of each reference notebook"), and the micro-benchmark's rate there.
REFERENCE_SECONDS = {
    "Course 1": {"C1W1": 42.8, "C1W2": 25.0, "C1W3": 48.7, "C1W4": 13.9},
    "Course 2": {"C2W1": 82.5, "C2W2": 52.8, "C2W3": 24.0, "C2W4": 48.9, "C2W4B": 54.2},
    "Course 3": {"C3W1": 10.0, "C3W2": 16.0, "C3W3": 23.0, "C3W4": 58.9},
    "Course 4": {"C4W1": 7.5, "C4W2": 16.4, "C4W3": 13.6, "C4W4": 22.0},
}
REFERENCE_STEPS_PER_S = 161.0  # median of 3 ten-second runs, 2026-12-03 (157.6, 160.9, 166.1): docs/doctor.md


@dataclass(frozen=True)
class Check:
    """One line of the report."""

    name: str
    status: str
    detail: str
    fix: str = ""

    def lines(self) -> list[str]:
        shown = [f"{self.status:<5} {self.name:<22} {self.detail}"]
        return shown + ([f"{'':<5} {'':<22} fix: {self.fix}"] if self.fix and self.status != OK else [])


def python_check(version: tuple[int, int, int] = tuple(sys.version_info[:3])) -> Check:
    shown = ".".join(map(str, version))
    if tuple(version[:2]) == SUPPORTED_PYTHON:
        return Check("Python", OK, f"{shown} ({sys.executable})")
    return Check("Python", FAIL, f"{shown}; the course is tested on Python {'.'.join(map(str, SUPPORTED_PYTHON))} only",
                 "install Python 3.11 and make the course's environment with it (`make setup` in the course)")


def declared_requirements() -> list[str]:
    """tfcourse's own dependencies with their tested ranges (pyproject.toml, as installed), test extras left out."""
    from importlib.metadata import requires

    return [line for line in requires("tfcourse") or [] if "extra ==" not in line]


def installed_version(name: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return None


def package_checks(requirements: Iterable[str], installed: Callable[[str], str | None] = installed_version) -> list[Check]:
    """One FAIL per package missing or outside its tested range; one OK line when all are in range."""
    from packaging.requirements import Requirement

    failures, count = [], 0
    for line in requirements:
        requirement = Requirement(line)
        count += 1
        found = installed(requirement.name)
        if found is None:
            failures.append(Check(requirement.name, FAIL, f"not installed (tested: {requirement.specifier})",
                                  f'pip install "{requirement.name}{requirement.specifier}"'))
        elif not requirement.specifier.contains(found, prereleases=True):
            failures.append(Check(requirement.name, FAIL, f"{found}, outside the tested range {requirement.specifier}",
                                  f'pip install "{requirement.name}{requirement.specifier}"'))
    return failures or [Check("packages", OK, f"all {count} of tfcourse's dependencies in their tested ranges")]


# Run in a fresh interpreter: how long TensorFlow and Keras take to import, what TensorFlow was built with and
# sees, and how many training steps of a small network it runs per second for the given seconds.
PROBE = r'''
import json, os, sys, time
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
began = time.perf_counter()
import tensorflow as tf, keras
imported = time.perf_counter() - began
build = dict(tf.sysconfig.get_build_info())
result = {"tensorflow": tf.__version__, "keras": keras.__version__, "import_s": imported,
          "gpus": [d.name for d in tf.config.list_physical_devices("GPU")],
          "cuda_build": bool(build.get("is_cuda_build")), "cuda": build.get("cuda_version"),
          "cudnn": build.get("cudnn_version")}
seconds = float(sys.argv[1])
if seconds > 0:
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((32, 32, 3)), keras.layers.Conv2D(16, 3, activation="relu"),
                              keras.layers.MaxPooling2D(), keras.layers.Conv2D(32, 3, activation="relu"),
                              keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(10)])
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    x, y = tf.random.uniform((64, 32, 32, 3)), tf.random.uniform((64,), maxval=10, dtype=tf.int32)
    model.train_on_batch(x, y)  # the first step traces the function
    steps, began = 0, time.perf_counter()
    while time.perf_counter() - began < seconds:
        model.train_on_batch(x, y)
        steps += 1
    result["steps_per_s"] = steps / (time.perf_counter() - began)
print("DOCTOR " + json.dumps(result))
'''


def probe_tensorflow(benchmark_seconds: float) -> dict:
    """The probe's findings; ``{"error": ...}`` when TensorFlow does not even import."""
    done = subprocess.run([sys.executable, "-c", PROBE, str(benchmark_seconds)], capture_output=True, text=True,
                          timeout=300 + benchmark_seconds)
    for line in done.stdout.splitlines():
        if line.startswith("DOCTOR "):
            return json.loads(line.removeprefix("DOCTOR "))
    last = (done.stderr.strip().splitlines() or ["no output"])[-1]
    return {"error": last}


def tensorflow_check(found: dict) -> Check:
    if "error" in found:
        return Check("TensorFlow", FAIL, f"does not import: {found['error']}",
                     'pip install "tensorflow>=2.21,<2.22" "keras>=3.15,<3.16" in the course\'s environment')
    detail = f"{found['tensorflow']}, Keras {found['keras']}; import {found['import_s']:.1f} s"
    if found["import_s"] > 30:
        return Check("TensorFlow", WARN, detail + " (slow)",
                     "a slow disk or an antivirus scanning site-packages; every notebook pays this at its start")
    return Check("TensorFlow", OK, detail)


def nvidia_smi() -> tuple[int, str] | None:
    """nvidia-smi's exit status and output, or None when there is no nvidia-smi."""
    if shutil.which("nvidia-smi") is None:
        return None
    try:
        done = subprocess.run(["nvidia-smi"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as error:
        return 1, str(error)
    return done.returncode, done.stdout + done.stderr


def _major_minor(version: str | None) -> tuple[int, ...] | None:
    found = re.match(r"(\d+)\.(\d+)", version or "")
    return (int(found.group(1)), int(found.group(2))) if found else None


def gpu_check(found: dict, smi: tuple[int, str] | None) -> Check:
    """Whether a GPU that is there is used, and if not, which known pattern keeps TensorFlow from it."""
    gpus = found.get("gpus", [])
    if smi is None:
        if gpus:
            return Check("GPU", OK, f"{len(gpus)} GPU(s) visible to TensorFlow")
        return Check("GPU", OK, "none: CPU only, and every assignment is sized for 2 CPU cores")
    status, output = smi
    if status != 0 or "NVIDIA-SMI has failed" in output:
        return Check("GPU", FAIL, "nvidia-smi cannot talk to the NVIDIA driver: " + output.strip().splitlines()[0][:90],
                     "the driver is not loaded: reboot after installing it (or on WSL, install the Windows NVIDIA driver; "
                     "no driver inside WSL)")
    driver = re.search(r"Driver Version:\s*([\d.]+)", output)
    driver_cuda = re.search(r"CUDA Version:\s*([\d.]+)", output)
    names = re.findall(r"\|\s+\d+\s+(NVIDIA [^|]*?)\s{2,}", output) or ["an NVIDIA GPU"]
    described = (f"{names[0].strip()}, driver {driver.group(1) if driver else '?'} (CUDA up to "
                 f"{driver_cuda.group(1) if driver_cuda else '?'})")
    if gpus:
        return Check("GPU", OK, f"{described}; TensorFlow uses it (built for CUDA {found.get('cuda')}, "
                                f"cuDNN {found.get('cudnn')})")
    if not found.get("cuda_build"):
        return Check("GPU", FAIL, f"{described}, but this TensorFlow has no GPU support (a CPU-only build)",
                     f"{AND_CUDA} (Linux; on Windows use WSL2, on macOS TensorFlow has no CUDA)")
    needed, offered = _major_minor(found.get("cuda")), _major_minor(driver_cuda.group(1) if driver_cuda else None)
    if needed and offered and offered < needed:
        return Check("GPU", FAIL, f"{described}, but TensorFlow {found.get('tensorflow')} needs CUDA "
                                  f"{found.get('cuda')}: the driver is too old",
                     f"update the NVIDIA driver to one that supports CUDA {needed[0]}.{needed[1]} or later")
    return Check("GPU", FAIL, f"{described}, but TensorFlow finds no GPU (built for CUDA {found.get('cuda')}, cuDNN "
                              f"{found.get('cudnn')})",
                 f"the CUDA libraries are missing or another CUDA shadows them: {AND_CUDA}, and unset "
                 f"LD_LIBRARY_PATH if it names a CUDA folder")


def sandbox_check(bwrap: str | None = None) -> Check:
    bwrap = bwrap if bwrap is not None else shutil.which("bwrap")
    if not bwrap:
        return Check("sandbox (instructors)", WARN, "bubblewrap not found: grading would run notebooks unsandboxed",
                     "only instructors need it: sudo apt-get install bubblewrap")
    done = subprocess.run([bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "true"], capture_output=True, text=True)
    if done.returncode != 0:
        return Check("sandbox (instructors)", WARN, f"bubblewrap cannot start a sandbox: {done.stderr.strip()[:80]}",
                     "enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1), or grade as root")
    return Check("sandbox (instructors)", OK, f"bubblewrap works ({bwrap})")


def data_checks(specs: Iterable | None = None) -> list[Check]:
    """Every offline dataset's files present and matching their checksums (fetched from the local packages)."""
    from tfcourse.data import get_spec
    from tfcourse.data.registry import DataUnavailable, dataset_names, fetch_files

    specs = list(specs) if specs is not None else [get_spec(name) for name in dataset_names() if get_spec(name).offline]
    failures = []
    for spec in specs:
        try:
            fetch_files(spec)
        except DataUnavailable as error:
            failures.append(Check(f"data: {spec.name}", FAIL, str(error).splitlines()[0],
                                  f"tfcourse data fetch {spec.name} (after `make setup`, which installs the packages it "
                                  f"comes from)"))
    return failures or [Check("data", OK, f"all {len(specs)} offline datasets present and verified")]


def built_checks() -> list[Check]:
    from tfcourse import pretrained, word_vectors

    missing = [what for what, info in (("the pre-trained base", pretrained.info), ("the word vectors", word_vectors.info))
               if info() is None]
    if missing:
        return [Check("built artifacts", WARN, f"{' and '.join(missing)} not built yet",
                      "tfcourse data build (about 2 minutes; the first notebook that needs them builds them otherwise)")]
    return [Check("built artifacts", OK, "the pre-trained base and the word vectors are built")]


def jupyter_check(lab_listing: str, server_listing: str) -> Check:
    """The lab extensions (tfcourse's, nbgrader's) and server extensions enabled, from `jupyter ... list`."""
    plain = lab_listing + "\n" + server_listing
    wanted = {"tfcourse-lab": r"tfcourse-lab v[\d.]+ enabled", "@jupyter/nbgrader": r"@jupyter/nbgrader v[\d.]+ enabled",
              "tfcourse.lab": r"tfcourse\.lab enabled",
              "nbgrader assignment list": r"nbgrader\.server_extensions\.assignment_list enabled"}
    missing = [name for name, pattern in wanted.items() if not re.search(pattern, plain)]
    if missing:
        return Check("JupyterLab", FAIL, f"not enabled: {', '.join(missing)} (no Check, Submit or Assignments there)",
                     "reinstall the course into this environment: make setup (or pip install -e . in the course)")
    return Check("JupyterLab", OK, "tfcourse's and nbgrader's lab and server extensions enabled")


def jupyter_listings() -> tuple[str, str]:
    """What `jupyter labextension list` and `jupyter server extension list` print, without colour codes."""
    def listed(*arguments: str) -> str:
        done = subprocess.run([sys.executable, "-m", "jupyter", *arguments], capture_output=True, text=True, timeout=120)
        return re.sub(r"\x1b\[[0-9;]*m", "", done.stdout + done.stderr)

    return listed("labextension", "list"), listed("server", "extension", "list")


def course_check(start: Path | None = None) -> Check:
    from tfcourse.course import Course, find_root
    from tfcourse.errors import UserError

    try:
        course = Course(find_root(start))
    except (UserError, OSError) as error:
        return Check("course folder", WARN, f"none found from {start or Path.cwd()}: {error}",
                     "run tfcourse in your course folder or your work folder inside it")
    return Check("course folder", OK, f"{course.root} (exchange {course.exchange})")


def time_estimates(steps_per_s: float | None, reference: float = REFERENCE_STEPS_PER_S) -> list[str]:
    """How long each course's graded reference notebooks take to run here."""
    if not steps_per_s or not reference:
        return ["Expected time: no micro-benchmark result, so no estimate."]
    ratio = reference / steps_per_s
    lines = [f"Expected time on this machine (micro-benchmark: {steps_per_s:.1f} steps/s, {1 / ratio:.2f}x the reference "
             f"2-core machine's {reference:.1f}):"]
    for course, seconds in REFERENCE_SECONDS.items():
        total = sum(seconds.values()) * ratio
        lines.append(f"  {course}: about {total / 60:.1f} min to run its {len(seconds)} graded reference notebooks "
                     f"({sum(seconds.values()) / 60:.1f} min on the reference machine)")
    return lines


def run_checks(benchmark_seconds: float = 10.0) -> tuple[list[Check], list[str]]:
    """Every check on this machine, and the time estimates."""
    found = probe_tensorflow(benchmark_seconds)
    checks = [python_check(), *package_checks(declared_requirements()), tensorflow_check(found),
              gpu_check(found, nvidia_smi()), sandbox_check(), *data_checks(), *built_checks(),
              jupyter_check(*jupyter_listings()), course_check()]
    return checks, time_estimates(found.get("steps_per_s"))


def report(checks: list[Check], estimates: list[str]) -> str:
    lines = [line for check in checks for line in check.lines()]
    failed = sum(check.status == FAIL for check in checks)
    verdict = (f"{failed} check(s) FAIL: fix them before starting the course." if failed
               else "Ready: the course can run on this machine.")
    return "\n".join([*lines, "", *estimates, "", verdict])
