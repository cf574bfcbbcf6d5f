"""The scorer: judges a submission's artifacts, outside the learner's code.

Stops: everything a notebook could do to its own grade (rebinding or patching grading functions,
printing a fake report, forging a history, shadowing packages). The scorer runs in the grader's
own process after the notebook's kernel has exited. It reads only artifacts from the submission's
folder (the saved model file and the source of exercise cells), has them loaded and run in
sandboxed workers that never see the labels, and computes every point itself.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import tempfile
import uuid
from pathlib import Path

import numpy as np

from tfcourse.data.exported import storable
from tfcourse.grading import untrusted
from tfcourse.grading.exercises import PUBLIC_SEED
from tfcourse.grading.heldout import EvaluationData
from tfcourse.grading.model_part import judge_model_part
from tfcourse.grading.models import ModelRejected, check_model_file
from tfcourse.grading.policies import exercise_worker_policy, model_worker_policy
from tfcourse.grading.result import CheckResult, GradeResult
from tfcourse.grading.specs import AssignmentSpec, ExercisePart
from tfcourse.sandbox.process import empty_folder, remove_tree
from tfcourse.sandbox.worker import Worker

MODEL_TIMEOUT_S = 180
EXERCISE_TIMEOUT_S = 60
MAX_NOTEBOOK_BYTES = 20 * 2**20
MAX_PREDICTION_BYTES = 256 * 2**20
MAX_INPUT_FILES = 8  # evaluation sets kept staged for the workers (a gap rule needs two)


def copy_regular_file(source: Path, target: Path) -> None:
    """Copy a file without following a symbolic link at ``source`` (the artifact was checked first)."""
    descriptor = os.open(source, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(descriptor, "rb") as reader, open(target, "wb") as writer:
        shutil.copyfileobj(reader, writer)


class CellUnavailable(ValueError):
    """The submitted notebook does not give the exercise's cell; the message says why."""


def read_cell_source(notebook: Path, cell_id: str) -> str:
    """The source of the solution cell ``cell_id`` in a submitted notebook, read as plain JSON."""
    try:
        info = notebook.lstat()
    except FileNotFoundError:
        raise CellUnavailable(f"no notebook {notebook.name} to take the cell {cell_id} from") from None
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_NOTEBOOK_BYTES:
        raise CellUnavailable(f"{notebook.name} is not a regular notebook file of at most 20 MiB")
    try:
        cells = json.loads(notebook.read_text())["cells"]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise CellUnavailable(f"{notebook.name} is not a readable notebook") from None
    for cell in cells if isinstance(cells, list) else []:
        metadata = cell.get("metadata") if isinstance(cell, dict) else None
        meta = metadata.get("nbgrader") if isinstance(metadata, dict) else None
        if not isinstance(meta, dict) or meta.get("grade_id") != cell_id or not meta.get("solution"):
            continue
        source = untrusted.lines(cell.get("source", ""))
        if source is not None:
            return source
        raise CellUnavailable(f"the cell {cell_id} of {notebook.name} has no readable source")
    raise CellUnavailable(f"the notebook has no solution cell {cell_id}")


