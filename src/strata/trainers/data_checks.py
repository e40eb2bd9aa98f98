"""Checks of training data before the first step: nothing half-trained on bad input."""

from __future__ import annotations

import warnings

import numpy as np
import torch

from strata.trainers.input_checks import check_against_spec


class NonFiniteDataWarning(UserWarning):
    """The data holds NaN or infinite values."""


def check_lengths(xs, ys, weights, input_names, output_names) -> None:
    """Every array has the same number of rows."""
    rows = {f"input '{n}'": int(x.shape[0]) for n, x in zip(input_names, xs)}
    rows.update({f"target '{n}'": int(y.shape[0]) for n, y in zip(output_names, ys)})
    if weights is not None:
        rows["sample_weight"] = int(weights.shape[0])
    if len(set(rows.values())) > 1:
        detail = ", ".join(f"{k}: {v}" for k, v in rows.items())
        raise ValueError(
            f"Expected x, y and sample_weight with the same number of rows; received {detail}."
        )


def check_inputs(model, xs) -> None:
    for spec, x, name in zip(model.inputs, xs, model.input_names):
        check_against_spec(spec, tuple(x.shape), name)


def cast_to_input_dtypes(model, xs):
    """Integer data for a float Input (or the reverse) takes the Input's dtype, as in Keras."""
    cast = []
    for spec, x in zip(model.inputs, xs):
        want = getattr(torch, str(spec.dtype), None)
        # Integer widths are left alone (Embedding takes int32 and int64 alike).
        if (
            isinstance(want, torch.dtype)
            and x.dtype != want
            and (want.is_floating_point or x.is_floating_point())
        ):
            x = x.to(want)
        cast.append(x)
    return cast


def warn_non_finite(named_arrays) -> None:
    for name, array in named_arrays:
        if isinstance(array, torch.Tensor) and array.is_floating_point():
            if not array.numel():
                continue
            # min and max are NaN or infinite exactly when some value is: one pass, no copy.
            low, high = torch.aminmax(array)
            if bool(torch.isfinite(low) & torch.isfinite(high)):
                continue
            bad = int((~torch.isfinite(array)).sum())
        elif isinstance(array, np.ndarray) and array.dtype.kind == "f":
            bad = int((~np.isfinite(array)).sum())
        else:
            continue
        if bad:
            warnings.warn(
                f"{name} holds {bad} NaN or infinite value(s); expected finite numbers. The loss "
                "will likely become NaN: clean or impute them first (seed 003: missing values).",
                NonFiniteDataWarning,
                stacklevel=4,
            )


def shape_targets(targets, ys):
    """Targets reshaped once to what each loss expects; clear errors when they cannot fit."""
    shaped = []
    for target, y in zip(targets, ys):
        shaped.append(_shape_one(target, y) if target.loss is not None else y)
    # Targets of a model compiled without losses (a custom train_step uses them) pass as given.
    return shaped + list(ys[len(targets) :])


def _shape_one(target, y):
    from strata.trainers.compile_utils import _loss_kind

    out_shape = target.shape
    kind = _loss_kind(target.loss)
    units = out_shape[-1] if len(out_shape) > 1 else None
    got = tuple(y.shape)
    loss_name = getattr(target.loss, "name", type(target.loss).__name__)
    if getattr(target.loss, "targets_any_shape", False):
        # Pair, triplet and ranking losses take one label per sample (or none) whatever the
        # output's width; the loss itself checks what it needs.
        return y if y.is_floating_point() else y.float()
    if kind == "sparse":
        if y.is_floating_point() and bool((y != torch.round(y)).any()):
            raise ValueError(
                f"Output '{target.name}' ({loss_name}) expected integer class labels; received "
                "non-integer values."
            )
        labels = (
            y.reshape(got[0], *out_shape[1:-1]) if y.numel() == got[0] * _inner(out_shape) else y
        )
        if units and labels.numel() and (int(labels.min()) < 0 or int(labels.max()) >= units):
            raise ValueError(
                f"Output '{target.name}' has {units} classes, so {loss_name} expected labels in "
                f"[0, {units - 1}]; received labels from {int(labels.min())} "
                f"to {int(labels.max())}."
            )
        return labels.long()
    expected = (got[0], *out_shape[1:])
    if got == expected:
        return _check_values(target, kind, y, loss_name)
    if y.numel() == int(np.prod(expected)) and (units == 1 or len(got) == 1 and units == 1):
        return _check_values(target, kind, y.reshape(expected), loss_name)
    hint = ""
    if kind == "categorical" and len(got) <= 2 and (len(got) == 1 or got[-1] == 1):
        hint = (
            " Integer labels go with sparse_categorical_crossentropy, or one-hot encode them "
            "with strata.utils.to_categorical."
        )
    elif kind == "binary" and units and units > 1:
        hint = " A single yes/no target needs one sigmoid unit (seed 003 table)."
    raise ValueError(
        f"Output '{target.name}' has shape {_shape_text(out_shape)} and loss {loss_name}, which "
        f"expects targets of shape {_shape_text((None, *out_shape[1:]))}; received targets of "
        f"shape {got}.{hint}"
    )


def _inner(out_shape):
    return int(np.prod([d for d in out_shape[1:-1]])) if len(out_shape) > 2 else 1


def _check_values(target, kind, y, loss_name):
    if kind in ("binary", "categorical") and y.numel():
        low, high = float(y.min()), float(y.max())
        if low < 0.0 or high > 1.0:
            raise ValueError(
                f"Output '{target.name}' ({loss_name}) expected targets in [0, 1]; received values "
                f"from {low:g} to {high:g}."
            )
    if not y.is_floating_point():
        y = y.float()
    return y


def _shape_text(shape) -> str:
    return (
        "("
        + ", ".join("None" if d is None else str(d) for d in shape)
        + (",)" if len(shape) == 1 else ")")
    )
