"""The course's pre-trained image base: transfer learning offline, without Keras' ImageNet weights.

``keras.applications`` downloads its ImageNet weights, which an offline course cannot do. So the
course pre-trains its own small convolutional base, once per installation, on product photos of
seven classes (T-shirts, trousers, pullovers, coats, shirts, sneakers, ankle boots) composited onto
real photographs. Course 2, week 3 then re-uses it for classes it never saw: dresses, sandals and
bags. Typical use in a notebook::

    from tfcourse.pretrained import load_base
    base = load_base()          # a keras.Model named "product_base", 32x32 RGB in [0, 1] -> 2x2x128 features
    base.trainable = False      # frozen: only the new head learns

Built on first use (about two to three minutes on two CPU cores, with a progress bar) or ahead of
time with ``tfcourse data build``, then cached with its checksum. The grader compares the base
inside a submitted model with this installation's base, weight by weight (see :func:`weights_digest`).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from tfcourse.data.cache import cache_dir, sha256_of
from tfcourse.data.exported import exported_splits_dir
from tfcourse.data.registry import DataUnavailable

BASE_NAME = "product_base"
INPUT_SHAPE = (32, 32, 3)  # RGB scaled to [0, 1]: put Resizing and Rescaling in front of the base
FILE_NAME = f"{BASE_NAME}.keras"  # as tfcourse.built.ARTIFACTS declares it
INFO_NAME = f"{BASE_NAME}.json"


@dataclass(frozen=True)
class BaseRecipe:
    """How the base is trained. Changing any field makes a different base (and a new cache entry)."""

    fashion_labels: tuple[int, ...] = (0, 1, 2, 4, 6, 7, 9)  # never 3, 5, 8: C2W3's dresses, sandals, bags
    per_class: int = 1000
    validation_per_class: int = 100
    widths: tuple[int, ...] = (32, 64, 96, 128)  # one conv block each, halving the image: 32 -> 2 px
    epochs: int = 12
    batch_size: int = 64
    learning_rate: float = 2e-3
    seed: int = 7
    version: int = 1

    @property
    def key(self) -> str:
        """A short digest of the recipe, naming its cache folder."""
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()[:12]


RECIPE = BaseRecipe()


def base_folder(recipe: BaseRecipe = RECIPE) -> Path:
    """The cache folder of one recipe's base."""
    return cache_dir() / "pretrained" / f"{BASE_NAME}-{recipe.key}"


def weights_digest(layer) -> str:
    """SHA-256 over the shapes and float values of every weight of ``layer``, in order.

    Equal digests mean identical weights: what the grader checks to know a base was frozen.
    """
    digest = hashlib.sha256()
    for weight in layer.weights:
        values = np.ascontiguousarray(np.asarray(weight.numpy() if hasattr(weight, "numpy") else weight,
                                                 dtype=np.float32))
        digest.update(repr(values.shape).encode())
        digest.update(values.tobytes())
    return digest.hexdigest()


def find_base(model, name: str = BASE_NAME):
    """The layer called ``name`` anywhere inside ``model`` (nested models included), or None."""
    pending = list(getattr(model, "layers", []))
    while pending:
        layer = pending.pop(0)
        if layer.name == name:
            return layer
        pending.extend(getattr(layer, "layers", []))
    return None


def build_model(recipe: BaseRecipe = RECIPE):
    """The base's architecture, untrained: conv blocks with batch normalization, no classifier."""
    import keras

    layers = [keras.Input(INPUT_SHAPE)]
    for width in recipe.widths:
        layers += [keras.layers.Conv2D(width, 3, padding="same", use_bias=False),
                   keras.layers.BatchNormalization(), keras.layers.Activation("relu"), keras.layers.MaxPooling2D()]
    return keras.Sequential(layers, name=BASE_NAME)


def training_images(recipe: BaseRecipe, split: str, per_class: int, seed: int, progress=None):
    """The base's training material: composites of its classes, rendered at 32x32 (never written as files)."""
    from tfcourse.data import composites, fashion_mnist
    from tfcourse.data.registry import fetch_file, fetch_files

    articles, labels = fashion_mnist.SPEC.read(fetch_files(fashion_mnist.SPEC), split)
    photos = composites.load_backgrounds({f.name: fetch_file(BASE_NAME, f) for f in composites.BACKGROUND_FILES})
    rng = np.random.default_rng(seed)
    chosen = composites.pick_articles(articles, labels, recipe.fashion_labels, per_class, rng)
    return composites.render_arrays(chosen, photos, rng, composites.DIMMED_SCENES, INPUT_SHAPE[:2], progress)


