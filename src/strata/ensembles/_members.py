"""Ensemble members: strata models, saved model files, scikit-learn estimators and callables."""

from __future__ import annotations

import os

import numpy as np

KINDS = ("strata", "sklearn", "callable", "fold_average")


class FoldAverage:
    """A callable averaging the predictions of the fold models of one cross-validation run.

    Args:
        models: The fold models (strata models or scikit-learn estimators).
        name: The name shown in reports.

    Example:
        >>> average = FoldAverage([lambda x: x, lambda x: 3 * x], name="cv")
        >>> average(np.ones((1, 2))).tolist()
        [[2.0, 2.0]]
    """

    def __init__(self, models, name="fold_average"):
        if not models:
            raise ValueError("FoldAverage expected at least one fold model; received none.")
        self.models = list(models)
        self.name = name

    def __call__(self, x):
        outputs = [predict_member(member_kind(m), m, x) for m in self.models]
        return np.mean(np.stack(outputs), axis=0)


def is_strata_model(obj):
    from strata.models import Model

    return isinstance(obj, Model)


def is_sklearn_estimator(obj):
    return hasattr(obj, "get_params") and (hasattr(obj, "predict_proba") or hasattr(obj, "predict"))


def member_kind(obj):
    """One of `KINDS` for an already resolved member."""
    if isinstance(obj, FoldAverage):
        return "fold_average"
    if is_strata_model(obj):
        return "strata"
    if is_sklearn_estimator(obj):
        return "sklearn"
    if callable(obj):
        return "callable"
    raise ValueError(
        "Ensemble members must be strata models, paths to saved strata models, fitted "
        f"scikit-learn estimators or callables x -> predictions; received {type(obj).__name__}."
    )


def resolve(obj):
    """The member itself, or the strata model loaded from a path."""
    if isinstance(obj, (str, os.PathLike)):
        from strata.saving import load_model

        if not os.path.exists(obj):
            raise ValueError(f"Ensemble member path {str(obj)!r} does not exist.")
        return load_model(obj)
    member_kind(obj)  # validates
    return obj


def member_name(obj, kind):
    if kind == "strata":
        return getattr(obj, "name", None) or type(obj).__name__
    if kind == "sklearn":
        return type(obj).__name__
    return getattr(obj, "name", None) or getattr(obj, "__name__", None) or type(obj).__name__


def unique_names(names):
    """Names with `_1`, `_2` suffixes where they repeat, so reports can key on them."""
    seen, out = {}, []
    for name in names:
        count = seen.get(name, 0)
        out.append(name if count == 0 else f"{name}_{count}")
        seen[name] = count + 1
    return out


def _predict_sklearn(estimator, x):
    if hasattr(estimator, "predict_proba"):
        try:
            return estimator.predict_proba(x)
        except AttributeError:  # e.g. an SVC without probability=True exposes it but refuses
            pass
    return estimator.predict(x)


def predict_member(kind, obj, x):
    """The member's predictions on `x` as a float64 NumPy array."""
    if kind == "strata":
        out = obj.predict(x, verbose=0)
    elif kind == "sklearn":
        out = _predict_sklearn(obj, x)
    else:
        out = obj(x)
    if isinstance(out, (list, tuple, dict)):
        raise ValueError(
            f"Ensemble members must return one array of predictions; {type(obj).__name__} "
            f"returned a {type(out).__name__}."
        )
    if hasattr(out, "detach"):  # a torch tensor from a callable
        out = out.detach().cpu().numpy()
    return np.asarray(out, dtype=np.float64)


def check_shapes(outputs, kinds, names):
    """Raise a ValueError naming the first member whose output shape differs from member 0's."""
    reference = outputs[0].shape
    for index, out in enumerate(outputs[1:], start=1):
        if out.shape != reference:
            raise ValueError(
                f"Ensemble member {index} ({names[index]!r}, {kinds[index]}) returned "
                f"predictions of shape {out.shape}, but member 0 ({names[0]!r}, {kinds[0]}) "
                f"returned shape {reference}; all members must agree on the output shape."
            )
