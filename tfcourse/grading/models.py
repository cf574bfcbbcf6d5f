"""Loading a submitted model file safely and predicting with it.

Stops: code hidden in model files (Lambda layers, pickles, arbitrary classes named in the config):
models are read with Keras' safe mode, ``compile=False`` and no custom objects. The grader does
this only inside the sandbox (``predict_job``), so a model that gets past safe mode still meets
the sandbox; a learner's self-check does it in the learner's own session.
"""

from __future__ import annotations

import math
import stat
import zipfile
from pathlib import Path

import numpy as np

from tfcourse.grading.specs import AssignmentSpec

MAX_MODEL_BYTES = 200 * 2**20


class ModelRejected(ValueError):
    """The model file cannot be graded; the message is the one-line reason."""


def check_model_file(path: Path, name: str | None = None) -> None:
    """Refuse a missing, oversized, linked or non-Keras-3 model file before anything reads it.

    ``name`` is how reports call the file (the grader scores a copy under another name).
    """
    path = Path(path)
    name = name or path.name
    try:
        info = path.lstat()
    except FileNotFoundError:
        raise ModelRejected(f"no model file: the notebook never saved {name}") from None
    if stat.S_ISLNK(info.st_mode):
        raise ModelRejected(f"{name} is a symbolic link, not a model file the notebook saved")
    if not stat.S_ISREG(info.st_mode):
        raise ModelRejected(f"{name} is not a regular file")
    if info.st_size > MAX_MODEL_BYTES:
        raise ModelRejected(f"model file {name} is larger than {MAX_MODEL_BYTES // 2**20} MiB")
    if not zipfile.is_zipfile(path):
        raise ModelRejected(f"{name} is not a Keras 3 .keras file (save with model.save('...keras'))")


def load_model_safely(path: Path, name: str | None = None):
    """Load a ``.keras`` file with safe mode on (no arbitrary code from lambdas, pickles or configs)."""
    check_model_file(path, name)
    import keras

    try:
        return keras.saving.load_model(path, compile=False, safe_mode=True)
    except Exception as error:  # any load failure is the submission's, reported in one line
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ModelRejected(f"model file {name or Path(path).name} could not be loaded safely: {reason[:300]}") from None


def fit_input(model, spec: AssignmentSpec, x: np.ndarray) -> np.ndarray:
    """Reshape the grader's examples to the model's input shape when only a unit axis differs."""
    if isinstance(model.input_shape, list):
        raise ModelRejected("model has several inputs; this assignment needs exactly one")
    expected = tuple(model.input_shape[1:])
    if expected == tuple(x.shape[1:]):
        return x
    if None not in expected and math.prod(expected) == math.prod(x.shape[1:]):
        return x.reshape((len(x), *expected))
    raise ModelRejected(f"model expects input shape {expected}, but graded examples have shape "
                        f"{spec.input_shape} ({spec.input_note})")


def text_input(model, spec: AssignmentSpec, texts: np.ndarray):
    """Texts as a string tensor of shape (n, 1), after checking the model takes one text per example.

    Keras 3 refuses numpy's unicode and object arrays of that shape, and a string tensor of shape
    (n,) fails in ``predict``; (n, 1) works for models declared with ``Input(shape=(1,))`` and ``()``.
    """
    import tensorflow as tf

    column = np.asarray(texts, dtype=str).reshape(len(texts), 1)
    fit_input(model, spec, column)
    return tf.constant(column)


def predict(model, spec: AssignmentSpec, x: np.ndarray, steps: int | None = None) -> np.ndarray:
    """The model's predictions as its spec's measure asks for them (``steps``: how many values at the end
    of a forecaster's series ``x`` to forecast)."""
    return spec.measure.predict(model, spec, x, steps)


def predict_outputs(model, spec: AssignmentSpec, x: np.ndarray) -> np.ndarray:
    """The model's outputs as a 2-D float32 array, after checking the output shape (texts go in as strings)."""
    output_shape = model.output_shape
    if isinstance(output_shape, list) or output_shape[-1] not in spec.measure.accepted_output_units(spec):
        raise ModelRejected(f"model outputs shape {tuple(output_shape[1:])}, expected ({spec.output_units},)")
    if x.dtype.kind in "UO":
        model_input = text_input(model, spec, x)
    else:
        model_input = fit_input(model, spec, x)
    predictions = np.asarray(model.predict(model_input, batch_size=256, verbose=0))
    return predictions.reshape(len(x), -1).astype(np.float32)


def are_probabilities(scores: np.ndarray) -> bool:
    """Whether one-unit outputs read as sigmoid probabilities (all in [0, 1]) rather than logits."""
    return bool(scores.min() >= 0.0 and scores.max() <= 1.0)


def predicted_classes(predictions: np.ndarray) -> np.ndarray:
    """Class per example: argmax, or for one unit a probability above 0.5 (or a logit above 0)."""
    if predictions.shape[1] > 1:
        return predictions.argmax(axis=1)
    scores = predictions[:, 0]
    return (scores > (0.5 if are_probabilities(scores) else 0.0)).astype(int)
