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
    """Predictions as a 2-D float32 array, after checking the output shape; for the metric "top_k",
    the model's ``top_k`` most probable words per example (see :func:`top_words`); for a forecaster,
    forecasts of the last ``steps`` values of the series ``x`` (see :func:`forecasts`)."""
    if spec.metric == "top_k":
        return top_words(model, spec, x)
    if spec.forecast is not None:
        return forecasts(model, spec, x, steps if steps is not None else 0)
    output_shape = model.output_shape
    if isinstance(output_shape, list) or output_shape[-1] not in spec.accepted_output_units:
        raise ModelRejected(f"model outputs shape {tuple(output_shape[1:])}, expected ({spec.output_units},)")
    if x.dtype.kind in "UO":
        model_input = text_input(model, spec, x)
    else:
        model_input = fit_input(model, spec, x)
    predictions = np.asarray(model.predict(model_input, batch_size=256, verbose=0))
    return predictions.reshape(len(x), -1).astype(np.float32)


def forecasts(model, spec: AssignmentSpec, series: np.ndarray, steps: int) -> np.ndarray:
    """One-step forecasts of the last ``steps`` values of ``series``, each from the values just before it.

    The window length is the model's: ``Input(shape=(window,))`` or ``(window, 1)``. The windows are cut
    here (:func:`tfcourse.series.forecast_windows`), so the model never sees the value it forecasts.
    """
    from tfcourse.series import forecast_windows

    shape = model.input_shape
    if isinstance(shape, list):
        raise ModelRejected("model has several inputs; this assignment needs exactly one")
    window = shape[1] if len(shape) >= 2 else None
    if window is None or len(shape) > 3 or (len(shape) == 3 and shape[2] != 1):
        raise ModelRejected(f"model expects input shape {tuple(shape[1:])}; a forecaster here takes a window of "
                            f"past values of one series, declared as keras.Input(shape=(window_size,)) or "
                            f"(window_size, 1)")
    history = len(series) - steps
    if not 1 <= steps <= len(series) or window > history:
        raise ModelRejected(f"the model's window of {window} values is longer than the {history} values the grader "
                            f"has before the first step it forecasts")
    output_shape = model.output_shape
    if isinstance(output_shape, list) or tuple(output_shape[1:]) != (1,):  # (window, 1): a forecast per window step
        raise ModelRejected(f"model outputs shape {tuple(output_shape[1:]) if not isinstance(output_shape, list) else '?'}, "
                            f"expected (1,): the next value (an LSTM before the output needs return_sequences=False)")
    windows = forecast_windows(series, history, window).reshape((steps, *shape[1:]))
    predictions = np.asarray(model.predict(windows, batch_size=256, verbose=0))
    return predictions.reshape(steps, -1).astype(np.float32)


NEXT_WORD_BATCH = 1024  # contexts per forward pass: a batch's scores over a large vocabulary stay small
GENERATED_WORDS = 15
GENERATION_CONTEXT = 10  # words the generator feeds back, as many as the graded contexts hold at most


def sublayers(layer) -> list:
    """Every layer inside ``layer``, nested models included."""
    found = []
    for inner in getattr(layer, "layers", None) or []:
        found += [inner, *sublayers(inner)]
    return found


def output_vocabulary(model) -> np.ndarray:
    """The words the model's output units stand for: the vocabulary of the ``TextVectorization`` layer
    inside it that has as many entries as the output has units."""
    import keras

    if isinstance(model.output_shape, list):
        raise ModelRejected("model has several outputs; this assignment needs exactly one")
    width = model.output_shape[-1]
    vectorizers = [layer for layer in sublayers(model) if isinstance(layer, keras.layers.TextVectorization)]
    if not vectorizers:
        raise ModelRejected("the model has no TextVectorization layer: put the vectorizer inside the model, so it "
                            "takes raw text and its output units stand for the vectorizer's words")
    vocabularies = [[str(word) for word in layer.get_vocabulary()] for layer in vectorizers]
    matching = [vocabulary for vocabulary in vocabularies if len(vocabulary) == width]
    if not matching:
        sizes = ", ".join(str(len(vocabulary)) for vocabulary in vocabularies)
        raise ModelRejected(f"the model has {width} output units, but its TextVectorization knows {sizes} words: "
                            f"it needs one output unit per vocabulary word (vectorizer.vocabulary_size())")
    if any(vocabulary != matching[0] for vocabulary in matching[1:]):
        raise ModelRejected("the model has several TextVectorization layers of the output's size with different "
                            "vocabularies, so its output units do not name words unambiguously")
    return np.array(matching[0], dtype=str)


