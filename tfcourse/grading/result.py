"""Small result objects for grading: one per check, one per assignment."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one graded check (e.g. held-out accuracy, early stopping)."""

    name: str
    score: float
    possible: float
    detail: str

    @property
    def passed(self) -> bool:
        """Full credit for this check."""
        return self.score >= self.possible

    def line(self) -> str:
        """One report line: points and the reason."""
        return f"  [{self.score:g}/{self.possible:g}] {self.name}: {self.detail}"


@dataclass(frozen=True)
class GradeResult:
    """The outcome of grading one assignment's model.

    ``error`` holds a one-line reason when the model could not be graded at all
    (missing or unsafe file, wrong shapes, NaN predictions, evaluator crash); then the score is 0.
    """

    assignment: str
    title: str
    data_label: str
    checks: tuple[CheckResult, ...] = field(default_factory=tuple)
    possible: float = 0.0
    error: str | None = None

    @property
    def score(self) -> float:
        """Points earned: the sum over checks, 0 when the model could not be graded."""
        if self.error:
            return 0.0
        return round(sum(check.score for check in self.checks), 4)

    @property
    def passed(self) -> bool:
        """Full marks."""
        return self.error is None and self.score >= self.possible

    def summary(self) -> str:
        """A short, human-readable report (what the learner and the instructor see)."""
        lines = [f"{self.assignment} {self.title}: {self.score:g} / {self.possible:g} points ({self.data_label})"]
        if self.error:
            lines.append(f"  [0/{self.possible:g}] not graded: {self.error}")
        lines.extend(check.line() for check in self.checks)
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """A JSON-ready dict (used between the evaluator process and the caller)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "GradeResult":
        """Inverse of :meth:`to_dict`."""
        checks = tuple(CheckResult(**check) for check in data.get("checks", ()))
        return cls(**{**data, "checks": checks})
