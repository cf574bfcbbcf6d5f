"""The demo batch: honest, weak, broken and cheating students submit every assignment.

``reference`` submits the instructor's solutions, ``weak`` the under-trained solutions in
demo/weak/, ``broken`` one typical broken submission per assignment. The cheating students of
demo/cheating/ (``<student>__<assignment folder>.py``) try to forge their grade: ``forger`` rebinds
the grading calls and fabricates a training history, ``snoop`` hunts for held-out data and other
students' models. The batch goes through the same `tfcourse grade` pipeline as real submissions.
"""

from __future__ import annotations

import copy
import shutil
from datetime import UTC, datetime
from pathlib import Path

import nbformat

from tfcourse.course import Course
from tfcourse.errors import UnknownName
from tfcourse.grading import export_heldout, get_assignment
from tfcourse.instructor import nbgrader_steps
from tfcourse.instructor.grade import grade
from tfcourse.instructor.gradebook import GradebookRow
from tfcourse.learner.submit import submission_name, write_submission_zip

STUDENTS = ("reference", "weak", "broken")
# What `tfcourse demo` grades by default: one batch per course, chosen to show each kind of check
# (a forged history, a snoop, an unsafe Lambda model, a retrained base) in a few minutes on 2 cores.
# Every assignment's batch is graded by `tfcourse demo all` and by the test suite.
SHOWCASE = ("C1W2", "C1W4", "C2W3", "C3W3", "C4W2")
CHEATING = "cheating"
DEMO_TIME = datetime(2026, 1, 1, tzinfo=UTC)

# What the broken student does wrong in C1W4 (a replacement solution cell).
UNSAFE_MODEL = '''def photo_model():
    """Scales pixels in a Lambda layer: saved as Python bytecode, which safe mode refuses to load."""
    model = keras.Sequential([keras.Input(shape=(48, 48, 1)), keras.layers.Lambda(lambda x: x / 255.0),
                              keras.layers.Flatten(), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model'''


# What the broken student does wrong in C2W1: the model is built for the size it trains at, with no
# Resizing inside, so it cannot take the 96x96 photos the grader feeds.
FIXED_SIZE_MODEL = '''def sneaker_boot_model():
    """Built for 64x64 inputs: the grader's 96x96 photos do not fit it."""
    model = keras.Sequential([keras.Input(shape=(64, 64, 3)), keras.layers.Rescaling(1.0 / 255),
                              keras.layers.Conv2D(16, 3, activation="relu"), keras.layers.GlobalAveragePooling2D(),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model'''
FIXED_SIZE_LOADER = '''def load_datasets():
    options = dict(image_size=(64, 64), label_mode="binary", batch_size=32)
    train_ds = keras.utils.image_dataset_from_directory(train_dir, shuffle=True, seed=42, **options)
    validation_ds = keras.utils.image_dataset_from_directory(validation_dir, shuffle=False, **options)
    return train_ds.cache().prefetch(tf.data.AUTOTUNE), validation_ds.cache().prefetch(tf.data.AUTOTUNE)'''
FIXED_SIZE_TRAINING = '''model = sneaker_boot_model()
NUM_EPOCHS = 2
history = model.fit(train_ds, validation_data=validation_ds, epochs=NUM_EPOCHS, verbose=2)'''

# What the broken student does wrong in C2W4: the parser keeps the header row, so parsing fails.
HEADER_KEPT_PARSER = '''def parse_data_from_input(filename):
    with open(filename) as stream:
        rows = np.array([row for row in csv.reader(stream)], dtype=np.float64)
    return rows[:, 1:].reshape(-1, 28, 28), rows[:, 0]'''

# What the broken student does wrong in C2W3: the base is never frozen, so training changes its weights.
UNFROZEN_BASE = '''def transfer_model(base):
    inputs = keras.Input(shape=(96, 96, 3))
    x = keras.layers.Resizing(32, 32)(inputs)
    x = keras.layers.Rescaling(1.0 / 255)(x)
    x = keras.layers.GlobalAveragePooling2D()(base(x))
    outputs = keras.layers.Dense(3, activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.003),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model'''

# What the broken student does wrong in C3W1: remove_stopwords hard-codes the answers to the
# notebook's visible examples instead of following the rule.
HARD_CODED_STOPWORDS = '''ANSWERS = {"I am  about to go to the store and buy some anything": "go store buy anything"}


def remove_stopwords(sentence):
    """Right for the notebook's example; the grader's own sentences get the sentence back unchanged."""
    return ANSWERS.get(sentence, sentence)'''

# What the broken student does wrong in C3W2: the vectorizer runs in the tf.data pipeline, outside the
# model, so the saved model takes word indices, not the raw strings the grader feeds.
INDICES_MODEL = '''def create_model(vectorizer):
    """Takes SEQUENCE_LENGTH word indices: the vectorizer is applied in the pipeline instead."""
    inputs = keras.Input(shape=(SEQUENCE_LENGTH,), dtype="int64")
    x = keras.layers.Embedding(VOCAB_SIZE, 32)(inputs)
    x = keras.layers.GlobalAveragePooling1D()(x)
    outputs = keras.layers.Dense(5, activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model'''
