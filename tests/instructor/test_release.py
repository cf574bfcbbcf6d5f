"""Tests of the course's files: release/ up to date, notebook conventions, dependency lists."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from conftest import REPO

from tfcourse.course import Course
from tfcourse.grading import ASSIGNMENTS
from tfcourse.instructor.release import release

SOURCE_NOTEBOOKS = sorted((REPO / "source").glob("*/*.ipynb"))
LAB_NOTEBOOKS = sorted((REPO / "notebooks").rglob("*.ipynb"))


def comparable(path: Path) -> dict:
    return nbformat.read(path, as_version=4)


def test_release_is_not_stale(course_copy):
    """Does regenerating release/ from source/ give exactly the committed release/?"""
    release(Course(course_copy))
    generated = sorted(p.relative_to(course_copy / "release") for p in (course_copy / "release").rglob("*.ipynb"))
    committed = sorted(p.relative_to(REPO / "release") for p in (REPO / "release").rglob("*.ipynb"))
    assert generated == committed, "release/ lists other notebooks than source/: run `make release`"
    for relative in generated:
        assert comparable(course_copy / "release" / relative) == comparable(REPO / "release" / relative), (
            f"release/{relative} is stale: run `make release`")


def test_released_notebooks_hide_solutions_and_have_no_outputs():
    """Are release notebooks free of solutions and outputs?"""
    for path in (REPO / "release").rglob("*.ipynb"):
        text = path.read_text()
        assert "BEGIN SOLUTION" not in text, path
        for cell in nbformat.read(path, as_version=4).cells:
            assert not cell.get("outputs"), path


def test_every_assignment_has_a_source_notebook():
    """Does each graded assignment spec have source/<folder>/<folder>.ipynb, and nothing else there?"""
    folders = {p.parent.name for p in SOURCE_NOTEBOOKS}
    assert folders == {spec.folder for spec in ASSIGNMENTS.values()}
    for spec in ASSIGNMENTS.values():
        assert (REPO / "source" / spec.folder / spec.notebook).is_file()
        assert [p.name for p in (REPO / "source" / spec.folder).iterdir()] == [spec.notebook]


@pytest.mark.parametrize("path", SOURCE_NOTEBOOKS, ids=lambda p: p.stem)
def test_graded_cells_follow_the_conventions(path):
    """Do graded headers name the def below them, and does each test cell carry its part's points?"""
    spec = ASSIGNMENTS[path.stem.split("_")[0]]
    cells = nbformat.read(path, as_version=4).cells
    test_points = {}
    for cell in cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        header = re.match(r"# GRADED (FUNCTION|CLASS): (\w+)", cell.source)
        if header:
            assert meta.get("solution"), f"{header[2]} is graded but not a solution cell"
            assert re.search(rf"^(def|class) {header[2]}\b", cell.source, re.M), f"header {header[2]} names no def"
        if meta.get("grade") and not meta.get("solution"):
            test_points[meta["grade_id"]] = meta["points"]
            calls = (f'save_for_grading("{spec.assignment_id}"', f'check_exercise("{spec.assignment_id}"')
            assert any(call in cell.source for call in calls), cell.source
    assert test_points == spec.cell_points
    solution_cells = {cell.metadata["nbgrader"]["grade_id"] for cell in cells
                      if cell.get("metadata", {}).get("nbgrader", {}).get("solution")}
    assert {part.exercise.cell for part in spec.exercises} <= solution_cells
    assert cells[0].cell_type == "markdown" and cells[0].source.startswith(f"# {spec.assignment_id} ")
    assert any(c.source.startswith("## Summary") for c in cells)


@pytest.mark.parametrize("path", SOURCE_NOTEBOOKS + LAB_NOTEBOOKS, ids=lambda p: p.stem)
def test_code_cells_open_with_a_comment_and_use_current_keras(path):
    """Does every code cell start with a one-line comment, and avoid Keras 2 idioms?"""
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        assert cell.source.lstrip().startswith("#"), f"{path.name}: code cell without a leading comment"
        assert not re.search(r"['\"]acc['\"]|\.h5['\"]|ImageDataGenerator|keras\.preprocessing\.text", cell.source)


def test_lab_names_follow_the_pattern():
    """Are labs named notebooks/C<n>/W<m>/C<n>W<m>_lab<k>_<slug>.ipynb?"""
    assert len(LAB_NOTEBOOKS) >= 6
    for path in LAB_NOTEBOOKS:
        relative = path.relative_to(REPO / "notebooks")
        match = re.fullmatch(r"C(\d)/W(\d)/C(\d)W(\d)_lab\d+_[a-z0-9_]+\.ipynb", str(relative))
        assert match and match[1] == match[3] and match[2] == match[4], relative


def test_environment_yml_defers_to_pyproject():
    """Does environment.yml install Python 3.11 and the project itself, pinning nothing else?"""
    text = (REPO / "environment.yml").read_text()
    assert "python=3.11" in text and "-e .[test]" in text
    assert not re.search(r"tensorflow|keras|nbgrader", text.split("dependencies:")[1])


def test_ci_runs_the_readme_test_command():
    """Does .ci/run run exactly the README's test command?"""
    assert "make test" in (REPO / ".ci" / "run").read_text()
    assert "make test" in (REPO / "README.md").read_text()


def test_nothing_large_is_tracked():
    """Are no datasets, models or caches in git (every tracked file under 1 MiB)?"""
    import subprocess

    files = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True).stdout.split()
    for name in files:
        path = REPO / name
        assert not name.endswith((".keras", ".h5", ".npz", ".gz", ".db")), name
        if path.is_file():
            assert path.stat().st_size < 1 << 20, name
