"""Grading a class at once on Dask: a ``LocalCluster`` on this machine, or an existing cluster's scheduler.

Two kinds of unit: in models mode, one model's predictions on one set of inputs, made in a worker's sandbox
(:func:`tfcourse.grading.remote.model_outputs_unit`); in notebook mode, one submission's sandboxed
``nbgrader autograde`` in a throwaway course of its own
(:func:`tfcourse.instructor.remote_autograde.autograde_unit`). This process keeps everything else: the
held-out labels, the scorer and rules that judge what comes back, and the gradebook, which it alone writes,
one result at a time as the units come back. A worker that dies mid-unit has its unit run again elsewhere
(Dask retries it); the result is recorded once, by this process.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import threading
import uuid
from collections.abc import Callable
from pathlib import Path

import numpy as np

from tfcourse.data.exported import storable
from tfcourse.grading.heldout import EvaluationData
from tfcourse.grading.models import ModelRejected, check_model_file
from tfcourse.grading.specs import AssignmentSpec

GIB = 2**30
MEMORY_PER_WORKER = 6 * GIB  # what one sandboxed model worker may use (tfcourse.sandbox.limits)
# How often a unit whose scattered inputs died with a worker is sent again, with the inputs sent anew.
RESENDS_OF_LOST_INPUTS = 2


def default_workers() -> int:
    """As many workers as both the cores and the memory allow (at least one)."""
    cores = os.cpu_count() or 1
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        memory = MEMORY_PER_WORKER
    return max(1, min(cores, memory // MEMORY_PER_WORKER))


def read_model_bytes(path: Path) -> bytes:
    """The submitted model file's bytes, after the checks the scorer makes (no link, bounded size, a zip)."""
    check_model_file(path)
    descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(descriptor, "rb") as stream:
        if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
            raise ModelRejected(f"{path.name} is not a regular file")
        return stream.read()


class Cluster:
    """A Dask client for grading: ``scheduler`` (``tcp://host:8786``) joins an existing cluster, otherwise a
    ``LocalCluster`` of ``workers`` processes (one thread each) starts on 127.0.0.1; use as a context manager."""

    def __init__(self, *, workers: int | None = None, scheduler: str | None = None,
                 kernel_threads: int | None = None):
        self.workers = workers or default_workers()
        self.scheduler = scheduler
        # Each notebook kernel's share of this machine's cores; on an external cluster, TensorFlow's own choice
        # unless given (start one single-threaded `dask worker` per kernel a machine should run at once).
        self.kernel_threads = kernel_threads or (
            None if scheduler else max(1, (os.cpu_count() or 1) // self.workers))
        self.client = None
        self._local = None
        self._scratch: Path | None = None  # a local cluster's temporary folder, removed with it
        self._scattered: dict[tuple[str, str], object] = {}
        self._lock = threading.Lock()

    def __enter__(self) -> Cluster:
        from dask.distributed import Client, LocalCluster

        if self.scheduler:
            self.client = Client(self.scheduler)
        else:
            # The workers' temporary files (notebook units, sandboxes, Dask's spill space) go in one folder that
            # is removed after them: a worker that does not stop within Dask's grace period (busy in a notebook
            # at Ctrl-C on a slow machine) is killed before its own clean-up runs.
            # (In TMPDIR as it is now, where the workers would put them: Python caches its first answer.)
            self._scratch = Path(tempfile.mkdtemp(prefix="tfcourse-cluster-", dir=os.environ.get("TMPDIR") or None))
            self._local = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                       host="127.0.0.1", dashboard_address="127.0.0.1:0",
                                       env={"TMPDIR": str(self._scratch)})
            self.client = Client(self._local)
        from tfcourse.grading.remote import ScorerPlugin

        self.client.register_plugin(ScorerPlugin())
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def slots(self) -> int:
        """Units that can run at once: the cluster's worker threads."""
        threads = self.client.nthreads() if self.client is not None else {}
        return max(1, sum(threads.values()))

    @property
    def dashboard(self) -> str | None:
        """The Dask dashboard's address, when one runs."""
        return getattr(self.client, "dashboard_link", None)

    def _inputs(self, spec: AssignmentSpec, examples: EvaluationData):
        """The examples' inputs on the cluster, sent once per (assignment, set) and shared by every unit."""
        key = (spec.assignment_id, examples.label)
        with self._lock:
            if key not in self._scattered:
                self._scattered[key] = self.client.scatter(np.asarray(storable(examples.x)), broadcast=True)
            return self._scattered[key]

    def _forget_inputs(self, spec: AssignmentSpec, examples: EvaluationData, lost) -> None:
        """Drop the scattered inputs ``lost`` (their last copy died with a worker) so the next unit sends them again."""
        key = (spec.assignment_id, examples.label)
        with self._lock:
            if self._scattered.get(key) is lost:
                del self._scattered[key]

    def evaluate(self, spec: AssignmentSpec, model_path: Path, notes: list[str]
                 ) -> Callable[[EvaluationData, bool], tuple[np.ndarray, object]]:
        """An ``evaluate`` for :func:`tfcourse.grading.model_part.judge_model_part` whose predictions a worker
        makes; the workers' notes ("graded without sandbox") are added to ``notes``."""
        from dask.distributed import KilledWorker
        from distributed.client import FutureCancelledError

        from tfcourse.grading.remote import model_outputs_unit

        model: list[bytes] = []  # read on first use, so a missing or unsafe file is the cell's reason

        def evaluate(examples: EvaluationData, _: bool) -> tuple[np.ndarray, object]:
            if not model:
                model.append(read_model_bytes(model_path))
            for attempt in range(1 + RESENDS_OF_LOST_INPUTS):
                inputs = self._inputs(spec, examples)
                future = self.client.submit(model_outputs_unit, spec.assignment_id, model[0], model_path.name,
                                            inputs, len(examples.y), examples.label, pure=False)
                try:
                    predictions, findings, worker_notes = future.result()
                    break
                except KilledWorker:
                    raise ModelRejected("the grading workers died on this model, each time it was tried") from None
                except FutureCancelledError:
                    # Dask's memory manager keeps one copy of scattered data, and scattered data cannot be
                    # recomputed: when the worker holding it dies, the unit is forgotten. Send the inputs again.
                    self._forget_inputs(spec, examples, inputs)
                    if attempt == RESENDS_OF_LOST_INPUTS:
                        raise
            notes.extend(note for note in worker_notes if note not in notes)
            return predictions, findings

        return evaluate

    def autograde(self, kit, folder: str, student: str, files: dict[str, bytes], cell_timeout_s: int | None):
        """A future of one submission's execute phase on a worker (a
        :class:`~tfcourse.instructor.remote_autograde.UnitResult`); ``kit`` is :meth:`share`'s."""
        from tfcourse.instructor.remote_autograde import autograde_unit

        return self.client.submit(autograde_unit, kit, folder, student, files, cell_timeout_s=cell_timeout_s,
                                  kernel_threads=self.kernel_threads, pure=False,
                                  key=f"autograde-{folder}-{student}-{uuid.uuid4().hex[:8]}")

    def share(self, value):
        """``value`` sent once to every worker (a notebook kit), for units to refer to."""
        return self.client.scatter(value, broadcast=True)

    def close(self) -> None:
        """Stop the client and, for a local cluster, its workers."""
        if self.client is not None:
            self.client.close()
            self.client = None
        if self._local is not None:
            self._local.close()
            self._local = None
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None
