"""The exam's tasks: what each asks for, its variants, the training data an attempt gets, and its hidden data.

Every attempt draws its variants from its secret seed (kept in the exam store, never in the attempt's
folder). A task's training data is written into the attempt's folder; its hidden data is made again
from the secret seed whenever a model is checked and is never written anywhere. A task's scoring rule
(its five levels) is its spec in :mod:`tfcourse.grading.specs.exam`.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tfcourse.exam import reviews
from tfcourse.grading.heldout import EvaluationData
from tfcourse.grading.specs import AssignmentSpec
from tfcourse.grading.specs.exam import EXAM1, EXAM2, EXAM3, EXAM4, EXAM5
from tfcourse.series import noise, trend
from tfcourse.skills import teaching

Variant = dict[str, float]


@dataclass(frozen=True)
class ExamTask:
    """One of the exam's tasks: its scoring spec, the skill it tests, and how a variant is drawn and served."""

    number: int
    spec: AssignmentSpec
    skill: str  # the handbook's skill area
    asks: str  # what the model must take and output, for the task's text
    data_files: str  # where the training data is and its format, for the task's text
    skills: tuple[str, ...]  # the lines of the handbook's checklist (tfcourse.skills) that the task needs
    draw_variant: Callable[[np.random.Generator], Variant]
    write_training: Callable[[Variant, Path], None]
    hidden: Callable[[Variant, int], EvaluationData]
    starter_body: str  # the body of solution_model() in the starter file

    @property
    def teaches(self) -> tuple[str, ...]:
        """The course's labs and assignments that teach the task's skills, for the report."""
        return teaching(self.skills)

    @property
    def folder(self) -> str:
        """The task's folder in an attempt: ``task1_basic_model``."""
        return f"task{self.number}_{self.spec.folder.split('_', 1)[1]}"


def _hidden_label(what: str, variant: Variant, seed: int) -> str:
    """The hidden data's label, different for every variant and seed: a scorer keeps its inputs by label."""
    digest = hashlib.sha256(f"{sorted(variant.items())} {seed}".encode()).hexdigest()[:12]
    return f"the hidden {what} ({digest})"


def _write_csv(path: Path, header: tuple[str, ...], rows) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


# Task 1: a straight line y = slope * x + intercept. The candidate gets eleven points from -5 to 5; the
# hidden points reach twice as far, so only a model that learned the line (not the points) scores.
LINE_TRAINING_X = np.arange(-5.0, 6.0)


def _line_variant(rng: np.random.Generator) -> Variant:
    slopes = [s for s in np.arange(-3.0, 3.5, 0.5) if abs(s) >= 1.0]
    return {"slope": float(rng.choice(slopes)), "intercept": float(rng.integers(-5, 6))}


def _line(variant: Variant, x: np.ndarray) -> np.ndarray:
    return (variant["slope"] * x + variant["intercept"]).astype(np.float32)


def _line_training(variant: Variant, folder: Path) -> None:
    _write_csv(folder / "data.csv", ("x", "y"),
               ((f"{x:g}", f"{y:g}") for x, y in zip(LINE_TRAINING_X, _line(variant, LINE_TRAINING_X))))


def _line_hidden(variant: Variant, seed: int) -> EvaluationData:
    x = np.random.default_rng(seed).uniform(-10.0, 10.0, 200).astype(np.float32)
    return EvaluationData(x, _line(variant, x), _hidden_label("points", variant, seed), True)


# Task 2: Fashion-MNIST's posed photos (Course 1's `fashion_poses`), six classes of the variant's: two of the
# tops, which look alike, and four of the rest, so every variant is about as hard. The candidate gets
# 1,000 posed training photos per class; the hidden photos are the official test articles of those
# classes, posed from the hidden seed (a lookup of every public photo does no better: docs/security.md).
TOPS, OTHERS = (0, 2, 4, 6), (1, 3, 5, 7, 8, 9)
PHOTOS_PER_CLASS = 1000
PHOTO_CLASSES = 6


def _photos_variant(rng: np.random.Generator) -> Variant:
    chosen = sorted([*(int(label) for label in rng.choice(TOPS, 2, replace=False)),
                     *(int(label) for label in rng.choice(OTHERS, PHOTO_CLASSES - 2, replace=False))])
    return {f"class_{index}": float(label) for index, label in enumerate(chosen)} | {
        "pick_seed": float(rng.integers(1 << 30))}


