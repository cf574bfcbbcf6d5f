"""Tests of tfcourse.instructor: archive checks, the gradebook, grading without bubblewrap.

The demo batch graded end to end is in tests/test_demo.py.
"""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import nbformat
import pytest
from conftest import REPO, code_cell, notebook

from tfcourse.course import Course
from tfcourse.errors import UnknownName
from tfcourse.grading import ASSIGNMENTS, get_assignment
from tfcourse.instructor.archives import ArchiveLimits, check_archive, vet_archives
from tfcourse.instructor.grade import grade
from tfcourse.instructor.gradebook import (
    GradebookRow,
    format_table,
    notebook_context,
    read_csv,
    records_release,
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
    ({}, "holds no files"),  # e.g. an exchange submission with neither notebook nor model to pack
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


def test_feedback_reports_checks_whose_test_cell_was_deleted(tmp_path):
    """Does the feedback notebook report every check, in a cell of its own when its test cell is gone?"""
    from tfcourse.grading.result import CheckResult, GradeResult
    from tfcourse.instructor.feedback import annotate_notebook

    path = tmp_path / "nb.ipynb"
    nbformat.write(notebook(code_cell("x = 1"), code_cell("check_callback()", grade=True, grade_id="test_callback",
                                                          points=4, locked=True)), path)
    result = GradeResult("C1W2", "Callbacks", "held-out test data", (
        CheckResult("callback", 4, 4, "right in 8 of 8 training runs", cell="test_callback"),
        CheckResult("model", 0, 6, "no model file: the notebook never saved C1W2_model.keras", cell="test_model")), 10)
    annotate_notebook(path, result, ["test_model: test cell missing from the submission (deleted?)"])
    cells = nbformat.read(path, as_version=4).cells
    assert len(cells) == 3 and "[4/4] callback" in cells[1].outputs[-1].text
    assert "never saved" not in cells[1].outputs[-1].text
    report = cells[2].outputs[-1].text
    assert "[0/6] model: no model file" in report and "test cell missing" in report


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


def test_grading_regenerates_the_assignment_only_when_the_gradebook_does_not_match_the_release(course_copy):
    """Does records_release hold for a fresh release, and fail once the database or the release differs?"""
    from tfcourse.instructor.release import release

    course = Course(course_copy)
    folder = get_assignment("C4W1").folder
    assert not records_release(course.root, folder)  # nothing released, no database yet
    release(course, [folder])
    assert records_release(course.root, folder)
    released = course.release / folder / get_assignment(folder).notebook
    original = released.read_text()
    released.write_text(original.replace('"points": 3', '"points": 4', 1))
    assert original != released.read_text() and not records_release(course.root, folder)  # points changed
    released.write_text(original.replace('"checksum": "', '"checksum": "0', 1))
    assert not records_release(course.root, folder)  # a locked cell changed
    released.write_text(original)
    assert records_release(course.root, folder)
    (course.root / "gradebook.db").unlink()
    assert not records_release(course.root, folder)


@pytest.mark.slow
def test_grading_without_bubblewrap_says_so(tmp_path, monkeypatch):
    """Where bubblewrap is off, is the submission still graded, with 'graded without sandbox' in every report?"""
    from tfcourse.grading import export_heldout
    from tfcourse.instructor.demo import stage_submissions
    from tfcourse.instructor.release import release

    monkeypatch.setenv("TFCOURSE_SANDBOX", "off")
    course = Course(REPO).copy_to(tmp_path / "course")
    folder = get_assignment("C1W4").folder
    release(course, [folder])
    export_heldout(course.heldout, course.heldout_pin, ["C1W4"])
    stage_submissions(course, [folder], ("reference",))
    (row,) = grade([folder], course=course, students=["reference"], progress=False)
    assert row.score == 10 and any(reason.startswith("graded without sandbox") for reason in row.reasons), row
    assert "graded without sandbox" in (course.autograded / "reference" / folder / f"{folder}.ipynb").read_text()
    assert "graded without sandbox" in (course.root / "gradebook.csv").read_text()


def test_demo_selects_courses_or_assignments():
    """Does `tfcourse demo C2` pick Course 2's folders, an id one folder, and an unknown prefix say what exists?"""
    from tfcourse.instructor.demo import demo_folders

    course = Course(REPO)
    assert sorted(folder.split("_")[0] for folder in demo_folders(course, ["C2"])) == sorted(
        assignment for assignment in ASSIGNMENTS if assignment.startswith("C2"))
    assert demo_folders(course, ["c1w4"]) == ["C1W4_real_world_images"]
    assert demo_folders(course, ["C2W4"]) == ["C2W4_multiclass_from_csv"]
    assert [folder.split("_")[0] for folder in demo_folders(course, [])] == ["C1W2", "C1W4", "C2W3", "C3W3", "C4W2"]
    assert demo_folders(course, ["all"]) == course.assignment_folders()
    with pytest.raises(UnknownName, match="no assignment matches C9; assignments: C1W1"):
        demo_folders(course, ["C9"])
