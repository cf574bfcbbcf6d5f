"""The model's test cell, judged: one path for the grader's scorer and the learner's self-check.

Both hand :func:`judge_model_part` an ``evaluate`` function that loads the saved model and returns its
predictions on a set of examples with what the spec's rules found on it: the scorer's runs in the sandboxed
model worker (:mod:`tfcourse.grading.predict_job`), the self-check's in the notebook. Everything after that
(the spec's measure and ladder, its rules, the report lines) is the same code, in the rules of
:mod:`tfcourse.grading.rules`. A model that cannot be loaded or scored raises
:class:`~tfcourse.grading.models.ModelRejected`, which becomes the cell's reason here, in one place.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

from tfcourse.grading import untrusted
from tfcourse.grading.heldout import EvaluationData
from tfcourse.grading.models import ModelRejected
from tfcourse.grading.result import CheckResult
from tfcourse.grading.rules.base import Evaluate, Evidence
from tfcourse.grading.specs import AssignmentSpec

__all__ = ["Evaluate", "find_on_model", "judge_model_part", "model_part_checks", "read_findings", "rejected_model_part"]


def find_on_model(model, spec: AssignmentSpec, x: np.ndarray, predictions: np.ndarray) -> dict:
    """The worker's half of every rule: what each finds on the loaded model, by rule key (plain JSON data)."""
    found = {}
    for rule in spec.model_rules:
        finding = rule.find(model, spec, x, predictions)
        if finding is not None:
            found[rule.key] = finding
    return found


def read_findings(spec: AssignmentSpec, answer: object) -> dict:
    """The grader's reading of a worker's findings (untrusted): each rule reads its own, by its key."""
    fields = untrusted.mapping(answer) or {}
    return {rule.key: rule.read(fields.get(rule.key)) for rule in spec.model_rules if rule.key}


def rejected_model_part(spec: AssignmentSpec, reason: str) -> list[CheckResult]:
    """The cell's checks for a model that could not be scored: 0 for each, with the reason."""
    return [spec.measure.rejected(spec, reason), *(rule.rejected(spec) for rule in spec.rules)]


def model_part_checks(evidence: Evidence) -> list[CheckResult]:
    """The cell's checks of a scored model: the ladder (unless a rule vetoes it), then each rule's."""
    spec = evidence.spec
    veto = next((why for rule in spec.rules if (why := rule.veto(evidence)) is not None), None)
    ladder = spec.measure.check(evidence) if veto is None else spec.measure.uncounted(spec, evidence.value, veto)
    return [ladder, *(rule.judge(evidence) for rule in spec.rules)]


def judge_model_part(spec: AssignmentSpec, evaluate: Evaluate, data: EvaluationData,
                     published_base: Callable[[], str]) -> list[CheckResult]:
    """The checks of the model's test cell on ``data``: the spec's measure and ladder, then its rules;
    ``published_base`` gives the digest a frozen base must have."""
    try:
        predictions, answer = evaluate(data, True)
    except ModelRejected as rejection:
        return rejected_model_part(spec, str(rejection))
    findings = read_findings(spec, answer)
    try:
        value = spec.measure.measure(spec, predictions, data.y)
    except ModelRejected as rejection:
        return spec.measure.decorate(spec, rejected_model_part(spec, str(rejection)), findings)
    evidence = Evidence(spec, data, predictions, value, findings, evaluate, functools.cache(published_base))
    return spec.measure.decorate(spec, model_part_checks(evidence), findings)
