"""What a learner gets back: the scorer's report inside the feedback notebook, or a short HTML report.

The graded test cells of the autograded notebook only show the learner's self-check; before
nbgrader renders feedback, each of them gets the scorer's own lines (points on held-out data and
the reason for every lost point). Submissions without an autograded notebook (model-only grading,
an autograde that failed) get a small HTML page with the same report.
"""

from __future__ import annotations

import html
import stat
from pathlib import Path

from tfcourse.grading import GradeResult

HEADER = "GRADED by the instructor's scorer, outside your notebook ({data}):"


def annotate_notebook(path: Path, result: GradeResult, reasons: list[str]) -> None:
    """Append the scorer's report to each graded test cell's outputs of an autograded notebook."""
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    annotated = set()
    for cell in notebook.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("grade") or meta.get("solution"):
            continue
        checks = [check for check in result.checks if check.cell == meta.get("grade_id")]
        cell.outputs.append(_report_output(result, checks, reasons))
        annotated.add(meta.get("grade_id"))
    orphans = [check for check in result.checks if check.cell not in annotated]
    if orphans:  # their test cell was deleted: the report goes in a cell of its own, at the end
        cell = nbformat.v4.new_code_cell("# The grader's report on checks whose test cell is not in this notebook")
        cell.outputs.append(_report_output(result, orphans, reasons))
        notebook.cells.append(cell)
    mode = path.stat().st_mode  # nbgrader leaves autograded files read-only
    path.chmod(mode | stat.S_IWUSR)
    try:
        nbformat.write(notebook, path)
    finally:
        path.chmod(mode)


def _report_output(result: GradeResult, checks: list, reasons: list[str]):
    """A stream output with the scorer's lines for ``checks`` (stream text is escaped when rendered)."""
    import nbformat

    lines = [HEADER.format(data=result.data_label), *(check.line() for check in checks)]
    lines += [f"  note: {note}" for note in result.notes]
    if any(not check.passed for check in checks):
        lines += [f"  - {reason}" for reason in reasons]
    return nbformat.v4.new_output("stream", name="stdout", text="\n".join(lines) + "\n")


def write_report(path: Path, student: str, folder: str, result: GradeResult, reasons: list[str]) -> Path:
    """A standalone HTML feedback page with the score, each check and the reasons."""
    path.parent.mkdir(parents=True, exist_ok=True)
    items = "".join(f"<li>{html.escape(check.line().strip())}</li>" for check in result.checks)
    notes = "".join(f"<li>{html.escape(text)}</li>" for text in [*reasons, *result.notes])
    lost = any(not check.passed for check in result.checks)
    path.write_text(
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'>"
        f"<title>{html.escape(folder)}: feedback for {html.escape(student)}</title></head><body>\n"
        f"<h1>{html.escape(folder)}</h1>\n<p>{html.escape(student)}: <strong>{result.score:g} / "
        f"{result.possible:g}</strong> points ({html.escape(result.data_label)})</p>\n"
        f"<ul>{items}</ul>\n" + (f"<h2>{'More about the lost points' if lost else 'Notes'}</h2>\n<ul>{notes}</ul>\n"
                                  if notes else "")
        + "</body></html>\n")
    return path
