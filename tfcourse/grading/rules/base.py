"""The two kinds of grading rule and what the grader hands them.

A :class:`Measure` is what a spec's ladder judges; a :class:`ModelRule` adds points of its own to the
model's test cell. Both may find something on the model inside the sandboxed worker (``find``: plain
JSON data) and read it back in the grader (``read``, which trusts nothing in it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from tfcourse.grading.result import CheckResult

if TYPE_CHECKING:
    from tfcourse.grading.heldout import EvaluationData
    from tfcourse.grading.specs.base import AssignmentSpec, Rung

# (examples, whether the rules' findings are wanted) -> (predictions, raw findings by rule key); raises ModelRejected.
Evaluate = Callable[["EvaluationData", bool], tuple[np.ndarray, dict]]


@dataclass(frozen=True)
class Evidence:
    """What the grader measured on a model, for the rules to judge: the ladder's ``value`` on ``data``,
    the findings each rule read back (by rule key), a way to ask the model about other examples
    (``evaluate``), and the digest a frozen base must have (``published_base``)."""

    spec: AssignmentSpec
    data: EvaluationData
    predictions: np.ndarray
    value: float
    findings: dict[str, Any]
    evaluate: Evaluate
    published_base: Callable[[], str]


class FindsOnModel:
    """A rule that may look at the loaded model inside the worker; by default it finds nothing."""

    key: ClassVar[str] = ""

    def find(self, model, spec: AssignmentSpec, x: np.ndarray, predictions: np.ndarray) -> dict | None:
        """Inside the sandbox: what the rule judges besides the predictions, as plain JSON data."""
        return None

    def read(self, answer: object) -> Any:
        """In the grader: the typed finding in the worker's (untrusted) answer; None when absent or malformed."""
        return None


class Measure(FindsOnModel):
    """What a ladder measures: how the worker gets predictions from the model, how the grader checks and
    counts them, and how rungs are written."""

    name: str = "metric"  # how reports name it
    higher_is_better: bool = True

    # --- the worker's half ---
    def predict(self, model, spec: AssignmentSpec, x: np.ndarray, steps: int | None) -> np.ndarray:
        """The model's predictions for ``x`` (raises ModelRejected)."""
        from tfcourse.grading.models import predict_outputs

        return predict_outputs(model, spec, x)

    # --- the grader's half ---
    def accepted_output_units(self, spec: AssignmentSpec) -> tuple[int, ...]:
        return (spec.output_units,)

    def validate(self, spec: AssignmentSpec, predictions: np.ndarray, examples: int) -> np.ndarray:
        """Refuse predictions of the wrong type, shape or with NaN/infinite values (ModelRejected)."""
        from tfcourse.grading.models import ModelRejected

        if not isinstance(predictions, np.ndarray) or predictions.dtype.kind not in "fiu":
            raise ModelRejected("the model's predictions are not numbers")
        if (predictions.ndim != 2 or predictions.shape[0] != examples
                or predictions.shape[1] not in self.accepted_output_units(spec)):
            raise ModelRejected(f"model outputs shape {predictions.shape[1:]}, expected ({spec.output_units},)")
        if not np.all(np.isfinite(predictions)):
            raise ModelRejected("model predicts NaN or infinite values")
        return predictions.astype(np.float64)

    def value(self, spec: AssignmentSpec, predictions: np.ndarray, y: np.ndarray) -> float:
        """The metric of validated predictions."""
        raise NotImplementedError

    def measure(self, spec: AssignmentSpec, predictions: np.ndarray, y: np.ndarray) -> float:
        """The metric of raw predictions (ModelRejected, with the reason, when they are unusable)."""
        return self.value(spec, self.validate(spec, predictions, len(y)), y)

    def check(self, evidence: Evidence) -> CheckResult:
        """The ladder's check of the measured value."""
        return self.ladder_check(evidence.spec, evidence.value)

    def ladder_check(self, spec: AssignmentSpec, value: float) -> CheckResult:
        points, rung = spec.points_for(value)
        return CheckResult(self.name, points, spec.model_points, f"{value:.4f} ({self.verdict(spec, rung)})",
                           cell=spec.model_cell, value=value)

    def uncounted(self, spec: AssignmentSpec, value: float, why: str) -> CheckResult:
        """The metric measured but worth nothing, and why."""
        return CheckResult(self.name, 0.0, spec.model_points, f"{value:.4f} (not counted: {why})",
                           cell=spec.model_cell, value=value)

    def rejected(self, spec: AssignmentSpec, reason: str) -> CheckResult:
        """A model that could not be scored: 0 points, and why."""
        return CheckResult("model", 0.0, spec.model_points, reason, cell=spec.model_cell)

    def decorate(self, spec: AssignmentSpec, checks: list[CheckResult], findings: dict) -> list[CheckResult]:
        """The cell's checks, with anything the measure shows besides its value added (nothing by default)."""
        return checks

    def verdict(self, spec: AssignmentSpec, rung: Rung | None) -> str:
        """What reaching ``rung`` (None: no rung) means, with the next threshold as reports write it."""
        relation = ">=" if self.higher_is_better else "<="
        if rung is spec.ladder[0]:
            return "full credit"
        if rung is not None:
            return f"partial credit; full credit needs {relation} {self.shown(spec.ladder[0].threshold)}"
        credit = "for partial credit" if len(spec.ladder) > 1 else "for its points"
        return (f"below every threshold; needs {relation} {self.shown(spec.ladder[-1].threshold)} {credit}; "
                f"the grader feeds {spec.input_note}")

    def shown(self, threshold: float) -> str:
        """A threshold in a report line."""
        return f"{threshold:g}"

    # --- in words (tfcourse.grading.describe) ---
    def written(self, threshold: float) -> str:
        """A threshold in the notebook's rules and the docs' table."""
        return f"{threshold:.2f}" if round(threshold, 2) == threshold else f"{threshold:g}"

    def described(self) -> str:
        """What the ladder measures, in words."""
        return self.name


class ModelRule(FindsOnModel):
    """Points of the model's test cell besides the ladder's."""

    points: float

    def judge(self, evidence: Evidence) -> CheckResult:
        """The rule's check of a scored model."""
        raise NotImplementedError

    def rejected(self, spec: AssignmentSpec) -> CheckResult:
        """The rule's check when the model could not be scored: 0 points."""
        raise NotImplementedError

    def veto(self, evidence: Evidence) -> str | None:
        """Why the ladder's points do not count for this model (None: they count)."""
        return None

    def described(self, spec: AssignmentSpec) -> str:
        """The rule as a bullet of the notebook's "how you are graded" (without the leading dash)."""
        raise NotImplementedError

    def table_cell(self, spec: AssignmentSpec) -> str:
        """The rule in docs/grading.md's "other checks" column (its start: the docs may explain more)."""
        raise NotImplementedError
