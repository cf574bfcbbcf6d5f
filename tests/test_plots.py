"""Do the shared plots draw what they promise (headless)?"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from tfcourse.plots import plot_histories  # noqa: E402


class FakeHistory:
    """What plot_histories reads from a Keras History: ``history`` and ``epoch``."""

    def __init__(self, values: dict, epoch: list[int]):
        self.history = values
        self.epoch = epoch


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_plot_histories_draws_every_run_in_one_figure():
    """Does each metric get one panel with a training and a validation line per run?"""
    runs = {
        "plain": {"loss": [0.9, 0.5], "val_loss": [1.0, 0.8], "accuracy": [0.6, 0.9], "val_accuracy": [0.5, 0.7]},
        "augmented": {"loss": [1.0, 0.7], "val_loss": [1.0, 0.9], "accuracy": [0.5, 0.7], "val_accuracy": [0.5, 0.6]},
    }
    fig = plot_histories(runs, title="compare")
    assert len(fig.axes) == 2
    loss_axis, accuracy_axis = fig.axes
    assert [line.get_label() for line in loss_axis.get_lines()] == [
        "plain, training", "plain, validation", "augmented, training", "augmented, validation"]
    assert loss_axis.get_lines()[1].get_linestyle() == "--"
    assert loss_axis.get_lines()[0].get_color() == loss_axis.get_lines()[1].get_color()
    assert loss_axis.get_lines()[0].get_color() != loss_axis.get_lines()[2].get_color()
    assert accuracy_axis.get_ylabel() == "accuracy"
    assert [text.get_text() for text in fig.legends[0].get_texts()] == [
        "plain, training", "plain, validation", "augmented, training", "augmented, validation"]


def test_plot_histories_continues_from_initial_epoch():
    """Is a run trained with initial_epoch drawn after the run it continues?"""
    frozen = FakeHistory({"accuracy": [0.5, 0.6, 0.7]}, epoch=[0, 1, 2])
    fine_tuned = FakeHistory({"accuracy": [0.75, 0.8]}, epoch=[3, 4])
    fig = plot_histories({"frozen": frozen, "fine-tuned": fine_tuned}, metrics=("accuracy", "loss"))
    assert len(fig.axes) == 1  # no run has a loss: no empty panel
    first, second = fig.axes[0].get_lines()
    np.testing.assert_array_equal(first.get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(second.get_xdata(), [4, 5])


def test_plot_histories_refuses_histories_without_the_metrics():
    """Is a request for metrics no run recorded an error rather than an empty figure?"""
    with pytest.raises(ValueError, match="none of the histories"):
        plot_histories({"run": {"loss": [1.0]}}, metrics=("accuracy",))
