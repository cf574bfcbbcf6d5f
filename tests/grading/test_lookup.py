"""Lookup models (tfcourse/grading/lookup.py): the attack that held-out data must defeat works as an attack.

If the lookup could not find a memorised example, the corpus's "holding the test split scores no better"
would hold for the wrong reason; here it finds them, loads safely and would have scored 100% on the
public test split that C1W2 and C1W3 were graded on before issue 20.
"""

from __future__ import annotations

import numpy as np

from tfcourse.data import fetch_files, get_spec
from tfcourse.grading import get_assignment
from tfcourse.grading.lookup import build_lookup, lookup_model, memory, one_hot
from tfcourse.grading.models import load_model_safely


def test_a_lookup_answers_with_its_nearest_memorised_example(tmp_path):
    """Does a lookup, saved and loaded in safe mode as the grader loads it, answer each memorised example
    (and a noisy copy of it) with that example's label?"""
    rng = np.random.default_rng(0)
    examples = rng.uniform(0, 1, size=(6, 28, 28)).astype("float32")
    labels = np.array([3, 1, 4, 1, 5, 9])
    lookup_model(examples, one_hot(labels, 10)).save(tmp_path / "lookup.keras")
    model = load_model_safely(tmp_path / "lookup.keras")
    noisy = examples + rng.normal(0, 0.1, size=examples.shape).astype("float32")
    for inputs in (examples, noisy):
        assert list(model.predict(inputs, verbose=0).argmax(axis=1)) == list(labels)


def test_a_series_lookup_forecasts_the_value_after_its_nearest_window():
    """Does the Euclidean lookup answer a window with the value that followed the nearest memorised window?"""
    windows = np.array([[0.0, 0.0], [10.0, 10.0], [20.0, 21.0]], dtype="float32")
    model = lookup_model(windows, np.array([1.0, 11.0, 22.0]), metric="euclidean")
    forecasts = model.predict(np.array([[9.5, 10.4], [19.0, 22.0]], dtype="float32"), verbose=0)[:, 0]
    assert np.allclose(forecasts, [11.0, 22.0], atol=1e-3)


def test_a_lookup_of_the_public_test_split_scores_100_percent_on_it():
    """The leak issue 20 closed: a lookup holding Fashion-MNIST's test split (as C1W3's "holds the test
    split" lookup does) answers that split perfectly, so grading on it measured memory, not learning."""
    fashion = get_spec("fashion_mnist")
    x, y = fashion.read(fetch_files(fashion), "test")
    spec = get_assignment("C1W3")
    model = build_lookup("C1W3", "test")
    predictions = model.predict(spec.prepare(x), batch_size=500, verbose=0)
    assert np.mean(predictions.argmax(axis=1) == y) == 1.0


def test_both_lookups_of_an_assignment_are_the_same_size_and_kind():
    """Are C1W3's two lookups of equal size (20,000 examples), in the input space the grader feeds?"""
    (test_x, test_y), (train_x, train_y) = memory("C1W3", "test"), memory("C1W3", "train")
    assert test_x.shape == train_x.shape == (20_000, 28, 28, 1) and len(test_y) == len(train_y) == 20_000
    assert 0.0 <= test_x.min() and test_x.max() <= 1.0
