"""The saveable state of strata's optimizers: `state_dict`, `load_state_dict` and their checks.

The state is the wrapped torch optimizer's `state_dict()` plus `iterations`, the learning rate
and, when used, the EMA averages (`"ema"`) and the gradient accumulators (`"accumulators"`):
tensors, containers and JSON values only, so `strata.saving` stores it without pickle.
"""

import torch

_REQUIRED = ("optimizer", "iterations", "learning_rate")
_MULTIPLIER = "lr_multiplier"


class OptimizerStateMixin:
    """`state_dict()` and friends for `Optimizer` (kept apart to keep the base short)."""

    def state_dict(self):
        """The torch optimizer's state, `iterations`, the learning rate and any EMA or
        accumulator tensors."""
        if self._torch_optimizer is None:
            raise ValueError(
                f"Optimizer '{self.name}' has no state before build(variables) is called."
            )
        state = {
            "optimizer": self._torch_optimizer.state_dict(),
            "iterations": self._iterations,
            "learning_rate": self._current_lr(),
        }
        if self._ema is not None:
            state["ema"] = list(self._ema)
        if self._accumulators is not None:
            state["accumulators"] = list(self._accumulators)
        return state

    def load_state_dict(self, state_dict):
        """Restore `state_dict()`'s output; before `build` it is kept and applied at build."""
        missing = set(_REQUIRED) - set(state_dict)
        if missing:
            raise ValueError(
                "load_state_dict expected keys 'optimizer', 'iterations' and 'learning_rate'; "
                f"missing {sorted(missing)}."
            )
        if self._torch_optimizer is None:
            self._pending_state = state_dict
            return
        self.check_state_dict(state_dict)
        self._torch_optimizer.load_state_dict(state_dict["optimizer"])
        self._keep_saved_dtypes(state_dict["optimizer"]["state"])
        for key, live in (("ema", self._ema), ("accumulators", self._accumulators)):
            if live is not None and key in state_dict:
                with torch.no_grad():
                    torch._foreach_copy_(
                        live, [t.to(v.device) for t, v in zip(state_dict[key], live)]
                    )
        self._iterations = int(state_dict["iterations"])
        if self._schedule is None and not callable(self._lr):
            self._lr = float(state_dict["learning_rate"])
        self._write_lr(self._current_lr())

    def check_state_dict(self, state_dict) -> None:
        """Raise a ValueError saying why `state_dict` cannot be this built optimizer's state
        (another optimizer class, other variables); nothing is changed either way."""
        name = f"{type(self).__name__} '{self.name}'"
        torch_state = state_dict.get("optimizer") if isinstance(state_dict, dict) else None
        if not isinstance(torch_state, dict) or not {"state", "param_groups"} <= set(torch_state):
            raise ValueError(f"{name} expected a saved optimizer state; received {torch_state!r}.")
        self._check_groups(name, torch_state["param_groups"])
        params = [p for group in self._torch_optimizer.param_groups for p in group["params"]]
        for index, entries in torch_state["state"].items():
            if not 0 <= int(index) < len(params) or not isinstance(entries, dict):
                raise ValueError(f"{name} received state for an unknown variable {index!r}.")
            param = params[int(index)]
            for key, value in entries.items():
                if not isinstance(value, torch.Tensor) or not value.dim():
                    continue
                shape = self._state_shape(key, param)
                if tuple(value.shape) != shape:
                    raise ValueError(
                        f"{name} expected state '{key}' of variable {index} with shape {shape}; "
                        f"received {tuple(value.shape)}."
                    )
        for key, live in (("ema", self._ema), ("accumulators", self._accumulators)):
            saved = state_dict.get(key)
            if live is None or saved is None:
                continue
            shapes = [tuple(t.shape) for t in saved] if isinstance(saved, list) else None
            if shapes != [tuple(t.shape) for t in live]:
                raise ValueError(
                    f"{name} expected '{key}' tensors shaped like its {len(live)} variables; "
                    f"received {shapes if shapes is not None else saved!r}."
                )

    def _check_groups(self, name, saved_groups):
        live_groups = self._torch_optimizer.param_groups
        if not isinstance(saved_groups, list) or len(saved_groups) != len(live_groups):
            raise ValueError(
                f"{name} expected state for {len(live_groups)} parameter group(s); received "
                f"{len(saved_groups) if isinstance(saved_groups, list) else saved_groups!r}."
            )
        for index, (live, saved) in enumerate(zip(live_groups, saved_groups)):
            if not isinstance(saved, dict):
                raise ValueError(f"{name} expected parameter groups as dicts; received {saved!r}.")
            live_rate, saved_rate = live.get(_MULTIPLIER, 1.0), saved.get(_MULTIPLIER, 1.0)
            if live_rate != saved_rate:
                raise ValueError(
                    f"{name} trains parameter group {index} at lr_multiplier {live_rate}; the "
                    f"state was saved with {saved_rate} (add the same variable groups first)."
                )
            live_keys = set(live) - {"params", _MULTIPLIER}
            saved_keys = set(saved) - {"params", _MULTIPLIER}
            if live_keys != saved_keys:
                raise ValueError(
                    f"{name} expected its own hyperparameters {sorted(live_keys)}; the state "
                    f"holds {sorted(saved_keys)}: it was saved by another optimizer class."
                )
            if len(saved.get("params", [])) != len(live["params"]):
                raise ValueError(
                    f"{name} holds {len(live['params'])} variables; the state was saved for "
                    f"{len(saved.get('params', []))}."
                )

    def _state_shape(self, key, param):
        """The shape a saved per-variable state tensor `key` must have (the variable's)."""
        return tuple(param.shape)

    def _keep_saved_dtypes(self, saved):
        # torch casts loaded state to each parameter's dtype; some state is kept in another one
        # on purpose, and casting it would change the path.
        params = [p for group in self._torch_optimizer.param_groups for p in group["params"]]
        for index, entries in saved.items():
            live = self._torch_optimizer.state.get(params[int(index)], {})
            for key, value in entries.items():
                current = live.get(key)
                if isinstance(value, torch.Tensor) and isinstance(current, torch.Tensor):
                    if current.dtype != value.dtype:
                        live[key] = current.to(value.dtype)
