"""Forecasters (tfcourse/grading/rules/forecast.py, Course 4): windows cut by the grader, the MAE judged as
a share of the naive forecast's on the same steps."""

from __future__ import annotations

import numpy as np
import pytest

from tfcourse.grading import get_assignment, validation_data

C4W2 = get_assignment("C4W2")


def last_value_model(window: int):
    """A forecaster that repeats the last value of its window: the naive forecast, as a Keras model."""
    import keras

    model = keras.Sequential([keras.Input(shape=(window,)), keras.layers.Dense(1, use_bias=False)])
    model.set_weights([np.eye(window, 1, -(window - 1), dtype="float32")])
    return model


@pytest.mark.parametrize("value, naive, points, phrase", [
    (4.9, 5.9, 10.0, "83.1% of the naive forecast's 5.9000 (full credit)"),
    (5.9, 6.1, 5.0, "96.7% of the naive forecast's 6.1000 (partial credit; full credit needs <= 96%"),
    (5.55, 5.6, 0.0, "99.1% of the naive forecast's 5.6000 (below every threshold; needs <= 99%"),
    (6.5, 9.0, 10.0, "72.2% of the naive forecast's 9.0000 (full credit)"),
    (5.0, 0.0, 0.0, "not counted: the naive forecast could not be measured"),
])
def test_forecast_ladder_judges_the_error_as_a_share_of_the_naive_forecasts(value, naive, points, phrase):
    """Is a forecaster's MAE judged by its share of the naive forecast's on the same steps (C4W2: full
    credit at most 96%, half at most 99%), so the same share earns the same points on a noisier stretch?"""
    check = C4W2.measure.share_check(C4W2, value, naive)
    assert check.score == points and phrase in check.detail, check
    if naive:
        assert check.value == pytest.approx(value / naive)


def test_the_same_share_of_the_naive_error_earns_the_same_points_on_any_noise():
    """Does a forecaster that errs by 85% of the naive forecast earn full credit whether the held-out
    stretch was calm (naive 5.2) or noisy (naive 6.4), where a fixed MAE threshold would not?"""
    for naive in (5.2, 5.8, 6.4):
        assert C4W2.measure.share_check(C4W2, 0.85 * naive, naive).score == 10


def test_the_graders_windows_never_show_the_forecast_step(scorer, tmp_path):
    """Does a model that repeats its window's last value score exactly the naive forecast's MAE (a window
    holding the forecast step would let it score 0), and so earn nothing?"""
    from tfcourse.series import naive_forecast_mae

    last_value_model(20).save(tmp_path / "C4W2_model.keras")
    data = validation_data(C4W2)
    check = scorer.score(C4W2, tmp_path, data).checks[0]
    naive = naive_forecast_mae(data.x, len(data.x) - len(data.y))
    assert float(check.detail.split(",")[0]) == pytest.approx(naive, abs=1e-3)
    assert check.score == 0 and "100.0% of the naive forecast" in check.detail, check


@pytest.mark.parametrize("shape, phrase", [((None, 1), "keras.Input(shape=(window_size,))"),
                                           ((20, 2), "keras.Input(shape=(window_size,))"),
                                           ((5000,), "longer than the 1100 values")])
def test_forecasters_without_a_usable_window_are_refused(scorer, tmp_path, shape, phrase):
    """Is a model without a fixed one-series window, or with one longer than the history, refused with the fix?"""
    import keras

    inputs = keras.Input(shape=shape)
    x = keras.layers.GlobalAveragePooling1D()(inputs) if len(shape) == 2 else inputs
    keras.Model(inputs, keras.layers.Dense(1)(x)).save(tmp_path / "C4W2_model.keras")
    check = scorer.score(C4W2, tmp_path, validation_data(C4W2)).checks[0]
    assert check.score == 0 and phrase in check.detail, check


def test_forecasters_that_output_a_sequence_are_refused(scorer, tmp_path):
    """Is a model that forecasts every step of its window (an LSTM with return_sequences=True before the
    output, as the original course's sunspot model) refused, instead of having its outputs flattened?"""
    import keras

    keras.Sequential([keras.Input(shape=(20,)), keras.layers.Reshape((20, 1)),
                      keras.layers.LSTM(4, return_sequences=True), keras.layers.Dense(1)]).save(tmp_path / "C4W2_model.keras")
    check = scorer.score(C4W2, tmp_path, validation_data(C4W2)).checks[0]
    assert check.score == 0 and "model outputs shape (20, 1), expected (1,)" in check.detail, check
