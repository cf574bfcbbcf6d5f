"""Grading rules of a model's test cell, one module per kind.

A spec names one :class:`~tfcourse.grading.rules.base.Measure` (what its ladder measures, and how the
model is asked: classes, errors, forecasts, next words) and any number of extra
:class:`~tfcourse.grading.rules.base.ModelRule` (the gap, the frozen base). Each has two halves: what it
finds on the loaded model inside the sandboxed worker (``predict``, ``find``), and how the grader turns
that into points and reasons (``measure``/``check``, ``judge``). The scorer and the learner's self-check
run them through one path, :func:`tfcourse.grading.model_part.judge_model_part`.
"""

from tfcourse.grading.rules.base import Evidence, Measure, ModelRule
from tfcourse.grading.rules.classes import Accuracy, MeanAbsoluteError
from tfcourse.grading.rules.forecast import Forecast, ForecastSkill
from tfcourse.grading.rules.frozen_base import FrozenBaseRule
from tfcourse.grading.rules.gap import GapRule
from tfcourse.grading.rules.next_word import NextWords

__all__ = ["Accuracy", "Evidence", "Forecast", "ForecastSkill", "FrozenBaseRule", "GapRule", "MeanAbsoluteError", "Measure",
           "ModelRule", "NextWords"]
