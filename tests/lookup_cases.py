"""The lookup attack of the corpus: models that memorise public examples instead of learning from them.

The models cases save :func:`tfcourse.grading.lookup.build_lookup`'s lookups; the notebook cases build
the same lookups inside a notebook, carrying a memory of test material as bytes in a cell (the sandbox
hides every copy of it while the notebook runs). The corpus asserts that a lookup holding the test
material scores no better than the one holding the training split (``no_better_than``).
"""

from __future__ import annotations

import base64
import io
import zlib

import numpy as np

from tfcourse.data import fetch_files, get_spec
from tfcourse.grading import get_assignment
from tfcourse.grading.lookup import own_composites


def packed(array: np.ndarray) -> str:
    """An array as base64 text of its compressed .npy bytes: how a notebook carries a memory inside itself."""
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return base64.b64encode(zlib.compress(buffer.getvalue(), 9)).decode()


NOTEBOOK_LOOKUP = '''\
# A lookup, not a trained model: its weights memorise photos and it answers with the nearest one's label.
import base64, io, zlib
import numpy as np
from tfcourse.grading.lookup import lookup_model, one_hot


def unpack(text):
    return np.load(io.BytesIO(zlib.decompress(base64.b64decode(text))), allow_pickle=False)


{memory}
model = lookup_model(memory_x, one_hot(memory_y, {units}))
history = {{"loss": [0.0], "accuracy": [0.0]}}
'''

# What each notebook case's memory is made of, inside the notebook: carried as bytes ("test") or loaded
# from the public splits the sandbox exports ("train").
NOTEBOOK_MEMORY = {
    ("C1W2", "test"): '''\
test_x, test_y = unpack("{test_x}"), unpack("{test_y}")  # Fashion-MNIST's test split, carried in the notebook
posed_x, posed_y = load("fashion_poses", "train")
memory_x = (np.concatenate([test_x, posed_x[:10000]]) / 255.0).astype("float32")
memory_y = np.concatenate([test_y, posed_y[:10000]])''',
    ("C1W2", "train"): '''\
posed_x, posed_y = load("fashion_poses", "train")
memory_x = (posed_x[:20000] / 255.0).astype("float32")
memory_y = posed_y[:20000]''',
    ("C1W4", "test"): '''\
memory_x, memory_y = unpack("{test_x}").astype("float32"), unpack("{test_y}")  # composites of every test article''',
    ("C1W4", "train"): '''\
memory_x, memory_y = unpack("{train_x}").astype("float32"), unpack("{train_y}")  # composites of training articles''',
}


def notebook_lookup_cell(assignment: str, holds: str) -> str:
    """The source of the cell that builds a notebook case's lookup (its test memory carried as bytes)."""
    spec = get_assignment(assignment)
    source = NOTEBOOK_MEMORY[(assignment, holds)]
    for split in ("test", "train"):
        if f"{{{split}_x}}" not in source:
            continue
        if spec.dataset == "fashion_poses":
            x, y = get_spec("fashion_mnist").read(fetch_files(get_spec("fashion_mnist")), split)
        else:
            x, y = own_composites(spec.dataset, split)
        source = source.replace(f"{{{split}_x}}", packed(x)).replace(f"{{{split}_y}}", packed(y))
    cell = NOTEBOOK_LOOKUP.format(memory=source, units=spec.output_units)
    if assignment == "C1W2":  # the cell replaced defines train_model(x, y), which the next cell calls
        cell += "\n\ndef train_model(x, y):\n    return model, history\n"
    return cell
