"""What the model worker measures on a model besides its predictions: one definition of each field.

The worker (:mod:`tfcourse.grading.predict_job`) and the learner's self-check make a
:class:`ModelFindings` with :func:`model_findings`; the grader reads the worker's answer back with
:meth:`ModelFindings.from_answer`, which trusts nothing in it.
"""

from __future__ import annotations

import dataclasses
import math
import re

import numpy as np

from tfcourse.grading.specs import AssignmentSpec

MAX_GENERATED_CHARS = 300


@dataclasses.dataclass(frozen=True)
class ModelFindings:
    """Label-free facts about a model, judged by the grader's rules.

    ``base_digest``: SHA-256 of the weights of the layer a frozen-base rule names (None: no such layer);
    ``agreement_without_base``: the share of predicted classes that stay the same with that layer's
    weights zeroed; ``generated``: the words a next-word model writes after its spec's seed text.
    """

    base_digest: str | None = None
    agreement_without_base: float | None = None
    generated: str | None = None

    def as_answer(self) -> dict:
        """The findings as plain JSON data, for the worker's answer."""
        return dataclasses.asdict(self)

    @classmethod
    def from_answer(cls, answer: object) -> ModelFindings:
        """The findings in a worker's answer (untrusted: a field of the wrong type counts as absent)."""
        fields = answer if isinstance(answer, dict) else {}
        digest = fields.get("base_digest")
        agreement = fields.get("agreement_without_base")
        return cls(base_digest=digest if type(digest) is str and re.fullmatch(r"[0-9a-f]{64}", digest) else None,
                   agreement_without_base=(agreement if type(agreement) is float and math.isfinite(agreement)
                                           else None),
                   generated=generated_words(fields.get("generated")))


def generated_words(text: object) -> str | None:
    """The text a model wrote (untrusted: words of its own vocabulary), reduced to letters, digits and
    single spaces, at most ``MAX_GENERATED_CHARS`` long; None when there is none."""
    if type(text) is not str:
        return None
    words = " ".join(re.sub(r"[^\w ]", "", text).split())
    return words[:MAX_GENERATED_CHARS] or None


def model_findings(model, spec: AssignmentSpec, x: np.ndarray, predictions: np.ndarray) -> ModelFindings:
    """Measure what the spec's rules judge besides the predictions (inside the sandbox when grading)."""
    from tfcourse.grading.models import base_findings, generate_text

    base = base_findings(model, spec, x, predictions) if spec.frozen_base is not None else {}
    generated = generate_text(model, spec) if spec.seed_text else None
    return ModelFindings(base_digest=base.get("base_digest"), agreement_without_base=base.get("agreement_without_base"),
                         generated=generated)