INDICES_TRAINING = '''model = create_model(vectorizer)
NUM_EPOCHS = 4
train_ds = train_ds.map(lambda texts, labels: (vectorizer(texts), labels))
validation_ds = validation_ds.map(lambda texts, labels: (vectorizer(texts), labels))
history = model.fit(train_ds, validation_data=validation_ds, epochs=NUM_EPOCHS, verbose=2)'''

# What the broken student does wrong in C2W2: no augmentation, so the model memorizes its 300 photos.
NO_AUGMENTATION = '''def augmentation():
    return keras.layers.Identity(name="augmentation")'''


# What the broken student does wrong in C4W1: the "naive forecast" returns the values it should
# forecast (the future itself), which the notebook's plot makes look perfect.
FUTURE_AS_FORECAST = '''def naive_forecast(series, split_time):
    """Looks perfect on the plot: it is the actual values, not a forecast."""
    return series[split_time:]'''

# What the broken student does wrong in C4W2: scales the input in a Lambda layer, as the original
# course did; safe mode refuses the Python code it is saved as.
LAMBDA_FORECASTER = '''def create_model(window_size):
    """Scales the windows in a Lambda layer: saved as Python bytecode, which safe mode refuses to load."""
    model = keras.Sequential([
        keras.Input(shape=(window_size,)),
        keras.layers.Lambda(lambda x: x / 100.0),
        keras.layers.Dense(10, activation="relu"),
        keras.layers.Dense(10, activation="relu"),
        keras.layers.Dense(1),
        keras.layers.Lambda(lambda x: x * 100.0),
    ])
    model.compile(loss="mse", optimizer=keras.optimizers.SGD(learning_rate=1e-6, momentum=0.9), metrics=["mae"])
    return model'''

def solution_sources(notebook) -> dict[str, str]:
    """grade_id -> source of every solution cell."""
    return {cell.metadata["nbgrader"]["grade_id"]: cell.source for cell in notebook.cells
            if cell.get("metadata", {}).get("nbgrader", {}).get("solution")}


def read_sections(path: Path) -> dict[str, str]:
    """Parse a file of ``# %% <grade_id>`` sections into grade_id -> cell source."""
    sections: dict[str, list[str]] = {}
    current = None
    for line in path.read_text().splitlines():
        if line.startswith("# %% "):
            current = line[5:].strip()
            sections[current] = []
        elif current is not None:
            sections[current].append(line)
    return {grade_id: "\n".join(lines).strip() + "\n" for grade_id, lines in sections.items()}


def fill_solutions(notebook, replacements: dict[str, str]):
    """A copy of ``notebook`` whose solution cells take the given sources (by grade_id)."""
    filled = nbformat.from_dict(copy.deepcopy(notebook))
    for cell in filled.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if cell.get("metadata", {}).get("nbgrader", {}).get("solution") and grade_id in replacements:
            cell.source = replacements[grade_id]
    return filled


def cheating_students(course: Course, folder: str) -> list[str]:
    """The cheating demo students who submit ``folder``."""
    return sorted(path.name.split("__")[0] for path in (course.root / "demo" / CHEATING).glob(f"*__{folder}.py"))