def _photo_classes(variant: Variant) -> list[int]:
    return [int(variant[f"class_{index}"]) for index in range(PHOTO_CLASSES)]


def _relabelled(x: np.ndarray, labels: np.ndarray, classes: list[int]) -> tuple[np.ndarray, np.ndarray]:
    keep = np.isin(labels, classes)
    return x[keep], np.searchsorted(classes, labels[keep]).astype(np.uint8)


def _photos_training(variant: Variant, folder: Path) -> None:
    from tfcourse.data import load
    from tfcourse.data.fashion_mnist import CLASS_NAMES

    classes = _photo_classes(variant)
    x, y = _relabelled(*load("fashion_poses", "train"), classes)
    rng = np.random.default_rng(int(variant["pick_seed"]))
    picked = np.sort(np.concatenate([rng.choice(np.flatnonzero(y == index), PHOTOS_PER_CLASS, replace=False)
                                     for index in range(len(classes))]))
    np.savez_compressed(folder / "photos.npz", x=x[picked], y=y[picked])
    (folder / "classes.txt").write_text("".join(f"{index} {CLASS_NAMES[label]}\n" for index, label in enumerate(classes)))


def _photos_hidden(variant: Variant, seed: int) -> EvaluationData:
    from tfcourse.data.fashion_poses import SPEC as POSES
    from tfcourse.data.registry import fetch_files

    x, y = _relabelled(*POSES.heldout(fetch_files(POSES), seed), _photo_classes(variant))
    return EvaluationData(x, y, _hidden_label("photos", variant, seed), True)


# Task 3: products photographed in front of real scenes (Course 2's generated image folders), four classes of
# the variant's, one of each shape (a top, a long garment, a shoe, a bag), so every variant is about as
# hard (the shirt, which looks like every other top and like a dress, is left out). The candidate gets
# folders of JPEG and PNG photos of varying size; the hidden photos are composites of the official test
# articles, made from the hidden seed and read as image_dataset_from_directory reads them.
SCENE_GROUPS = ((0, 2, 4), (1, 3), (5, 7, 9), (8,))  # tops, long garments, shoes, bags
SCENE_TRAINING_PER_CLASS, SCENE_HIDDEN_PER_CLASS, SCENE_IMAGE_SIZE = 300, 200, (64, 64)


def _scenes_variant(rng: np.random.Generator) -> Variant:
    chosen = [int(rng.choice(group)) for group in SCENE_GROUPS]
    return {f"class_{index}": float(label) for index, label in enumerate(chosen)} | {
        "photo_seed": float(rng.integers(1 << 30))}


def _scene_set(variant: Variant):
    from tfcourse.data.composites import DIMMED_SCENES
    from tfcourse.data.products import ProductPhotoSet

    return ProductPhotoSet(
        name="exam_scenes", fashion_labels=tuple(int(variant[f"class_{index}"]) for index in range(len(SCENE_GROUPS))),
        per_class={"train": SCENE_TRAINING_PER_CLASS, "test": SCENE_HIDDEN_PER_CLASS}, seeds={}, digests={},
        image_size=SCENE_IMAGE_SIZE, style=DIMMED_SCENES)


def _scene_files():
    from tfcourse.data.products import SPECS
    from tfcourse.data.registry import fetch_files

    return fetch_files(SPECS["four_products"])  # the background photographs every product set is made on


def _scenes_training(variant: Variant, folder: Path) -> None:
    _scene_set(variant).write(_scene_files(), "train", int(variant["photo_seed"]), folder / "photos")


def _scenes_hidden(variant: Variant, seed: int) -> EvaluationData:
    x, y = _scene_set(variant).draw(_scene_files(), "test", seed)
    return EvaluationData(x, y, _hidden_label("scenes", variant, seed), True)


# Task 4: reviews generated from a grammar (tfcourse.exam.reviews), labelled by the opinion most of them
# hold, about the variant's subject with the variant's adjectives. Generated, since any public text could be
# looked up; the hidden reviews come from the hidden seed.
REVIEWS_TRAINING, REVIEWS_HIDDEN = 4000, 1000


def _reviews_training(variant: Variant, folder: Path) -> None:
    texts, labels = reviews.generate(variant, REVIEWS_TRAINING, int(variant["words_seed"]) + 1)
    _write_csv(folder / "reviews.csv", ("text", "label"), zip(texts, labels))


