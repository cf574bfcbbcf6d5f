"""Time-series helpers shared by Course 4's notebooks and its grader.

The synthetic series are built the way the original course builds them: a trend, a yearly seasonal
pattern, noise and (optionally) autocorrelation, added up. Everything here is plain numpy except
:func:`windowed_dataset`, which builds the ``tf.data`` pipeline the notebooks train on.
"""

from __future__ import annotations

import numpy as np

PERIOD = 365  # days in the synthetic series' season


def trend(time: np.ndarray, slope: float = 0.0) -> np.ndarray:
    """A straight line through 0: ``slope * time``."""
    return slope * np.asarray(time, dtype=np.float64)


def seasonal_pattern(season_time: np.ndarray) -> np.ndarray:
    """One season's shape, for ``season_time`` in [0, 1): a cosine arc, then an exponential decay."""
    season_time = np.asarray(season_time, dtype=np.float64)
    return np.where(season_time < 0.4, np.cos(season_time * 2 * np.pi), 1 / np.exp(3 * season_time))


def seasonality(time: np.ndarray, period: int = PERIOD, amplitude: float = 1.0, phase: int = 0) -> np.ndarray:
    """The seasonal pattern repeated every ``period`` steps, scaled by ``amplitude``."""
    season_time = ((np.asarray(time, dtype=np.float64) + phase) % period) / period
    return amplitude * seasonal_pattern(season_time)


def noise(time: np.ndarray, noise_level: float = 1.0, seed: int | None = None) -> np.ndarray:
    """Gaussian white noise of standard deviation ``noise_level``, one value per time step."""
    return np.random.default_rng(seed).standard_normal(len(time)) * noise_level


def autocorrelation(time: np.ndarray, amplitude: float = 1.0, phi: float = 0.8, seed: int | None = None) -> np.ndarray:
    """An AR(1) process: each value is ``phi`` times the previous one plus fresh noise, scaled by ``amplitude``."""
    shocks = np.random.default_rng(seed).standard_normal(len(time))
    values = np.zeros(len(time))
    for step in range(len(time)):
        values[step] = (phi * values[step - 1] if step else 0.0) + shocks[step]
    return amplitude * values


def windowed_dataset(series, window_size: int, batch_size: int = 32, shuffle_buffer: int = 1000, seed: int = 42):
    """A ``tf.data`` pipeline of (``window_size`` past values, next value) pairs, cached, shuffled and batched.

    The windows are cut with ``Dataset.window`` and ``flat_map``, as the original course does: each
    window of ``window_size + 1`` values is split into its first ``window_size`` values (the features)
    and its last one (the label).
    """
    import tensorflow as tf

    dataset = tf.data.Dataset.from_tensor_slices(np.asarray(series, dtype=np.float32))
    dataset = dataset.window(window_size + 1, shift=1, drop_remainder=True)
    dataset = dataset.flat_map(lambda window: window.batch(window_size + 1))
    dataset = dataset.map(lambda window: (window[:-1], window[-1])).cache()  # before shuffling: a new order each epoch
    return dataset.shuffle(shuffle_buffer, seed=seed).batch(batch_size).prefetch(tf.data.AUTOTUNE)


def forecast_windows(series: np.ndarray, first: int, window_size: int) -> np.ndarray:
    """The ``window_size`` values before each step from ``first`` to the end: one row per forecast.

    Row ``i`` holds ``series[first + i - window_size : first + i]``, so forecasting step ``t`` sees
    only values before ``t``.
    """
    series = np.asarray(series, dtype=np.float32)
    if window_size < 1 or first < window_size:
        raise ValueError(f"a window of {window_size} needs at least that many values before step {first}")
    windows = np.lib.stride_tricks.sliding_window_view(series[:-1], window_size)
    return np.ascontiguousarray(windows[first - window_size:])


def naive_forecast_mae(series: np.ndarray, first: int) -> float:
    """Mean absolute error of forecasting each step from ``first`` on with the value just before it."""
    series = np.asarray(series, dtype=np.float64)
    return float(np.mean(np.abs(series[first:] - series[first - 1:-1])))
