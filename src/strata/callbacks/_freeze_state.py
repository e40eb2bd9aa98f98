"""Which layers are frozen and how the optimizer groups the trainable weights, for backups.

A run that froze or unfroze layers on the way (GradualUnfreezing) resumes from a backup only if
the same layers are trainable and the optimizer holds the same variables, in the same order and
parameter groups (learning-rate multipliers): its saved moments are matched by position.
Everything here is JSON: booleans, indices into `model.parameters()`, floats.
"""

from __future__ import annotations


def capture(model) -> dict:
    """The model's freeze state and its optimizer's variable layout."""
    from strata.layers.layer import Layer

    params = list(model.parameters())
    state = {
        "layers": [bool(m._trainable) for m in model.modules() if isinstance(m, Layer)],
        "requires_grad": [bool(p.requires_grad) for p in params],
        "optimizer_variables": None,
        "lr_multipliers": None,
    }
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None and getattr(optimizer, "built", False):
        index = {id(p): i for i, p in enumerate(params)}
        variables = optimizer.trainable_variables
        if all(id(v) in index for v in variables):
            state["optimizer_variables"] = [index[id(v)] for v in variables]
            state["lr_multipliers"] = [float(optimizer.get_lr_multiplier(v)) for v in variables]
    return state


def check(model, state) -> None:
    """Raise a ValueError saying why `state` does not fit `model` (nothing is changed)."""
    from strata.layers.layer import Layer

    layers = [m for m in model.modules() if isinstance(m, Layer)]
    params = list(model.parameters())
    if len(state["layers"]) != len(layers) or len(state["requires_grad"]) != len(params):
        raise ValueError(
            f"its freeze state is for {len(state['layers'])} layers and "
            f"{len(state['requires_grad'])} weights; this model has {len(layers)} and "
            f"{len(params)}"
        )
    indices = state.get("optimizer_variables")
    if indices is not None and (
        any(not 0 <= int(i) < len(params) for i in indices)
        or len(state.get("lr_multipliers") or ()) != len(indices)
    ):
        raise ValueError("its optimizer layout names weights this model does not have")


def apply(model, state) -> None:
    """Set the layers' `trainable` flags and rebuild the optimizer's layout from `state`."""
    from strata.layers.layer import Layer

    # Parents first (model.modules() order): a parent's setter resets its sublayers, which
    # are set again right after.
    for module, flag in zip(
        [m for m in model.modules() if isinstance(m, Layer)], state["layers"], strict=True
    ):
        module.trainable = bool(flag)
    params = list(model.parameters())
    for param, flag in zip(params, state["requires_grad"], strict=True):
        param.requires_grad_(bool(flag))
    optimizer = getattr(model, "optimizer", None)
    indices = state.get("optimizer_variables")
    if optimizer is None or indices is None:
        return
    variables = [params[int(i)] for i in indices]
    optimizer.build(variables)
    by_rate = {}
    for variable, rate in zip(variables, state["lr_multipliers"], strict=True):
        by_rate.setdefault(float(rate), []).append(variable)
    for rate, group in by_rate.items():
        optimizer.add_variable_group(group, lr_multiplier=rate)
