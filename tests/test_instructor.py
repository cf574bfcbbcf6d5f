"""Tests of tfcourse.instructor: archive checks, the gradebook, and the demo batch graded end to end."""

from __future__ import annotations

import csv
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from conftest import REPO, code_cell, notebook
from tfcourse.course import Course
from tfcourse.grading import ASSIGNMENTS as ALL_ASSIGNMENTS, get_assignment
from tfcourse.instructor.archives import ArchiveLimits, check_archive, vet_archives
from tfcourse.instructor.demo import run_demo
from tfcourse.instructor.grade import grade
from tfcourse.instructor.gradebook import (
    GradebookRow,
    format_table,
    notebook_context,
    read_csv,
    update_csv,
    write_csv,
)

C1W1 = "C1W1_housing_prices"
ZIP_NAME = f"ann__{C1W1}__20260101T000000Z.zip"


def make_zip(path: Path, entries: dict[str, bytes], symlinks: tuple[str, ...] = ()) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, payload in entries.items():
            info = zipfile.ZipInfo(name)
            if name in symlinks:
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, payload)
    return path


@pytest.mark.parametrize("entries, phrase", [
    ({f"{C1W1}.ipynb": b"{}", "C1W1_model.keras": b"PK"}, None),
    ({f"{C1W1}.ipynb": b"{}", "../escape.ipynb": b"{}"}, "climbs out"),
    ({"/etc/cron.d/x": b"x"}, "not a plain file name"),
    ({f"sub/{C1W1}.ipynb": b"{}"}, "in a folder"),
    ({f"{C1W1}.ipynb": b"{}", "run.sh": b"rm -rf ~"}, "not allowed"),
    ({f"n{i}.ipynb": b"{}" for i in range(5)}, "5 files"),
    ({f"{C1W1}.ipynb": bytes(2 * 2**20)}, "expands to 2 MiB"),
])
def test_archive_checks(tmp_path, entries, phrase):
    """Is each kind of dangerous zip refused with its reason, and a normal one accepted?"""
    limits = ArchiveLimits(max_entry_bytes=2**20, max_total_bytes=3 * 2**20)
    check = check_archive(make_zip(tmp_path / ZIP_NAME, entries), C1W1, limits)
    if phrase is None:
        assert check.accepted and check.student == "ann"
    else:
        assert not check.accepted and phrase in check.reason(), check.reason()
        assert check.reason().startswith("archive refused, nothing was extracted")


def test_symbolic_links_duplicates_names_and_non_zips_are_refused(tmp_path):
    """Are symlink entries, repeated names, badly named and non-zip files refused?"""
    link = make_zip(tmp_path / "a" / ZIP_NAME, {f"{C1W1}.ipynb": b"/etc/passwd"}, symlinks=(f"{C1W1}.ipynb",))
    assert "symbolic link" in check_archive(link, C1W1).reason()
    twice = tmp_path / "b" / ZIP_NAME
    twice.parent.mkdir()
    with zipfile.ZipFile(twice, "w") as archive:
        archive.writestr(f"{C1W1}.ipynb", b"{}")
        archive.writestr(f"{C1W1}.ipynb", b"{}")
    assert "twice" in check_archive(twice, C1W1).reason()
    badly_named = make_zip(tmp_path / "c" / "my homework.zip", {f"{C1W1}.ipynb": b"{}"})
    assert "is not <student>__" in check_archive(badly_named, C1W1).reason()
    not_zip = tmp_path / "d" / ZIP_NAME
    not_zip.parent.mkdir()
    not_zip.write_bytes(b"PK not a zip")
    assert "not a readable zip" in check_archive(not_zip, C1W1).reason()