def student_notebook(course: Course, folder: str, student: str) -> str:
    """The notebook text one demo student submits for one assignment."""
    spec = get_assignment(folder)
    released = nbformat.read(course.release / folder / spec.notebook, as_version=4)
    solutions = solution_sources(nbformat.read(course.source / folder / spec.notebook, as_version=4))
    if student == "reference":
        return nbformat.writes(fill_solutions(released, solutions))
    if student == "weak":
        weak = {**solutions, **read_sections(course.root / "demo" / "weak" / f"{folder}.py")}
        return nbformat.writes(fill_solutions(released, weak))
    cheat = course.root / "demo" / CHEATING / f"{student}__{folder}.py"
    if cheat.is_file():
        return nbformat.writes(fill_solutions(released, {**solutions, **read_sections(cheat)}))
    reference = fill_solutions(released, solutions)
    if spec.assignment_id == "C1W1":  # saved half-way: not valid JSON
        text = nbformat.writes(reference)
        return text[: len(text) // 2]
    if spec.assignment_id == "C1W2":  # deleted the graded test cells
        reference.cells = [cell for cell in reference.cells
                           if not (cell.get("metadata", {}).get("nbgrader", {}).get("grade")
                                   and not cell.metadata["nbgrader"].get("solution"))]
        return nbformat.writes(reference)
    if spec.assignment_id == "C1W3":  # submitted the released notebook without solving it: it raises
        return nbformat.writes(released)
    if spec.assignment_id == "C2W1":
        return nbformat.writes(fill_solutions(reference, {"load_datasets": FIXED_SIZE_LOADER,
                                                          "sneaker_boot_model": FIXED_SIZE_MODEL,
                                                          "train": FIXED_SIZE_TRAINING}))
    if spec.assignment_id == "C2W2":
        return nbformat.writes(fill_solutions(reference, {"augmentation": NO_AUGMENTATION}))
    if spec.assignment_id == "C2W3":
        return nbformat.writes(fill_solutions(reference, {"transfer_model": UNFROZEN_BASE}))
    if spec.assignment_id == "C3W1":
        return nbformat.writes(fill_solutions(reference, {"remove_stopwords": HARD_CODED_STOPWORDS}))
    if spec.assignment_id == "C3W3":  # the pre-trained vectors left trainable: training reshapes them
        unfrozen = solutions["create_model"].replace("trainable=False, ", "")
        assert unfrozen != solutions["create_model"], "C3W3's reference no longer freezes its embedding this way"
        return nbformat.writes(fill_solutions(reference, {"create_model": unfrozen}))
    if spec.assignment_id == "C3W2":
        return nbformat.writes(fill_solutions(reference, {"create_model": INDICES_MODEL, "train": INDICES_TRAINING}))
    if spec.assignment_id == "C3W4":  # one output unit too many ("one more for padding"): units no longer name words
        widened = solutions["create_model"].replace("Dense(vectorizer.vocabulary_size()", "Dense(VOCAB_SIZE + 1")
        assert widened != solutions["create_model"], "C3W4's reference no longer sizes its output this way"
        return nbformat.writes(fill_solutions(reference, {"create_model": widened}))
    if spec.assignment_id == "C4W1":
        return nbformat.writes(fill_solutions(reference, {"naive_forecast": FUTURE_AS_FORECAST}))
    if spec.assignment_id == "C4W2":
        return nbformat.writes(fill_solutions(reference, {"create_model": LAMBDA_FORECASTER}))
    if spec.assignment_id == "C4W3":  # any window length, as the original course's RNNs took: the grader cannot cut one
        unsized = (solutions["create_model"].replace("keras.Input(shape=(window_size,))", "keras.Input(shape=(None,))")
                   .replace("Reshape((window_size, 1))", "Reshape((-1, 1))"))
        assert "shape=(None,)" in unsized and "Reshape((window_size" not in unsized, \
            "C4W3's reference no longer sizes its window this way"
        return nbformat.writes(fill_solutions(reference, {"create_model": unsized}))
    if spec.assignment_id == "C4W4":  # the original course's sunspot model: the LSTM returns a forecast per window day
        sequenced = solutions["create_model"].replace("LSTM(32)", "LSTM(32, return_sequences=True)")
        assert sequenced != solutions["create_model"], "C4W4's reference no longer has this LSTM"
        return nbformat.writes(fill_solutions(reference, {"create_model": sequenced}))
    if spec.assignment_id == "C2W4":
        return nbformat.writes(fill_solutions(reference, {"parse_data_from_input": HEADER_KEPT_PARSER}))
    return nbformat.writes(fill_solutions(reference, {"photo_model": UNSAFE_MODEL}))


def stage_submissions(course: Course, folders: list[str], students: tuple[str, ...] = STUDENTS) -> list[Path]:
    """Write each demo student's zip into downloaded/<folder>/archive, as `tfcourse submit` names them."""
    zips = []
    staging = course.root / "downloaded" / ".demo-staging"
    for folder in folders:
        spec = get_assignment(folder)
        archive = course.archive(folder)
        shutil.rmtree(archive, ignore_errors=True)
        for student in [*students, *cheating_students(course, folder)]:
            notebook = staging / student / spec.notebook
            notebook.parent.mkdir(parents=True, exist_ok=True)
            notebook.write_text(student_notebook(course, folder, student))
            zips.append(write_submission_zip([notebook], archive / submission_name(student, folder, DEMO_TIME)))
    shutil.rmtree(staging, ignore_errors=True)
    return zips


def demo_folders(course: Course, only: list[str] | None = None) -> list[str]:
    """The assignment folders whose id starts with one of ``only`` (``C2``, ``C1W4``).

    Nothing selects the showcase (`SHOWCASE`); ``all`` selects every assignment.
    """
    folders = course.assignment_folders()
    if not only:
        only = list(SHOWCASE)
    elif [choice.lower() for choice in only] == ["all"]:
        return folders
    chosen = [folder for folder in folders if any(folder.upper().startswith(prefix.upper()) for prefix in only)]
    if not chosen:
        raise UnknownName(f"no assignment matches {' '.join(only)}; assignments: "
                         f"{', '.join(folder.split('_')[0] for folder in folders)}, or all")
    return chosen


def run_demo(course: Course, *, folders: list[str] | None = None, students: tuple[str, ...] = STUDENTS,
             progress: bool = True) -> list[GradebookRow]:
    """Release, export held-out data, stage the demo students' zips and grade them all."""
    folders = folders or course.assignment_folders()
    for folder in folders:
        nbgrader_steps.generate_assignment(course.root, folder)
    export_heldout(course.heldout, course.heldout_pin, {get_assignment(folder).assignment_id for folder in folders})
    everyone = sorted({*students, *(cheat for folder in folders for cheat in cheating_students(course, folder))})
    for student in everyone:
        shutil.rmtree(course.submitted / student, ignore_errors=True)
    stage_submissions(course, folders, students)
    return grade(folders, course=course, students=everyone, progress=progress)
