"""Tests of tfcourse.data.tfds_builders: the registry's datasets through tfds.load."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow_datasets as tfds

from tfcourse import data
from tfcourse.data.tfds_builders import BUILDERS, builder_name


def test_every_dataset_has_a_prefixed_builder():
    """Is each registry dataset known to TFDS as tfcourse_<name>, leaving TFDS's own names alone?"""
    assert set(BUILDERS) == set(data.dataset_names())
    known = set(tfds.list_builders())
    assert {builder_name(name) for name in data.dataset_names()} <= known
    assert tfds.builder_cls("fashion_mnist") is not BUILDERS["fashion_mnist"]


@pytest.mark.parametrize("name", ["housing", "faces_or_not", "fashion_mnist", "sunspots", "melbourne_temperatures",
                                  "synthetic_series"])
def test_declared_example_shape_matches_the_data(name):
    """Does each offline dataset's declared example shape and dtype (what TFDS features use) match load()?"""
    spec = data.get_spec(name)
    x, _ = data.load(name, "validation")
    assert x.shape[1:] == spec.example_shape and x.dtype == np.dtype(spec.example_dtype)


@pytest.mark.parametrize("name", ["housing", "faces_or_not", "sunspots"])
def test_tfds_load_gives_the_registry_arrays(name, isolated_cache, tmp_path):
    """Does tfds.load return every split example by example as tfcourse.data.load does?"""
    for split in data.get_spec(name).splits:
        dataset = tfds.load(builder_name(name), split=split, as_supervised=True, data_dir=tmp_path)
        xs, ys = map(np.stack, zip(*tfds.as_numpy(dataset)))
        x, y = data.load(name, split)
        assert np.array_equal(xs.reshape(x.shape), x) and np.array_equal(ys, y)


def test_image_features_follow_tfds_conventions(tmp_path):
    """Do image datasets have an (h, w, channels) image and a named ClassLabel, as TFDS's own do?"""
    info = tfds.builder(builder_name("faces_or_not"), data_dir=tmp_path).info
    assert info.features["image"].shape == (25, 25, 1)
    assert info.features["label"].names == list(data.get_spec("faces_or_not").class_names)
    assert info.supervised_keys == ("image", "label")
    assert tfds.builder(builder_name("horses_or_humans"), data_dir=tmp_path).info.features["image"].shape == (150, 150, 3)
    assert tfds.builder(builder_name("housing"), data_dir=tmp_path).info.supervised_keys == ("x", "y")
