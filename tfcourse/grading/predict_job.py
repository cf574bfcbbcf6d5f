"""Inside the model worker's sandbox: load one submitted model safely and predict on the grader's inputs.

The worker (``tfcourse.sandbox.forkserver``) imports this module once, which imports Keras and
TensorFlow, and runs :func:`handle` in a fresh child for every model. It sees the grader's inputs
but never the labels: the predictions go back as an ``.npy`` file and are judged outside.
"""

from __future__ import annotations

from pathlib import Path

import keras  # noqa: F401  (imported once in the warm worker, never in the jobs)
import numpy as np

from tfcourse.grading.model_part import find_on_model
from tfcourse.grading.models import ModelRejected, load_model_safely, predict
from tfcourse.grading.specs import get_assignment
from tfcourse.sandbox.forkserver import JobRejected


def handle(job: dict) -> dict:
    """``{"assignment", "model", "name", "inputs", "predictions"}`` -> the predictions file written, or a refusal.

    The inputs come as the grader stores them (uint8 pixels, say); the spec's ``prepare`` makes them what
    the model receives.

    For a forecaster the job also says how many ``steps`` at the end of the series to forecast.

    The answer also carries what the spec's rules find on the model (the digest of a frozen-base rule's
    layer and how far the predictions depend on it; the text a next-word model writes after its seed
    text), by rule key, judged outside. For next-word prediction the predictions are words.
    """
    spec = get_assignment(job["assignment"])
    try:
        model = load_model_safely(Path(job["model"]), name=job.get("name"))
        x = spec.prepare(np.load(job["inputs"], allow_pickle=False))
        predictions = predict(model, spec, x, steps=job.get("steps"))
        findings = find_on_model(model, spec, x, predictions)
    except ModelRejected as rejection:
        raise JobRejected(str(rejection)) from None
    np.save(job["predictions"], predictions, allow_pickle=False)
    return {"predictions": job["predictions"], "findings": findings}
