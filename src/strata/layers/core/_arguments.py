"""Argument checks shared by the core, merging and reshaping layers."""

from __future__ import annotations

from strata.backend import config as backend_config

_DATA_FORMATS = ("channels_last", "channels_first")


def standardize_data_format(value, layer: str) -> str:
    """`None` becomes `strata.backend.image_data_format()`; anything else must be a known name."""
    if value is None:
        return backend_config.image_data_format()
    normalized = str(value).lower()
    if normalized not in _DATA_FORMATS:
        raise ValueError(
            f"{layer} expected data_format 'channels_last' or 'channels_first'; received {value!r}."
        )
    return normalized


def normalize_tuple(value, count: int, name: str, layer: str, minimum: int = 1) -> tuple:
    """An int repeated `count` times, or a sequence of `count` ints, each at least `minimum`."""
    values = (value,) * count if isinstance(value, int) else tuple(value)
    if len(values) != count or not all(_is_int(v) and v >= minimum for v in values):
        raise ValueError(
            f"{layer} expected `{name}` to be an integer >= {minimum} or a tuple of {count} such "
            f"integers; received {value!r}."
        )
    return tuple(int(v) for v in values)


def normalize_pairs(value, count: int, name: str, layer: str) -> tuple:
    """Per-axis (before, after) amounts for `count` axes.

    Accepts an int (the same on both sides of every axis), a tuple of `count` ints (symmetric per
    axis) or a tuple of `count` pairs. Returns a tuple of `count` pairs of ints >= 0.
    """
    expected = (
        f"{layer} expected `{name}` to be an integer >= 0, a tuple of {count} integers or a tuple "
        f"of {count} (before, after) pairs; received {value!r}."
    )
    if _is_int(value):
        pairs = ((value, value),) * count
    else:
        try:
            items = tuple(value)
        except TypeError:
            raise ValueError(expected) from None
        if len(items) != count:
            raise ValueError(expected)
        pairs = []
        for item in items:
            if _is_int(item):
                pairs.append((item, item))
            elif isinstance(item, (tuple, list)) and len(item) == 2:
                pairs.append(tuple(item))
            else:
                raise ValueError(expected)
        pairs = tuple(pairs)
    if not all(_is_int(v) and v >= 0 for pair in pairs for v in pair):
        raise ValueError(expected)
    return tuple((int(a), int(b)) for a, b in pairs)


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
