"""The bad-submission corpus: every case in tests/corpus/ graded in one batch next to honest students.

Each case is a small TOML file (tests/corpus/README.md). The batch is graded once per module; each
case is then one parametrized test asserting its score, the reason shown, and its own checks. Two
honest students, graded before and after every attack, must keep full marks, and no submitted,
instructor or held-out file may change.
"""

from __future__ import annotations

import hashlib
import html
import re
import socket
import threading
import tomllib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest
from conftest import REPO
from lookup_cases import notebook_lookup_cell

from tfcourse.course import Course
from tfcourse.grading import export_heldout, get_assignment
from tfcourse.grading.lookup import build_lookup
from tfcourse.instructor.demo import fill_solutions, solution_sources
from tfcourse.instructor.grade import grade
from tfcourse.instructor.gradebook import GradebookRow
from tfcourse.instructor.release import release

CORPUS = Path(__file__).parent / "corpus"
CASES = sorted(path.stem for path in CORPUS.glob("*.toml"))
HONEST = ("aa-honest", "zz-honest")
TIMESTAMP = "20260101T000000Z"
NBGRADER_FILES = ("timestamp.txt",)  # what zip_collect itself writes next to a submission
# Per-cell time limits: short enough that the endless loops cost little, long enough for every honest
# cell on 2 cores while another test trains beside it (C1W2's training cell takes about 30 s there).
CELL_TIMEOUT_S = {"C1W2": 45}
SHORT_CELL_TIMEOUT_S = 25  # C1W4's and C3W1's longest honest cells take under 10 s

ZERO_MODEL = '''\
# An untrained model with every weight zero: it predicts 0.5 for every image (accuracy 0.5).
model = photo_model()
history = model.fit(train_ds, epochs=1, verbose=0)
model.set_weights([w * 0 for w in model.get_weights()])'''


def load_case(name: str) -> dict:
    """One corpus case, with its defaults filled in."""
    case = tomllib.loads((CORPUS / f"{name}.toml").read_text())
    case.setdefault("mode", "notebook")
    case["name"] = name
    case["student"] = name.replace("_", "-")  # student ids are letters, digits, '.' and '-'
    return case


def folder_of(case: dict) -> str:
    return get_assignment(case["assignment"]).folder


def reference_notebook(course: Course, folder: str):
    """The released notebook with the instructor's solutions filled in."""
    notebook = get_assignment(folder).notebook
    released = nbformat.read(course.release / folder / notebook, as_version=4)
    return fill_solutions(released, solution_sources(nbformat.read(course.source / folder / notebook, as_version=4)))


def is_test_cell(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("grade")) and not meta.get("solution")


