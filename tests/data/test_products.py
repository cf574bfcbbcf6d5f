"""Course 2's generated photo sets: deterministic, pinned, labelled as Keras labels folders, secret held-out."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from tfcourse import data
from tfcourse.data import composites, products
from tfcourse.data.exported import SPLITS_ENV
from tfcourse.data.registry import DataUnavailable
from tfcourse.grading.heldout import heldout_examples

SMALL = dataclasses.replace(products.SNEAKERS_OR_BOOTS, per_class={"train": 6, "validation": 4, "test": 5})


def test_classes_are_numbered_as_keras_numbers_folders():
    """Is class i the i-th folder name in alphabetical order, whatever order the set lists them in?"""
    reordered = dataclasses.replace(SMALL, fashion_labels=(9, 7))
    assert SMALL.class_names == reordered.class_names == ("ankle_boot", "sneaker")


def test_generation_is_deterministic_and_varied(tmp_path):
    """Does a seed give byte-identical files, and do the files vary in size and format?"""
    paths = data.fetch_files(data.get_spec(SMALL.name))
    first = SMALL.write(paths, "train", 7, tmp_path / "a")
    assert SMALL.write(paths, "train", 7, tmp_path / "b") == first
    assert SMALL.write(paths, "train", 8, tmp_path / "c") != first
    files = sorted(p for p in (tmp_path / "a").rglob("*") if p.is_file() and p.name != "MANIFEST.sha256")
    assert len(files) == 12 and {p.parent.name for p in files} == {"ankle_boot", "sneaker"}
    from PIL import Image

    sizes = {Image.open(p).size for p in files}
    assert len(sizes) > 1 and {p.suffix for p in files} <= {".jpg", ".png"}


def test_public_split_matches_its_pin_and_is_repaired(isolated_cache):
    """Is a public split generated once, verified against its pinned checksum, and rebuilt when edited?"""
    root = data.image_directory("sneakers_or_boots", "validation")
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.name != "MANIFEST.sha256")
    assert len(files) == 500
    original = files[0].read_bytes()
    files[0].write_bytes(b"edited")
    assert data.image_directory("sneakers_or_boots", "validation") == root
    assert files[0].read_bytes() == original


def test_a_drifted_generator_is_refused(tmp_path):
    """Does a split that does not match its pinned checksum raise instead of serving other images?"""
    drifted = dataclasses.replace(products.SNEAKERS_OR_BOOTS, seeds={"train": 1, "validation": 1})
    with pytest.raises(DataUnavailable, match="pinned checksum"):
        drifted.write_split(data.fetch_files(data.get_spec(drifted.name)), "validation", tmp_path / "validation")
    assert not (tmp_path / "validation").exists()


def test_load_reads_folders_as_the_notebooks_do(isolated_cache):
    """Does load() give 96x96x3 uint8 photos and balanced labels, as image_dataset_from_directory yields?"""
    x, y = data.load("sneakers_or_boots", "validation")
    assert x.shape == (500, 96, 96, 3) and x.dtype == np.uint8 and np.bincount(y).tolist() == [250, 250]


def test_heldout_comes_from_the_secret_seed_and_other_articles():
    """Are held-out photos drawn from the seed (different seeds, different photos) and from test articles only?"""
    x1, y1 = heldout_examples("sneakers_or_boots", 1)
    x2, _ = heldout_examples("sneakers_or_boots", 2)
    assert x1.shape == (1000, 96, 96, 3) and np.bincount(y1).tolist() == [500, 500]
    assert not np.array_equal(x1, x2)
    assert composites.HELDOUT_ITEMS_SPLIT == "test"


def test_a_set_made_like_another_draws_its_held_out_photos():
    """Do C2W2's photos (sneakers_or_boots_small) and C2W1's share their held-out draw for a seed, while their
    seeds still draw the others apart?"""
    small, large = heldout_examples("sneakers_or_boots_small", 3), heldout_examples("sneakers_or_boots", 3)
    assert np.array_equal(small[0], large[0]) and np.array_equal(small[1], large[1])


def test_graded_notebooks_see_only_exported_folders(tmp_path, monkeypatch):
    """While graded, does image_directory serve the exported folders and refuse any other split?"""
    from tfcourse.grading import get_assignment
    from tfcourse.grading.policies import export_notebook_splits

    export_notebook_splits(get_assignment("C2W1"), tmp_path / "view")
    monkeypatch.setenv(SPLITS_ENV, str(tmp_path / "view"))
    assert data.image_directory("sneakers_or_boots", "train") == tmp_path / "view" / "sneakers_or_boots" / "train"
    with pytest.raises(ValueError, match="splits"):
        data.image_directory("sneakers_or_boots", "test")


def test_csv_split_has_the_sign_language_layout(isolated_cache):
    """Is a pixel table served as a CSV (header, then label and 784 pixels per row) that load() parses back?"""
    path = data.csv_file("products_28x28", "validation")
    lines = path.read_text().splitlines()
    assert lines[0].startswith("label,pixel1,") and lines[0].endswith(",pixel784")
    assert len(lines) == 2001 and len(lines[1].split(",")) == 785
    x, y = data.load("products_28x28", "validation")
    assert x.shape == (2000, 28, 28) and x.dtype == np.uint8 and np.bincount(y).tolist() == [200] * 10
    assert int(lines[1].split(",")[0]) == y[0] and [int(v) for v in lines[1].split(",")[1:29]] == x[0, 0].tolist()
    with pytest.raises(ValueError, match="not served as CSV"):
        data.csv_file("sneakers_or_boots", "validation")
