"""Faces or not: 200 real 25x25 grayscale photos from Labeled Faces in the Wild, half faces, half not."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tfcourse.data.registry import Arrays, DataFile, DatasetSpec, register
from tfcourse.data.sources import PackageResource

CLASS_NAMES = ("face", "not_face")  # label 0 and 1, in the order image_dataset_from_directory sorts them
SPLIT_SIZES = {"train": 60, "validation": 20, "test": 20}  # per class
SPLIT_SEED = 2024


def split_indices(split: str) -> np.ndarray:
    """Indices of one split: a fixed, class-balanced shuffle of the 100 faces and 100 non-faces."""
    rng = np.random.default_rng(SPLIT_SEED)
    chosen = []
    for label in range(len(CLASS_NAMES)):
        order = rng.permutation(100) + 100 * label
        start = 0
        for name, size in SPLIT_SIZES.items():
            if name == split:
                chosen.append(order[start:start + size])
            start += size
    return np.sort(np.concatenate(chosen))


def _read(paths: dict[str, Path], split: str) -> Arrays:
    # The file holds 200 float images in [0, 1]: the first 100 are faces, the rest are not.
    images = np.load(paths["lfw_subset.npy"], allow_pickle=False)
    pixels = np.round(images * 255).astype(np.uint8)
    labels = (np.arange(len(pixels)) >= 100).astype(np.uint8)
    index = split_indices(split)
    return pixels[index], labels[index]


SPEC = register(DatasetSpec(
    name="faces_or_not",
    description="200 real 25x25 grayscale photos: 100 faces and 100 non-face patches; uint8 pixels 0-255",
    provenance="Labeled Faces in the Wild subset shipped by scikit-image (skimage.data.lfw_subset)",
    license="LFW: free for research use; scikit-image: BSD-3-Clause",
    files=(DataFile(
        name="lfw_subset.npy",
        sha256="9560ec2f5edfac01973f63a8a99d00053fecd11e21877e18038fbe500f8e872c",
        sources=(PackageResource("skimage", "data/lfw_subset.npy"),),
    ),),
    read=_read,
    example_shape=(25, 25),
    example_dtype="uint8",
    class_names=CLASS_NAMES,
    notes="class-balanced split with a fixed seed: train 120, validation 40, test 40 images",
))