def named_notebook(course: Course, folder: str, content: str) -> bytes:
    """The notebook an archive entry names: reference, truncated, released, edited or without tests."""
    reference = reference_notebook(course, folder)
    if content == "reference_notebook":
        return nbformat.writes(reference).encode()
    if content == "truncated_notebook":
        text = nbformat.writes(reference)
        return text[: len(text) // 2].encode()
    if content == "released_notebook":
        return (course.release / folder / get_assignment(folder).notebook).read_bytes()
    if content == "notebook_without_test_cell":
        reference.cells = [cell for cell in reference.cells if not is_test_cell(cell)]
        return nbformat.writes(reference).encode()
    if content == "notebook_with_edited_test_cell":
        for cell in reference.cells:
            if is_test_cell(cell):
                cell.source = "# the test, edited away\nprint('10 / 10 points, trust me')"
        return nbformat.writes(reference).encode()
    raise ValueError(f"unknown notebook content {content!r}")


def case_notebook(course: Course, case: dict, canary_port: int | None = None) -> bytes:
    """The reference solution with the case's solution cells replaced."""
    replacements = {grade_id: expand_cell(source, case, canary_port) for grade_id, source in case.get("cells", {}).items()}
    notebook = fill_solutions(reference_notebook(course, folder_of(case)), replacements)
    return nbformat.writes(notebook).encode()


def expand_cell(source: str, case: dict, canary_port: int | None) -> str:
    """A case's cell source with its placeholders filled: the untrained model, the canary's port, a lookup."""
    for holds in ("test", "train"):
        if source == f"{{lookup:{holds}}}":
            return notebook_lookup_cell(case["assignment"], holds)
    return source.replace("{zero_model}", ZERO_MODEL).replace("{canary_port}", str(canary_port))


def write_zeros(stream, size: int) -> None:
    chunk = bytes(1 << 22)
    for start in range(0, size, len(chunk)):
        stream.write(chunk[: min(len(chunk), size - start)])


def write_archive(course: Course, case: dict, destination: Path, canary: Canary | None = None) -> None:
    """The zip a case submits: hand-made entries, raw bytes, or the notebook of a notebook case (whose
    ``{canary_port}`` becomes the port of the case's canary)."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    if "raw_bytes" in case:
        destination.write_bytes(case["raw_bytes"].encode())
        return
    folder = folder_of(case)
    with zipfile.ZipFile(destination, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        if case["mode"] == "notebook":
            archive.writestr(get_assignment(folder).notebook,
                             case_notebook(course, case, canary.port if canary is not None else None))
            return
        for entry in case.get("entries", []):
            for index in range(entry.get("repeat", 1)):
                name = entry["name"].replace("{index}", str(index))
                content = entry["content"]
                if content == "zeros":
                    with archive.open(name, "w", force_zip64=True) as stream:
                        write_zeros(stream, entry["size"])
                elif content.startswith("text:"):
                    archive.writestr(name, content[5:])
                else:
                    archive.writestr(name, named_notebook(course, folder, content))


def build_model_file(kind: str, path: Path) -> None:
    """A broken model file: for C1W4 (48x48x1 photos, one sigmoid unit) unless the kind names another assignment."""
    import keras
    import numpy as np

    def small_model(input_shape=(48, 48, 1)):
        return keras.Sequential([keras.Input(shape=input_shape), keras.layers.Rescaling(1 / 255),
                                 keras.layers.Flatten(), keras.layers.Dense(1, activation="sigmoid")])

    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "lambda":
        keras.Sequential([keras.Input(shape=(48, 48, 1)), keras.layers.Lambda(lambda x: x / 255.0),
                          keras.layers.Flatten(), keras.layers.Dense(1, activation="sigmoid")]).save(path)
    elif kind == "nan":
        model = small_model()
        model.set_weights([np.full(w.shape, np.nan, dtype="float32") for w in model.get_weights()])
        model.save(path)
    elif kind == "wrong_input_shape":
        small_model((28, 28, 1)).save(path)
    elif kind == "truncated":
        small_model().save(path)
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    elif kind == "config_injection":
        small_model().save(path)
        with zipfile.ZipFile(path) as original:
            members = {info.filename: original.read(info) for info in original.infolist()}
        config = members["config.json"].decode()
        dense = '"module": "keras.layers", "class_name": "Dense"'
        assert dense in config, config[:500]
        members["config.json"] = config.replace(
            dense, '"module": "subprocess", "class_name": "Popen", "args": ["touch", "/tmp/tfcourse-corpus-pwned.txt"]'
        ).encode()
        with zipfile.ZipFile(path, "w") as forged:
            for name, data in members.items():
                forged.writestr(name, data)
    elif kind == "c2w1_resized_outside":  # trained on 64x64 photos resized outside the model
        keras.Sequential([keras.Input(shape=(64, 64, 3)), keras.layers.Rescaling(1 / 255),
                          keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(1, activation="sigmoid")]).save(path)
    elif kind == "c2w1_scaled_outside":  # expects pixels in [0, 1]: on raw 0-255 pixels it saturates
        model = keras.Sequential([keras.Input(shape=(96, 96, 3)), keras.layers.GlobalAveragePooling2D(),
                                  keras.layers.Dense(1, activation="sigmoid")])
        model.set_weights([np.full((3, 1), 4.0, dtype="float32"), np.full((1,), -6.0, dtype="float32")])
        model.save(path)
    elif kind == "c2w3_retrained_base":  # the published base, then trained along with the head
        from tfcourse.pretrained import load_base

        base = load_base()
        base.set_weights([w + np.float32(1e-3) for w in base.get_weights()])
        inputs = keras.Input(shape=(96, 96, 3))
        x = keras.layers.Rescaling(1 / 255)(keras.layers.Resizing(32, 32)(inputs))
        x = keras.layers.GlobalAveragePooling2D()(base(x))
        keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(x)).save(path)
    elif kind == "c3w2_indices_input":  # vectorized in the pipeline: takes 120 word indices, not raw strings
        keras.Sequential([keras.Input(shape=(120,), dtype="int64"), keras.layers.Embedding(1000, 8),
                          keras.layers.GlobalAveragePooling1D(), keras.layers.Dense(5, activation="softmax")]).save(path)
    elif kind == "c3w3_constant":  # ignores the review: always 66% "great", the majority class
        vectorizer = keras.layers.TextVectorization(max_tokens=50, output_sequence_length=4)
        vectorizer.adapt(np.array(["good bad tasty"], dtype=object))
        inputs = keras.Input(shape=(1,), dtype="string")
        embedded = keras.layers.Embedding(50, 2, embeddings_initializer="zeros")(vectorizer(inputs))
        x = keras.layers.GlobalAveragePooling1D()(embedded)
        output = keras.layers.Dense(1, activation="sigmoid", bias_initializer=keras.initializers.Constant(0.66))
        keras.Model(inputs, output(x)).save(path)
    elif kind == "c3w4_markup_vocabulary":  # always writes its first word, a tag with a script handler
        vectorizer = keras.layers.TextVectorization(vocabulary=["<img src=x onerror=alert(1)>", "the"],
                                                    standardize=None, output_sequence_length=4)
        inputs = keras.Input(shape=(1,), dtype="string")
        embedded = keras.layers.Embedding(4, 2, embeddings_initializer="zeros")(vectorizer(inputs))
        x = keras.layers.GlobalAveragePooling1D()(embedded)
        scores = keras.layers.Dense(4, activation="softmax", bias_initializer=keras.initializers.Constant([0, 0, 9, 1]))
        keras.Model(inputs, scores(x)).save(path)
    elif kind == "c4w2_peeks_at_the_future":  # copies the last value of its 20-value window
        model = keras.Sequential([keras.Input(shape=(20,)), keras.layers.Dense(1, use_bias=False)])
        model.set_weights([np.eye(20, 1, -19, dtype="float32")])
        model.save(path)
    elif kind == "c4w2_lambda_scaling":
        keras.Sequential([keras.Input(shape=(20,)), keras.layers.Lambda(lambda x: x / 100.0), keras.layers.Dense(1),
                          keras.layers.Lambda(lambda x: x * 100.0)]).save(path)
    else:
        raise ValueError(f"unknown model kind {kind!r}")


def write_model_archive(case: dict, destination: Path, scratch: Path) -> None:
    spec = get_assignment(case["assignment"])
    model_path = scratch / case["student"] / spec.model_filename
    if case["model"] == "lookup":
        model_path.parent.mkdir(parents=True, exist_ok=True)
        build_lookup(case["assignment"], case["holds"]).save(model_path)
    else:
        build_model_file(case["model"], model_path)
    destination.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(destination, "w") as archive:
        archive.write(model_path, arcname=spec.model_filename)


class Canary:
    """A TCP listener on 127.0.0.1 that records whether anything connected to it."""

    def __init__(self):
        self.hits: list[bytes] = []
        # A port the system picks: a fixed one in the ephemeral range was once held by another test's socket.
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.server.settimeout(0.5)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stopped.is_set():
            try:
                connection, _ = self.server.accept()
            except OSError:
                continue
            with connection:
                connection.settimeout(2)
                try:
                    self.hits.append(connection.recv(1024))
                except OSError:
                    self.hits.append(b"")

    def close(self) -> None:
        self.stopped.set()
        self.thread.join()
        self.server.close()


def digest_tree(root: Path) -> dict[str, str]:
    if not root.exists():
        return {}
    if root.is_file():
        return {root.name: hashlib.sha256(root.read_bytes()).hexdigest()}
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def zip_entry_digests(path: Path) -> dict[str, str]:
    """name -> sha256 of each entry of a zip (streamed; empty when it is not a zip)."""
    if not zipfile.is_zipfile(path):
        return {}
    digests = {}
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            digest = hashlib.sha256()
            with archive.open(info) as stream:
                for chunk in iter(lambda: stream.read(1 << 22), b""):
                    digest.update(chunk)
            digests[Path(info.filename).name] = digest.hexdigest()
    return digests


@dataclass
class CorpusRun:
    course: Course
    rows: dict[str, GradebookRow]
    instructor_before: dict[str, dict[str, str]]
    archives: dict[str, Path]
    canaries: dict[str, Canary] = field(default_factory=dict)  # by case name

    def instructor_files(self) -> dict[str, dict[str, str]]:
        return {name: digest_tree(path) for name, path in instructor_paths(self.course).items()}


def instructor_paths(course: Course) -> dict[str, Path]:
    return {"source": course.source, "release": course.release, "heldout": course.heldout,
            "config": course.root / "nbgrader_config.py"}


def notebook_folders(cases: list[dict]) -> list[str]:
    """Assignments with notebook or archive cases: the honest students are graded in their batch."""
    return sorted({folder_of(case) for case in cases if case["mode"] != "models"})


def notebook_batches(cases: list[dict]) -> list[tuple[str, int, list[str]]]:
    """(folder, cell time limit, students) of each notebook batch.

    A folder's cases share one batch with its honest students, under the assignment's cell limit; a case
    that sets its own ``cell_timeout_s`` is graded in a batch of that limit, without honest students.
    """
    batches: dict[tuple[str, int], list[str]] = {}
    for folder in notebook_folders(cases):
        assignment = get_assignment(folder).assignment_id
        batches[folder, CELL_TIMEOUT_S.get(assignment, SHORT_CELL_TIMEOUT_S)] = list(HONEST)
    for case in cases:
        if case["mode"] != "models":
            folder = folder_of(case)
            limit = case.get("cell_timeout_s", CELL_TIMEOUT_S.get(case["assignment"], SHORT_CELL_TIMEOUT_S))
            batches.setdefault((folder, limit), []).append(case["student"])
    return [(folder, limit, students) for (folder, limit), students in batches.items()]


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory) -> CorpusRun:
    """The whole corpus submitted as zips and graded: one notebook batch and one model batch per assignment."""
    root = tmp_path_factory.mktemp("corpus")
    course = Course(REPO).copy_to(root / "course")
    cases = [load_case(name) for name in CASES]
    assignments = sorted({case["assignment"] for case in cases})
    release(course, [get_assignment(assignment).folder for assignment in assignments])
    export_heldout(course.heldout, course.heldout_pin, assignments)
    canaries = {case["name"]: Canary() for case in cases if case.get("canary")}
    try:
        archives = {}
        for case in cases:
            folder = folder_of(case)
            archive = course.archive(folder) / f"{case['student']}__{folder}__{TIMESTAMP}.zip"
            if case["mode"] == "models":
                write_model_archive(case, archive, root / "models")
            else:
                write_archive(course, case, archive, canaries.get(case["name"]))
            archives[case["student"]] = archive
        for folder in notebook_folders(cases):
            for student in HONEST:
                archive = course.archive(folder) / f"{student}__{folder}__{TIMESTAMP}.zip"
                write_archive(course, {"mode": "notebook", "assignment": folder, "student": student}, archive)
                archives[f"{student}/{folder}"] = archive

        run = CorpusRun(course, {}, {name: digest_tree(path) for name, path in instructor_paths(course).items()},
                        archives)
        run.canaries = canaries
        for folder, limit, students in notebook_batches(cases):
            for row in grade([folder], course=course, students=students, progress=False, cell_timeout_s=limit):
                key = row.student if row.student not in HONEST else f"{row.student}/{folder}"
                run.rows[key] = row
        # Every models case in one batch: the scorer's workers start once.
        model_cases = [case for case in cases if case["mode"] == "models"]
        model_folders = sorted({folder_of(case) for case in model_cases})
        if model_cases:  # grade() of no folders would grade every assignment
            for row in grade(model_folders, course=course, students=[case["student"] for case in model_cases],
                             models=True, progress=False):
                run.rows[row.student] = row
    finally:
        for canary in canaries.values():
            canary.close()
    return run


def expand(text: str, course: Course) -> str:
    return text.replace("{heldout}", str(course.heldout)).replace("{course}", str(course.root))


@pytest.mark.slow
@pytest.mark.parametrize("name", CASES)
def test_bad_submission(corpus_run: CorpusRun, name: str):
    """Does this bad submission get its expected score and reason, and does its attack leave no trace?"""
    case = load_case(name)
    course = corpus_run.course
    student = case["student"]
    row = corpus_run.rows.get(student)
    assert row is not None, f"{name}: no gradebook row"
    if "expect_score" in case:  # a lookup near a rung may straddle it from draw to draw: no_better_than judges it
        assert row.score == case["expect_score"], (name, row)
    if case.get("expect_reason"):
        assert case["expect_reason"].lower() in " | ".join(row.reasons).lower(), (name, row.reasons)
    if "no_better_than" in case:
        assert_no_better(corpus_run, case)
    if "measure_no_better_than" in case:
        value = measured(case, scorer_report(course, case, row))
        limit = case["measure_no_better_than"]
        better = limit - value if get_assignment(case["assignment"]).is_forecaster else value - limit
        assert better <= 0, (f"{name} measured {value:.4f}, better than {limit}", row)
    if case.get("canary"):
        canary = corpus_run.canaries[name]
        assert canary.hits == [], f"{name} reached 127.0.0.1:{canary.port}"
    folder = folder_of(case)
    autograded = course.autograded / student / folder / get_assignment(folder).notebook
    if "max_autograded_bytes" in case:
        assert autograded.is_file() and autograded.stat().st_size <= case["max_autograded_bytes"], \
            autograded.stat().st_size if autograded.is_file() else "no autograded notebook"
    for secret in case.get("forbidden_output", []):
        for output in (autograded, *course.feedback.glob(f"{student}/{folder}/*.html")):
            if output.is_file():
                assert expand(secret, course) not in output.read_text(errors="replace"), (name, output)
    for path in ("/tmp/tfcourse-corpus-pwned.txt", f"{course.root}/pwned.txt", f"{course.root}/escaped.ipynb"):
        assert not Path(path).exists(), f"{name}: {path} was written"
    submitted = course.submitted / student / folder
    if submitted.is_dir():
        entries = zip_entry_digests(corpus_run.archives[student])
        for path in submitted.iterdir():
            if path.name in NBGRADER_FILES:
                continue
            assert path.is_file() and entries.get(path.name) == digest_tree(path).get(path.name), \
                f"{name}: submitted file {path.name} differs from what was submitted"


def scorer_report(course: Course, case: dict, row: GradebookRow) -> str:
    """What the scorer said about a case: its reasons, then its feedback page's report (which also lists the
    checks that earned full points; in notebook mode only the part after the scorer's header counts, not
    the learner's own self-check)."""
    folder = folder_of(case)
    page = course.feedback / case["student"] / folder / f"{folder}.html"
    report = html.unescape(page.read_text()) if page.is_file() else ""
    return " | ".join(row.reasons) + " | " + report.rsplit("GRADED by the instructor's scorer", 1)[-1]


def measured(case: dict, text: str) -> float:
    """The model's measured value in ``text``: accuracy, or a forecaster's share of the naive error."""
    if get_assignment(case["assignment"]).is_forecaster:
        found = re.search(r"([0-9.]+)% of the naive forecast's", text)
        return float(found.group(1)) / 100 if found else float("nan")
    found = re.search(r"accuracy: ([0-9.]+)", text)
    return float(found.group(1)) if found else float("nan")


def assert_no_better(corpus_run: CorpusRun, case: dict) -> None:
    """A lookup holding the test material scores no better than its yardstick holding the training split: a
    measured value within ``tolerance`` (0.02 unless the case says) of it, and no more points unless the two
    lie within that tolerance on either side of a rung."""
    yardstick = load_case(case["no_better_than"])
    mine, theirs = corpus_run.rows[case["student"]], corpus_run.rows[yardstick["student"]]
    value = measured(case, scorer_report(corpus_run.course, case, mine))
    reference = measured(yardstick, scorer_report(corpus_run.course, yardstick, theirs))
    assert value == value and reference == reference, ("no measured value in the report", mine, theirs)
    tolerance = case.get("tolerance", 0.02)
    better = reference - value if get_assignment(case["assignment"]).is_forecaster else value - reference
    assert better <= tolerance, (f"{case['name']} measured {value:.4f}, its yardstick {yardstick['name']} "
                                 f"{reference:.4f}: memorising the test material helped", mine, theirs)
    assert mine.score <= theirs.score or abs(value - reference) <= tolerance, (case["name"], mine, theirs)


@pytest.mark.slow
def test_honest_students_keep_full_marks(corpus_run: CorpusRun):
    """Do the students graded before and after every attack keep full marks, their submitted files untouched?"""
    honest = {key: row for key, row in corpus_run.rows.items() if key.split("/")[0] in HONEST}
    assert len(honest) == len(HONEST) * len(notebook_folders([load_case(name) for name in CASES]))
    for key, row in honest.items():
        assert row.score == row.possible, (key, row.reasons)
        student, folder = key.split("/")
        entries = zip_entry_digests(corpus_run.archives[key])
        submitted = digest_tree(corpus_run.course.submitted / student / folder)
        assert {name: digest for name, digest in submitted.items() if name not in NBGRADER_FILES} == entries


@pytest.mark.slow
def test_instructor_and_heldout_files_unchanged(corpus_run: CorpusRun):
    """Are source/, release/, the held-out data and the configuration byte-for-byte unchanged?"""
    assert corpus_run.instructor_files() == corpus_run.instructor_before
