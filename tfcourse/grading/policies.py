"""What each sandboxed part of grading may see: a notebook's kernel, the model worker, the exercise worker.

Stops: a notebook loading data it must not (the test split the held-out data comes from, or the
raw dataset files that contain it) and the workers seeing more than one job needs.
"""

from __future__ import annotations

from pathlib import Path

from tfcourse.built import get_artifact
from tfcourse.data import load, split_files_dir
from tfcourse.data.cache import CACHE_ENV
from tfcourse.data.exported import SPLITS_ENV, export_folder, export_split
from tfcourse.data.registry import get_spec, local_source_paths
from tfcourse.grading.specs import AssignmentSpec
from tfcourse.sandbox.limits import KERNEL_LIMITS, WORKER_LIMITS
from tfcourse.sandbox.policy import SandboxPolicy

NOTEBOOK_SPLITS = ("train", "validation")  # what a released notebook may load
DEBIAN_DATASETS = Path("/usr/share/datasets")  # Debian's dataset packages (Fashion-MNIST's test split too)


def hidden_data_paths() -> tuple[Path, ...]:
    """Dataset files installed on this machine, which sandboxed code must not read."""
    return (DEBIAN_DATASETS, *local_source_paths())


def export_notebook_splits(spec: AssignmentSpec, directory: Path) -> Path:
    """Export the splits the assignment's notebook may load into ``directory`` (its kernel's data view).

    Generated sets are exported as their files (image folders, CSV); every other set as arrays. An
    assignment gets a copy of the built artifacts its spec declares (the pre-trained base, the word vectors).
    """
    generated = get_spec(spec.dataset).split_files is not None
    for split in NOTEBOOK_SPLITS:
        if generated:
            export_folder(directory, spec.dataset, split, split_files_dir(spec.dataset, split))
        else:
            x, y = load(spec.dataset, split)
            export_split(directory, spec.dataset, split, x, y)
    for name in spec.artifacts:
        get_artifact(name).export(directory)
    return Path(directory)


def thread_budget(threads: int | None) -> dict[str, str]:
    """The environment that holds TensorFlow (and the numerical libraries under it) to ``threads`` CPU threads."""
    if not threads:
        return {}
    return {"TF_NUM_INTRAOP_THREADS": str(threads), "TF_NUM_INTEROP_THREADS": str(threads),
            "OMP_NUM_THREADS": str(threads)}


def kernel_policy(workdir: Path, data_view: Path, threads: int | None = None) -> SandboxPolicy:
    """A notebook kernel at autograde: its own folder, the exported splits, no held-out data; with ``threads``,
    TensorFlow's thread budget (so that parallel kernels do not fight over the cores)."""
    return SandboxPolicy(
        purpose="notebook kernel",
        workdir=Path(workdir),
        limits=KERNEL_LIMITS,
        readonly=(Path(data_view),),
        hidden=hidden_data_paths(),
        env={
            SPLITS_ENV: str(data_view),
            CACHE_ENV: "{home}/.cache/tfcourse",
            "KERAS_HOME": "{home}/.keras",
            "TF_CPP_MIN_LOG_LEVEL": "3",
            **thread_budget(threads),
        },
    )


def model_worker_policy(scratch: Path, inbox: Path, inputs: Path) -> SandboxPolicy:
    """The model worker: the one model being scored (inbox), the grader's inputs, never labels."""
    return SandboxPolicy(purpose="model worker", workdir=Path(scratch), limits=WORKER_LIMITS,
                         readonly=(Path(inbox), Path(inputs)), hidden=hidden_data_paths(),
                         env={"TF_CPP_MIN_LOG_LEVEL": "3"})


def exercise_worker_policy(scratch: Path) -> SandboxPolicy:
    """The exercise worker: runs learners' cells, so it sees no data at all."""
    return SandboxPolicy(purpose="exercise worker", workdir=Path(scratch), limits=WORKER_LIMITS,
                         hidden=hidden_data_paths(), env={"TF_CPP_MIN_LOG_LEVEL": "3"})
