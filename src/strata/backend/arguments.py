"""Checks of numeric arguments, with errors that say what was expected and what came.

Every check raises `ValueError` before anything runs, naming the function, the argument, the
accepted values and the received value (bools are not numbers here: `batch_size=True` is a
mistake, not 1).
"""

from __future__ import annotations

import math
import numbers


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def integer(owner, name, value, minimum=1, allow_none=False):
    """`value` as an int >= `minimum` (or None when allowed)."""
    if value is None and allow_none:
        return None
    if not _is_int(value) or value < minimum:
        also = " or None" if allow_none else ""
        raise ValueError(
            f"{owner} expected {name} to be an integer >= {minimum}{also}; received {value!r}."
        )
    return int(value)


def number(owner, name, value, low=None, high=None, low_open=False, high_open=False):
    """`value` as a finite float within the bounds (open or closed), else a ValueError."""
    if not _is_real(value) or not math.isfinite(float(value)):
        raise ValueError(f"{owner} expected {name} to be a finite number; received {value!r}.")
    value = float(value)
    below = low is not None and (value <= low if low_open else value < low)
    above = high is not None and (value >= high if high_open else value > high)
    if below or above:
        left = "" if low is None else f"{'>' if low_open else '>='} {low}"
        right = "" if high is None else f"{'<' if high_open else '<='} {high}"
        bounds = " and ".join(part for part in (left, right) if part)
        raise ValueError(f"{owner} expected {name} {bounds}; received {value!r}.")
    return value


def verbosity(owner, value):
    """Keras's verbose values: "auto", 0, 1 or 2."""
    if value == "auto" and isinstance(value, str):
        return value
    if not _is_int(value) or value not in (0, 1, 2):
        raise ValueError(f"{owner} expected verbose 'auto', 0, 1 or 2; received {value!r}.")
    return int(value)


def frequency(owner, name, value, words=("epoch",)):
    """A frequency given as one of `words` or an integer >= 1 of batches."""
    if isinstance(value, str) and value in words:
        return value
    if not _is_int(value) or value < 1:
        choices = ", ".join(repr(w) for w in words)
        raise ValueError(
            f"{owner} expected {name} to be {choices} or an integer >= 1 of batches; "
            f"received {value!r}."
        )
    return int(value)