class Scorer:
    """Warm sandboxed workers for a batch of submissions; use as a context manager.

    ``exercise_seed`` draws the inputs of function exercises: the held-out store's secret seed when
    grading, a public one for a learner's self-check. Workers start on first use.
    """

    def __init__(self, *, exercise_seed: int = PUBLIC_SEED):
        self.exercise_seed = exercise_seed
        self.work = Path(tempfile.mkdtemp(prefix="tfcourse-scorer-"))
        self.inbox, self.inputs, self.outbox, self.scratch = (self.work / name for name in
                                                              ("inbox", "inputs", "outbox", "scratch"))
        for folder in (self.inbox, self.inputs, self.outbox, self.scratch):
            folder.mkdir()
        self._inputs_files: dict[tuple[str, str], Path] = {}
        self._model_worker: Worker | None = None
        self._exercise_worker: Worker | None = None
        self._published_base: str | None = None

    def __enter__(self) -> Scorer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def model_worker(self) -> Worker:
        if self._model_worker is None:
            self._model_worker = Worker(model_worker_policy(self.outbox, self.inbox, self.inputs),
                                        "tfcourse.grading.predict_job")
            self._model_worker.start()
        return self._model_worker

    @property
    def exercise_worker(self) -> Worker:
        if self._exercise_worker is None:
            self._exercise_worker = Worker(exercise_worker_policy(self.scratch), "tfcourse.grading.exercise_job")
            self._exercise_worker.start()
        return self._exercise_worker

    def warm_up(self, spec: AssignmentSpec, *, models: bool = True) -> None:
        """Start the workers this assignment needs now (so per-submission timings exclude it); ``models``
        False: not the model worker (a Dask cluster makes the predictions)."""
        if spec.has_model and models:
            self.model_worker  # noqa: B018  (reading the property starts the worker)
        if spec.exercises:
            self.exercise_worker  # noqa: B018

    def _inputs_file(self, spec: AssignmentSpec, data: EvaluationData) -> Path:
        # As stored (uint8 pixels, not float32): a quarter of the bytes to write and read; the worker prepares them.
        stored = np.ascontiguousarray(storable(data.x))
        # Keyed by content, not by label alone: a warm scorer (a Dask worker's, the lab server's) outlives a
        # held-out store exported again with a new seed, whose label ("held-out test data, 1,000 examples")
        # is the same. Hashing costs about 15 ms for 27 MB of photos.
        digest = hashlib.sha256(f"{stored.dtype.str} {stored.shape}".encode())
        digest.update(stored.data)
        key = (spec.assignment_id, data.label, digest.hexdigest())
        if key not in self._inputs_files:
            if len(self._inputs_files) >= MAX_INPUT_FILES:  # a long run over many draws: drop the oldest
                self._inputs_files.pop(next(iter(self._inputs_files))).unlink(missing_ok=True)
            path = self.inputs / f"{spec.assignment_id}-{uuid.uuid4().hex}.npy"
            np.save(path, stored, allow_pickle=False)
            self._inputs_files[key] = path
        return self._inputs_files[key]

    def score_model(self, spec: AssignmentSpec, model_path: Path, data: EvaluationData) -> list[CheckResult]:
        """The model part: safe load, predictions and findings in the sandbox; the rules judged here."""
        return judge_model_part(spec, lambda examples, _: self.model_outputs(spec, model_path, examples), data,
                                self.published_base)

    def published_base(self) -> str:
        """The weights digest of this installation's pre-trained base (built on first use)."""
        if self._published_base is None:
            from tfcourse.pretrained import published_weights_digest

            self._published_base = published_weights_digest()
        return self._published_base

    def model_outputs(self, spec: AssignmentSpec, model_path: Path, data: EvaluationData) -> tuple[np.ndarray, object]:
        """The model's predictions on ``data`` and the worker's findings (made in the sandbox, untrusted); raises
        ModelRejected with the one-line reason there are none."""
        check_model_file(model_path)
        job_id = uuid.uuid4().hex
        staged = self.inbox / f"{job_id}.keras"
        predictions_path = self.outbox / f"{job_id}.npy"
        copy_regular_file(model_path, staged)
        try:
            answer = self.model_worker.run({"assignment": spec.assignment_id, "model": str(staged),
                                            "name": model_path.name,
                                            "inputs": str(self._inputs_file(spec, data)),
                                            "predictions": str(predictions_path), "steps": len(data.y)},
                                           MODEL_TIMEOUT_S)
            if not answer["ok"]:
                raise ModelRejected(answer.get("error") or "the model could not be scored")
            try:
                info = predictions_path.lstat()
                if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_PREDICTION_BYTES:
                    raise ValueError("not a regular file of bounded size")
                predictions = np.load(predictions_path, allow_pickle=False)
            except (OSError, ValueError):
                raise ModelRejected("the model worker handed back no readable predictions") from None
            return predictions, (untrusted.mapping(answer.get("result")) or {}).get("findings")
        finally:
            staged.unlink(missing_ok=True)
            empty_folder(self.outbox)

    def score_exercise(self, spec: AssignmentSpec, part: ExercisePart, notebook: Path) -> CheckResult:
        """One function exercise: the learner's cell driven in the sandbox on inputs drawn here."""
        exercise = part.exercise
        try:
            source = read_cell_source(notebook, exercise.cell)
        except CellUnavailable as rejection:
            return CheckResult(exercise.title, 0.0, part.points, str(rejection), cell=part.test_cell)
        inputs = exercise.inputs(self.exercise_seed, spec.assignment_id)
        empty_folder(self.scratch)  # nothing an earlier submission's cell wrote is left for this one
        answer = self.exercise_worker.run({"assignment": spec.assignment_id, "cell": exercise.cell, "source": source,
                                           "inputs": inputs},
                                          EXERCISE_TIMEOUT_S)
        if not answer["ok"]:
            return CheckResult(exercise.title, 0.0, part.points, answer.get("error") or "could not be run",
                               cell=part.test_cell)
        result = answer.get("result")
        answers = result.get("answers") if isinstance(result, dict) else None
        return exercise.check(inputs, answers, part.points, part.test_cell)

    def score(self, spec: AssignmentSpec, folder: Path, data: EvaluationData) -> GradeResult:
        """Score every part of one submission from the artifacts in ``folder``."""
        folder = Path(folder)
        checks = self.score_model(spec, folder / spec.model_filename, data) if spec.has_model else []
        checks += [self.score_exercise(spec, part, folder / spec.notebook) for part in spec.exercises]
        return GradeResult(spec.assignment_id, spec.title, data.label, tuple(checks), spec.possible, self.notes())

    def notes(self) -> tuple[str, ...]:
        """'graded without sandbox' when a worker ran without bubblewrap."""
        notes = []
        for worker in (self._model_worker, self._exercise_worker):
            outcome = worker.outcome() if worker is not None else None
            if outcome is not None and outcome.note() and outcome.note() not in notes:
                notes.append(outcome.note())
        return tuple(notes)

    def close(self) -> None:
        """Stop the workers and delete the staging folders."""
        for worker in (self._model_worker, self._exercise_worker):
            if worker is not None:
                worker.close()
        remove_tree(self.work)
