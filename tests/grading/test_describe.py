"""Thresholds are declared once, in the specs: the notebooks' "how you are graded" blocks and
docs/grading.md's threshold columns must say what the specs say."""

from __future__ import annotations

import nbformat
import pytest
from conftest import REPO

from tfcourse.course import Course
from tfcourse.grading import ASSIGNMENTS, get_assignment
from tfcourse.grading.describe import BEGIN, END, number, rules_markdown, thresholds_table, with_block, with_rules
from tfcourse.instructor.release import generated_tables


def blocks(path) -> list[str]:
    """Every generated block of a notebook's markdown cells, markers included."""
    found = []
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "markdown" and BEGIN in cell.source:
            found.append(BEGIN + cell.source.split(BEGIN, 1)[1].split(END, 1)[0] + END)
    return found


@pytest.mark.parametrize("assignment", sorted(ASSIGNMENTS))
@pytest.mark.parametrize("tree", ["source", "release"])
def test_each_notebook_states_its_specs_rules(assignment, tree):
    """Does the source notebook and its released version hold one block, the one its spec writes today
    (`tfcourse release` rewrites it)?"""
    spec = get_assignment(assignment)
    assert blocks(REPO / tree / spec.folder / spec.notebook) == [rules_markdown(spec)], \
        f"{tree}/{spec.folder}: run `tfcourse release` to write the spec's grading rules"


def test_the_block_names_every_rung_and_rule():
    """C2W2's block gives its rung, its gap threshold and the training-accuracy floor; C4W2's its shares."""
    c2w2, c4w2 = rules_markdown(get_assignment("C2W2")), rules_markdown(get_assignment("C4W2"))
    assert "5 points for at least 0.60" in c2w2 and "at most 0.225" in c2w2 and "at least 75% of its training" in c2w2
    assert "10 points for at most 96%" in c4w2 and "5 points for at most 99%" in c4w2


def test_a_block_without_its_end_marker_is_refused():
    with pytest.raises(ValueError, match="end marker"):
        with_rules(f"intro\n{BEGIN}\nstale lines", get_assignment("C1W3"))
    assert with_rules("no block here", get_assignment("C1W3")) == "no block here"


def test_numbers_read_as_reports_show_them():
    assert [number(get_assignment("C1W1"), 0.1), number(get_assignment("C1W2"), 0.745),
            number(get_assignment("C4W4"), 0.955)] == ["0.10", "0.745", "95.5%"]


@pytest.mark.parametrize("name", ["README.md", "docs/grading.md"])
def test_readme_and_docs_tables_are_the_ones_the_specs_write(name):
    """Do README.md's course tables and docs/grading.md's thresholds table say what the specs (and the labs'
    titles) say today (`tfcourse release` rewrites them)?"""
    text = (REPO / name).read_text()
    for block, body in generated_tables(Course(REPO))[name].items():
        assert with_block(text, block, body) == text, f"{name}: run `tfcourse release` to rewrite the {block}"


def test_the_thresholds_table_gives_each_rung_rule_and_exercise():
    """Does the thresholds table's row of an assignment hold its rungs, its rules' cells and its exercises' points?"""
    table = thresholds_table([get_assignment("C2W2"), get_assignment("C1W2"), get_assignment("C3W1")])
    c2w2, c1w2, c3w1 = table.splitlines()[2:]
    assert "| >= 0.60 → 5 | — |" in c2w2 and "gap <= 0.225 → 5 (only with accuracy >= 0.60 and a training-split" in c2w2
    assert "| >= 0.745 → 6 | >= 0.73 → 3 |" in c1w2 and "`StopAtAccuracy` (callback) → 4" in c1w2
    assert "| — | — |" in c3w1 and "`fit_vectorizer` (vectorizer) → 4" in c3w1


def test_a_missing_block_is_refused():
    with pytest.raises(ValueError, match="no block 'course table C9'"):
        with_block("no markers here", "course table C9", "| a |")
