"""Tests of tfcourse.pretrained: the course's pre-trained base, its cache, its export and its weights digest."""

from __future__ import annotations

import hashlib
import json

import pytest

from tfcourse import pretrained
from tfcourse.built import get_artifact
from tfcourse.data import DataUnavailable
from tfcourse.data.exported import SPLITS_ENV
from tfcourse.data.products import DRESSES_SANDALS_BAGS


def test_the_base_never_sees_the_classes_it_is_reused_for():
    """Is the base pre-trained only on classes C2W3 does not ask about?"""
    assert not set(pretrained.RECIPE.fashion_labels) & set(DRESSES_SANDALS_BAGS.fashion_labels)


def test_weights_digest_changes_with_any_weight():
    """Does the digest stay put for the same weights and change when one number moves or weights are redrawn?"""
    import keras

    base = pretrained.build_model()
    digest = pretrained.weights_digest(base)
    assert pretrained.weights_digest(base) == digest
    nudged = [w.copy() for w in base.get_weights()]
    nudged[0].flat[0] += 1e-6
    base.set_weights(nudged)
    assert pretrained.weights_digest(base) != digest
    assert pretrained.weights_digest(keras.models.clone_model(base)) != pretrained.weights_digest(base)


def test_find_base_looks_inside_nested_models():
    """Is the base found however deep the learner nests it, and None reported when it is absent?"""
    import keras

    base = pretrained.build_model()
    inputs = keras.Input((96, 96, 3))
    features = keras.Sequential([keras.layers.Resizing(32, 32), base], name="features")
    model = keras.Model(inputs, keras.layers.Dense(3)(keras.layers.GlobalAveragePooling2D()(features(inputs))))
    assert pretrained.find_base(model) is base
    assert pretrained.find_base(keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])) is None


def test_a_corrupt_cached_base_is_not_used(isolated_cache):
    """Is a cached base whose file no longer matches its recorded checksum treated as missing?"""
    folder = pretrained.base_folder()
    folder.mkdir(parents=True)
    (folder / pretrained.FILE_NAME).write_bytes(b"model bytes")
    recorded = {"file_sha256": hashlib.sha256(b"model bytes").hexdigest(), "weights_sha256": "w"}
    (folder / pretrained.INFO_NAME).write_text(json.dumps(recorded))
    assert pretrained.info() == recorded
    (folder / pretrained.FILE_NAME).write_bytes(b"tampered bytes")
    assert pretrained.info() is None


def test_a_graded_notebook_gets_only_the_exported_base(tmp_path, monkeypatch):
    """While graded, is the base read from the grader's export (and refused when it is not there)?"""
    monkeypatch.setenv(SPLITS_ENV, str(tmp_path))
    with pytest.raises(DataUnavailable, match="not available to this graded notebook"):
        pretrained.load_base()
    monkeypatch.delenv(SPLITS_ENV)
    exported = get_artifact("product_base").export(tmp_path)
    published = pretrained.published_weights_digest()
    monkeypatch.setenv(SPLITS_ENV, str(tmp_path))
    base = pretrained.load_base()
    assert exported.parent.name == "pretrained" and base.name == pretrained.BASE_NAME
    assert base.input_shape[1:] == pretrained.INPUT_SHAPE
    assert pretrained.published_weights_digest() == published


def test_the_cached_base_was_trained():
    """Does the cached base classify its own classes far above chance (1/7), as its info file records?"""
    pretrained.ensure_built(progress=False)
    recorded = pretrained.info()
    assert recorded["validation_accuracy"] > 0.6
    assert recorded["recipe"]["fashion_labels"] == list(pretrained.RECIPE.fashion_labels)
