"""Tests of tfcourse.data: registry, checksummed cache, sources, and each dataset's splits."""

from __future__ import annotations

import gzip
import hashlib
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from tfcourse import data
from tfcourse.data import cache, faces, online
from tfcourse.data.registry import DataFile, DataUnavailable, fetch_file
from tfcourse.data.sources import Download, Generated, LocalFile, PackageResource, SourceUnavailable


def sha(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


def test_every_graded_dataset_is_offline():
    """Does every dataset a graded assignment uses install without the internet?"""
    from tfcourse.grading import ASSIGNMENTS

    for spec in ASSIGNMENTS.values():
        assert data.get_spec(spec.dataset).offline, spec.dataset
    assert not data.get_spec("horses_or_humans").offline
    assert not data.get_spec("mnist").offline
    assert not data.get_spec("rock_paper_scissors").offline


def test_unknown_dataset_names_the_known_ones():
    """Is an unknown name answered with the list of registered datasets?"""
    with pytest.raises(KeyError, match="fashion_mnist"):
        data.load("no_such_dataset")


def test_first_working_source_wins_and_is_verified(isolated_cache, tmp_path):
    """Is a missing source skipped and the next one used, with its checksum checked?"""
    payload = b"hello data"
    good = tmp_path / "good.bin"
    good.write_bytes(payload)
    data_file = DataFile("x.bin", sha(payload), (LocalFile(tmp_path / "missing.bin"), LocalFile(good)))
    path = fetch_file("toy", data_file)
    assert path.read_bytes() == payload and path.parent == isolated_cache / "toy"


def test_corrupt_cache_file_is_rebuilt(isolated_cache, tmp_path):
    """Is a cached file that no longer matches its checksum detected and rebuilt, never used?"""
    payload = b"original bytes"
    source = tmp_path / "src.bin"
    source.write_bytes(payload)
    data_file = DataFile("y.bin", sha(payload), (LocalFile(source),))
    path = fetch_file("toy", data_file)
    path.write_bytes(b"original by")  # a partial download
    assert fetch_file("toy", data_file).read_bytes() == payload


def test_wrong_checksum_from_every_source_is_an_error(isolated_cache, tmp_path):
    """Does a source delivering the wrong bytes fail with a message naming each source tried?"""
    source = tmp_path / "src.bin"
    source.write_bytes(b"tampered")
    data_file = DataFile("z.bin", sha(b"expected"), (LocalFile(source), LocalFile(tmp_path / "nope")))
    with pytest.raises(DataUnavailable, match="checksum") as error:
        fetch_file("toy", data_file)
    assert "not found" in str(error.value)
    assert not (isolated_cache / "toy" / "z.bin").exists()


def test_gzip_and_download_sources(tmp_path):
    """Do gzip-compressed local files and (file://) downloads decompress to the same bytes?"""
    payload = b"idx payload" * 100
    packed = tmp_path / "f.gz"
    packed.write_bytes(gzip.compress(payload))
    for source in (LocalFile(packed, gunzip=True), Download(packed.as_uri(), gunzip=True)):
        target = tmp_path / f"out-{type(source).__name__}"
        source.fetch(target)
        assert target.read_bytes() == payload


def test_unreachable_download_is_source_unavailable(tmp_path):
    """Is a failing download reported as an unavailable source rather than a crash?"""
    with pytest.raises(SourceUnavailable):
        Download((tmp_path / "absent.zip").as_uri()).fetch(tmp_path / "out")


def test_package_resource_and_generated_sources(tmp_path):
    """Do package files and generated files work as sources, and missing packages say so?"""
    PackageResource("skimage", "data/lfw_subset.npy").fetch(tmp_path / "lfw.npy")
    assert cache.sha256_of(tmp_path / "lfw.npy") == faces.SPEC.files[0].sha256
    with pytest.raises(SourceUnavailable, match="not installed"):
        PackageResource("no_such_package_xyz", "f").fetch(tmp_path / "f")
    Generated(lambda path: path.write_text("made"), "test").fetch(tmp_path / "g")
    assert (tmp_path / "g").read_text() == "made"


def test_fashion_mnist_splits_are_disjoint_and_sized():
    """Are train/validation/test 50k/10k/10k with pixel values 0-255 and labels 0-9?"""
    x_train, y_train = data.load("fashion_mnist", "train")
    x_val, y_val = data.load("fashion_mnist", "validation")
    x_test, y_test = data.load("fashion_mnist", "test")
    assert x_train.shape == (50_000, 28, 28) and x_val.shape == (10_000, 28, 28) and x_test.shape == (10_000, 28, 28)
    assert x_train.dtype == np.uint8 and set(np.unique(y_test)) == set(range(10))
    assert not np.array_equal(x_train[-1], x_val[-1])


def test_faces_split_is_balanced_and_disjoint():
    """Does each face split hold both classes equally, with no image in two splits?"""
    indices = {split: set(faces.split_indices(split)) for split in ("train", "validation", "test")}
    assert [len(i) for i in indices.values()] == [120, 40, 40]
    assert not (indices["train"] & indices["test"]) and not (indices["validation"] & indices["test"])
    _, y_test = data.load("faces_or_not", "test")
    assert y_test.mean() == 0.5


def test_housing_follows_the_rule():
    """Do all housing splits follow price = 0.5 + 0.5 x bedrooms, with test outside training?"""
    for split in ("train", "validation", "test"):
        bedrooms, prices = data.load("housing", split)
        np.testing.assert_allclose(prices, 0.5 + 0.5 * bedrooms)
    assert not set(data.load("housing", "test")[0]) & set(data.load("housing", "train")[0])


def test_image_directory_layout_and_repair(isolated_cache):
    """Is an image split written as class folders, and an edited file detected and rewritten?"""
    root = data.image_directory("faces_or_not", "validation")
    files = sorted(root.rglob("*.png"))
    assert {p.parent.name for p in files} == {"face", "not_face"} and len(files) == 40
    original = files[0].read_bytes()
    files[0].write_bytes(b"corrupt")
    assert data.image_directory("faces_or_not", "validation") == root
    assert files[0].read_bytes() == original


def test_install_keras_cache_makes_keras_loader_work(tmp_path, monkeypatch):
    """Does keras.datasets.fashion_mnist.load_data() work offline, in a fresh process, once the cache is installed?"""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))
    target = data.install_keras_cache()
    assert target == tmp_path / "keras-home" / "datasets" / "fashion-mnist"
    # Keras reads KERAS_HOME when it is imported, so the loader runs where nothing imported it yet.
    check = ("import keras, numpy; (x, _), (_, y) = keras.datasets.fashion_mnist.load_data(); "
             "numpy.save('labels.npy', y); print(x.shape)")
    run = subprocess.run([sys.executable, "-c", check], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip().endswith("(60000, 28, 28)")
    assert np.array_equal(np.load(tmp_path / "labels.npy"), data.load("fashion_mnist", "test")[1])


def test_mnist_reader_on_fixture(tmp_path):
    """Does the online MNIST reader split a Keras-style mnist.npz correctly (tiny fixture)?"""
    path = tmp_path / "mnist.npz"
    x = np.arange(20_001 * 4, dtype=np.uint8).reshape(20_001, 2, 2)
    np.savez(path, x_train=x[:20_000], y_train=np.arange(20_000) % 10, x_test=x[-1:], y_test=np.array([3]))
    x_train, _ = online.read_mnist_npz(path, "train")
    x_val, _ = online.read_mnist_npz(path, "validation")
    assert len(x_train) == 10_000 and len(x_val) == 10_000
    assert online.read_mnist_npz(path, "test")[1].tolist() == [3]


def test_horses_reader_on_fixture(tmp_path):
    """Does the horses-or-humans reader label images by folder and resize them (tiny zip fixture)?"""
    from PIL import Image

    path = tmp_path / "horse-or-human.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for folder, colour in (("horses", (255, 0, 0)), ("humans", (0, 0, 255))):
            for index in range(2):
                buffer = io.BytesIO()
                Image.new("RGB", (300, 300), colour).save(buffer, format="PNG")
                archive.writestr(f"{folder}/{folder}{index}.png", buffer.getvalue())
        archive.writestr("__MACOSX/horses/._x.png", b"junk")
    images, labels = online.read_image_zip(path, ("horses", "humans"), (150, 150))
    assert images.shape == (4, 150, 150, 3) and labels.tolist() == [0, 0, 1, 1]
    assert images[0, 0, 0].tolist() == [255, 0, 0]


def _png_zip(path, folders, colours, macosx):
    """Write a zip of 4x4 PNGs, two per class folder, plus a macOS resource-fork entry to be ignored."""
    from PIL import Image

    with zipfile.ZipFile(path, "w") as archive:
        for folder, colour in zip(folders, colours):
            for index in range(2):
                buffer = io.BytesIO()
                Image.new("RGB", (4, 4), colour).save(buffer, format="PNG")
                archive.writestr(f"{folder}/{Path(folder).name}{index}.png", buffer.getvalue())
        archive.writestr(f"__MACOSX/{macosx}", b"junk")
    return path


def test_rock_paper_scissors_reader_on_fixture(tmp_path):
    """Does the rock-paper-scissors reader take train from rps.zip and validation from rps-test-set.zip,
    label the folders alphabetically, resize to 150x150 and skip __MACOSX (tiny zip fixtures)?"""
    spec = data.get_spec("rock_paper_scissors")
    assert spec.class_names == ("paper", "rock", "scissors") and spec.splits == ("train", "validation")
    colours = ((255, 0, 0), (0, 255, 0), (0, 0, 255))
    paths = {
        "rps.zip": _png_zip(tmp_path / "rps.zip", ("rps/rock", "rps/paper", "rps/scissors"), colours,
                            "rps/rock/._rock0.png"),
        "rps-test-set.zip": _png_zip(tmp_path / "rps-test-set.zip", ("rps-test-set/scissors",), ((9, 9, 9),),
                                     "rps-test-set/paper/._paper0.png"),
    }
    images, labels = spec.read(paths, "train")
    assert images.shape == (6, 150, 150, 3) and images.dtype == np.uint8
    assert labels.tolist() == [0, 0, 1, 1, 2, 2]  # paper, rock, scissors
    assert images[0, 0, 0].tolist() == [0, 255, 0] and images[2, 0, 0].tolist() == [255, 0, 0]
    images, labels = spec.read(paths, "validation")
    assert images.shape == (2, 150, 150, 3) and labels.tolist() == [2, 2]
    assert images[0, 0, 0].tolist() == [9, 9, 9]


def test_online_specs_carry_real_checksums():
    """Do the online datasets name their published checksums (64 hex digits) and a download source?"""
    for name in ("mnist", "horses_or_humans", "rock_paper_scissors"):
        for data_file in data.get_spec(name).files:
            assert len(data_file.sha256) == 64
            assert any(isinstance(s, Download) for s in data_file.sources)


def test_describe_lists_provenance():
    """Does the dataset table give provenance and license for every dataset?"""
    rows = data.describe_datasets()
    assert {row["name"] for row in rows} >= {"fashion_mnist", "faces_or_not", "housing", "mnist"}
    assert all(row["provenance"] and row["license"] for row in rows)


def test_exported_splits_are_all_a_graded_notebook_can_load(tmp_path, monkeypatch):
    """With $TFCOURSE_SPLITS_DIR set, does load() serve the exported splits and refuse the test split?"""
    from tfcourse.data.exported import SPLITS_ENV, export_split

    x, y = data.load("housing", "train")
    export_split(tmp_path, "housing", "train", x, y)
    monkeypatch.setenv(SPLITS_ENV, str(tmp_path))
    x_back, y_back = data.load("housing", "train")
    assert (x_back == x).all() and (y_back == y).all()
    with pytest.raises(DataUnavailable, match="not available while your notebook is graded; it may load: train"):
        data.load("housing", "test")


def test_local_source_paths_name_the_installed_raw_files():
    """Does the registry list the installed files graded splits come from, so the sandbox can hide them?"""
    from tfcourse.data.registry import local_source_paths

    paths = {str(p) for p in local_source_paths()}
    assert any(p.endswith("fashion-mnist/t10k-images-idx3-ubyte.gz") for p in paths)
    assert any(p.endswith("skimage/data/lfw_subset.npy") for p in paths)