def _reviews_hidden(variant: Variant, seed: int) -> EvaluationData:
    texts, labels = reviews.generate(variant, REVIEWS_HIDDEN, seed)
    return EvaluationData(texts, labels, _hidden_label("reviews", variant, seed), True)


# Task 5: a daily series with a trend, a smooth season of the variant's period and shape, and noise of
# standard deviation SERIES_NOISE in every variant: no forecast can err by less than the noise (a mean
# absolute error of about 0.8 * SERIES_NOISE), so the levels are errors that mean the same in every
# variant. The candidate gets the first 1,100 days; the hidden 300 days after them get fresh noise.
SERIES_TRAINING_STEPS, SERIES_HIDDEN_STEPS, SERIES_NOISE = 1100, 300, 2.0


def _series_variant(rng: np.random.Generator) -> Variant:
    return {"baseline": float(rng.integers(0, 21)), "slope": round(float(rng.uniform(0.01, 0.05)), 3),
            "period": float(rng.choice([60, 91, 182, 365])), "amplitude": float(rng.integers(10, 31)),
            "overtone": round(float(rng.uniform(0.0, 0.6)), 2), "phase": float(rng.integers(0, 365)),
            "noise_seed": float(rng.integers(1 << 30))}


def _series_values(variant: Variant, time: np.ndarray, noise_seed: int) -> np.ndarray:
    angle = 2 * np.pi * (time + variant["phase"]) / variant["period"]
    season = variant["amplitude"] * (np.sin(angle) + variant["overtone"] * np.sin(2 * angle))
    return (variant["baseline"] + trend(time, variant["slope"]) + season
            + noise(time, SERIES_NOISE, seed=noise_seed)).astype(np.float32)


def _series_public(variant: Variant) -> np.ndarray:
    time = np.arange(SERIES_TRAINING_STEPS, dtype=np.float32)
    return _series_values(variant, time, int(variant["noise_seed"]))


def _series_training(variant: Variant, folder: Path) -> None:
    values = _series_public(variant)
    _write_csv(folder / "series.csv", ("day", "value"), ((day, f"{value:.4f}") for day, value in enumerate(values)))


def _series_hidden(variant: Variant, seed: int) -> EvaluationData:
    time = np.arange(SERIES_TRAINING_STEPS, SERIES_TRAINING_STEPS + SERIES_HIDDEN_STEPS, dtype=np.float32)
    future = _series_values(variant, time, seed)
    # As written to series.csv (four decimals), so the history the windows are cut from is the candidate's.
    history = np.round(_series_public(variant), 4).astype(np.float32)
    least = float(np.mean(np.abs(noise(time, SERIES_NOISE, seed=seed))))
    return EvaluationData(np.concatenate([history, future]), future, _hidden_label("days", variant, seed), True,
                          least_error=least)