def top_words(model, spec: AssignmentSpec, contexts: np.ndarray, vocabulary: np.ndarray | None = None) -> np.ndarray:
    """The model's ``spec.top_k`` most probable next words for each context, most probable first.

    Padding ("") and the out-of-vocabulary token never count as guesses. Only words leave the
    worker, not the (contexts x vocabulary) scores, which would be hundreds of MiB. ``vocabulary``
    is the model's :func:`output_vocabulary`, when the caller already has it.
    """
    vocabulary = output_vocabulary(model) if vocabulary is None else vocabulary
    not_words = np.isin(vocabulary, ["", "[UNK]"])
    inputs = text_input(model, spec, contexts)
    found = []
    for start in range(0, len(contexts), NEXT_WORD_BATCH):
        scores = np.array(model.predict_on_batch(inputs[start:start + NEXT_WORD_BATCH]), dtype=np.float64)
        scores = scores.reshape(scores.shape[0], -1)
        if not np.all(np.isfinite(scores)):
            raise ModelRejected("model predicts NaN or infinite values")
        scores[:, not_words] = -np.inf
        best = np.argsort(-scores, axis=1, kind="stable")[:, :spec.top_k]
        found.append(vocabulary[best])
    return np.concatenate(found) if found else np.empty((0, spec.top_k), dtype=str)


def generate_text(model, spec: AssignmentSpec, words: int = GENERATED_WORDS) -> str:
    """The words the model writes after ``spec.seed_text``, always taking its most probable word."""
    from tfcourse.text import standardize

    vocabulary = output_vocabulary(model)
    text = standardize(spec.seed_text).split()
    written = []
    for _ in range(words):
        context = np.array([" ".join(text[-GENERATION_CONTEXT:])])
        word = str(top_words(model, spec, context, vocabulary)[0, 0])
        text.append(word)
        written.append(word)
    return " ".join(written)


def are_probabilities(scores: np.ndarray) -> bool:
    """Whether one-unit outputs read as sigmoid probabilities (all in [0, 1]) rather than logits."""
    return bool(scores.min() >= 0.0 and scores.max() <= 1.0)


def predicted_classes(predictions: np.ndarray) -> np.ndarray:
    """Class per example: argmax, or for one unit a probability above 0.5 (or a logit above 0)."""
    if predictions.shape[1] > 1:
        return predictions.argmax(axis=1)
    scores = predictions[:, 0]
    return (scores > (0.5 if are_probabilities(scores) else 0.0)).astype(int)


def base_findings(model, spec: AssignmentSpec, x: np.ndarray, predictions: np.ndarray) -> dict:
    """What the frozen-base rule judges: the digest of the base's weights (None without a layer of that
    name), and the share of predictions that stay the same when the base's weights are zeroed.

    A base that feeds the predictions changes nearly all of them when switched off; a published base
    kept beside the real network, unused, changes none, so its digest alone would prove nothing.
    """
    from tfcourse.pretrained import find_base, weights_digest

    layer = find_base(model, spec.frozen_base.layer_name)
    if layer is None:
        return {"base_digest": None, "agreement_without_base": None}
    digest = weights_digest(layer)
    weights = layer.get_weights()
    layer.set_weights([np.zeros_like(w) for w in weights])
    try:
        switched_off = predict(model, spec, x)
    finally:
        layer.set_weights(weights)
    agreement = float(np.mean(predicted_classes(predictions) == predicted_classes(switched_off)))
    return {"base_digest": digest, "agreement_without_base": agreement}