def train(recipe: BaseRecipe, target: Path, progress: bool = True) -> dict:
    """Train the base on its material and save it as ``target``; return what the info file records."""
    import keras
    import tensorflow as tf
    from tqdm.auto import tqdm

    keras.utils.set_random_seed(recipe.seed)
    tf.config.experimental.enable_op_determinism()  # the same machine rebuilds the same weights
    total = len(recipe.fashion_labels) * (recipe.per_class + recipe.validation_per_class)
    with tqdm(total=total, desc="product_base: rendering photos", unit="image", disable=not progress) as bar:
        x, y = training_images(recipe, "train", recipe.per_class, recipe.seed, bar)
        x_val, y_val = training_images(recipe, "validation", recipe.validation_per_class, recipe.seed + 1, bar)
    base = build_model(recipe)
    classifier = keras.Sequential([keras.Input(INPUT_SHAPE), base, keras.layers.GlobalAveragePooling2D(),
                                   keras.layers.Dense(len(recipe.fashion_labels), activation="softmax")])
    steps = recipe.epochs * -(-len(x) // recipe.batch_size)
    schedule = keras.optimizers.schedules.CosineDecay(recipe.learning_rate, decay_steps=steps)
    classifier.compile(optimizer=keras.optimizers.Adam(schedule), loss="sparse_categorical_crossentropy",
                       metrics=["accuracy"])
    scaled = (x / 255.0).astype(np.float32)
    train_ds = (tf.data.Dataset.from_tensor_slices((scaled, y)).shuffle(len(x), seed=recipe.seed)
                .batch(recipe.batch_size).prefetch(tf.data.AUTOTUNE))
    with tqdm(total=recipe.epochs, desc="product_base: training", unit="epoch", disable=not progress) as bar:
        epoch_done = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: bar.update(1))
        classifier.fit(train_ds, epochs=recipe.epochs, verbose=0, shuffle=False, callbacks=[epoch_done])
    _, accuracy = classifier.evaluate((x_val / 255.0).astype(np.float32), y_val, verbose=0)
    target.parent.mkdir(parents=True, exist_ok=True)
    base.save(target)
    return {"file": target.name, "file_sha256": sha256_of(target), "weights_sha256": weights_digest(base),
            "validation_accuracy": round(float(accuracy), 4), "recipe": asdict(recipe),
            "tensorflow": tf.__version__, "keras": keras.__version__}


def info(recipe: BaseRecipe = RECIPE) -> dict | None:
    """The cached base's info (checksums, validation accuracy), or None when it is missing or corrupt."""
    folder = base_folder(recipe)
    try:
        recorded = json.loads((folder / INFO_NAME).read_text())
    except (OSError, ValueError):
        return None
    path = folder / FILE_NAME
    if not path.is_file() or sha256_of(path) != recorded.get("file_sha256"):
        return None
    return recorded


def ensure_built(recipe: BaseRecipe = RECIPE, progress: bool = True) -> Path:
    """The cached base file, trained first (in a separate process) when it is missing or corrupt."""
    if info(recipe) is None:
        if recipe != RECIPE:
            raise ValueError("only the course's own recipe is built on demand")
        command = [sys.executable, "-m", "tfcourse.pretrained"] + ([] if progress else ["--quiet"])
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
        if subprocess.run(command, env=env).returncode != 0 or info(recipe) is None:
            raise DataUnavailable("could not build the pre-trained base; run `tfcourse data build product_base` to see why")
    return base_folder(recipe) / FILE_NAME


def base_file() -> Path:
    """The base file this process may use: the grader's exported copy while graded, else the cached one."""
    from tfcourse.built import get_artifact

    return get_artifact(BASE_NAME).path()


def load_base():
    """The pre-trained base as a fresh ``keras.Model`` named ``product_base`` (trainable until you freeze it).

    Input: 32x32 RGB images scaled to [0, 1]. Output: a 2x2x128 feature map per image; put a
    pooling layer and your own classifier on top.
    """
    import keras

    return keras.saving.load_model(base_file(), compile=False)


def published_weights_digest() -> str:
    """The weights digest of this installation's base, what a frozen base in a submitted model must equal.

    While a notebook is graded that is the digest of the grader's exported copy.
    """
    if exported_splits_dir() is not None:
        return weights_digest(load_base())
    ensure_built()
    return info()["weights_sha256"]


def main(argv: list[str] | None = None) -> int:
    """Train and cache the base (``python -m tfcourse.pretrained [--quiet]``); prints where it is."""
    argv = sys.argv[1:] if argv is None else argv
    folder = base_folder()
    recorded = train(RECIPE, folder / FILE_NAME, progress="--quiet" not in argv)
    (folder / INFO_NAME).write_text(json.dumps(recorded, indent=2) + "\n")
    print(f"pre-trained base saved in {folder / FILE_NAME} "
          f"(validation accuracy on its own classes {recorded['validation_accuracy']:.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
