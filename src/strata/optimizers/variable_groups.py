"""Variables that join an optimizer after `build`, and per-variable learning-rate multipliers.

Discriminative learning rates (an unfrozen pretrained layer training at a tenth of the head's
rate) are torch parameter groups: each distinct multiplier gets its own group whose `lr` is
the optimizer's rate times the multiplier, so torch's fused and foreach kernels run unchanged,
once per group. An optimizer without multipliers keeps its single group: nothing changes on
its step path.
"""

from __future__ import annotations

import torch

_MULTIPLIER = "lr_multiplier"


class VariableGroupsMixin:
    """`add_variable_group`, `get_lr_multiplier` and the grouping of variables for `Optimizer`.

    The optimizer keeps `_lr_multipliers` (variable id -> multiplier, only for multipliers
    other than 1); `_configure_groups` (run after `build` and whenever a group changes)
    rebuilds the torch parameter groups from it. Subclasses that need more groups (AdamW's
    variables excluded from weight decay) return their per-variable settings from
    `_group_settings`.
    """

    def add_variable_group(self, variables, lr_multiplier=1.0):
        """Train `variables` at `learning_rate * lr_multiplier`, adding those not yet held.

        Variables the optimizer already holds keep their state (moments, accumulators) and
        only change rate; new ones join with empty state. Before `build`, this builds the
        optimizer on `variables`. A fit picks up layers unfrozen mid-run by itself (with
        multiplier 1); call this to give them another rate.

        Args:
            variables: `torch.nn.Parameter`s (for example a layer's `trainable_weights`).
            lr_multiplier: a float >= 0 scaling the learning rate of these variables (also
                their decoupled weight decay, which Keras scales by the learning rate).

        Returns:
            The number of variables that were not held before.

        Example:
            >>> import torch
            >>> from strata.optimizers import SGD
            >>> base, head = torch.nn.Parameter(torch.ones(2)), torch.nn.Parameter(torch.ones(2))
            >>> opt = SGD(learning_rate=0.1)
            >>> opt.build([head])
            >>> opt.add_variable_group([base], lr_multiplier=0.1)
            1
            >>> (base.sum() + head.sum()).backward()
            >>> opt.apply()
            >>> round(base[0].item(), 4), round(head[0].item(), 4)
            (0.99, 0.9)
        """
        multiplier = _check_multiplier(lr_multiplier)
        variables = list(variables)
        for variable in variables:
            if not isinstance(variable, torch.Tensor) or not variable.is_leaf:
                raise ValueError(
                    f"add_variable_group expected torch.nn.Parameter (leaf tensors); received "
                    f"{type(variable).__name__}."
                )
        for variable in variables:
            if multiplier == 1.0:
                self._lr_multipliers.pop(id(variable), None)
            else:
                self._lr_multipliers[id(variable)] = multiplier
        if not self.built:
            self.build(variables)
            return len(variables)
        known = {id(v) for v in self._variables}
        new = []
        for variable in variables:
            if id(variable) not in known:
                known.add(id(variable))
                new.append(variable)
        if new:
            self._append_variables(new)
        self._configure_groups()
        return len(new)

    def get_lr_multiplier(self, variable) -> float:
        """The multiplier of `variable`'s learning rate (1.0 unless set by add_variable_group)."""
        return self._lr_multipliers.get(id(variable), 1.0)

    def _append_variables(self, new):
        with torch.no_grad():
            if self._ema is not None:
                self._ema += [v.detach().clone() for v in new]
            if self._accumulators is not None:
                self._accumulators += [torch.zeros_like(v) for v in new]
        self._variables = self._variables + list(new)
        self._decay_ids = None
        self._variables_added(new)

    def _variables_added(self, new):
        """Hook: `new` variables joined a built optimizer (before its groups are remade)."""

    def _group_settings(self, variable) -> dict:
        """Hook: torch param-group settings that differ from the defaults for `variable`."""
        return {}

    def _configure_groups(self):
        """Group the variables by their settings; the default group always comes first."""
        optimizer = self._torch_optimizer
        keep = set(self._variable_ids())
        self._lr_multipliers = {k: m for k, m in self._lr_multipliers.items() if k in keep}
        groups = {(): ({}, [])}
        for variable in self._variables:
            settings = dict(self._group_settings(variable))
            multiplier = self._lr_multipliers.get(id(variable))
            if multiplier is not None:
                settings[_MULTIPLIER] = multiplier
            key = tuple(sorted(settings.items()))
            groups.setdefault(key, (settings, []))[1].append(variable)
        if len(groups) == 1 and len(optimizer.param_groups) == 1:
            optimizer.param_groups[0]["params"] = list(self._variables)  # the common case
            return
        template = optimizer.param_groups[0]
        defaults = {k: v for k, v in template.items() if k not in ("params", _MULTIPLIER)}
        lr = self._current_lr()
        optimizer.param_groups.clear()
        for settings, params in groups.values():
            rate = lr * settings.get(_MULTIPLIER, 1.0)
            optimizer.add_param_group({**defaults, **settings, "params": params, "lr": rate})

    def _variable_ids(self):
        return [id(v) for v in self._variables]

    def _write_lr(self, lr):
        for group in self._torch_optimizer.param_groups:
            group["lr"] = lr * group.get(_MULTIPLIER, 1.0)

    @torch.no_grad()
    def _apply_weight_decay(self, lr):
        if not self.weight_decay:
            return
        if self._decay_ids is None:
            self._decay_ids = {id(v) for v in self._variables if not self._excluded(v)}
        params = [v for v in self._variables if v.grad is not None and id(v) in self._decay_ids]
        if not params:
            return
        if not self._lr_multipliers:
            torch._foreach_mul_(params, 1.0 - lr * self.weight_decay)
            return
        by_rate = {}
        for param in params:
            by_rate.setdefault(self.get_lr_multiplier(param), []).append(param)
        for multiplier, group in by_rate.items():
            torch._foreach_mul_(group, 1.0 - lr * multiplier * self.weight_decay)


def _check_multiplier(value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        raise ValueError(f"lr_multiplier expected a float >= 0; received {value!r}.")
    return float(value)
