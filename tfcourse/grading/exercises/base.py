"""The exercise framework: the grader calls the learner's code on inputs it chooses, then judges the answers.

Stops: forged training histories and code tuned to the notebook's own run. The learner's class or
function is taken from its solution cell and run inside the sandbox (``exercise_job``) on inputs
drawn at grading time from the instructor's secret seed; only plain data (JSON) comes back, and
the judging happens outside, in the grader's process. Nothing the notebook printed or returned
counts.

An :class:`Exercise` has three steps, each running where it says:

- ``make_inputs(rng)``, in the grader: the cases to try;
- ``drive(namespace, inputs)``, in the sandbox: call the learner's code, return plain answers;
- ``judge(inputs, answers, points)``, in the grader: points and a one-line reason.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from tfcourse.grading.result import CheckResult

PUBLIC_SEED = 2026  # a learner's self-check; grading draws from the held-out store's secret seed


@dataclass(frozen=True)
class Exercise:
    """A class or function in a solution cell, called by the grader."""

    name: str  # what the cell must define
    cell: str  # nbgrader grade_id of the solution cell that defines it
    title: str  # the check's name in reports
    preamble: str  # the imports the cell may rely on (it runs on its own, without the notebook's other cells)
    make_inputs: Callable[[np.random.Generator], dict]
    drive: Callable[[dict, dict], list]
    judge: Callable[[dict, Any, float], tuple[float, str]]

    def inputs(self, seed: int, assignment_id: str) -> dict:
        """The inputs for one grading run: fixed by the seed and the assignment."""
        return self.make_inputs(np.random.default_rng([seed, zlib.crc32(assignment_id.encode())]))

    def check(self, inputs: dict, answers: Any, points: float, cell: str) -> CheckResult:
        """Judge the answers (untrusted data) into a check result."""
        earned, detail = self.judge(inputs, answers, points)
        return CheckResult(self.title, earned, points, detail, cell=cell)


def learner_function(namespace: dict, name: str) -> Callable:
    """The function ``name`` that the learner's cell defined, or a NameError saying it did not."""
    function = namespace.get(name)
    if not callable(function):
        raise NameError(f"the cell does not define a function {name}")
    return function


def raised(error: BaseException) -> dict:
    """The answer that stands for a learner's call that raised: plain data (it crosses the sandbox as JSON)
    that no judge mistakes for a real answer."""
    return {"raised": f"{type(error).__name__}: {error}"[:200]}


def raised_reason(answer: object) -> str | None:
    """The one-line error of an answer made by :func:`raised`; None for any other answer."""
    if isinstance(answer, dict) and set(answer) == {"raised"}:
        return str(answer["raised"])[:200]
    return None


def shown(answer: object) -> object:
    """An answer as a reason shows it: the error of a call that raised, or the answer itself."""
    reason = raised_reason(answer)
    return answer if reason is None else reason


def call_each(function: Callable, inputs: list) -> list:
    """``function`` applied to each input; an exception becomes its answer (:func:`raised`), judged as wrong."""
    answers = []
    for value in inputs:
        try:
            answers.append(function(value))
        except Exception as error:  # the learner's code failing is an answer, judged as wrong
            answers.append(raised(error))
    return answers