def test_vetting_copies_accepted_zips_and_leaves_the_downloads_alone(tmp_path):
    """Does vetting hand on only accepted zips, without changing any downloaded file?"""
    archive = tmp_path / "archive"
    good = make_zip(archive / ZIP_NAME, {f"{C1W1}.ipynb": b"{}"})
    bad = make_zip(archive / f"bob__{C1W1}__20260101T000000Z.zip", {"../x.ipynb": b"{}"})
    before = {p.name: p.read_bytes() for p in archive.iterdir()}
    checks = vet_archives(archive, tmp_path / "vetted", C1W1)
    assert [c.accepted for c in checks] == [True, False]
    assert sorted(p.name for p in (tmp_path / "vetted").iterdir()) == [good.name]
    assert before == {p.name: p.read_bytes() for p in archive.iterdir()} and bad.exists()


def test_only_regular_artifacts_leave_the_kernels_scratch_folder(tmp_path):
    """Is a saved model copied back, while a link or a FIFO under the model's name is refused?"""
    import os

    from tfcourse.instructor.sandboxed_execute import copy_back

    scratch, workdir = tmp_path / "scratch", tmp_path / "autograded"
    scratch.mkdir()
    workdir.mkdir()
    (tmp_path / "victim.keras").write_text("another student's model")
    (scratch / "model.keras").write_text("mine")
    (scratch / "linked.keras").symlink_to(tmp_path / "victim.keras")
    os.mkfifo(scratch / "pipe.keras")
    (scratch / "shadow.py").write_text("import os")
    refused = copy_back(scratch, workdir, ["model.keras", "linked.keras", "pipe.keras", "absent.keras"])
    assert sorted(p.name for p in workdir.iterdir()) == ["model.keras"]
    assert (workdir / "model.keras").read_text() == "mine"
    assert [r.split()[0] for r in refused] == ["linked.keras", "pipe.keras"]


def test_notebook_context_names_deleted_tests_and_the_first_error(tmp_path):
    """Does the autograded notebook's context give deleted test cells and the first error in the code?"""
    failing = code_cell("raise ValueError('bad input')")
    failing.outputs = [nbformat.v4.new_output("error", ename="ValueError", evalue="bad input", traceback=[])]
    path = tmp_path / "nb.ipynb"
    nbformat.write(notebook(code_cell("x = 1"), failing), path)
    assert notebook_context(path, ["test_model"]) == [
        "test_model: test cell missing from the submission (deleted?)",
        "first error in your notebook: ValueError: bad input"]


def test_gradebook_table_and_csv(tmp_path):
    """Does the gradebook show points, status, reasons and totals, and write them as CSV?"""
    rows = [GradebookRow("ann", C1W1, 10, 10, ()),
            GradebookRow("bob", C1W1, 0, 10, ("could not be autograded: bad JSON",))]
    table = format_table(rows)
    assert "full marks" in table and "- could not be autograded: bad JSON" in table
    assert any(line.startswith("bob") and line.endswith("total 0 / 10") for line in table.splitlines())
    lines = write_csv(rows, tmp_path / "g.csv").read_text().splitlines()
    assert lines[0] == "student_id,assignment,score,max_score,status,reasons" and lines[2].startswith("bob,")
    regraded = GradebookRow("bob", C1W1, 5, 10, ("accuracy: 0.8",))
    assert read_csv(update_csv([regraded], tmp_path / "g.csv")) == [rows[0], regraded]


# --- the demo batch, end to end ---------------------------------------------------------------------

# The demo is graded one course at a time: each course's batch is a module-level fixture computed on
# first use, and every test of a course carries that course's xdist group, so `make test` grades the
# courses' batches on different workers in parallel.
ASSIGNMENTS = sorted(ALL_ASSIGNMENTS)
COURSES = sorted({assignment[:2] for assignment in ASSIGNMENTS})


def by_course(params, at: int = 0):
    """Test parameters, each marked with the xdist group of its course (the first two letters of value ``at``)."""
    marked = []
    for values in params:
        values = values if isinstance(values, tuple) else (values,)
        marked.append(pytest.param(*values, marks=pytest.mark.xdist_group(f"demo-{values[at][:2]}")))
    return marked


