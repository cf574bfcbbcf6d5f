"""tfcourse.series: the synthetic series' parts, the training windows and the grader's forecast windows."""

from __future__ import annotations

import numpy as np
import pytest

from tfcourse.series import (
    autocorrelation,
    forecast_windows,
    naive_forecast_mae,
    noise,
    seasonality,
    trend,
    windowed_dataset,
)


def test_parts_of_a_synthetic_series():
    """Is the trend a line, the season periodic, the noise seeded and the AR(1) process correlated?"""
    time = np.arange(1000)
    assert trend(time, 0.5)[10] == 5.0
    season = seasonality(time, period=50, amplitude=3)
    assert np.allclose(season[:50], season[50:100]) and season.max() == pytest.approx(3.0)
    assert np.array_equal(noise(time, 2, seed=1), noise(time, 2, seed=1))
    assert not np.array_equal(noise(time, 2, seed=1), noise(time, 2, seed=2))
    ar = autocorrelation(time, phi=0.8, seed=3)
    assert np.corrcoef(ar[:-1], ar[1:])[0, 1] > 0.6


def test_forecast_windows_hold_only_the_past():
    """Does the window of step t hold exactly the values before t, never t itself?"""
    series = np.arange(100, dtype=np.float32)
    windows = forecast_windows(series, first=90, window_size=5)
    assert windows.shape == (10, 5)
    for row, step in zip(windows, range(90, 100)):
        assert list(row) == list(series[step - 5:step])
    with pytest.raises(ValueError):
        forecast_windows(series, first=3, window_size=5)


def test_naive_forecast_error():
    """Is the naive error the mean absolute step from each value to the next, over the forecast steps only?"""
    series = np.array([0, 10, 10, 13, 9], dtype=float)
    assert naive_forecast_mae(series, 3) == pytest.approx((3 + 4) / 2)


def test_training_windows_match_the_graders_windows():
    """Are the pipeline's (window, next value) pairs the same pairs the grader forecasts, in a new order each epoch?"""
    series = np.arange(30, dtype=np.float32) ** 1.5
    dataset = windowed_dataset(series, window_size=4, batch_size=100, shuffle_buffer=100)
    first, labels = (part.numpy() for part in next(iter(dataset)))
    second = next(iter(dataset))[1].numpy()
    expected = forecast_windows(series, first=4, window_size=4)
    assert sorted(map(tuple, first)) == sorted(map(tuple, expected))
    assert all(label == series[np.flatnonzero(series == row[-1])[0] + 1] for row, label in zip(first, labels))
    assert not np.array_equal(labels, second)
