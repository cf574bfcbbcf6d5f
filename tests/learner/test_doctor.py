"""`tfcourse doctor`: every failure pattern simulated (a wrong version, nvidia-smi's outputs, a missing dataset,
missing extensions), each giving its FAIL line and fix; the command on this machine, and with a fake driver."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys

import pytest

from tfcourse.data import get_spec
from tfcourse.learner.doctor import (
    FAIL,
    OK,
    REFERENCE_SECONDS,
    data_checks,
    gpu_check,
    jupyter_check,
    package_checks,
    python_check,
    time_estimates,
)

TF_FOUND = {"tensorflow": "2.21.0", "keras": "3.15.1", "import_s": 4.0, "gpus": [], "cuda_build": True,
            "cuda": "12.5.1", "cudnn": "9"}
SMI_HEADER = """\
+-----------------------------------------------------------------------------------------+
| NVIDIA-SMI 550.54.15              Driver Version: {driver}      CUDA Version: {cuda}     |
|-----------------------------------------+------------------------+----------------------+
| GPU  Name                 Persistence-M | Bus-Id          Disp.A | Volatile Uncorr. ECC |
|   0  NVIDIA GeForce RTX 3060        Off |   00000000:01:00.0  On |                  N/A |
+-----------------------------------------+------------------------+----------------------+
"""
DRIVER_NOT_LOADED = ("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the "
                     "latest NVIDIA driver is installed and running.")


def test_a_python_other_than_3_11_fails():
    check = python_check((3, 12, 1))
    assert check.status == FAIL and "3.12.1" in check.detail and "Python 3.11" in check.fix
    assert python_check((3, 11, 9)).status == OK


def test_a_missing_or_out_of_range_package_fails_with_the_pip_command():
    installed = {"tensorflow": "2.19.0", "keras": None, "numpy": "2.4.6"}.get
    checks = package_checks(["tensorflow<2.22,>=2.21", "keras<3.16,>=3.15", "numpy<3,>=2.0"], installed)
    assert [(check.name, check.status) for check in checks] == [("tensorflow", FAIL), ("keras", FAIL)]
    assert "2.19.0, outside the tested range" in checks[0].detail and checks[0].fix.startswith('pip install "tensorflow')
    assert checks[1].detail.startswith("not installed")
    assert package_checks(["numpy<3,>=2.0"], installed)[0].status == OK


@pytest.mark.parametrize("smi, found, status, words", [
    (None, {}, OK, "CPU only"),
    ((9, DRIVER_NOT_LOADED), {}, FAIL, "reboot after installing it"),
    ((0, SMI_HEADER.format(driver="550.54.15", cuda="12.4")), {"cuda_build": False}, FAIL, "tensorflow[and-cuda]"),
    ((0, SMI_HEADER.format(driver="470.256.02", cuda="11.4")), {}, FAIL, "update the NVIDIA driver"),
    ((0, SMI_HEADER.format(driver="550.54.15", cuda="12.6")), {}, FAIL, "unset LD_LIBRARY_PATH"),
    ((0, SMI_HEADER.format(driver="550.54.15", cuda="12.6")), {"gpus": ["/physical_device:GPU:0"]}, OK,
     "TensorFlow uses it"),
])
def test_each_gpu_pattern_is_told_apart(smi, found, status, words):
    check = gpu_check({**TF_FOUND, **found}, smi)
    assert check.status == status, check
    assert words in (check.fix if status == FAIL else check.detail), check


def test_a_dataset_that_does_not_verify_fails(tmp_path, monkeypatch):
    monkeypatch.setenv("TFCOURSE_CACHE_DIR", str(tmp_path))  # the real cache stays as it is
    spec = get_spec("sunspots")
    broken = dataclasses.replace(spec, files=tuple(dataclasses.replace(f, sha256="0" * 64) for f in spec.files))
    (check,) = data_checks([broken])
    assert check.status == FAIL and check.name == "data: sunspots" and "tfcourse data fetch sunspots" in check.fix
    assert data_checks([spec])[0].status == OK


def test_missing_jupyter_extensions_fail():
    lab = "tfcourse-lab v0.1.0 enabled OK (python, tfcourse)\n@jupyter/nbgrader v0.9.6 enabled OK"
    server = "tfcourse.lab enabled\nnbgrader.server_extensions.assignment_list enabled"
    assert jupyter_check(lab, server).status == OK
    check = jupyter_check(lab.replace("tfcourse-lab v0.1.0 enabled", "tfcourse-lab v0.1.0 disabled"), server)
    assert check.status == FAIL and "tfcourse-lab" in check.detail and "make setup" in check.fix


def test_the_estimates_scale_the_reference_times():
    slower = time_estimates(5.0, reference=10.0)  # half the reference machine's speed
    course1 = sum(REFERENCE_SECONDS["Course 1"].values())
    assert f"Course 1: about {2 * course1 / 60:.1f} min" in "\n".join(slower)
    assert "no estimate" in time_estimates(None)[0]


def test_doctor_prints_every_check_and_the_estimates_and_fails_with_a_driver_not_loaded(tmp_path):
    """The command itself, on this machine with a fake nvidia-smi in front whose driver is not loaded."""
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "nvidia-smi").write_text(f"#!/bin/sh\necho \"{DRIVER_NOT_LOADED}\"\nexit 9\n")
    (fake / "nvidia-smi").chmod(0o755)
    env = {**os.environ, "PATH": f"{fake}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run([sys.executable, "-m", "tfcourse", "doctor", "--benchmark-seconds", "1"], capture_output=True,
                          text=True, cwd=tmp_path, env=env, timeout=600)
    for name in ("Python", "packages", "TensorFlow", "GPU", "sandbox", "data", "built artifacts", "JupyterLab",
                 "course folder"):
        assert name in done.stdout, done.stdout
    assert "Course 4: about" in done.stdout and "min on the reference machine" in done.stdout
    assert done.returncode == 1, done.stdout
    assert "FAIL  GPU" in done.stdout and "fix: the driver is not loaded" in done.stdout
    assert "1 check(s) FAIL" in done.stdout
