"""`tfcourse check`: a learner's self-check of a notebook and its saved model before submitting."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from tfcourse.errors import NotFound, UnknownName
from tfcourse.grading import get_assignment, validation_data
from tfcourse.grading.scorer import Scorer
from tfcourse.grading.specs import EXAM_TASKS, AssignmentSpec
from tfcourse.learner import activity
from tfcourse.learner.validate import Verdict, inspect_notebook

WORKSPACE = "my_work"


@dataclass(frozen=True)
class CheckReport:
    """Every verdict of a self-check, and where the notebook was found."""

    assignment: str
    notebook: Path
    verdicts: tuple[Verdict, ...]
    score: float
    possible: float
    notes: tuple[str, ...] = ()

    @property
    def ready_to_submit(self) -> bool:
        """The notebook itself is fine (valid, intact, run without errors); the model may still be weak."""
        return all(v.ok for v in self.verdicts if v.item in ("notebook", "test cells", "run", "errors", "model file"))

    def with_note(self, note: str | None) -> CheckReport:
        """This report with ``note`` added to its notes (itself when there is none)."""
        return self if note is None else replace(self, notes=(*self.notes, note))

    def summary(self) -> str:
        lines = [f"Self-check of {self.notebook}"]
        lines += [f"  {verdict.line()}" for verdict in self.verdicts]
        lines.append(f"  Points on validation data: {self.score:g} / {self.possible:g}")
        lines.extend(f"  Note: {note}" for note in self.notes)
        lines.append("  Ready to submit." if self.ready_to_submit else "  Not ready to submit: fix the FAIL lines above.")
        return "\n".join(lines)


def find_notebook(spec: AssignmentSpec, directory: Path) -> Path:
    """Find the assignment's notebook in ``directory``, its assignment folder, or the learner workspace."""
    candidates = [directory / spec.notebook, directory / spec.folder / spec.notebook,
                  directory / WORKSPACE / spec.folder / spec.notebook]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    tried = ", ".join(str(c) for c in candidates)
    raise NotFound(f"notebook for {spec.assignment_id} not found (looked for {tried}); run this in the notebook's "
                   f"folder or pass --dir, or copy the released assignments with `tfcourse workspace`")


def released_notebook(spec: AssignmentSpec, start: Path) -> Path | None:
    """The released version of the notebook, when the course's release/ folder can be found."""
    for folder in (start, *start.parents):
        candidate = folder / "release" / spec.folder / spec.notebook
        if candidate.is_file():
            return candidate
    return None


def check_assignment(assignment_id: str, *, directory: Path | None = None) -> CheckReport:
    """Check a learner's notebook and saved model with the grader's own scorer, on the validation split.

    The scorer runs outside the learner's kernel, in the sandbox where bubblewrap is installed, and
    tries exercises on public inputs; the instructor's run uses held-out data and secret inputs. The
    result goes into the learner's activity log, for `tfcourse progress`.
    """
    spec = get_assignment(assignment_id)
    if spec.assignment_id in EXAM_TASKS:
        number = spec.assignment_id.removeprefix("EXAM")
        raise UnknownName(f"{spec.assignment_id} is task {number} of the mock exam, not an assignment: check it with "
                          f"`tfcourse exam check {number}` in the attempt's folder")
    notebook = find_notebook(spec, Path(directory or Path.cwd()).resolve())
    report = _check(spec, notebook)
    unrecorded = activity.record(activity.CHECK, spec.assignment_id, score=report.score, possible=report.possible,
                                 ready=report.ready_to_submit, notebook=str(notebook))
    return report.with_note(unrecorded)


def _check(spec: AssignmentSpec, notebook: Path) -> CheckReport:
    verdicts = inspect_notebook(notebook, released_notebook(spec, notebook.parent))
    model_path = notebook.parent / spec.model_filename
    if spec.has_model and not model_path.is_file():
        verdicts.append(Verdict("model file", False, f"{spec.model_filename} not found next to the notebook "
                                                     "(run the graded cell, which saves it)"))
        return CheckReport(spec.assignment_id, notebook, tuple(verdicts), 0.0, spec.possible)
    if spec.has_model:
        verdicts.append(Verdict("model file", True, f"{spec.model_filename} found"))
    with Scorer() as scorer:
        result = scorer.score(spec, notebook.parent, validation_data(spec))
    for check in result.checks:
        verdicts.append(Verdict(check.name, check.passed, f"{check.detail} [{check.score:g}/{check.possible:g}]"))
    return CheckReport(spec.assignment_id, notebook, tuple(verdicts), result.score, spec.possible, result.notes)
