"""The frozen-base rule (C2W3): points for transfer learning as taught, on the course's published base."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from tfcourse.grading import untrusted
from tfcourse.grading.result import CheckResult
from tfcourse.grading.rules.base import Evidence, ModelRule


@dataclass(frozen=True)
class BaseFinding:
    """What the worker finds of the base: the SHA-256 of the named layer's weights (None: no such layer),
    and the share of predicted classes that stay the same with that layer's weights zeroed."""

    digest: str | None = None
    agreement_without_base: float | None = None

    def as_answer(self) -> dict:
        return {"digest": self.digest, "agreement_without_base": self.agreement_without_base}

    @classmethod
    def from_answer(cls, answer: object) -> BaseFinding:
        """The finding in a worker's answer (untrusted: a field of the wrong type counts as absent)."""
        fields = untrusted.mapping(answer) or {}
        digest = untrusted.text(fields.get("digest"))
        return cls(digest=digest if digest is not None and re.fullmatch(r"[0-9a-f]{64}", digest) else None,
                   agreement_without_base=untrusted.finite(fields.get("agreement_without_base")))


@dataclass(frozen=True)
class FrozenBaseRule(ModelRule):
    """The model holds the course's pre-trained base (a layer named ``layer_name``) with exactly the
    published weights, so the base stayed frozen while the head trained (see :mod:`tfcourse.pretrained`).

    The accuracy ladder counts only for such a model, and these points only once its accuracy also
    reaches the ladder's lowest rung, so a base saved with an untrained head earns nothing.
    """

    layer_name: str
    points: float
    # With the base's weights zeroed, at most this share of the model's predicted classes may stay the
    # same: the base must feed the predictions, not sit unused beside another network.
    max_agreement_without_base: float = 0.6
    key = "frozen_base"
    name = "frozen pre-trained base"

    # --- the worker's half ---
    def find(self, model, spec, x: np.ndarray, predictions: np.ndarray) -> dict:
        """The digest of the base's weights, and how many predictions survive switching it off.

        A base that feeds the predictions changes nearly all of them when switched off; a published base
        kept beside the real network, unused, changes none, so its digest alone would prove nothing.
        """
        from tfcourse.grading.models import predict_outputs, predicted_classes
        from tfcourse.pretrained import find_base, weights_digest

        layer = find_base(model, self.layer_name)
        if layer is None:
            return BaseFinding().as_answer()
        digest = weights_digest(layer)
        weights = layer.get_weights()
        layer.set_weights([np.zeros_like(w) for w in weights])
        try:
            switched_off = predict_outputs(model, spec, x)
        finally:
            layer.set_weights(weights)
        agreement = float(np.mean(predicted_classes(predictions) == predicted_classes(switched_off)))
        return BaseFinding(digest, agreement).as_answer()

    # --- the grader's half ---
    def read(self, answer: object) -> BaseFinding:
        return BaseFinding.from_answer(answer)

    def used(self, finding: BaseFinding) -> bool:
        """Whether switching the base off changes enough predictions: it feeds the model's answers."""
        agreement = finding.agreement_without_base
        return agreement is not None and agreement <= self.max_agreement_without_base

    def veto(self, evidence: Evidence) -> str | None:
        finding = evidence.findings.get(self.key) or BaseFinding()
        if finding.digest is not None and finding.digest == evidence.published_base() and self.used(finding):
            return None
        return "the model's predictions do not come from the published pre-trained base, frozen"

    def judge(self, evidence: Evidence) -> CheckResult:
        return self.base_check(evidence.spec, evidence.value, evidence.findings.get(self.key) or BaseFinding(),
                               evidence.published_base())

    def rejected(self, spec) -> CheckResult:
        return CheckResult(self.name, 0.0, self.points, "not checked: the model could not be scored",
                           cell=spec.model_cell)

    def base_check(self, spec, value: float, finding: BaseFinding, published: str) -> CheckResult:
        """The base inside the model has exactly the published weights ``published`` and feeds the predictions."""
        def zero(detail: str) -> CheckResult:
            return CheckResult(self.name, 0.0, self.points, detail, cell=spec.model_cell)

        if finding.digest is None:
            return zero(f"the model has no layer named {self.layer_name!r}: build it on tfcourse.pretrained.load_base()")
        if finding.digest != published:
            return zero("the base's weights differ from the published pre-trained base: it was trained (set "
                        "base.trainable = False before compiling) or replaced")
        if not self.used(finding):
            agreement = finding.agreement_without_base
            share = "?" if agreement is None else f"{agreement:.0%}"
            return zero(f"the base does not feed the model's predictions: with its weights zeroed, {share} of them "
                        f"stay the same (at most {self.max_agreement_without_base:.0%} may)")
        lowest = spec.ladder[-1].threshold
        if value < lowest:
            return zero(f"weights identical to the published base, but the accuracy needs >= {lowest:g} first")
        return CheckResult(self.name, self.points, self.points, "weights identical to the published base (frozen)",
                           cell=spec.model_cell)

    def described(self, spec) -> str:
        lowest = spec.measure.written(spec.ladder[-1].threshold)
        metric = spec.measure.name
        return (f"**frozen base**: {self.points:g} points when the layer `{self.layer_name}` holds exactly the "
                f"published pre-trained weights and feeds the predictions, once the {metric} reaches {lowest}; "
                f"without such a base the {metric} earns nothing")

    def table_cell(self, spec) -> str:
        return (f"frozen base → {self.points:g}: the layer `{self.layer_name}` inside the model has exactly the "
                f"published base's weights and feeds the predictions (only with {spec.measure.name} >= "
                f"{spec.measure.written(spec.ladder[-1].threshold)}); without it the {spec.measure.name} counts for nothing")
