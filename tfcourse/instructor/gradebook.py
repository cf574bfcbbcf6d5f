"""The gradebook: one row per student and assignment, with points and the reasons for lost points."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

# nbgrader interrupts a cell that outlives c.Execute.timeout; the kernel then reports one of these.
TIMEOUT_ERRORS = ("KeyboardInterrupt", "CellTimeoutError")

REPORT_LINE = re.compile(r"^\s*\[(?P<score>[\d.]+)/(?P<possible>[\d.]+)\]\s*(?P<text>.*)$")


@dataclass(frozen=True)
class GradebookRow:
    """One student's result on one assignment."""

    student: str
    assignment: str
    score: float
    possible: float
    reasons: tuple[str, ...]

    @property
    def status(self) -> str:
        if self.score >= self.possible > 0:
            return "full marks"
        return "partial" if self.score > 0 else "zero"


def shorten(text: str, limit: int = 200) -> str:
    """The first sentence of a message, cut to ``limit`` characters."""
    text = " ".join(text.split())
    first = text.split(". ")[0]
    return first if len(first) <= limit else first[: limit - 3] + "..."


def is_test_cell(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("grade")) and not meta.get("solution") and cell.cell_type == "code"


def lost_point_reasons(notebook_path: Path, expected_tests: list[str] = ()) -> list[str]:
    """Why points were lost, read from an autograded notebook.

    Reports missing test cells (``expected_tests`` names those of the release), the first
    error raised outside the test cells (usually the cause), then each test cell's lost points.
    """
    import nbformat

    notebook = nbformat.read(notebook_path, as_version=4)
    present = {cell.metadata["nbgrader"].get("grade_id") for cell in notebook.cells if is_test_cell(cell)}
    reasons = [f"{grade_id}: test cell missing from the submission (deleted?)"
               for grade_id in expected_tests if grade_id not in present]
    first_error = next((output for cell in notebook.cells if cell.cell_type == "code" and not is_test_cell(cell)
                        for output in cell.get("outputs", []) if output.output_type == "error"), None)
    if first_error is not None and first_error.ename in TIMEOUT_ERRORS:
        reasons.append("a cell ran longer than the per-cell time limit and was interrupted")
    elif first_error is not None:
        reasons.append(shorten(f"first error in your code: {first_error.ename}: {first_error.evalue}"))
    for cell in notebook.cells:
        if not is_test_cell(cell):
            continue
        grade_id = cell.metadata["nbgrader"].get("grade_id", "?")
        if not cell.get("outputs"):
            reasons.append(f"{grade_id}: the cell produced no output (was it run?)")
        for output in cell.get("outputs", []):
            if output.output_type == "stream" and output.name == "stdout":
                for line in output.text.splitlines():
                    match = REPORT_LINE.match(line)
                    if match and float(match["score"]) < float(match["possible"]):
                        reasons.append(shorten(f"{grade_id}: {match['text']}"))
            elif output.output_type == "stream" and output.name == "stderr":
                reasons.append(shorten(f"{grade_id}: wrote to stderr (nbgrader scores that 0): {output.text}"))
            elif output.output_type == "error" and output.ename != "GradingFailed":
                reasons.append(shorten(f"{grade_id}: {output.ename}: {output.evalue}"))
    return reasons


def scores_from_database(root: Path, folder: str, student: str) -> tuple[float, float] | None:
    """Score and maximum from nbgrader's gradebook database, or None when it holds no submission."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        try:
            submission = gradebook.find_submission(folder, student)
        except MissingEntry:
            return None
        return float(submission.score), float(submission.max_score)


def max_score(root: Path, folder: str) -> float:
    """Total points of an assignment, from the gradebook database."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        return float(gradebook.find_assignment(folder).max_score)


def write_csv(rows: list[GradebookRow], path: Path) -> Path:
    """Write the gradebook as CSV: student, assignment, score, max_score, status, reasons."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["student_id", "assignment", "score", "max_score", "status", "reasons"])
        for row in rows:
            writer.writerow([row.student, row.assignment, f"{row.score:g}", f"{row.possible:g}", row.status,
                             " | ".join(row.reasons)])
    return path


def format_table(rows: list[GradebookRow]) -> str:
    """A plain-text gradebook: one line per student and assignment, reasons indented below."""
    width = max([len(row.student) for row in rows] + [7])
    assignment_width = max([len(row.assignment) for row in rows] + [10])
    lines = [f"{'student':<{width}}  {'assignment':<{assignment_width}}  {'points':>11}  status"]
    for row in rows:
        points = f"{row.score:g} / {row.possible:g}"
        lines.append(f"{row.student:<{width}}  {row.assignment:<{assignment_width}}  {points:>11}  {row.status}")
        lines.extend(f"{'':<{width}}    - {reason}" for reason in row.reasons)
    totals: dict[str, list[float]] = {}
    for row in rows:
        total = totals.setdefault(row.student, [0.0, 0.0])
        total[0] += row.score
        total[1] += row.possible
    lines.append("")
    lines.extend(f"{student:<{width}}  total {score:g} / {possible:g}" for student, (score, possible) in totals.items())
    return "\n".join(lines)
