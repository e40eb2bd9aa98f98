"""The Optimizer base: Keras 3's optimizer interface around a `torch.optim` optimizer.

The wrapped torch optimizer does the update; this class adds what Keras users expect around
it: gradient clipping, Keras-style decoupled weight decay, a settable `learning_rate` (a float
or a `LearningRateSchedule`), an `iterations` counter, configs and resumable state.

Everything on the step path stays on the device: learning rates and the step count are
Python numbers, clipping uses torch's foreach kernels, and nothing calls `.item()`.
"""

import torch

from strata.backend import naming
from strata.optimizers.schedules import learning_rate_schedule as schedules


class Optimizer:
    """Base class of strata's optimizers (Keras 3's arguments, a `torch.optim` engine).

    Subclasses set `_torch_class` and implement `_torch_kwargs()` (the torch optimizer's
    arguments other than `params` and `lr`), plus `get_config()` for their own arguments.

    Args:
        learning_rate: a float or a `strata.optimizers.schedules.LearningRateSchedule`.
        weight_decay: when set, each variable is decayed before the step by
            `var -= learning_rate * weight_decay * var` (decoupled, as in Keras).
        clipnorm: when set, each variable's gradient is rescaled to a norm of at most this.
        clipvalue: when set, each gradient entry is clipped to `[-clipvalue, clipvalue]`.
        global_clipnorm: when set, all gradients are rescaled together so that their
            global norm is at most this (`torch.nn.utils.clip_grad_norm_`, which divides by
            `norm + 1e-6`: a relative difference of about 1e-6 from Keras's formula).
        use_ema: accepted for compatibility; True raises `NotImplementedError`.
        ema_momentum: accepted for compatibility (used only with `use_ema`).
        ema_overwrite_frequency: accepted for compatibility (used only with `use_ema`).
        loss_scale_factor: when set, `scale_loss` multiplies the loss by it and the step divides
            the gradients by it first.
        gradient_accumulation_steps: accepted for compatibility; a value raises
            `NotImplementedError`.
        name: the optimizer's name.
        **kwargs: `lr` (the legacy name of `learning_rate`) and `decay` (Keras 2's
            time decay, `lr / (1 + decay * iterations)`, applied as an `InverseTimeDecay`).

    Example:
        >>> import torch
        >>> from strata.optimizers import SGD
        >>> w = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
        >>> opt = SGD(learning_rate=0.1)
        >>> opt.build([w])
        >>> (w**2).sum().backward()
        >>> opt.apply()
        >>> w.detach().tolist(), opt.iterations
        ([0.800000011920929, -1.600000023841858], 1)
    """

    _torch_class = None
    # AdamW decays through torch's own (identical) decoupled weight decay.
    _torch_weight_decay = False

    def __init__(
        self,
        learning_rate,
        weight_decay=None,
        clipnorm=None,
        clipvalue=None,
        global_clipnorm=None,
        use_ema=False,
        ema_momentum=0.99,
        ema_overwrite_frequency=None,
        loss_scale_factor=None,
        gradient_accumulation_steps=None,
        name=None,
        **kwargs,
    ):
        if "lr" in kwargs:
            learning_rate = kwargs.pop("lr")
        decay = kwargs.pop("decay", None)
        if kwargs:
            raise TypeError(
                f"{type(self).__name__} received unknown argument(s) {sorted(kwargs)}; expected "
                "its documented keyword arguments (and the legacy 'lr' and 'decay')."
            )
        if decay:
            if isinstance(learning_rate, schedules.LearningRateSchedule):
                raise ValueError("The legacy 'decay' argument cannot be combined with a schedule.")
            learning_rate = schedules.InverseTimeDecay(learning_rate, 1, decay)
        if use_ema:
            raise NotImplementedError("use_ema=True is not supported by strata's optimizers yet.")
        if gradient_accumulation_steps is not None:
            raise NotImplementedError(
                "gradient_accumulation_steps is not supported by strata's optimizers yet; "
                f"received {gradient_accumulation_steps!r}."
            )
        given = {
            key: value
            for key, value in (
                ("clipnorm", clipnorm),
                ("clipvalue", clipvalue),
                ("global_clipnorm", global_clipnorm),
            )
            if value is not None
        }
        if len(given) > 1:
            raise ValueError(
                "Only one of clipnorm, clipvalue and global_clipnorm can be set; received "
                + ", ".join(f"{key}={value}" for key, value in given.items())
                + "."
            )
        for key, value in {**given, "weight_decay": weight_decay}.items():
            if value is not None and (not isinstance(value, (int, float)) or value < 0):
                raise ValueError(f"{key} expected a non-negative number; received {value!r}.")
        self.name = (
            name
            if name is not None
            else naming.unique_name(naming.to_snake_case(type(self).__name__))
        )
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.use_ema = use_ema
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self._schedule = None
        self._lr = None
        self._set_learning_rate(learning_rate)
        self._iterations = 0
        self._variables = []
        self._torch_optimizer = None
        self._pending_state = None
        self._excluded_ids = set()
        self._excluded_names = ()
        # Called with the variables that have gradients at the start of every step (before
        # clipping): a data-parallel run averages them over the processes there.
        self.gradient_reducer = None
        self.built = False

    # ----------------------------------------------------------------- subclass interface
    def _torch_kwargs(self):
        """The wrapped torch optimizer's arguments other than `params` and `lr`."""
        return {}

    def _configure_groups(self):
        """Hook run after the torch optimizer is made, before any pending state is loaded."""

    # ----------------------------------------------------------------- build
    def build(self, variables):
        """Create the torch optimizer for `variables` (a model's trainable `nn.Parameter`s).

        Calling it again with the same variables does nothing; other variables get a fresh
        torch optimizer (with empty state).
        """
        variables = list(variables)
        if (
            self.built
            and len(variables) == len(self._variables)
            and all(a is b for a, b in zip(variables, self._variables, strict=True))
        ):
            return
        for variable in variables:
            if not isinstance(variable, torch.Tensor) or not variable.is_leaf:
                raise ValueError(
                    f"{type(self).__name__}.build expected a list of torch.nn.Parameter (leaf "
                    f"tensors); received {type(variable).__name__}."
                )
        self._variables = variables
        kwargs = self._torch_kwargs()
        kwargs.update(self._engine_kwargs(variables))
        self._torch_optimizer = self._torch_class(variables, lr=self._current_lr(), **kwargs)
        self._decay_ids = None
        self.built = True
        self._configure_groups()
        if self._pending_state is not None:
            state, self._pending_state = self._pending_state, None
            self.load_state_dict(state)

    def _engine_kwargs(self, variables):
        # fused kernels on CUDA where torch has one; otherwise let torch choose (foreach on CUDA).
        on_cuda = bool(variables) and all(
            v.device.type == "cuda" and v.is_floating_point() for v in variables
        )
        if on_cuda and self._torch_class.__name__ in ("SGD", "Adam", "AdamW", "Adagrad"):
            return {"fused": True}
        return {"foreach": None}

    # ----------------------------------------------------------------- learning rate
    def _set_learning_rate(self, value):
        if isinstance(value, schedules.LearningRateSchedule):
            self._schedule = value
            return
        if isinstance(value, torch.Tensor):
            value = value.item()  # once, when the user sets it; never on the step path
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise ValueError(
                "learning_rate expected a float or a LearningRateSchedule; received "
                f"{type(value).__name__}: {value!r}."
            )
        self._schedule = None
        self._lr = float(value)

    def _current_lr(self):
        if self._schedule is not None:
            return float(self._schedule(self._iterations))
        return self._lr

    def _write_lr(self, lr):
        for group in self._torch_optimizer.param_groups:
            group["lr"] = lr

    @property
    def learning_rate(self):
        """The current learning rate (a schedule's value at `iterations`); settable."""
        return self._current_lr()

    @learning_rate.setter
    def learning_rate(self, value):
        self._set_learning_rate(value)
        if self._torch_optimizer is not None:
            self._write_lr(self._current_lr())

    lr = learning_rate

    @property
    def iterations(self):
        """The number of steps taken (a Python int; settable, e.g. to resume)."""
        return self._iterations

    @iterations.setter
    def iterations(self, value):
        self._iterations = int(value)

    # ----------------------------------------------------------------- stepping
    def scale_loss(self, loss):
        """Multiply the loss by `loss_scale_factor` (the step divides the gradients back)."""
        return loss if self.loss_scale_factor is None else loss * self.loss_scale_factor

    def zero_grad(self):
        """Clear the built variables' gradients (`set_to_none=True`)."""
        if self._torch_optimizer is not None:
            self._torch_optimizer.zero_grad(set_to_none=True)

    def step(self):
        """Take one step from the built variables' `.grad` (clip, decay, update, count)."""
        self.apply()

    def apply(self, grads=None, trainable_variables=None):
        """Take one step.

        Args:
            grads: optional gradients, one per variable (None entries skip that variable);
                when omitted the variables' `.grad` is used.
            trainable_variables: optional variables; builds the optimizer on them first.
        """
        if trainable_variables is not None:
            trainable_variables = list(trainable_variables)
            known = {id(v) for v in self._variables}
            if self.built and all(id(v) in known for v in trainable_variables):
                same = len(trainable_variables) == len(self._variables) and all(
                    a is b for a, b in zip(trainable_variables, self._variables)
                )
                if not same:
                    # Some of the built variables (a frozen part) or another order: step
                    # those given, keep the optimizer's state.
                    if grads is None:
                        grads = [v.grad for v in trainable_variables]
                    return self.apply_gradients(zip(grads, trainable_variables))
            self.build(trainable_variables)
        if not self.built:
            raise ValueError(
                f"Optimizer '{self.name}' expected build(variables) (or trainable_variables) "
                "before its first step; it has no variables yet."
            )
        if grads is not None:
            grads = list(grads)
            if len(grads) != len(self._variables):
                raise ValueError(
                    f"Optimizer '{self.name}' expected {len(self._variables)} gradients, one per "
                    f"variable; received {len(grads)}."
                )
            for variable, grad in zip(self._variables, grads, strict=True):
                variable.grad = None if grad is None else _as_grad(grad, variable)
        if self.gradient_reducer is not None:
            self.gradient_reducer([v for v in self._variables if v.grad is not None])
        lr = self._lr if self._schedule is None else float(self._schedule(self._iterations))
        if self._schedule is not None:
            self._write_lr(lr)
        needs_grads = (
            self.loss_scale_factor is not None
            or self.clipvalue is not None
            or self.clipnorm is not None
            or self.global_clipnorm is not None
        )
        if needs_grads:
            self._transform_grads([v for v in self._variables if v.grad is not None])
        if self.weight_decay and not self._torch_weight_decay:
            self._apply_weight_decay(lr)
        self._torch_optimizer.step()
        self._iterations += 1

    def apply_gradients(self, grads_and_vars):
        """Keras's form: a list of `(gradient, variable)` pairs; variables not listed stay put."""
        pairs = list(grads_and_vars)
        variables = [var for _, var in pairs]
        if not self.built:
            self.build(variables)
        by_id = {id(var): grad for grad, var in pairs}
        known = {id(var) for var in self._variables}
        for var in variables:
            if id(var) not in known:
                raise ValueError(
                    f"Optimizer '{self.name}' was built on other variables; received a variable "
                    f"of shape {tuple(var.shape)} it does not hold. Call build() with it first."
                )
        self.apply([by_id.get(id(var)) for var in self._variables])

    @torch.no_grad()
    def _transform_grads(self, params):
        if not params:
            return
        grads = [p.grad for p in params]
        if self.loss_scale_factor is not None:
            torch._foreach_div_(grads, float(self.loss_scale_factor))
        if self.clipvalue is not None:
            torch.nn.utils.clip_grad_value_(params, self.clipvalue, foreach=None)
        elif self.clipnorm is not None:
            # Keras's clip_by_norm, per variable: g * c / max(||g||, c), all on the device.
            scales = torch._foreach_norm(grads)
            torch._foreach_clamp_min_(scales, self.clipnorm)
            torch._foreach_reciprocal_(scales)
            torch._foreach_mul_(scales, self.clipnorm)
            torch._foreach_mul_(grads, scales)
        elif self.global_clipnorm is not None:
            torch.nn.utils.clip_grad_norm_(params, self.global_clipnorm, foreach=None)

    @torch.no_grad()
    def _apply_weight_decay(self, lr):
        if self._decay_ids is None:
            self._decay_ids = {id(v) for v in self._variables if not self._excluded(v)}
        params = [v for v in self._variables if v.grad is not None and id(v) in self._decay_ids]
        if params:
            torch._foreach_mul_(params, 1.0 - lr * self.weight_decay)

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Keep some variables out of weight decay.

        Args:
            var_list: variables (by identity) to exclude.
            var_names: substrings; a variable whose `name` or `path` attribute contains one
                is excluded.
        """
        self._excluded_ids.update(id(v) for v in var_list or ())
        self._excluded_names = tuple(self._excluded_names) + tuple(var_names or ())
        self._decay_ids = None

    def _excluded(self, variable):
        if id(variable) in self._excluded_ids:
            return True
        label = getattr(variable, "path", None) or getattr(variable, "name", None) or ""
        return any(part in label for part in self._excluded_names)

    # ----------------------------------------------------------------- state
    @property
    def torch_optimizer(self):
        """The wrapped `torch.optim.Optimizer` (None before `build`)."""
        return self._torch_optimizer

    @property
    def trainable_variables(self):
        """The variables this optimizer was built on."""
        return list(self._variables)

    @property
    def variables(self):
        """The optimizer's own state tensors (moments, accumulators, step counts), per variable.

        Torch creates them at the first step, so the list is empty before it.
        """
        if self._torch_optimizer is None:
            return []
        found = []
        for variable in self._variables:
            state = self._torch_optimizer.state.get(variable, {})
            found.extend(
                state[key] for key in sorted(state) if isinstance(state[key], torch.Tensor)
            )
        return found

    def state_dict(self):
        """The torch optimizer's state, `iterations` and the current learning rate."""
        if self._torch_optimizer is None:
            raise ValueError(
                f"Optimizer '{self.name}' has no state before build(variables) is called."
            )
        return {
            "optimizer": self._torch_optimizer.state_dict(),
            "iterations": self._iterations,
            "learning_rate": self._current_lr(),
        }

    def load_state_dict(self, state_dict):
        """Restore `state_dict()`'s output; before `build` it is kept and applied at build."""
        missing = {"optimizer", "iterations", "learning_rate"} - set(state_dict)
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
        self._iterations = int(state_dict["iterations"])
        if self._schedule is None:
            self._lr = float(state_dict["learning_rate"])
        self._write_lr(self._current_lr())

    def check_state_dict(self, state_dict) -> None:
        """Raise a ValueError saying why `state_dict` cannot be this built optimizer's state
        (another optimizer class, other variables); nothing is changed either way."""
        name = f"{type(self).__name__} '{self.name}'"
        torch_state = state_dict.get("optimizer") if isinstance(state_dict, dict) else None
        if not isinstance(torch_state, dict) or not {"state", "param_groups"} <= set(torch_state):
            raise ValueError(f"{name} expected a saved optimizer state; received {torch_state!r}.")
        live_groups = self._torch_optimizer.param_groups
        saved_groups = torch_state["param_groups"]
        if not isinstance(saved_groups, list) or len(saved_groups) != len(live_groups):
            raise ValueError(
                f"{name} expected state for {len(live_groups)} parameter group(s); received "
                f"{len(saved_groups) if isinstance(saved_groups, list) else saved_groups!r}."
            )
        for live, saved in zip(live_groups, saved_groups):
            if not isinstance(saved, dict):
                raise ValueError(f"{name} expected parameter groups as dicts; received {saved!r}.")
            live_keys, saved_keys = set(live) - {"params"}, set(saved) - {"params"}
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
        params = [p for group in live_groups for p in group["params"]]
        for index, entries in torch_state["state"].items():
            if not 0 <= int(index) < len(params) or not isinstance(entries, dict):
                raise ValueError(f"{name} received state for an unknown variable {index!r}.")
            shape = tuple(params[int(index)].shape)
            for key, value in entries.items():
                if isinstance(value, torch.Tensor) and value.dim() and tuple(value.shape) != shape:
                    raise ValueError(
                        f"{name} expected state '{key}' of variable {index} with shape {shape}; "
                        f"received {tuple(value.shape)}."
                    )

    def _keep_saved_dtypes(self, saved):
        # torch casts loaded state to each parameter's dtype; some state is kept in another one
        # on purpose (NAdam's float32 momentum product), and casting it would change the path.
        params = [p for group in self._torch_optimizer.param_groups for p in group["params"]]
        for index, entries in saved.items():
            live = self._torch_optimizer.state.get(params[int(index)], {})
            for key, value in entries.items():
                current = live.get(key)
                if isinstance(value, torch.Tensor) and isinstance(current, torch.Tensor):
                    if current.dtype != value.dtype:
                        live[key] = current.to(value.dtype)

    # ----------------------------------------------------------------- config
    def get_config(self):
        """The constructor arguments (a schedule is serialized through the registry)."""
        if self._schedule is not None:
            learning_rate = schedules.serialize(self._schedule)
        else:
            learning_rate = self._lr
        return {
            "name": self.name,
            "learning_rate": learning_rate,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
            "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "loss_scale_factor": self.loss_scale_factor,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Build an optimizer from `get_config()`'s output."""
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(
                config["learning_rate"], custom_objects=custom_objects
            )
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r} learning_rate={self.learning_rate}>"


def _as_grad(grad, variable):
    if isinstance(grad, torch.Tensor):
        if grad.device != variable.device or grad.dtype != variable.dtype:
            return grad.to(device=variable.device, dtype=variable.dtype)
        return grad
    return torch.as_tensor(grad, dtype=variable.dtype, device=variable.device)