@pytest.fixture(scope="module")
def demo_batches(tmp_path_factory):
    """course id -> (course copy, {(student, assignment id): row}): the demo graded for that course's assignments."""
    batches = {}

    def batch(course_id: str):
        if course_id not in batches:
            course = Course(REPO).copy_to(tmp_path_factory.mktemp(f"demo-{course_id}") / "course")
            folders = [folder for folder in course.assignment_folders() if folder.startswith(course_id)]
            rows = run_demo(course, folders=folders, progress=False)
            batches[course_id] = course, {(row.student, row.assignment.split("_")[0]): row for row in rows}
        return batches[course_id]

    return batch


@pytest.mark.slow
@pytest.mark.parametrize("assignment", by_course(ASSIGNMENTS))
def test_reference_solution_gets_full_marks_on_heldout_data(demo_batches, assignment):
    """Does the reference solution, run in the sandbox and scored afterwards, clear its thresholds?"""
    course, rows = demo_batches(assignment[:2])
    row = rows[("reference", assignment)]
    assert row.score == row.possible == 10, row.reasons
    folder = get_assignment(assignment).folder
    text = (course.autograded / "reference" / folder / f"{folder}.ipynb").read_text()
    assert "GRADED by the instructor's scorer" in text and "held-out test data" in text
    assert "graded without sandbox" not in text
    assert (course.feedback / "reference" / folder / f"{folder}.html").is_file()


@pytest.mark.slow
@pytest.mark.parametrize("assignment", by_course(ASSIGNMENTS))
def test_weak_solution_fails(demo_batches, assignment):
    """Does the deliberately weak solution of every assignment fall short, with the reason shown?"""
    _, rows = demo_batches(assignment[:2])
    row = rows[("weak", assignment)]
    assert row.score < row.possible / 2 and row.reasons, row


@pytest.mark.slow
@pytest.mark.xdist_group("demo-C2")
def test_training_from_scratch_stays_below_the_transfer_ladder(demo_batches):
    """C2W3's weak student trains the base's architecture from scratch as long as the head trains: is its
    accuracy below the ladder, so that transfer learning, not only the frozen-base rule, makes the difference?"""
    _, rows = demo_batches("C2")
    accuracy = next(reason for reason in rows[("weak", "C2W3")].reasons if reason.startswith("accuracy:"))
    assert float(accuracy.split()[1]) < get_assignment("C2W3").ladder[-1].threshold, accuracy


@pytest.mark.slow
@pytest.mark.parametrize("assignment, score, phrases", by_course([
    ("C1W1", 0, ["could not be autograded"]),
    # Test cells deleted: the model is never saved, but the callback (an artifact in its own right) still counts.
    ("C1W2", 4, ["test cell missing", "never saved"]),
    ("C1W3", 0, ["NotImplementedError", "never saved"]),
    ("C1W4", 0, ["could not be loaded safely"]),
    ("C2W1", 0, ["expects input shape (64, 64, 3)"]),  # built for its training size, no Resizing inside
    # No augmentation: accurate enough for the accuracy points, but it memorized its training photos.
    ("C2W2", 5, ["overfitting"]),
    ("C2W3", 0, ["differ from the published pre-trained base"]),  # never froze the base
    ("C2W4", 0, ["could not convert string to float"]),  # parsed the CSV header as numbers; an untrained model was saved
]))
def test_broken_submissions_lose_points_with_reasons(demo_batches, assignment, score, phrases):
    """Do the broken student's submissions (bad JSON, deleted tests, unsolved, unsafe model...) say why?"""
    _, rows = demo_batches(assignment[:2])
    row = rows[("broken", assignment)]
    assert row.score == score and all(phrase in " ".join(row.reasons) for phrase in phrases), row


