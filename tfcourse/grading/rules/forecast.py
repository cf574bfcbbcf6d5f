"""Forecasting (Course 4): one-step forecasts from windows the grader cuts, judged against the naive forecast."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tfcourse.grading.result import CheckResult
from tfcourse.grading.rules.classes import MeanAbsoluteError


def naive_error(data) -> float | None:
    """The naive forecast's mean absolute error on the evaluation segment (``data.y``, the end of ``data.x``)."""
    from tfcourse.series import naive_forecast_mae

    steps = len(data.y)
    return naive_forecast_mae(data.x, len(data.x) - steps) if steps else None


@dataclass(frozen=True)
class Forecast(MeanAbsoluteError):
    """The grader cuts every input window itself, the values before each step of the evaluation segment
    (as many as the model's input shape says), so no model sees the step it forecasts. The ladder judges
    the mean absolute error as a share of the naive forecast's (each step predicted by the value before
    it) on the same steps, so a held-out stretch that is noisier or calmer than usual moves both errors
    alike, and no rung pays a model that the naive forecast beats.

    ``x`` of the evaluation data is the series up to the segment's end, ``y`` the segment.
    """

    def predict(self, model, spec, series: np.ndarray, steps: int | None) -> np.ndarray:
        """One-step forecasts of the last ``steps`` values of ``series``, each from the values just before it.

        The window length is the model's: ``Input(shape=(window,))`` or ``(window, 1)``. The windows are cut
        here (:func:`tfcourse.series.forecast_windows`), so the model never sees the value it forecasts.
        """
        from tfcourse.grading.models import ModelRejected
        from tfcourse.series import forecast_windows

        steps = steps or 0
        shape = model.input_shape
        if isinstance(shape, list):
            raise ModelRejected("model has several inputs; this assignment needs exactly one")
        window = shape[1] if len(shape) >= 2 else None
        if window is None or len(shape) > 3 or (len(shape) == 3 and shape[2] != 1):
            raise ModelRejected(f"model expects input shape {tuple(shape[1:])}; a forecaster here takes a window of "
                                f"past values of one series, declared as keras.Input(shape=(window_size,)) or "
                                f"(window_size, 1)")
        history = len(series) - steps
        if not 1 <= steps <= len(series) or window > history:
            raise ModelRejected(f"the model's window of {window} values is longer than the {history} values the "
                                f"grader has before the first step it forecasts")
        output_shape = model.output_shape
        if isinstance(output_shape, list) or tuple(output_shape[1:]) != (1,):  # (window, 1): a forecast per step
            shown = tuple(output_shape[1:]) if not isinstance(output_shape, list) else "?"
            raise ModelRejected(f"model outputs shape {shown}, expected (1,): the next value (an LSTM before the "
                                f"output needs return_sequences=False)")
        windows = forecast_windows(series, history, window).reshape((steps, *shape[1:]))
        predictions = np.asarray(model.predict(windows, batch_size=256, verbose=0))
        return predictions.reshape(steps, -1).astype(np.float32)

    def check(self, evidence) -> CheckResult:
        return self.share_check(evidence.spec, evidence.value, naive_error(evidence.data))

    def share_check(self, spec, value: float, naive: float | None) -> CheckResult:
        """The ladder on the error as a share of the naive forecast's error ``naive`` on the same steps."""
        if naive is None or not naive > 0:
            return self.uncounted(spec, value, "the naive forecast could not be measured")
        share = value / naive
        points, rung = spec.points_for(share)
        detail = f"{value:.4f}, {share:.1%} of the naive forecast's {naive:.4f} ({self.verdict(spec, rung)})"
        return CheckResult(self.name, points, spec.model_points, detail, cell=spec.model_cell, value=share)

    def shown(self, threshold: float) -> str:
        return f"{threshold:.0%} of the naive forecast's error"

    def written(self, threshold: float) -> str:
        return f"{threshold * 100:g}%"

    def described(self) -> str:
        return "mean absolute error as a share of the naive forecast's on the same steps"


@dataclass(frozen=True)
class ForecastSkill(Forecast):
    """How much of the naive forecast's avoidable error a forecaster removes, on the same steps:
    ``(naive - model) / (naive - least)``, where ``least`` is the error of a forecast that knew the
    series' signal and missed only its noise (the hidden data carries it). 1 is as good as any forecast
    can be, 0 no better than repeating yesterday's value. Unlike the share of the naive error, it means
    the same on a calm series and on a fast-changing one, so the exam's variants share one ladder.
    """

    name = "forecast skill"
    higher_is_better = True

    def check(self, evidence) -> CheckResult:
        spec, data, value = evidence.spec, evidence.data, evidence.value
        naive, least = naive_error(data), data.least_error
        if naive is None or least is None or not naive > least:
            return self.uncounted(spec, value, "the naive forecast or the least possible error could not be measured")
        skill = (naive - value) / (naive - least)
        points, rung = spec.points_for(skill)
        detail = (f"{skill:.2f}: mean absolute error {value:.4f}, against the naive forecast's {naive:.4f} and the "
                  f"least any forecast could err by, {least:.4f} ({self.verdict(spec, rung)})")
        return CheckResult(self.name, points, spec.model_points, detail, cell=spec.model_cell, value=skill)

    def shown(self, threshold: float) -> str:
        return f"{threshold:.2f}"

    def written(self, threshold: float) -> str:
        return f"{threshold:.2f}"

    def described(self) -> str:
        return ("forecast skill: (naive forecast's MAE - the model's) / (naive forecast's MAE - the noise's), "
                "on the same hidden steps")
