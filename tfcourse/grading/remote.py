"""The unit of work a Dask worker runs: one model's predictions on one set of inputs, made in its sandbox.

A worker keeps one warm :class:`~tfcourse.grading.scorer.Scorer` per process (started on the first unit,
stopped by :class:`ScorerPlugin` when the worker closes, so no sandbox process or folder outlives it).
A unit receives the model file's bytes and the examples' inputs, never
their labels: the grading process judges the predictions it gets back with the spec's rules
(:func:`tfcourse.grading.model_part.judge_model_part`), so held-out labels stay on the instructor's
machine. A model that cannot be scored raises :class:`~tfcourse.grading.models.ModelRejected`, which
travels back to the grading process like any exception a Dask task raises.
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

import numpy as np
from distributed.diagnostics.plugin import WorkerPlugin

from tfcourse.grading.heldout import EvaluationData
from tfcourse.grading.specs import get_assignment

_scorer = None
_lock = threading.Lock()  # one unit at a time per process: the scorer's sandboxed worker is one process


def worker_scorer():
    """This process' warm scorer (started on first use)."""
    global _scorer
    if _scorer is None:
        from tfcourse.grading.scorer import Scorer

        _scorer = Scorer()
    return _scorer


def close_worker_scorer() -> None:
    """Stop this process' scorer, its sandboxed workers and their folders."""
    global _scorer
    with _lock:
        if _scorer is not None:
            _scorer.close()
            _scorer = None


class ScorerPlugin(WorkerPlugin):
    """Registered on every worker by the grading process: when the worker closes, closes its scorer and stops
    the notebook units it still runs (:mod:`tfcourse.instructor.remote_autograde`)."""

    name = "tfcourse-scorer"

    def teardown(self, worker) -> None:
        from tfcourse.instructor.remote_autograde import close_worker_units

        close_worker_scorer()
        close_worker_units()


def model_outputs_unit(assignment_id: str, model_bytes: bytes, model_name: str, inputs: np.ndarray, steps: int,
                       label: str) -> tuple[np.ndarray, object, tuple[str, ...]]:
    """Predictions, rule findings and the scorer's notes ("graded without sandbox") for the model
    ``model_bytes`` on ``inputs`` (``steps``: how many examples the predictions must cover; ``label`` names
    the inputs, so a worker stages each set once)."""
    spec = get_assignment(assignment_id)
    data = EvaluationData(inputs, np.zeros(steps, dtype=np.float32), label, True)
    with _lock, tempfile.TemporaryDirectory(prefix="tfcourse-unit-") as folder:
        path = Path(folder) / model_name
        path.write_bytes(model_bytes)
        scorer = worker_scorer()
        predictions, findings = scorer.model_outputs(spec, path, data)
        return predictions, findings, scorer.notes()
