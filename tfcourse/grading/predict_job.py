"""Inside the model worker's sandbox: load one submitted model safely and predict on the grader's inputs.

The worker (``tfcourse.sandbox.forkserver``) imports this module once, which imports Keras and
TensorFlow, and runs :func:`handle` in a fresh child for every model. It sees the grader's inputs
but never the labels: the predictions go back as an ``.npy`` file and are judged outside.
"""

from __future__ import annotations

from pathlib import Path

import keras  # noqa: F401  (imported once in the warm worker, never in the jobs)
import numpy as np

from tfcourse.grading.models import ModelRejected, base_findings, generate_text, load_model_safely, predict
from tfcourse.grading.specs import get_assignment
from tfcourse.sandbox.forkserver import JobRejected


def handle(job: dict) -> dict:
    """``{"assignment", "model", "name", "inputs", "predictions"}`` -> the predictions file written, or a refusal.

    The inputs come as the grader stores them (uint8 pixels, say); the spec's ``prepare`` makes them what
    the model receives.

    For a forecaster the job also says how many ``steps`` at the end of the series to forecast.

    For an assignment with a frozen-base rule the answer also carries the digest of the model's base
    weights (None when it has no such layer) and how far its predictions depend on the base
    (:func:`~tfcourse.grading.models.base_findings`), judged outside. For next-word prediction
    (metric "top_k") the predictions are words, and the answer carries the text the model writes
    after the spec's seed text.
    """
    spec = get_assignment(job["assignment"])
    try:
        model = load_model_safely(Path(job["model"]), name=job.get("name"))
        x = spec.prepare(np.load(job["inputs"], allow_pickle=False))
        predictions = predict(model, spec, x, steps=job.get("steps"))
        findings = base_findings(model, spec, x, predictions) if spec.frozen_base is not None else {}
        if spec.seed_text:
            findings["generated"] = generate_text(model, spec)
    except ModelRejected as rejection:
        raise JobRejected(str(rejection)) from None
    np.save(job["predictions"], predictions, allow_pickle=False)
    return {"predictions": job["predictions"], **findings}