@pytest.mark.slow
@pytest.mark.parametrize("student, assignment, phrases", by_course([
    ("forger", "C1W2", ["callback: wrong in", "never saved"]),
    ("snoop", "C1W4", ["symbolic link"]),
], at=1))
def test_cheating_students_get_zero_with_reasons(demo_batches, student, assignment, phrases):
    """Do the forger (rebound grading calls, forged history) and the snoop (held-out hunt, planted link) get 0?"""
    _, rows = demo_batches(assignment[:2])
    row = rows[(student, assignment)]
    assert row.score == 0 and all(phrase in " ".join(row.reasons) for phrase in phrases), row


@pytest.mark.slow
@pytest.mark.parametrize("course_id", by_course(COURSES))
def test_nbgrader_export_agrees_with_the_gradebook(demo_batches, course_id):
    """Do nbgrader's own export and gradebook.csv give every submission the same points?"""
    course, rows = demo_batches(course_id)
    subprocess.run([sys.executable, "-m", "nbgrader", "export"], cwd=course.root, check=True, capture_output=True)
    with open(course.root / "grades.csv") as stream:
        exported = {(r["student_id"], r["assignment"].split("_")[0]): float(r["score"]) for r in csv.DictReader(stream)}
    for key, row in rows.items():
        assert exported[key] == row.score, (key, exported[key], row)


@pytest.mark.slow
@pytest.mark.parametrize("course_id", by_course(COURSES))
def test_model_only_grading_gives_the_notebook_points(demo_batches, course_id):
    """Does `tfcourse grade --models` give the same points as notebook mode, in nbgrader's gradebook too?"""
    course, rows = demo_batches(course_id)
    students = []
    for (student, assignment), row in rows.items():
        spec = get_assignment(assignment)
        folder = course.autograded / student / spec.folder
        model = folder / spec.model_filename
        if student not in ("reference", "weak") or not model.is_file():
            continue
        zip_name = f"{student}-models__{spec.folder}__20260101T000000Z.zip"
        make_zip(course.archive(spec.folder) / zip_name,
                 {spec.model_filename: model.read_bytes(), spec.notebook: (folder / spec.notebook).read_bytes()})
        students.append(f"{student}-models")
    folders = [folder for folder in course.assignment_folders() if folder.startswith(course_id)]
    graded = grade(folders, course=course, students=sorted(set(students)), models=True, progress=False)
    assert len(graded) == 2 * len(folders)
    for row in graded:
        notebook_row = rows[(row.student.removesuffix("-models"), row.assignment.split("_")[0])]
        assert row.score == notebook_row.score, (row, notebook_row)
    subprocess.run([sys.executable, "-m", "nbgrader", "export"], cwd=course.root, check=True, capture_output=True)
    with open(course.root / "grades.csv") as stream:
        exported = {(r["student_id"], r["assignment"]): float(r["score"]) for r in csv.DictReader(stream)}
    assert all(exported[(row.student, row.assignment)] == row.score for row in graded)


@pytest.mark.slow
def test_grading_without_bubblewrap_says_so(tmp_path, monkeypatch):
    """Where bubblewrap is off, is the submission still graded, with 'graded without sandbox' in every report?"""
    from tfcourse.grading import export_heldout
    from tfcourse.instructor.demo import stage_submissions
    from tfcourse.instructor.release import release

    monkeypatch.setenv("TFCOURSE_SANDBOX", "off")
    course = Course(REPO).copy_to(tmp_path / "course")
    release(course)
    export_heldout(course.heldout, course.heldout_pin)
    folder = get_assignment("C1W4").folder
    stage_submissions(course, [folder], ("reference",))
    (row,) = grade([folder], course=course, students=["reference"], progress=False)
    assert row.score == 10 and any(reason.startswith("graded without sandbox") for reason in row.reasons), row
    assert "graded without sandbox" in (course.autograded / "reference" / folder / f"{folder}.ipynb").read_text()
    assert "graded without sandbox" in (course.root / "gradebook.csv").read_text()
