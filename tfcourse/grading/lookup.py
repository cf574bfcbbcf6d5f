"""Lookup models: what a model that memorises examples, instead of learning from them, scores.

A lookup holds a memory of (example, answer) pairs in its weights and answers every input with the
answer of the memorised example nearest to it. It is made of built-in Keras layers only, so it loads
in safe mode and the grader scores it like any other model. It is the attack that held-out data must
defeat: a lookup whose memory holds every example a learner can download (a public test split
included) must do no better on the held-out data than one that holds only the training split
(tests/test_corpus.py, benchmarks/heldout_secrecy.py, docs/security.md).

:func:`build_lookup` makes the two lookups the audit compares for an assignment, of the same size:

- ``holds="test"``: the memory holds what a learner can download of the material the held-out
  examples are made from, in the form that serves a lookup best: Fashion-MNIST's test split as it is
  next to as many posed training photos (C1W2, C1W3); one composite of each test article of the set's
  classes, made with the public generator and a seed of the attacker's own (C1W4, Course 2).
- ``holds="train"``: the same memory made from training material only: posed training photos; one
  composite of as many of Fashion-MNIST's training articles.

The synthetic series (C4W2, C4W3) has no public test material: its held-out year's noise is drawn from
the secret seed. Its "test" lookup holds windows of future years drawn with the attacker's own noise,
the nearest anyone can come; its "train" lookup the public years' windows.

Nearness is the correlation of the two examples' features (their values centred and scaled, as a
``LayerNormalization`` without weights does), or for series the Euclidean distance between windows.
A softmax over the similarities, sharpened until it picks one memorised example, weighs the answers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from functools import cache

import numpy as np

from tfcourse.data import fetch_files, get_spec, load, products
from tfcourse.grading.specs import get_assignment

# Softmax sharpness: correlations within 0.01 of the best still share the vote; anything further does not.
SHARPNESS = 2000.0


def _features(front: Sequence, x: np.ndarray, dtype: str) -> np.ndarray:
    """Examples as flat float32 features, through the model's own front layers (resizing, say)."""
    import keras

    if front:
        model = keras.Sequential([keras.Input(shape=x.shape[1:], dtype=dtype), *front])
        if dtype == "string":  # Keras refuses numpy's unicode arrays; a string tensor it takes
            import tensorflow as tf

            x = model.predict(tf.constant(np.asarray(x, dtype=str)), batch_size=256, verbose=0)
        else:
            x = model.predict(x.astype(np.float32), batch_size=256, verbose=0)
    return np.asarray(x, dtype=np.float32).reshape(len(x), -1)


def lookup_model(memory: np.ndarray, answers: np.ndarray, *, front: Sequence = (), metric: str = "correlation"):
    """A Keras model that answers each input with the answer of its nearest example in ``memory``.

    ``answers`` has one row per memorised example: one-hot classes (several units), a probability of
    class 1 (one unit) or a value to forecast. ``front`` layers (e.g. ``Resizing``, or a
    ``TextVectorization`` for texts, given as an ``(n, 1)`` array of strings) run on the input before it
    is compared, and the memory is stored after them. ``metric`` is ``"correlation"`` (images and texts
    as vectors) or ``"euclidean"`` (series windows, whose level matters).
    """
    import keras

    answers = np.asarray(answers, dtype=np.float32).reshape(len(answers), -1)
    dtype = "string" if memory.dtype.kind in "UO" else "float32"
    features = _features(front, memory, dtype)
    inputs = keras.Input(shape=memory.shape[1:], dtype=dtype)
    x = inputs
    for layer in front:
        x = layer(x)
    x = keras.layers.Flatten()(x)
    if metric == "correlation":
        normalise = keras.layers.LayerNormalization(center=False, scale=False, epsilon=1e-6)
        normalised = np.asarray(normalise(features), dtype=np.float32)
        x = normalise(x)
        similarity = keras.layers.Dense(len(memory), use_bias=False, name="memory")
        x = similarity(x)
        similarity.set_weights([normalised.T / features.shape[1]])
        x = keras.layers.Rescaling(SHARPNESS)(x)
    elif metric == "euclidean":  # -|x - m|^2 = 2 x.m - |m|^2 - |x|^2, and softmax ignores the last term
        similarity = keras.layers.Dense(len(memory), name="memory")
        x = similarity(x)
        similarity.set_weights([2.0 * features.T, -np.sum(features**2, axis=1)])
    else:
        raise ValueError(f"metric must be 'correlation' or 'euclidean', not {metric!r}")
    x = keras.layers.Softmax()(x)
    vote = keras.layers.Dense(answers.shape[1], use_bias=False, name="answers")
    outputs = vote(x)
    vote.set_weights([answers])
    return keras.Model(inputs, outputs, name="lookup")


