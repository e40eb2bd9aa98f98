"""The Optimizer base: Keras 3's optimizer interface around a `torch.optim` optimizer.

The wrapped torch optimizer does the update: one of torch's own where it computes Keras's rule,
else one of `strata.optimizers.kernels`' foreach kernels. This class adds what Keras does around
the update, in Keras's order: loss-scale unscaling, gradient accumulation, clipping, decoupled
weight decay, the update, the EMA of the weights, and the `iterations` count.

Everything on the step path stays on the device: learning rates and the step count are
Python numbers, clipping uses foreach kernels, and nothing calls `.item()`.
"""

import torch

from strata.backend import naming
from strata.optimizers import kernels
from strata.optimizers.arguments import check_base_arguments
from strata.optimizers.optimizer_state import OptimizerStateMixin
from strata.optimizers.schedules import learning_rate_schedule as schedules
from strata.optimizers.variable_groups import VariableGroupsMixin
from strata.saving import registry


class Optimizer(VariableGroupsMixin, OptimizerStateMixin):
    """Base class of strata's optimizers (Keras 3's arguments, a `torch.optim` engine).

    Subclasses set `_torch_class` (or override `_torch_optimizer_class()`) and implement
    `_torch_kwargs()` (the torch optimizer's arguments other than `params` and `lr`), plus
    `get_config()` for their own arguments.

    Args:
        learning_rate: a float, a `strata.optimizers.schedules.LearningRateSchedule`, or a
            callable without arguments returning the rate.
        weight_decay: when set, each variable with a gradient is decayed before the update by
            `var *= 1 - learning_rate * weight_decay` (decoupled, as in Keras).
        clipnorm: when set, each variable's gradient is rescaled to a norm of at most this.
        clipvalue: when set, each gradient entry is clipped to `[-clipvalue, clipvalue]`.
        global_clipnorm: when set, all gradients are rescaled together so that their
            global norm is at most this.
        use_ema: keep an exponential moving average of the variables
            (`average = ema_momentum * average + (1 - ema_momentum) * var`, the first step
            copying the variables); `finalize_variable_values` writes it into the variables.
        ema_momentum: the EMA's momentum, in `[0, 1]`.
        ema_overwrite_frequency: when set with `use_ema`, the variables are overwritten by their
            average every this many steps.
        loss_scale_factor: when set, `scale_loss` multiplies the loss by it and the step divides
            the gradients by it first.
        gradient_accumulation_steps: when set (an int >= 2), gradients are summed over this
            many calls and the variables are updated with their mean on the last one.
        name: the optimizer's name (default: the class name in snake case, made unique).
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
        check_base_arguments(
            clipnorm, clipvalue, global_clipnorm, weight_decay,
            use_ema, ema_momentum, ema_overwrite_frequency, gradient_accumulation_steps,
        )  # fmt: skip
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
        self._ema = None
        self._accumulators = None
        self._excluded_ids = set()
        self._excluded_names = ()
        self._lr_multipliers = {}  # id(variable) -> multiplier, only where it is not 1
        # Called with the variables that have gradients at the start of every step (before
        # clipping): a data-parallel run averages them over the processes there.
        self.gradient_reducer = None
        self.built = False

    # ----------------------------------------------------------------- subclass interface
    def _torch_optimizer_class(self):
        """The `torch.optim.Optimizer` class doing the update (default `_torch_class`)."""
        return self._torch_class

    def _torch_kwargs(self):
        """The wrapped torch optimizer's arguments other than `params` and `lr`."""
        return {}

    def _before_update(self, step, lr):
        """Hook run before each update with Keras's step number (from 1) and learning rate."""

    # ----------------------------------------------------------------- build
    def build(self, variables):
        """Create the torch optimizer for `variables` (a model's trainable `nn.Parameter`s).

        Calling it again with the same variables does nothing; other variables get a fresh
        torch optimizer (with empty state). Learning-rate multipliers set by
        `add_variable_group` stay with the variables that are built on again.
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
        cls = self._torch_optimizer_class()
        kwargs = self._torch_kwargs()
        if cls.__module__.startswith("torch.optim"):
            kwargs.update(self._engine_kwargs(cls, variables))
        self._torch_optimizer = cls(variables, lr=self._current_lr(), **kwargs)
        with torch.no_grad():
            self._ema = [v.detach().clone().zero_() for v in variables] if self.use_ema else None
            self._accumulators = (
                [torch.zeros_like(v) for v in variables]
                if self.gradient_accumulation_steps
                else None
            )
        self._decay_ids = None
        self.built = True
        self._configure_groups()
        if self._pending_state is not None:
            state, self._pending_state = self._pending_state, None
            self.load_state_dict(state)

    def _engine_kwargs(self, cls, variables):
        # Fused kernels where torch has one. On the CPU only Adam's and AdamW's: torch's CPU
        # default loops over the variables in Python and their fused step is 2.4x as fast,
        # while fused SGD is slower there (benchmarks/bench_optimizer_step.py). Otherwise let
        # torch choose (foreach on CUDA).
        floating = bool(variables) and all(v.is_floating_point() for v in variables)
        devices = {v.device.type for v in variables}
        fused = ("SGD", "Adam", "AdamW", "Adagrad") if devices == {"cuda"} else ("Adam", "AdamW")
        if floating and devices in ({"cuda"}, {"cpu"}) and cls.__name__ in fused:
            return {"fused": True}
        return {"foreach": None}

    # ----------------------------------------------------------------- learning rate
    def _set_learning_rate(self, value):
        if isinstance(value, schedules.LearningRateSchedule):
            self._schedule = value
            return
        if isinstance(value, torch.Tensor):
            value = value.item()  # once, when the user sets it; never on the step path
        if callable(value):
            self._schedule, self._lr = None, value
            return
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise ValueError(
                "learning_rate expected a float, a LearningRateSchedule or a callable; received "
                f"{type(value).__name__}: {value!r}."
            )
        self._schedule = None
        self._lr = float(value)

    def _current_lr(self):
        if self._schedule is not None:
            return float(self._schedule(self._iterations))
        if callable(self._lr):
            return float(self._lr())
        return self._lr

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
        """The number of updates taken (with gradient accumulation: calls // steps); settable.

        Learning-rate schedules read the number of calls, as in Keras.
        """
        if self.gradient_accumulation_steps:
            return self._iterations // self.gradient_accumulation_steps
        return self._iterations

    @iterations.setter
    def iterations(self, value):
        self._iterations = int(value) * (self.gradient_accumulation_steps or 1)

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
            missing = [v for v in trainable_variables if id(v) not in known]
            if self.built and missing and len(missing) < len(trainable_variables):
                # Layers unfrozen since the build: they join, the others keep their state.
                self.add_variable_group(missing)
                known.update(id(v) for v in missing)
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
            if grads and all(g is None for g in grads):
                raise ValueError(
                    f"Optimizer '{self.name}' expected at least one gradient; received only None."
                )
            self._set_grads(grads)
        if self.gradient_reducer is not None:
            self.gradient_reducer([v for v in self._variables if v.grad is not None])
        params = [v for v in self._variables if v.grad is not None]
        if self.loss_scale_factor is not None and params:
            with torch.no_grad():
                torch._foreach_div_([p.grad for p in params], float(self.loss_scale_factor))
        if self._accumulators is None or self._accumulate(params):
            self._update(params)
        self._update_ema()
        self._iterations += 1

    def _set_grads(self, grads):
        """Set each built variable's `.grad` from `grads` (one per variable, None clears)."""
        grads = list(grads)
        if len(grads) != len(self._variables):
            raise ValueError(
                f"Optimizer '{self.name}' expected {len(self._variables)} gradients, one per "
                f"variable; received {len(grads)}."
            )
        for variable, grad in zip(self._variables, grads, strict=True):
            variable.grad = None if grad is None else _as_grad(grad, variable)

    @torch.no_grad()
    def _accumulate(self, params):
        """Add the gradients to the accumulators; True (with `.grad` set to the mean) on the
        call that updates."""
        steps = self.gradient_accumulation_steps
        index = {id(v): i for i, v in enumerate(self._variables)}
        sums = [self._accumulators[index[id(p)]] for p in params]
        grads = [p.grad for p in params]
        if (self._iterations + 1) % steps:
            torch._foreach_add_(sums, grads)
            return False
        torch._foreach_add_(grads, sums)
        torch._foreach_div_(grads, float(steps))
        torch._foreach_zero_(self._accumulators)
        return True

    def _update(self, params):
        lr = self._current_lr()
        if self._schedule is not None or callable(self._lr):
            self._write_lr(lr)
        if params:
            self._transform_grads(params)
        if not self._torch_weight_decay:
            self._apply_weight_decay(lr)
        step = self.iterations + 1
        if isinstance(self._torch_optimizer, kernels.KerasKernel):
            self._torch_optimizer.keras_step = step
        self._before_update(step, lr)
        self._torch_optimizer.step()

    @torch.no_grad()
    def _update_ema(self):
        if self._ema is None:
            return
        momentum = self.ema_momentum if self.iterations != 0 else 0.0
        torch._foreach_mul_(self._ema, momentum)
        torch._foreach_add_(self._ema, self._variables, alpha=1.0 - momentum)
        frequency = self.ema_overwrite_frequency
        if frequency and (self.iterations + 1) % frequency == 0:
            torch._foreach_copy_(self._variables, self._ema)

    @torch.no_grad()
    def finalize_variable_values(self, var_list):
        """With `use_ema`, write the moving averages into `var_list` (built variables, all of
        them or some: a layer frozen since the build is left out of a fit's list)."""
        if not self.use_ema or self._ema is None:
            return
        var_list = list(var_list)
        index = {id(v): i for i, v in enumerate(self._variables)}
        unknown = [tuple(v.shape) for v in var_list if id(v) not in index]
        if unknown:
            raise ValueError(
                f"finalize_variable_values expected variables the optimizer was built on; "
                f"received {len(unknown)} it does not hold (shapes {unknown})."
            )
        if var_list:
            torch._foreach_copy_(var_list, [self._ema[index[id(v)]] for v in var_list])

    @torch.no_grad()
    def swap_ema_weights(self):
        """With `use_ema`, exchange the variables' values with their moving averages, in place.

        Calling it twice restores both. `strata.callbacks.SwapEMAWeights` uses it to evaluate
        (or checkpoint) the averaged weights during training.

        Raises:
            ValueError: the optimizer was not made with `use_ema=True`, or is not built yet.
        """
        if not self.use_ema or self._ema is None:
            raise ValueError(
                f"swap_ema_weights expected a built optimizer with use_ema=True; received "
                f"{type(self).__name__} with use_ema={self.use_ema}, built={self.built}."
            )
        for variable, average in zip(self._variables, self._ema, strict=True):
            trained = variable.detach().clone()
            variable.copy_(average)
            average.copy_(trained)

    def apply_gradients(self, grads_and_vars):
        """Keras's form: a list of `(gradient, variable)` pairs; variables not listed stay put.

        Returns the updated `iterations`.
        """
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
        return self.iterations

    @torch.no_grad()
    def _transform_grads(self, params):
        grads = [p.grad for p in params]
        if self.clipnorm:
            # Keras's clip_by_norm, per variable: g * c / max(||g||, c), all on the device.
            scales = torch._foreach_norm(grads)
            torch._foreach_clamp_min_(scales, self.clipnorm)
            torch._foreach_reciprocal_(scales)
            torch._foreach_mul_(scales, self.clipnorm)
            torch._foreach_mul_(grads, scales)
        elif self.global_clipnorm:
            # Keras: g * c * min(1 / norm, 1 / c) with the norm over all gradients.
            norms = torch._foreach_norm(grads)
            if len({n.dtype for n in norms}) > 1:  # mixed precisions: sum in float32
                norms = [n.float() for n in norms]
            norm = torch.linalg.vector_norm(torch.stack(norms))
            scale = torch.clamp_max(norm.reciprocal(), 1.0 / self.global_clipnorm)
            torch._foreach_mul_(grads, scale * self.global_clipnorm)
        elif self.clipvalue:
            torch._foreach_clamp_min_(grads, -self.clipvalue)
            torch._foreach_clamp_max_(grads, self.clipvalue)

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
        """The optimizer's own state tensors (moments, accumulators, EMA averages).

        Per-variable moments are created at the first step (as torch does), so before it only
        the EMA averages and gradient accumulators (made at `build`) are listed.
        """
        if self._torch_optimizer is None:
            return []
        found = []
        for variable in self._variables:
            state = self._torch_optimizer.state.get(variable, {})
            found.extend(
                state[key] for key in sorted(state) if isinstance(state[key], torch.Tensor)
            )
        return found + list(self._ema or ()) + list(self._accumulators or ())

    # ----------------------------------------------------------------- config
    def get_config(self):
        """The constructor arguments (a schedule is serialized through the registry)."""
        if self._schedule is not None:
            learning_rate = schedules.serialize(self._schedule)
        elif callable(self._lr):
            learning_rate = registry.serialize_keras_object(self._lr)
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
