"""Unique automatic names, counted per base name the way Keras counts them."""

import re
from collections import defaultdict

_counts: dict[str, int] = defaultdict(int)


def to_snake_case(name: str) -> str:
    """`SeparableConv2D` -> `separable_conv2d`, `LSTM` -> `lstm`, `GRUCell` -> `gru_cell`."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub(r"([a-z])([A-Z])", r"\1_\2", name)
    return name.lower()


def unique_name(base: str) -> str:
    """The first call for a base gives `base`, later ones `base_1`, `base_2`, ..."""
    count = _counts[base]
    _counts[base] += 1
    return base if count == 0 else f"{base}_{count}"


def reset_names() -> None:
    _counts.clear()
    _uids.clear()


_uids: dict[str, int] = defaultdict(int)


def get_uid(prefix: str = "") -> int:
    """A number for `prefix` that starts at 1 and grows with each call (Keras's `get_uid`).

    Example:
        >>> get_uid("block") + 1 == get_uid("block")
        True
    """
    _uids[prefix] += 1
    return _uids[prefix]
