"""`tfcourse progress`: how far a learner is through the course, read from what the course already writes.

- **Labs run**: the lab notebooks as Jupyter saved them (notebooks/, or a copy in the work folder); a lab
  is run when every code cell has an execution count.
- **Self-checks and submissions**: the activity log that `tfcourse check` and `tfcourse submit` append
  to (:mod:`tfcourse.learner.activity`), and the submissions nbgrader's Assignments panel keeps in its
  cache (``<jupyter data dir>/nbgrader_cache/<course id>``).
- **Feedback**: the pages nbgrader's fetch_feedback puts in ``<work folder>/<assignment>/feedback/``.

Each line of the handbook's skills checklist (:mod:`tfcourse.skills`) then reads *checked* when an
assignment that checks it scored full marks on a self-check, *partly* when one scored some points, *lab
run* when only a lab that teaches it was run through, and *not yet* otherwise.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from tfcourse.course import Course
from tfcourse.grading.specs import ASSIGNMENTS
from tfcourse.learner import activity
from tfcourse.learner.check import WORKSPACE
from tfcourse.skills import CHECKLIST, SECTIONS, Skill

CHECKED, PARTLY, LAB_RUN, NOT_YET = "checked", "partly", "lab run", "not yet"
CHART_FILE = "progress.png"
STATUS_COLOURS = {CHECKED: "#2e7d32", PARTLY: "#f9a825", LAB_RUN: "#64b5f6", NOT_YET: "#cfd8dc"}


@dataclass(frozen=True)
class LabRun:
    """How much of one lab notebook has been run (its most-run copy)."""

    name: str
    cells_run: int
    cells: int

    @property
    def done(self) -> bool:
        return self.cells > 0 and self.cells_run == self.cells


@dataclass(frozen=True)
class AssignmentWork:
    """A learner's work on one assignment: self-checks, submissions, feedback."""

    assignment_id: str
    title: str
    possible: float
    checks: int = 0
    best: float | None = None  # best self-check score
    submissions: int = 0  # zips from `tfcourse submit` and nbgrader submissions
    feedback: int = 0  # feedback pages fetched

    @property
    def full_marks(self) -> bool:
        return self.best is not None and self.best >= self.possible

    def self_check(self) -> str:
        """``7.5/10``, or ``-`` when never checked."""
        return "-" if self.best is None else f"{self.best:g}/{self.possible:g}"


@dataclass(frozen=True)
class SkillProgress:
    """One checklist line with the learner's labs and assignments for it."""

    skill: Skill
    labs: tuple[LabRun, ...]
    assignments: tuple[AssignmentWork, ...]

    @property
    def status(self) -> str:
        if any(work.full_marks for work in self.assignments):
            return CHECKED
        if any(work.best for work in self.assignments):
            return PARTLY
        return LAB_RUN if any(lab.done for lab in self.labs) else NOT_YET

    @property
    def best_fraction(self) -> float:
        """The best self-check of its assignments, as a fraction of full marks (0 when none)."""
        return max((work.best / work.possible for work in self.assignments if work.best), default=0.0)


@dataclass(frozen=True)
class Progress:
    """Everything `tfcourse progress` shows."""

    labs: dict[str, LabRun]
    assignments: dict[str, AssignmentWork]
    skills: tuple[SkillProgress, ...]

    def count(self, status: str) -> int:
        return sum(line.status == status for line in self.skills)


def _cells_run(path: Path) -> tuple[int, int]:
    """(code cells with an execution count, code cells) of a saved notebook; (0, 0) when unreadable."""
    try:
        cells = [cell for cell in json.loads(path.read_text()).get("cells", []) if cell.get("cell_type") == "code"]
    except (OSError, ValueError, AttributeError):
        return 0, 0
    return sum(cell.get("execution_count") is not None for cell in cells), len(cells)


def lab_runs(folders: Iterable[Path], names: Iterable[str]) -> dict[str, LabRun]:
    """Each lab's most-run copy found under ``folders`` (a lab never found counts as not run)."""
    runs = {name: LabRun(name, 0, 0) for name in names}
    for folder in folders:
        for path in Path(folder).rglob("*.ipynb") if Path(folder).is_dir() else ():
            if path.stem in runs and ".ipynb_checkpoints" not in path.parts:
                run, cells = _cells_run(path)
                if (run, cells) > (runs[path.stem].cells_run, runs[path.stem].cells):
                    runs[path.stem] = LabRun(path.stem, run, cells)
    return runs


def nbgrader_submissions(course_id: str, folder: str, cache: Path | None = None) -> int:
    """How many times the Assignments panel submitted ``folder``: nbgrader keeps a copy of each in its cache."""
    if cache is None:
        from jupyter_core.paths import jupyter_data_dir

        cache = Path(jupyter_data_dir()) / "nbgrader_cache"
    course_cache = cache / course_id
    return sum(1 for path in course_cache.glob(f"*+{folder}+*") if path.is_dir()) if course_cache.is_dir() else 0


def feedback_pages(work: Path, folder: str) -> int:
    """Feedback fetched for ``folder``: one timestamped folder of pages per graded submission."""
    feedback = work / folder / "feedback"
    return sum(1 for path in feedback.iterdir() if path.is_dir() and any(path.glob("*.html"))) \
        if feedback.is_dir() else 0


