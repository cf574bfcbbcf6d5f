"""Reference and weak answers to the exam's tasks: the bodies of ``solution_model()`` in each starter.

They live in the tests (tests/exam/test_attempt.py, benchmarks/calibrate_exam.py and benchmarks/exam_check.py
read them): nothing a candidate receives holds them. A reference should reach 5 on every variant in at most
90 s of training on 2 CPU cores, a weak answer (too small or too short) at most 2 (docs/exam.md).
"""

import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from tfcourse.exam.attempt import starter_source
from tfcourse.exam.tasks import ExamTask


def run_answer(task: ExamTask, body: str | None, folder: Path) -> float:
    """Write the task's starter into ``folder`` with ``body`` (None: the starter as given) and run it as a
    candidate does (``python solution.py``); the seconds it took."""
    (folder / "solution.py").write_text(starter_source(replace(task, starter_body=body) if body else task))
    began = time.perf_counter()
    subprocess.run([sys.executable, "solution.py"], cwd=folder, check=True, capture_output=True,
                   env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    return time.perf_counter() - began


def save_line_model(attempt: Path, seed: int, offset: float = 0.0) -> None:
    """Save, as task 1's model in the attempt with secret seed ``seed``, one neuron holding its line's slope and
    intercept (plus ``offset``): a mean absolute error of ``offset`` on the hidden points, without training."""
    import keras
    import numpy as np

    from tfcourse.exam.attempt import MODEL_FILE, variant
    from tfcourse.exam.tasks import get_task

    task = get_task(1)
    line = variant(seed, task)
    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
    model.layers[0].set_weights([np.array([[line["slope"]]]), np.array([line["intercept"] + offset])])
    model.save(attempt / task.folder / MODEL_FILE)


REFERENCE = {
    1: '''\
    table = np.loadtxt(HERE / "data.csv", delimiter=",", skiprows=1, dtype="float32")
    x, y = table[:, 0], table[:, 1]
    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.5), loss="mean_squared_error")
    model.fit(x, y, epochs=150, verbose=0)
    return model
''',
    2: '''\
    with np.load(HERE / "photos.npz") as photos:
        x, y = photos["x"] / 255.0, photos["y"]
    model = keras.Sequential([
        keras.Input(shape=(28, 28)),
        keras.layers.Reshape((28, 28, 1)),
        keras.layers.Conv2D(32, 3, activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Conv2D(64, 3, activation="relu"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Flatten(),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(6, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=6, batch_size=64, verbose=0)
    return model
''',
    3: '''\
    train = keras.utils.image_dataset_from_directory(HERE / "photos", image_size=(64, 64), batch_size=32, seed=1)
    train = train.cache().prefetch(2)
    model = keras.Sequential([
        keras.Input(shape=(64, 64, 3)),
        keras.layers.RandomFlip("horizontal"),
        keras.layers.Rescaling(1 / 255),
        keras.layers.Conv2D(32, 3, activation="relu", padding="same"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Conv2D(64, 3, activation="relu", padding="same"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Conv2D(128, 3, activation="relu", padding="same"),
        keras.layers.MaxPooling2D(2),
        keras.layers.Conv2D(128, 3, activation="relu", padding="same"),
        keras.layers.GlobalAveragePooling2D(),
        keras.layers.Dense(4, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(train, epochs=25, verbose=0)
    return model
''',
    4: '''\
    with open(HERE / "reviews.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    texts = np.array([row["text"] for row in rows], dtype=object)
    labels = np.array([int(row["label"]) for row in rows], dtype="float32")
    vectorizer = keras.layers.TextVectorization(max_tokens=1000, output_sequence_length=40)
    vectorizer.adapt(texts)
    # A negation can be far from the word it turns ("nobody could say the pool was clean"): a recurrent
    # layer reads the whole review in order, both ways.
    inputs = keras.Input(shape=(1,), dtype="string")
    embedded = keras.layers.Embedding(1000, 32, mask_zero=True)(vectorizer(inputs))
    read = keras.layers.Bidirectional(keras.layers.LSTM(32))(embedded)
    model = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(read))
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(texts, labels, epochs=10, batch_size=32, verbose=0)
    return model
''',
    5: '''\
    table = np.loadtxt(HERE / "series.csv", delimiter=",", skiprows=1, dtype="float32")
    series = table[:, 1]
    window = 60
    windows = np.stack([series[i:i + window] for i in range(len(series) - window)])
    targets = series[window:]
    # The window's mean plus a linear change read from its departures: a trend or a level never seen in
    # training is the mean's, so the hidden future above every training value costs nothing.
    inputs = keras.Input(shape=(window,))
    level = keras.layers.GlobalAveragePooling1D()(keras.layers.Reshape((window, 1))(inputs))
    departures = keras.layers.Subtract()([inputs, level])
    change = keras.layers.Dense(1)(departures)
    model = keras.Model(inputs, keras.layers.Add()([level, change]))
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="mean_squared_error")
    model.fit(windows, targets, epochs=60, batch_size=32, verbose=0,
              callbacks=[keras.callbacks.ReduceLROnPlateau("loss", factor=0.5, patience=5)])
    return model
''',
}

# The starters' own bodies train one epoch: the weak answers.
WEAK = {1: None, 2: None, 3: None, 4: None, 5: None}
