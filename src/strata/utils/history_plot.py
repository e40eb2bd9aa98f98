"""`plot_history`: learning curves of one or several training runs, drawn with matplotlib.

The figure is a plain `matplotlib.figure.Figure` rendered by the Agg canvas: pyplot's global
state and interactive backends are never touched, so it works on machines without a display
and inside test suites, and a notebook still shows the returned figure.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

_MARKERS = ("+", "o", "x", "s", "^", "v", "D", "*")
_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}


def plot_history(
    histories,
    metric="val_loss",
    to_file=None,
    title=None,
    show_validation="auto",
    xlabel="Epochs",
    ylabel=None,
    styles=None,
    figsize=(6.4, 4.8),
    dpi=100,
    logy=False,
):
    """Draws a metric per epoch for one run or compares it across several runs.

    One line is drawn for each run and, when validation is shown, a second line in the same
    colour for its `val_` twin (training dashed with dots, validation solid with crosses). The
    x axis counts epochs from 1, as the learning-curve plots of Deep Learning with Python do.

    Args:
        histories: A `History` (what `fit` returns), a history dict (metric name -> list of
            per-epoch values), or a dict of label -> `History` or history dict, for example
            `{"Original model": h1, "Smaller model": h2}`.
        metric: The metric to draw, such as `"val_loss"`, `"loss"` or `"val_accuracy"`.
        to_file: If given, the figure is written there (PNG, or SVG/PDF by suffix), atomically.
        title: Title of the plot; None for none.
        show_validation: Whether to draw the `val_` twin of a training metric as well.
            `"auto"`: only for a single run (training vs validation of one model) when the
            twin was recorded; True: for every run (an error if one lacks it); False: never.
        xlabel: Label of the x axis.
        ylabel: Label of the y axis; None derives it from `metric` ("Validation loss").
        styles: Optional dict of line label -> matplotlib format string (such as `"b+"` or
            `"bo"`, as in the seed's listings) overriding the default style of that line.
        figsize: Size of the figure in inches.
        dpi: Resolution of the figure (and of the written PNG).
        logy: Whether the y axis is logarithmic (useful when a loss falls near zero).

    Returns:
        The `matplotlib.figure.Figure`.

    Raises:
        ValueError: A run did not record `metric` (or its validation twin when asked for),
            `histories` is empty, or `to_file` has an unsupported suffix.

    Example:
        >>> history = {"loss": [0.7, 0.5, 0.4], "val_loss": [0.72, 0.6, 0.65]}
        >>> figure = plot_history(history, metric="loss")
        >>> [line.get_label() for line in figure.axes[0].get_lines()]
        ['Training loss', 'Validation loss']
        >>> runs = {"Original model": history, "Smaller model": history}
        >>> [line.get_label() for line in plot_history(runs).axes[0].get_lines()]
        ['Original model', 'Smaller model']
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    runs = _as_runs(histories)
    single = len(runs) == 1 and isinstance(next(iter(runs)), _Unnamed)
    training_metric = not metric.startswith("val_")
    twin = f"val_{metric}"
    if show_validation == "auto":
        with_validation = single and training_metric and all(twin in h for _, h, _ in runs.values())
    else:
        with_validation = bool(show_validation) and training_metric
    figure = Figure(figsize=figsize, dpi=dpi)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    styles = dict(styles or {})
    for index, (label, (name, history, epochs)) in enumerate(runs.items()):
        color = f"C{index % 10}"
        values = _values(history, metric, name)
        series = [(metric, values)]
        if with_validation:
            series.append((twin, _values(history, twin, name)))
        for key, ys in series:
            line_label = _line_label(label, key, single, with_validation)
            xs = epochs if epochs is not None and len(epochs) == len(ys) else range(1, len(ys) + 1)
            xs = list(xs)
            if line_label in styles:
                axes.plot(xs, ys, styles[line_label], label=line_label)
                continue
            validation = key.startswith("val_")
            # One run: its two curves get two colours; several runs: one colour per run.
            line_color = "C1" if single and validation else color
            if with_validation:
                marker, linestyle = ("+", "-") if validation else ("o", "--")
            else:
                marker, linestyle = _MARKERS[index % len(_MARKERS)], "-"
            axes.plot(
                xs,
                ys,
                color=line_color,
                marker=marker,
                linestyle=linestyle,
                linewidth=1.2,
                markersize=6,
                label=line_label,
            )
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel if ylabel is not None else _axis_label(metric, with_validation))
    if logy:
        axes.set_yscale("log")
    if title:
        axes.set_title(title)
    axes.grid(True, alpha=0.3)
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.legend()
    figure.tight_layout()
    if to_file is not None:
        _save(figure, to_file)
    return figure


class _Unnamed(str):
    """The label of a run given on its own (no dict of labels)."""


def _as_runs(histories) -> dict:
    """label -> (name used in errors, history dict, epoch numbers from 1 or None)."""
    if _is_single(histories):
        name, history, epochs = _unpack(histories, "the history")
        return {_Unnamed(""): (name, history, epochs)}
    if not isinstance(histories, Mapping) or not histories:
        raise ValueError(
            "plot_history expected a History, a history dict, or a non-empty dict of label -> "
            f"History; received {type(histories).__name__}"
            + (" (empty)." if isinstance(histories, Mapping) else ".")
        )
    return {str(label): _unpack(value, f"run '{label}'") for label, value in histories.items()}


def _is_single(value) -> bool:
    if hasattr(value, "history") and isinstance(value.history, Mapping):
        return True
    return (
        isinstance(value, Mapping)
        and bool(value)
        and all(not isinstance(v, Mapping) and not hasattr(v, "history") for v in value.values())
    )


def _unpack(value, name):
    if hasattr(value, "history") and isinstance(value.history, Mapping):
        epochs = getattr(value, "epoch", None)
        epochs = [int(e) + 1 for e in epochs] if epochs else None
        return name, dict(value.history), epochs
    if isinstance(value, Mapping):
        return name, dict(value), None
    raise ValueError(
        f"plot_history expected {name} to be a History or a dict of metric -> list of values; "
        f"received {type(value).__name__}."
    )


def _values(history, key, name) -> list[float]:
    if key not in history:
        raise ValueError(
            f"plot_history expected {name} to have recorded '{key}'; it recorded {sorted(history)}."
        )
    return [float(v) for v in history[key]]


def _pretty(metric: str) -> str:
    base = metric[4:] if metric.startswith("val_") else metric
    return {"acc": "accuracy", "mse": "mean squared error", "mae": "mean absolute error"}.get(
        base, base.replace("_", " ")
    )


def _line_label(label, key, single, with_validation) -> str:
    kind = "Validation" if key.startswith("val_") else "Training"
    if single:
        return f"{kind} {_pretty(key)}"
    if with_validation:
        return f"{label} ({kind.lower()})"
    return label


def _axis_label(metric, with_validation) -> str:
    name = _pretty(metric)
    if with_validation:
        return name[:1].upper() + name[1:]
    kind = "Validation" if metric.startswith("val_") else "Training"
    return f"{kind} {name}"


def _save(figure, to_file) -> None:
    from strata.utils.file_io import atomic_write

    path = Path(os.fspath(to_file))
    suffix = path.suffix.lower()
    if suffix and suffix not in _FORMATS:
        raise ValueError(
            f"plot_history expected to_file to end in one of {sorted(_FORMATS)}; "
            f"received {os.fspath(to_file)!r}."
        )
    if path.parent != Path(""):
        path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path, "wb") as handle:
        figure.savefig(handle, format=_FORMATS.get(suffix, "png"), dpi=figure.dpi)
