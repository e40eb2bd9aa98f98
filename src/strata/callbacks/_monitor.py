"""Helpers shared by the callbacks that watch one metric (early stopping, checkpoints, LR)."""

from __future__ import annotations

import math
import warnings

# Substrings of metric names for which larger is better (the legacy `acc` included): the
# metrics Keras marks `_direction = "up"`, by their default names.
_LARGER_IS_BETTER = (
    "acc",
    "auc",
    "precision",
    "recall",
    "f1",
    "fmeasure",
    "fbeta",
    "iou",
    "io_u",
    "r2_score",
    "correlation",
    "cosine_similarity",
    "sensitivity",
    "specificity",
)


def resolve_mode(mode: str, monitor: str, who: str) -> str:
    """The direction of improvement, `"min"` or `"max"`.

    Args:
        mode: `"min"`, `"max"` or `"auto"` (inferred from the metric's name).
        monitor: the monitored key, for example `"val_loss"` or `"acc"`.
        who: the callback's name, for the warning about an unknown mode.

    Returns:
        `"min"` or `"max"`.
    """
    if mode not in ("auto", "min", "max"):
        warnings.warn(
            f"{who} expected mode 'auto', 'min' or 'max'; received {mode!r}. Using 'auto'.",
            stacklevel=3,
        )
        mode = "auto"
    if mode != "auto":
        return mode
    name = monitor[4:] if monitor.startswith("val_") else monitor
    name = name.lower()
    if name.endswith("loss"):
        return "min"
    return "max" if any(token in name for token in _LARGER_IS_BETTER) else "min"


def worst_value(mode: str) -> float:
    """The starting 'best' value: nothing is worse."""
    return math.inf if mode == "min" else -math.inf


def improved(mode: str, current: float, reference, min_delta: float = 0.0) -> bool:
    """Whether `current` beats `reference` by more than `min_delta` in the direction `mode`."""
    if reference is None:
        return True
    if mode == "min":
        return current < reference - abs(min_delta)
    return current > reference + abs(min_delta)


def monitor_value(logs, monitor: str, who: str):
    """`logs[monitor]` as a float, or None with a warning naming the keys that are there."""
    logs = logs or {}
    value = logs.get(monitor)
    if value is None:
        available = ", ".join(sorted(logs)) or "none"
        warnings.warn(
            f"{who} expected the metric '{monitor}' in the epoch logs; it is not there "
            f"(available: {available}). Skipping this epoch.",
            stacklevel=3,
        )
        return None
    return float(value)
