"""The original course's datasets that need the internet (MNIST, horses or humans, rock paper scissors).

They use the same registry and checksummed cache as the offline data; graded work never
depends on them. Their reading code is tested on small fixtures.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np

from tfcourse.data.cache import keras_datasets_dir
from tfcourse.data.fashion_mnist import split_train_validation
from tfcourse.data.registry import Arrays, DataFile, DatasetSpec, register
from tfcourse.data.sources import Download, LocalFile

KERAS_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
TFDS_ORIGIN = "https://storage.googleapis.com/download.tensorflow.org/data/"
HORSES_IMAGE_SIZE = (150, 150)
RPS_IMAGE_SIZE = (150, 150)
# Alphabetical, as Keras' flow_from_directory and image_dataset_from_directory label the folders.
RPS_CLASS_NAMES = ("paper", "rock", "scissors")


def read_mnist_npz(path: Path, split: str) -> Arrays:
    """Read Keras' mnist.npz; the last 10,000 training images are the validation split."""
    with np.load(path, allow_pickle=False) as arrays:
        if split == "test":
            return arrays["x_test"], arrays["y_test"]
        return split_train_validation(arrays["x_train"], arrays["y_train"], split, 10_000)


def read_image_zip(path: Path, class_names: tuple[str, ...], image_size: tuple[int, int]) -> Arrays:
    """Decode every image in a zip whose folders name the classes (``horses/x.png``).

    Images are resized to ``image_size`` and returned as uint8 RGB arrays with integer labels.
    """
    from PIL import Image

    images, labels = [], []
    with zipfile.ZipFile(path) as archive:
        for member in sorted(archive.namelist()):
            parts = Path(member).parts
            if member.endswith("/") or "__MACOSX" in parts or len(parts) < 2 or parts[-2] not in class_names:
                continue
            with Image.open(io.BytesIO(archive.read(member))) as image:
                rgb = image.convert("RGB").resize(image_size[::-1])
            images.append(np.asarray(rgb, dtype=np.uint8))
            labels.append(class_names.index(parts[-2]))
    if not images:
        raise ValueError(f"{path} holds no images in folders named {class_names}")
    return np.stack(images), np.asarray(labels, dtype=np.uint8)


def _read_horses(paths: dict[str, Path], split: str) -> Arrays:
    archive = "validation-horse-or-human.zip" if split == "validation" else "horse-or-human.zip"
    return read_image_zip(paths[archive], ("horses", "humans"), HORSES_IMAGE_SIZE)


def _read_rps(paths: dict[str, Path], split: str) -> Arrays:
    archive = "rps-test-set.zip" if split == "validation" else "rps.zip"
    return read_image_zip(paths[archive], RPS_CLASS_NAMES, RPS_IMAGE_SIZE)


MNIST = register(DatasetSpec(
    name="mnist",
    description="70,000 28x28 grayscale handwritten digits; uint8 pixels 0-255 (needs the internet once)",
    provenance="LeCun, Cortes & Burges; Keras' copy (mnist.npz)",
    license="CC BY-SA 3.0",
    files=(DataFile(
        name="mnist.npz",
        sha256="731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
        sources=(LocalFile(keras_datasets_dir() / "mnist.npz", offline=False), Download(f"{KERAS_ORIGIN}mnist.npz")),
    ),),
    read=lambda paths, split: read_mnist_npz(paths["mnist.npz"], split),
    example_shape=(28, 28),
    example_dtype="uint8",
    class_names=tuple(str(digit) for digit in range(10)),
    notes="train: first 50,000; validation: last 10,000 training images; test: official 10,000",
))

HORSES_OR_HUMANS = register(DatasetSpec(
    name="horses_or_humans",
    description="1,283 300x300 rendered photos of horses and humans (needs the internet once)",
    provenance="Laurence Moroney, the original course's dataset; checksums as published by TFDS",
    license="CC BY 2.0",
    files=(
        DataFile(
            name="horse-or-human.zip",
            sha256="e2e6f70d3d549c5dd10a57165e55af253ee66ad750403f95c0fb76bb943633a9",
            sources=(Download(f"{TFDS_ORIGIN}horse-or-human.zip", timeout_s=120),),
        ),
        DataFile(
            name="validation-horse-or-human.zip",
            sha256="ae5fff2f4f5554791f05358108e2e05d9801b191f1896ea101402f0e7f6c32c0",
            sources=(Download(f"{TFDS_ORIGIN}validation-horse-or-human.zip", timeout_s=120),),
        ),
    ),
    read=_read_horses,
    example_shape=(*HORSES_IMAGE_SIZE, 3),
    example_dtype="uint8",
    class_names=("horses", "humans"),
    splits=("train", "validation"),
    notes="images resized to 150x150 RGB; the original has no test split",
))

ROCK_PAPER_SCISSORS = register(DatasetSpec(
    name="rock_paper_scissors",
    description="2,892 300x300 CGI photos of hands playing rock, paper, scissors (needs the internet once)",
    provenance="Laurence Moroney, the original course's dataset; checksums as published by TFDS",
    license="CC BY 2.0",
    files=(
        DataFile(
            name="rps.zip",
            sha256="c2403444395842ad04c53612bad54b574443eae17a0723117a2ff87b9d72194f",
            sources=(Download(f"{TFDS_ORIGIN}rps.zip", timeout_s=120),),
        ),
        DataFile(
            name="rps-test-set.zip",
            sha256="c27ab9fa43ce40b2e453de711365b477f4424586edf0388116674fd320f07503",
            sources=(Download(f"{TFDS_ORIGIN}rps-test-set.zip", timeout_s=120),),
        ),
    ),
    read=_read_rps,
    example_shape=(*RPS_IMAGE_SIZE, 3),
    example_dtype="uint8",
    class_names=RPS_CLASS_NAMES,
    splits=("train", "validation"),
    notes=("images resized to 150x150 RGB; train: rps.zip (2,520); validation: the original's test set, "
           "rps-test-set.zip (372), as the course's labs use it; labels in alphabetical order "
           "(TFDS' own builder orders them rock, paper, scissors)"),
))
