"""The gradebook: the scorer's points written into nbgrader's database, and a readable table and CSV.

nbgrader's database stays the one record of points, so ``nbgrader export``, formgrader, feedback
and gradebook.csv agree: :func:`record_scores` writes each graded test cell's points as its
automatic score, whatever the notebook's own run produced.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from tfcourse.grading import GradeResult

# nbgrader interrupts a cell that outlives c.Execute.timeout; the kernel then reports one of these.
TIMEOUT_ERRORS = ("KeyboardInterrupt", "CellTimeoutError")
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")


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


def shorten(text: str, limit: int = 240) -> str:
    """One line of at most ``limit`` characters."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def is_test_cell(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("grade")) and not meta.get("solution") and cell.get("cell_type") == "code"


def notebook_context(notebook_path: Path, expected_tests: list[str]) -> list[str]:
    """What the autograded notebook says about lost points: deleted test cells, the first error."""
    import nbformat

    notebook = nbformat.read(notebook_path, as_version=4)
    present = {cell.metadata["nbgrader"].get("grade_id") for cell in notebook.cells if is_test_cell(cell)}
    context = [f"{grade_id}: test cell missing from the submission (deleted?)"
               for grade_id in expected_tests if grade_id not in present]
    first_error = next((output for cell in notebook.cells if cell.cell_type == "code"
                        for output in cell.get("outputs", []) if output.output_type == "error"), None)
    if first_error is not None and first_error.ename in TIMEOUT_ERRORS:
        context.append("a cell ran longer than the per-cell time limit and was interrupted")
    elif first_error is not None:
        evalue = ANSI_ESCAPE.sub("", first_error.evalue or "")  # Keras colours its messages for terminals
        error = f"{first_error.ename}: {evalue}" if evalue else first_error.ename
        context.append(shorten(f"first error in your notebook: {error}"))
    return context


# `tfcourse grade --db URL` sets it for itself and the nbgrader steps it runs (nbgrader_config.py reads it).
DB_URL_ENV = "TFCOURSE_DB_URL"


@functools.lru_cache(maxsize=16)
def _configured_db_url(config: Path, modified_ns: int) -> str | None:
    """nbgrader_config.py's ``c.CourseDirectory.db_url``, read once per version of the file (reading it runs
    the file: about 35 ms, too much for every recorded result)."""
    from tfcourse.course import read_config

    return read_config(config.parent).get("CourseDirectory", {}).get("db_url")


def database_url(root: Path) -> str:
    """The gradebook's SQLAlchemy URL: $TFCOURSE_DB_URL (``tfcourse grade --db``), else nbgrader_config.py's
    ``c.CourseDirectory.db_url``, else SQLite in the course folder (nbgrader's own default)."""
    import os

    config = Path(root).resolve() / "nbgrader_config.py"
    configured = _configured_db_url(config, config.stat().st_mtime_ns) if config.is_file() else None
    url = os.environ.get(DB_URL_ENV) or configured
    if not url:
        return f"sqlite:///{root / 'gradebook.db'}"
    sqlite_path = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else None
    if sqlite_path is not None and not Path(sqlite_path).is_absolute():  # nbgrader reads it from the course folder
        return f"sqlite:///{Path(root).resolve() / sqlite_path}"
    return url


def _database(root: Path):
    import os

    from nbgrader.api import Gradebook

    from tfcourse.instructor.nbgrader_steps import interpreter_first

    # nbgrader runs `alembic` by name when it creates a database (a fresh Postgres one, say).
    os.environ["PATH"] = interpreter_first(os.environ.get("PATH", ""))
    return Gradebook(database_url(root))


def record_scores(root: Path, folder: str, student: str, result: GradeResult) -> tuple[float, float]:
    """Write the scorer's points into nbgrader's database as each test cell's automatic score.

    Creates the student and the submission when nbgrader has none (model-only grading, or an
    autograde that failed). A test cell the result does not mention gets 0: only the scorer
    decides points. Returns the submission's score and maximum as the database computes them.
    """
    from nbgrader.api import MissingEntry

    scores = result.cell_scores()
    with _database(root) as gradebook:
        gradebook.update_or_create_student(student)
        try:
            submission = gradebook.find_submission(folder, student)
        except MissingEntry:
            submission = gradebook.add_submission(folder, student)
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                if grade.cell_type == "code" or grade.name in scores:
                    grade.auto_score = float(scores.get(grade.name, 0.0))
                    grade.manual_score = None
                    grade.needs_manual_grade = False
        gradebook.db.commit()
        submission = gradebook.find_submission(folder, student)
        return float(submission.score), float(submission.max_score)


def records_release(root: Path, folder: str) -> bool:
    """Does nbgrader's database hold the released notebooks of ``folder`` exactly: the same notebooks, the
    same checksummed (solution, locked and test) cells, the same points?

    When it does, grading can skip `nbgrader generate_assignment` (about 2 s a folder, docs/benchmarks.md),
    which would only write the same release and records again.
    """
    import json

    from nbgrader.api import MissingEntry

    released = {}
    for path in sorted((root / "release" / folder).glob("*.ipynb")):
        try:
            cells = [cell["metadata"]["nbgrader"] for cell in json.loads(path.read_text())["cells"]
                     if "nbgrader" in cell.get("metadata", {})]
            released[path.stem] = ({meta["grade_id"]: meta["checksum"] for meta in cells if "checksum" in meta},
                                   {meta["grade_id"]: float(meta["points"]) for meta in cells if meta.get("grade")})
        except (OSError, ValueError, KeyError, TypeError):
            return False
    if not released or not (root / "gradebook.db").is_file():
        return False
    with _database(root) as gradebook:
        try:
            assignment = gradebook.find_assignment(folder)
        except MissingEntry:
            return False
        recorded = {notebook.name: ({cell.name: cell.checksum for cell in notebook.source_cells},
                                    {cell.name: float(cell.max_score) for cell in notebook.grade_cells})
                    for notebook in assignment.notebooks}
    return recorded == released


def graded_cell_points(root: Path, folder: str) -> dict[str, float]:
    """grade_id -> points of each graded test cell of an assignment, as nbgrader recorded them."""
    with _database(root) as gradebook:
        assignment = gradebook.find_assignment(folder)
        return {cell.name: float(cell.max_score) for notebook in assignment.notebooks
                for cell in notebook.grade_cells if cell.cell_type == "code"}


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


def read_csv(path: Path) -> list[GradebookRow]:
    """The rows of a gradebook CSV written by :func:`write_csv` (none when it does not exist)."""
    if not path.is_file():
        return []
    with open(path, newline="") as stream:
        return [GradebookRow(row["student_id"], row["assignment"], float(row["score"]), float(row["max_score"]),
                             tuple(reason for reason in row["reasons"].split(" | ") if reason))
                for row in csv.DictReader(stream)]


def update_csv(rows: list[GradebookRow], path: Path) -> Path:
    """Write ``rows`` into the gradebook CSV, replacing earlier rows of the same student and assignment."""
    graded = {(row.student, row.assignment) for row in rows}
    kept = [row for row in read_csv(path) if (row.student, row.assignment) not in graded]
    return write_csv(sorted([*kept, *rows], key=lambda row: (row.student, row.assignment)), path)


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