def assignment_work(entries: list[dict], course_id: str, work: Path, cache: Path | None = None) \
        -> dict[str, AssignmentWork]:
    """Each assignment's self-checks and submissions from the activity log, plus nbgrader's submissions and
    the feedback fetched into the work folder."""
    result = {}
    for assignment_id, spec in ASSIGNMENTS.items():
        mine = [entry for entry in entries if entry["assignment"] == assignment_id]
        scores = [float(entry["score"]) for entry in mine
                  if entry["event"] == activity.CHECK and isinstance(entry.get("score"), int | float)]
        submitted = sum(entry["event"] == activity.SUBMIT for entry in mine)
        result[assignment_id] = AssignmentWork(
            assignment_id, spec.title, spec.possible, checks=len(scores), best=max(scores, default=None),
            submissions=submitted + nbgrader_submissions(course_id, spec.folder, cache),
            feedback=feedback_pages(work, spec.folder))
    return result


def gather(course: Course, work: Path | None = None, *, log: Path | None = None,
           nbgrader_cache: Path | None = None) -> Progress:
    """The learner's progress through ``course``, whose work folder is ``work`` (default: my_work/)."""
    work = Path(work) if work else course.root / WORKSPACE
    # Every lab of notebooks/ is on the checklist (tests/test_skills.py).
    labs = lab_runs([course.root / "notebooks", work], sorted({lab for skill in CHECKLIST for lab in skill.labs}))
    assignments = assignment_work(activity.read_log(log), course.course_id, work, nbgrader_cache)
    skills = tuple(SkillProgress(skill, tuple(labs[name] for name in skill.labs),
                                 tuple(assignments[a] for a in skill.assignments)) for skill in CHECKLIST)
    return Progress(labs, assignments, skills)


def _rows(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    return ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in (header, *rows)]


def table(progress: Progress) -> str:
    """The terminal view: the skills checklist by section, then the assignments, then the labs."""
    lines = [f"Skills checklist: {progress.count(CHECKED)} checked, {progress.count(PARTLY)} partly, "
             f"{progress.count(LAB_RUN)} lab run, {progress.count(NOT_YET)} not yet (of {len(progress.skills)})", ""]
    rows = []
    for section in SECTIONS:
        rows.append((section, "", "", ""))
        rows += [(f"  {line.skill.text}", f"{sum(lab.done for lab in line.labs)}/{len(line.labs)}",
                  ", ".join(f"{work.assignment_id} {work.self_check()}" for work in line.assignments), line.status)
                 for line in progress.skills if line.skill.section == section]
    lines += _rows(("skill", "labs run", "self-checks", "status"), rows)
    rows = [(f"{work.assignment_id} {work.title}", work.self_check(), str(work.checks), str(work.submissions),
             str(work.feedback)) for work in progress.assignments.values()]
    lines += ["", *_rows(("assignment", "best self-check", "checks", "submitted", "feedback"), rows)]
    done = [lab for lab in progress.labs.values() if lab.done]
    started = [lab for lab in progress.labs.values() if lab.cells_run and not lab.done]
    lines += ["", f"Labs run through: {len(done)} of {len(progress.labs)}"
              + (f" ({', '.join(lab.name for lab in done)})" if done else "")]
    lines += [f"Labs started: {', '.join(f'{lab.name} ({lab.cells_run}/{lab.cells} cells)' for lab in started)}"] \
        if started else []
    return "\n".join(lines)


def figure(progress: Progress):
    """A chart of the checklist: one bar per skill, its best self-check as a share of full marks, coloured by
    status (a skill with no points yet gets a short bar in its colour), under its section's heading."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    rows: list[SkillProgress | str] = []
    for section in SECTIONS:
        rows += [section, *(line for line in progress.skills if line.skill.section == section)]
    fig, axis = plt.subplots(figsize=(9, 0.28 * len(rows) + 1.6))
    for position, row in zip(range(len(rows) - 1, -1, -1), rows):
        if isinstance(row, str):
            axis.text(-0.01, position, row, ha="right", va="center", fontsize=9, fontweight="bold",
                      transform=axis.get_yaxis_transform())
            continue
        axis.barh(position, max(row.best_fraction, 0.03), color=STATUS_COLOURS[row.status])
    skill_positions = [p for p, row in zip(range(len(rows) - 1, -1, -1), rows) if not isinstance(row, str)]
    axis.set_yticks(skill_positions, [row.skill.text for row in rows if not isinstance(row, str)], fontsize=8)
    axis.set_ylim(-0.7, len(rows) - 0.3)
    axis.set_xlim(0, 1)
    axis.set_xlabel("best self-check of its assignments (share of full marks)")
    axis.legend(handles=[Patch(color=colour, label=status) for status, colour in STATUS_COLOURS.items()],
                loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=4, fontsize=8, frameon=False)
    fig.suptitle(f"Skills checklist: {progress.count(CHECKED)} of {len(progress.skills)} checked")
    fig.tight_layout()
    return fig


def write_chart(progress: Progress, path: Path) -> Path:
    """Save :func:`figure` as a PNG at ``path`` (JupyterLab opens it from its file browser)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    chart = figure(progress)
    path.parent.mkdir(parents=True, exist_ok=True)
    chart.savefig(path, dpi=100)
    plt.close(chart)
    return path
