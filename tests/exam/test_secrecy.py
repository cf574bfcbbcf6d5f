"""Task 2's hidden photos cannot be looked up: memorising the public test articles does not help.

Task 2's hidden photos are posed from Fashion-MNIST's official test articles, which anyone can download.
A lookup model (tfcourse.grading.lookup: built-in layers, loads in safe mode) whose memory holds those
test photos as they are, next to the attempt's own 6,000 photos, is compared with a lookup of the same
size holding posed *training* photos only (the attempt's and more from the installed `fashion_poses`).
Both are scored by the sandboxed scorer on the attempt's hidden data, as `tfcourse exam check` scores.
"""

from __future__ import annotations

import numpy as np
import pytest

from tfcourse.data import fetch_files, get_spec, load
from tfcourse.exam.attempt import variant
from tfcourse.exam.tasks import _photo_classes, _relabelled, get_task
from tfcourse.grading.lookup import lookup_model, one_hot
from tfcourse.grading.scorer import Scorer

TOLERANCE = 0.02  # the corpus' tolerance for the same audit of the course's assignments
HIDDEN_SEEDS = (1000, 1001)


@pytest.mark.slow
def test_a_lookup_of_the_public_test_articles_does_no_better(tmp_path):
    task = get_task(2)
    drawn = variant(1, task)
    classes = _photo_classes(drawn)
    task.write_training(drawn, tmp_path)
    with np.load(tmp_path / "photos.npz") as photos:
        own_x, own_y = photos["x"], photos["y"]
    fashion = get_spec("fashion_mnist")
    test_x, test_y = _relabelled(*fashion.read(fetch_files(fashion), "test"), classes)
    posed_x, posed_y = _relabelled(*load("fashion_poses", "train"), classes)
    size = len(test_x) + len(own_x)
    picked = np.random.default_rng(5).choice(len(posed_x), size, replace=False)
    memories = {"test articles": (np.concatenate([test_x, own_x]), np.concatenate([test_y, own_y])),
                "training photos": (posed_x[picked], posed_y[picked])}
    accuracy = {}
    with Scorer() as scorer:
        for name, (x, y) in memories.items():
            path = tmp_path / f"{name.replace(' ', '_')}.keras"
            lookup_model(x / 255.0, one_hot(y, len(classes))).save(path)
            accuracy[name] = [scorer.score_model(task.spec, path, task.hidden(drawn, seed))[0].value
                              for seed in HIDDEN_SEEDS]
    gain = np.mean(accuracy["test articles"]) - np.mean(accuracy["training photos"])
    assert gain <= TOLERANCE, accuracy
