"""Small result objects for grading: one per check, one per assignment."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one graded check (held-out accuracy, a callback exercise, ...).

    ``cell`` is the grade_id of the notebook's test cell whose points this check decides; ``value`` is
    the measured quantity a ladder judged (None for checks without one), for calibration and tests.
    """

    name: str
    score: float
    possible: float
    detail: str
    cell: str = ""
    value: float | None = None

    @property
    def passed(self) -> bool:
        """Full credit for this check."""
        return self.score >= self.possible

    def line(self) -> str:
        """One report line: points and the reason."""
        return f"  [{self.score:g}/{self.possible:g}] {self.name}: {self.detail}"


@dataclass(frozen=True)
class GradeResult:
    """The outcome of scoring one assignment.

    Every part of an assignment is one check, and a part that could not be scored (missing or
    unsafe model file, wrong shapes, NaN predictions, a crash) is a check worth 0 with its reason.
    ``notes`` carry what the reader must know about the run itself, such as "graded without sandbox".
    """

    assignment: str
    title: str
    data_label: str
    checks: tuple[CheckResult, ...] = field(default_factory=tuple)
    possible: float = 0.0
    notes: tuple[str, ...] = ()

    @property
    def score(self) -> float:
        """Points earned: the sum over checks."""
        return round(sum(check.score for check in self.checks), 4)

    @property
    def passed(self) -> bool:
        """Full marks."""
        return self.score >= self.possible

    def cell_scores(self) -> dict[str, float]:
        """grade_id of each test cell -> the points its checks earned."""
        scores: dict[str, float] = {}
        for check in self.checks:
            scores[check.cell] = round(scores.get(check.cell, 0.0) + check.score, 4)
        return scores

    def lost_points(self) -> list[str]:
        """One reason per check that did not earn full credit."""
        return [f"{check.name}: {check.detail}" for check in self.checks if not check.passed]

    def summary(self) -> str:
        """A short, human-readable report (what the learner and the instructor see)."""
        lines = [f"{self.assignment} {self.title}: {self.score:g} / {self.possible:g} points ({self.data_label})"]
        lines.extend(check.line() for check in self.checks)
        lines.extend(f"  note: {note}" for note in self.notes)
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """A JSON-ready dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> GradeResult:
        """Inverse of :meth:`to_dict`."""
        checks = tuple(CheckResult(**check) for check in data.get("checks", ()))
        return cls(**{**data, "checks": checks, "notes": tuple(data.get("notes", ()))})
