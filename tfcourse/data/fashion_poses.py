"""Fashion-MNIST in varied poses: every photo turned, tilted, resized, shifted and sometimes mirrored.

Why not Fashion-MNIST itself: its test split is public, so a model built outside the notebook can
memorise the very images that grade it (a lookup of the 10,000 test photos scores 100%). Here each
split poses its own Fashion-MNIST articles: the public training and validation splits with fixed
seeds (pinned checksums), the held-out examples with the instructor's secret seed, from the official
test articles. A posed article is far enough from its original that a lookup holding every public
photo, test split included, does no better than one holding the training split alone
(docs/security.md has the measurements), while a classifier trained on posed photos learns the pose
as it learns the class.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tfcourse.data import cache, fashion_mnist
from tfcourse.data.registry import Arrays, DatasetSpec, DataUnavailable, register

NAME = "fashion_poses"
HELDOUT_PER_CLASS = 300  # 3,000 held-out photos: the standard error of an accuracy near 0.85 is 0.0065
SIDE = 28


@dataclass(frozen=True)
class Pose:
    """How far a photo may move: degrees of rotation, scale, shear, pixels of shift, the share mirrored."""

    max_rotation: float = 12.0
    scale: tuple[float, float] = (0.88, 1.10)
    max_shear: float = 0.12
    max_shift: float = 2.0
    mirrored_share: float = 0.5


POSE = Pose()


def posed(article: np.ndarray, rng: np.random.Generator, pose: Pose = POSE) -> np.ndarray:
    """One 28x28 uint8 photo turned, sheared, scaled and shifted about its centre (and perhaps mirrored)."""
    from PIL import Image

    image = Image.fromarray(article)
    if rng.random() < pose.mirrored_share:
        image = image.transpose(Image.FLIP_LEFT_RIGHT)
    angle = np.deg2rad(rng.uniform(-pose.max_rotation, pose.max_rotation))
    scale = rng.uniform(*pose.scale)
    shear = rng.uniform(-pose.max_shear, pose.max_shear)
    shift = rng.uniform(-pose.max_shift, pose.max_shift, size=2)
    forward = (np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
               @ np.array([[1.0, shear], [0.0, 1.0]]) * scale)
    # Pillow maps each output pixel back to the input: input = inverse @ (output - centre - shift) + centre.
    inverse = np.linalg.inv(forward)
    centre = np.array([(SIDE - 1) / 2, (SIDE - 1) / 2])
    offset = centre - inverse @ (centre + shift)
    coefficients = (inverse[0, 0], inverse[0, 1], offset[0], inverse[1, 0], inverse[1, 1], offset[1])
    return np.asarray(image.transform((SIDE, SIDE), Image.AFFINE, coefficients, resample=Image.BILINEAR),
                      dtype=np.uint8)


def pose_all(articles: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Every article posed in turn; deterministic for the generator's state."""
    return np.stack([posed(article, rng) for article in articles])


def examples_digest(x: np.ndarray, y: np.ndarray) -> str:
    """SHA-256 of a split's pixels and labels (what the pinned checksums below are)."""
    return hashlib.sha256(np.ascontiguousarray(x).tobytes() + np.ascontiguousarray(y).tobytes()).hexdigest()


SEEDS = {"train": 61, "validation": 62}
DIGESTS = {"train": "964479cf6da9c0b67ee664b4e88541267f6bfe4064dd06725c931b7c6e85b373",
           "validation": "a10732e3458268aa688018d8b6e3b15cde01a74b55e5da6f0265e4b84a1d4c3a"}


def _read(paths: dict[str, Path], split: str) -> Arrays:
    """A public split: posed once, checked against its pinned checksum, then read from the cache."""
    target = cache.cache_dir() / NAME / f"{split}.npz"
    if target.is_file():
        with np.load(target, allow_pickle=False) as arrays:
            x, y = arrays["x"], arrays["y"]
        if examples_digest(x, y) == DIGESTS[split]:
            return x, y
    articles, labels = fashion_mnist.SPEC.read(paths, split)
    x = pose_all(articles, np.random.default_rng(SEEDS[split]))
    digest = examples_digest(x, labels)
    if digest != DIGESTS[split]:
        raise DataUnavailable(f"posed {NAME}/{split} does not match its pinned checksum (got {digest}); "
                              f"a different Pillow version draws other pixels")
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    with open(part, "wb") as stream:
        np.savez(stream, x=x, y=labels)
    part.replace(target)
    return x, labels


def _heldout(paths: dict[str, Path], seed: int) -> Arrays:
    """``HELDOUT_PER_CLASS`` of each class's official test articles, chosen and posed from a secret seed."""
    articles, labels = fashion_mnist.SPEC.read(paths, "test")
    rng = np.random.default_rng(seed)
    chosen = np.sort(np.concatenate([rng.choice(np.flatnonzero(labels == label), HELDOUT_PER_CLASS, replace=False)
                                     for label in range(len(fashion_mnist.CLASS_NAMES))]))
    return pose_all(articles[chosen], rng), labels[chosen]


SPEC = register(DatasetSpec(
    name=NAME,
    description="Fashion-MNIST's 28x28 grayscale photos, each turned (up to 12 degrees), sheared, resized (88-110%), "
                "shifted (up to 2 px) and mirrored half the time; 10 classes, uint8 pixels 0-255",
    provenance="Fashion-MNIST (Zalando Research), posed by tfcourse; each split poses its own articles",
    license="MIT (Fashion-MNIST)",
    files=fashion_mnist.SPEC.files,
    read=_read,
    example_shape=(SIDE, SIDE),
    example_dtype="uint8",
    class_names=fashion_mnist.CLASS_NAMES,
    splits=("train", "validation"),
    notes="train 50,000 and validation 10,000 photos (Fashion-MNIST's training articles); held-out 3,000 photos "
          "(300 per class) posed from the instructor's secret seed from the official test articles",
    heldout=_heldout,
))