def one_hot(labels: np.ndarray, units: int) -> np.ndarray:
    """Class labels as answers for a model with ``units`` outputs: one per class, or for a binary model with
    one unit, the probability of class 1."""
    labels = np.asarray(labels, dtype=int)
    if units == 1:
        return labels.reshape(-1, 1).astype(np.float32)
    return np.eye(units, dtype=np.float32)[labels]


ATTACKER_SEED = 20260101  # the attacker's own seed: any seed but the instructor's secret one
C1_HALF = 10_000  # Fashion-MNIST's test split holds 10,000 photos
SERIES_WINDOW = 20
OWN_FUTURE_YEARS = 3
ARTICLES_PER_CLASS = 1000  # every test article: Fashion-MNIST's test split has 1,000 per class


def product_set(name: str):
    """The generated photo set called ``name``."""
    return next(s for s in (products.DRESSES_OR_TROUSERS, products.SNEAKERS_OR_BOOTS, products.SNEAKERS_OR_BOOTS_SMALL,
                            products.DRESSES_SANDALS_BAGS, products.PRODUCTS_28X28) if s.name == name)


@cache
def own_composites(dataset: str, split: str) -> tuple[np.ndarray, np.ndarray]:
    """``ARTICLES_PER_CLASS`` composites of each class of the set, made with the public generator and the
    attacker's seed from Fashion-MNIST's ``split`` ("test": the articles held-out photos are made of)."""
    photo_set = product_set(dataset)
    every_article = dataclasses.replace(photo_set, per_class={split: ARTICLES_PER_CLASS})
    return every_article.draw(fetch_files(get_spec(dataset)), split, ATTACKER_SEED)


def series_windows(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every window of ``SERIES_WINDOW`` values and the value after it."""
    windows = np.lib.stride_tricks.sliding_window_view(values[:-1], SERIES_WINDOW)
    return np.ascontiguousarray(windows, dtype=np.float32), values[SERIES_WINDOW:].astype(np.float32)


def own_future_windows() -> tuple[np.ndarray, np.ndarray]:
    """Windows of the synthetic series' next year, drawn with the attacker's noise (the public generator)."""
    from tfcourse.data.series_sets import SYNTHETIC

    years = [SYNTHETIC.heldout({}, ATTACKER_SEED + year)[1] for year in range(OWN_FUTURE_YEARS)]
    _, validation = load("synthetic_series", "validation")
    pieces = [series_windows(np.concatenate([validation[-SERIES_WINDOW:], year])) for year in years]
    return np.concatenate([x for x, _ in pieces]), np.concatenate([y for _, y in pieces])


@cache
def memory(assignment: str, holds: str) -> tuple[np.ndarray, np.ndarray]:
    """(examples as the grader feeds them, labels or next values) of one lookup's memory."""
    spec = get_assignment(assignment)
    if spec.dataset == "fashion_poses":
        posed, labels = load("fashion_poses", "train")
        if holds == "test":
            test_x, test_y = get_spec("fashion_mnist").read(fetch_files(get_spec("fashion_mnist")), "test")
            x, y = np.concatenate([test_x, posed[:C1_HALF]]), np.concatenate([test_y, labels[:C1_HALF]])
        else:
            x, y = posed[:2 * C1_HALF], labels[:2 * C1_HALF]
        return spec.prepare(x), y
    if spec.dataset == "synthetic_series":
        if holds == "test":
            return own_future_windows()
        _, train = load("synthetic_series", "train")
        _, validation = load("synthetic_series", "validation")
        return series_windows(np.concatenate([train, validation]))
    x, y = own_composites(spec.dataset, "test" if holds == "test" else "train")
    return spec.prepare(x), y


def front_layers(assignment: str) -> list:
    """Course 2's photos are compared at 32x32, which keeps a memory of thousands of photos under 200 MiB."""
    import keras

    return [keras.layers.Resizing(32, 32)] if get_assignment(assignment).input_shape == (96, 96, 3) else []


def build_lookup(assignment: str, holds: str):
    """The lookup model of one corpus case."""
    spec = get_assignment(assignment)
    x, y = memory(assignment, holds)
    if spec.is_forecaster:
        return lookup_model(x, y, metric="euclidean")
    return lookup_model(x, one_hot(y, spec.output_units), front=front_layers(assignment))
