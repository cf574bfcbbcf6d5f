"""Inside the exercise worker's sandbox: run a learner's solution cell and drive what it defines.

The worker (``tfcourse.sandbox.forkserver``) imports this module once, which imports Keras, and
runs :func:`handle` in a fresh child for every submission. The child runs the cell's source after
the exercise's preamble, calls the exercise's driver on the grader's inputs and returns plain
answers; whatever the learner's code does here, only those answers leave the sandbox, and the
grader judges them outside.
"""

from __future__ import annotations

import keras  # noqa: F401  (imported once in the warm worker, never in the jobs)

from tfcourse.grading.exercises import get_exercise
from tfcourse.sandbox.forkserver import JobRejected


def handle(job: dict) -> dict:
    """``{"assignment", "cell", "source", "inputs"}`` -> ``{"answers": [...]}`` from the learner's code."""
    exercise = get_exercise(job["assignment"], job["cell"])
    namespace: dict = {"__name__": "__learner__"}
    exec(compile(exercise.preamble, "<preamble>", "exec"), namespace)
    try:
        exec(compile(job["source"], f"<cell {exercise.cell}>", "exec"), namespace)
    except Exception as error:  # the learner's cell failing on its own is a readable refusal
        raise JobRejected(f"the cell defining {exercise.name} raised {type(error).__name__}: {error}"[:300]) from None
    return {"answers": exercise.drive(namespace, job["inputs"])}
