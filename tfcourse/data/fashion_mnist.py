"""Fashion-MNIST: 70,000 28x28 grayscale photos of clothing in 10 classes (Zalando Research)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tfcourse.data.registry import Arrays, DataFile, DatasetSpec, register
from tfcourse.data.sources import Download, LocalFile

DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")  # Debian package dataset-fashion-mnist
KERAS_DIR = Path("~/.keras/datasets/fashion-mnist")
UPSTREAM = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
VALIDATION_SIZE = 10_000

CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")

# sha256 of the *decompressed* idx files: the Debian .gz files differ from upstream's
# only in their gzip headers, so this is the checksum both sources agree on.
IDX_FILES = {
    "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
}


def read_idx(path: Path) -> np.ndarray:
    """Read an uncompressed IDX file (the MNIST family's format) into a uint8 array."""
    raw = path.read_bytes()
    if raw[:2] != b"\x00\x00" or raw[2] != 0x08:
        raise ValueError(f"{path} is not an unsigned-byte IDX file")
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def split_train_validation(x: np.ndarray, y: np.ndarray, split: str, validation_size: int) -> Arrays:
    """The last ``validation_size`` training examples are the validation split."""
    if split == "train":
        return x[:-validation_size], y[:-validation_size]
    return x[-validation_size:], y[-validation_size:]


def _read(paths: dict[str, Path], split: str) -> Arrays:
    prefix = "t10k" if split == "test" else "train"
    x = read_idx(paths[f"{prefix}-images-idx3-ubyte"])
    y = read_idx(paths[f"{prefix}-labels-idx1-ubyte"])
    if split == "test":
        return x, y
    return split_train_validation(x, y, split, VALIDATION_SIZE)


def _idx_file(stem: str, sha256: str) -> DataFile:
    return DataFile(
        name=stem,
        sha256=sha256,
        sources=(
            LocalFile(DEBIAN_DIR / f"{stem}.gz", gunzip=True),
            LocalFile(KERAS_DIR / f"{stem}.gz", gunzip=True),
            Download(f"{UPSTREAM}{stem}.gz", gunzip=True),
        ),
    )


SPEC = register(DatasetSpec(
    name="fashion_mnist",
    description="70,000 28x28 grayscale product photos, 10 clothing classes; uint8 pixels 0-255",
    provenance="Zalando Research (Xiao, Rasul & Vollgraf 2017); offline from Debian package dataset-fashion-mnist",
    license="MIT",
    files=tuple(_idx_file(stem, sha) for stem, sha in IDX_FILES.items()),
    read=_read,
    example_shape=(28, 28),
    example_dtype="uint8",
    class_names=CLASS_NAMES,
    notes="train: first 50,000 training images; validation: last 10,000; test: the official 10,000 test images",
))