TASKS: tuple[ExamTask, ...] = (
    ExamTask(
        number=1, spec=EXAM1, skill="a basic model: build, compile and train a model on numbers",
        asks="one number in (`keras.Input(shape=(1,))`), one number out: the y that belongs to x",
        data_files="`data.csv` next to `solution.py`: columns x and y, eleven rows",
        skills=("build-train", "predict"),
        draw_variant=_line_variant, write_training=_line_training, hidden=_line_hidden,
        starter_body='''\
    table = np.loadtxt(HERE / "data.csv", delimiter=",", skiprows=1, dtype="float32")
    x, y = table[:, 0], table[:, 1]
    # YOUR CODE HERE: build, compile and train a model that maps x to y.
    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mean_squared_error")
    model.fit(x, y, epochs=1, verbose=0)
    return model
'''),
    ExamTask(
        number=2, spec=EXAM2, skill="a model from a learning dataset: multi-class classification of photos",
        asks=("a 28x28 grayscale photo in (`keras.Input(shape=(28, 28))`), pixel values scaled to [0, 1] (the "
              "grader divides by 255), six outputs out: one score per class, in the order of classes.txt"),
        data_files=("`photos.npz` next to `solution.py`: `x`, 6,000 photos as uint8 pixels 0-255, and `y`, their "
                    "classes 0-5; `classes.txt` names them"),
        skills=("layers", "classify", "shapes"),
        draw_variant=_photos_variant, write_training=_photos_training, hidden=_photos_hidden,
        starter_body='''\
    with np.load(HERE / "photos.npz") as photos:
        x, y = photos["x"] / 255.0, photos["y"]
    # YOUR CODE HERE: build, compile and train a classifier of the six classes.
    model = keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten(),
                              keras.layers.Dense(6, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=1, verbose=0)
    return model
'''),
    ExamTask(
        number=3, spec=EXAM3, skill="a convolutional network on real-world images",
        asks=("a 64x64 RGB photo in (`keras.Input(shape=(64, 64, 3))`), raw pixel values 0-255 as "
              "`keras.utils.image_dataset_from_directory(image_size=(64, 64))` yields them, four outputs out: one "
              "score per class, in the alphabetical order of the folders"),
        data_files=("`photos/` next to `solution.py`: one folder per class, 300 JPEG and PNG photos of varying size "
                    "in each"),
        skills=("conv-pool", "real-images", "folders", "augmentation"),
        draw_variant=_scenes_variant, write_training=_scenes_training, hidden=_scenes_hidden,
        starter_body='''\
    train = keras.utils.image_dataset_from_directory(HERE / "photos", image_size=(64, 64), batch_size=32)
    # YOUR CODE HERE: build, compile and train a classifier of the four classes.
    model = keras.Sequential([keras.Input(shape=(64, 64, 3)), keras.layers.Rescaling(1 / 255),
                              keras.layers.Flatten(), keras.layers.Dense(4, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(train, epochs=1, verbose=0)
    return model
'''),
    ExamTask(
        number=4, spec=EXAM4, skill="natural language processing: classifying text",
        asks=("one raw review in (`keras.Input(shape=(1,), dtype=\"string\")`, a Python string per example: put "
              "`TextVectorization` inside the model), one number out: the probability that the review is positive"),
        data_files=("`reviews.csv` next to `solution.py`: columns text and label, 4,000 rows; label 1 when most of the "
                    "review's opinions are positive (a negated opinion means its opposite)"),
        skills=("prepare-text", "classify-text", "embeddings", "recurrent-text"),
        draw_variant=reviews.draw_vocabulary, write_training=_reviews_training, hidden=_reviews_hidden,
        starter_body='''\
    with open(HERE / "reviews.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    texts = np.array([row["text"] for row in rows], dtype=object)
    labels = np.array([int(row["label"]) for row in rows], dtype="float32")
    # YOUR CODE HERE: vectorize the texts inside the model, build, compile and train a classifier.
    vectorizer = keras.layers.TextVectorization(max_tokens=1000, output_sequence_length=40)
    vectorizer.adapt(texts)
    inputs = keras.Input(shape=(1,), dtype="string")
    pooled = keras.layers.GlobalAveragePooling1D()(keras.layers.Embedding(1000, 16)(vectorizer(inputs)))
    model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(pooled))
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(texts, labels, epochs=1, verbose=0)
    return model
'''),
    ExamTask(
        number=5, spec=EXAM5, skill="time series: windows, forecasting one step ahead",
        asks=("a window of the series' past values in (`keras.Input(shape=(window,))` or `(window, 1)`, any "
              "window length up to 1,000), one number out: the next day's value"),
        data_files="`series.csv` next to `solution.py`: columns day and value, days 0-1099",
        skills=("windows", "mae", "recurrent-series", "sequence-bias"),
        draw_variant=_series_variant, write_training=_series_training, hidden=_series_hidden,
        starter_body='''\
    table = np.loadtxt(HERE / "series.csv", delimiter=",", skiprows=1, dtype="float32")
    series = table[:, 1]
    # YOUR CODE HERE: cut windows of past values and train a model that forecasts the next value.
    window = 20
    windows = np.stack([series[i:i + window] for i in range(len(series) - window)])
    targets = series[window:]
    model = keras.Sequential([keras.Input(shape=(window,)), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="huber")
    model.fit(windows, targets, epochs=1, verbose=0)
    return model
'''),
)


def get_task(number: int) -> ExamTask:
    """The task with this number; a clear error for one the exam does not have."""
    from tfcourse.errors import UnknownName

    for task in TASKS:
        if task.number == number:
            return task
    raise UnknownName(f"the exam has no task {number}; its tasks are {', '.join(str(t.number) for t in TASKS)}")
