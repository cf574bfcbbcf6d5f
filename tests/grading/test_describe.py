"""Thresholds are declared once, in the specs: the notebooks' "how you are graded" blocks and
docs/grading.md's threshold columns must say what the specs say."""

from __future__ import annotations

import re

import nbformat
import pytest
from conftest import REPO

from tfcourse.grading import ASSIGNMENTS, get_assignment
from tfcourse.grading.describe import BEGIN, END, number, rules_markdown, table_cells, with_rules


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


def grading_table() -> dict[str, list[str]]:
    """docs/grading.md's threshold table: assignment id -> its row's cells."""
    text = (REPO / "docs" / "grading.md").read_text()
    table = text.split("## Thresholds", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in table.splitlines():
        found = re.match(r"\| (C\dW\d) ", line)
        if found:
            rows[found.group(1)] = [cell.strip() for cell in line.strip("|").split(" | ")]
    return rows


@pytest.mark.parametrize("assignment", sorted(ASSIGNMENTS))
def test_docs_threshold_table_agrees_with_the_spec(assignment):
    """Does docs/grading.md's row give the spec's full and partial credit, gap and frozen-base points, and
    each exercise's points?"""
    spec = get_assignment(assignment)
    row = grading_table()[assignment]
    if spec.has_model:
        assert (row[2], row[3]) == table_cells(spec), row
    others = " ".join(row[2:])
    if spec.gap is not None:
        label = "loss gap" if spec.gap.on == "loss" else "gap"
        assert f"{label} <= {spec.gap.max_gap:g} → {spec.gap.points:g}" in others, row
    if spec.frozen_base is not None:
        assert f"frozen base → {spec.frozen_base.points:g}" in others, row
    for part in spec.exercises:
        assert re.search(rf"`{part.exercise.name}`[^;|]*→ {part.points:g}\b", others) or \
            f"{part.points:g} points (test cell `{part.test_cell}`)" in others, (part.exercise.name, row)
