"""Plots the notebooks share: training curves, image grids and time series."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np


def plot_history(history, metrics: Sequence[str] = ("loss", "accuracy"), title: str | None = None):
    """Plot training (and validation, when present) curves of a Keras ``History``, one panel per metric."""
    import matplotlib.pyplot as plt

    values = history.history if hasattr(history, "history") else dict(history)
    shown = [metric for metric in metrics if metric in values]
    fig, axes = plt.subplots(1, len(shown), figsize=(5 * len(shown), 3.5), squeeze=False)
    for axis, metric in zip(axes[0], shown):
        epochs = np.arange(1, len(values[metric]) + 1)
        axis.plot(epochs, values[metric], marker="o", label=f"training {metric}")
        if f"val_{metric}" in values:
            axis.plot(epochs, values[f"val_{metric}"], marker="o", label=f"validation {metric}")
        axis.set_xlabel("epoch")
        axis.set_ylabel(metric)
        axis.grid(alpha=0.3)
        axis.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    plt.show()
    return fig


def show_images(images: np.ndarray, labels: Sequence | None = None, class_names: Sequence[str] | None = None,
                columns: int = 8, cmap: str = "gray"):
    """Show images in a grid, each titled with its class name (or label) when given."""
    import matplotlib.pyplot as plt

    count = len(images)
    rows = int(np.ceil(count / columns))
    fig, axes = plt.subplots(rows, columns, figsize=(1.6 * columns, 1.8 * rows), squeeze=False)
    for index, axis in enumerate(axes.flat):
        axis.axis("off")
        if index >= count:
            continue
        image = np.squeeze(images[index])
        if image.ndim == 3 and image.dtype.kind == "f" and image.max() > 1.0:
            image = np.clip(image, 0, 255).astype(np.uint8)  # raw 0-255 colour pixels, as image loaders yield them
        axis.imshow(image, cmap=cmap)
        if labels is not None:
            label = labels[index]
            label = int(np.squeeze(label)) if np.ndim(label) else int(label)
            axis.set_title(class_names[label] if class_names else str(label), fontsize=8)
    fig.tight_layout()
    plt.show()
    return fig


def show_image_files(paths: Sequence, columns: int = 6):
    """Show image files at their own sizes, each titled with its folder (class), size and format."""
    import matplotlib.pyplot as plt
    from PIL import Image

    paths = list(paths)
    rows = int(np.ceil(len(paths) / columns))
    fig, axes = plt.subplots(rows, columns, figsize=(2.2 * columns, 2.4 * rows), squeeze=False)
    for index, axis in enumerate(axes.flat):
        axis.axis("off")
        if index >= len(paths):
            continue
        with Image.open(paths[index]) as image:
            axis.imshow(np.asarray(image.convert("RGB")))
            axis.set_title(f"{paths[index].parent.name}\n{image.width}x{image.height} {image.format}", fontsize=8)
    fig.tight_layout()
    plt.show()
    return fig


def plot_feature_maps(feature_maps: Sequence[np.ndarray], layer_names: Sequence[str], per_layer: int = 8):
    """One row per layer: the first ``per_layer`` feature maps of one image (arrays of shape (1, h, w, filters))."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(feature_maps), per_layer, figsize=(1.5 * per_layer, 1.7 * len(feature_maps)),
                             squeeze=False)
    for row, (maps, name) in enumerate(zip(feature_maps, layer_names)):
        for column, axis in enumerate(axes[row]):
            axis.axis("off")
            if column < maps.shape[-1]:
                axis.imshow(maps[0, :, :, column], cmap="viridis")
        axes[row][0].set_title(f"{name} ({maps.shape[1]}x{maps.shape[2]})", fontsize=8, loc="left")
    fig.tight_layout()
    plt.show()
    return fig


def plot_histories(histories: Mapping[str, object], metrics: Sequence[str] = ("loss", "accuracy"),
                   title: str | None = None):
    """Compare training runs in one figure: one panel per metric, one colour per run.

    ``histories`` maps a run's name to a Keras ``History`` (or its ``.history`` dict). Training
    curves are solid, validation curves dashed in the same colour. A ``History`` from
    ``fit(..., initial_epoch=n)`` is drawn from epoch n + 1, so a run that continues another one
    (fine-tuning after a frozen phase) continues its curve.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    runs = {name: (history.history if hasattr(history, "history") else dict(history),
                   list(getattr(history, "epoch", None) or []))
            for name, history in histories.items()}
    shown = [metric for metric in metrics if any(metric in values for values, _ in runs.values())]
    if not shown:
        raise ValueError(f"none of the histories has any of the metrics {tuple(metrics)}")
    fig, axes = plt.subplots(1, len(shown), figsize=(5 * len(shown), 3.9), squeeze=False, layout="constrained")
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for axis, metric in zip(axes[0], shown):
        for index, (name, (values, epochs)) in enumerate(runs.items()):
            if metric not in values:
                continue
            colour = colours[index % len(colours)]
            count = len(values[metric])
            x = np.asarray(epochs) + 1 if len(epochs) == count else np.arange(1, count + 1)
            axis.plot(x, values[metric], color=colour, label=f"{name}, training")
            if f"val_{metric}" in values:
                axis.plot(x, values[f"val_{metric}"], color=colour, linestyle="--", label=f"{name}, validation")
        axis.xaxis.set_major_locator(MaxNLocator(integer=True))
        axis.set_xlabel("epoch")
        axis.set_ylabel(metric)
        axis.grid(alpha=0.3)
    legend = {}  # one legend under the panels, one column per run, for every line drawn in any panel
    for axis in axes[0]:
        for handle, label in zip(*axis.get_legend_handles_labels()):
            legend.setdefault(label, handle)
    fig.legend(legend.values(), legend.keys(), loc="outside lower center", ncol=min(len(runs), 4), fontsize=8)
    if title:
        fig.suptitle(title)
    plt.show()
    return fig


def plot_series(time, series: Mapping[str, object] | object, title: str | None = None, start: int = 0,
                end: int | None = None, xlabel: str = "time", ylabel: str = "value"):
    """Plot one series, or several over the same ``time`` (a mapping of label -> values), from ``start`` to ``end``.

    Forecasts are usually shorter than the series: each entry is aligned to the end of ``time``.
    """
    import matplotlib.pyplot as plt

    named = series if isinstance(series, Mapping) else {"": series}
    time = np.asarray(time)
    fig, axis = plt.subplots(figsize=(10, 4))
    for label, values in named.items():
        values = np.asarray(values).reshape(-1)
        steps = time[len(time) - len(values):]
        axis.plot(steps[start:end], values[start:end], label=label or None)
    axis.set_xlabel(xlabel)
    axis.set_ylabel(ylabel)
    axis.grid(True)
    if any(named):
        axis.legend()
    if title:
        axis.set_title(title)
    fig.tight_layout()
    return fig
