"""LossScaleOptimizer: Keras's dynamic loss scaling around another strata optimizer."""

import torch

from strata.optimizers.base_optimizer import Optimizer

_BASE_DEFAULTS = {
    "weight_decay": None,
    "clipnorm": None,
    "global_clipnorm": None,
    "clipvalue": None,
    "use_ema": False,
    "ema_momentum": 0.99,
    "ema_overwrite_frequency": None,
    "loss_scale_factor": None,
    "gradient_accumulation_steps": None,
}


class LossScaleOptimizer(Optimizer):
    """Scales the loss up, and the gradients back down, with a scale that adapts.

    As in Keras: `scale_loss` multiplies the loss by the current scale. A step whose gradients
    are all finite divides them by the scale and lets `inner_optimizer` update; after
    `dynamic_growth_steps` such steps in a row the scale doubles. A step with any non-finite
    gradient updates nothing (not even the inner optimizer's `iterations`) and halves the scale.

    Deciding whether the gradients are finite reads one boolean on the host per step (Keras's
    torch backend does the same); everything else stays on the device.

    Args:
        inner_optimizer: the strata `Optimizer` that takes the steps.
        initial_scale: the starting scale.
        dynamic_growth_steps: the number of finite steps after which the scale doubles.
        name: the optimizer's name.
        **kwargs: the base optimizer arguments are refused (set them on `inner_optimizer`);
            `dynamic=False` is refused (use `loss_scale_factor` on the inner optimizer).

    Example:
        >>> import torch
        >>> from strata.optimizers import SGD
        >>> w = torch.nn.Parameter(torch.tensor([1.0]))
        >>> opt = LossScaleOptimizer(SGD(learning_rate=0.5), initial_scale=4.0)
        >>> opt.apply([torch.tensor([8.0])], [w])  # unscaled gradient 2
        >>> w.item(), opt.dynamic_scale
        (0.0, 4.0)
        >>> opt.apply([torch.tensor([float("inf")])])
        >>> w.item(), opt.dynamic_scale, opt.iterations
        (0.0, 2.0, 1)
    """

    def __init__(
        self, inner_optimizer, initial_scale=2.0**15, dynamic_growth_steps=2000, name=None, **kwargs
    ):
        if not kwargs.pop("dynamic", True):
            raise ValueError(
                "LossScaleOptimizer no longer supports dynamic=False; set loss_scale_factor on "
                "the inner optimizer instead."
            )
        for key, default in _BASE_DEFAULTS.items():
            if key in kwargs and kwargs.pop(key) != default:
                raise ValueError(
                    f"LossScaleOptimizer does not take {key}; set it on the inner optimizer."
                )
        if kwargs:
            raise ValueError(
                f"LossScaleOptimizer received unknown argument(s) {sorted(kwargs)}; expected "
                "inner_optimizer, initial_scale, dynamic_growth_steps and name."
            )
        if not isinstance(inner_optimizer, Optimizer):
            raise ValueError(
                "LossScaleOptimizer expected a strata Optimizer as inner_optimizer; received "
                f"{type(inner_optimizer).__name__}."
            )
        super().__init__(learning_rate=0.0, name=name)
        self.inner_optimizer = inner_optimizer
        self.initial_scale = initial_scale
        self.dynamic_growth_steps = dynamic_growth_steps
        self.dynamic_scale = float(initial_scale)
        self.step_counter = 0
        inner_optimizer.loss_scale_factor = None

    def build(self, variables):
        """Build the inner optimizer on `variables`."""
        self.inner_optimizer.build(variables)
        self._variables = self.inner_optimizer.trainable_variables
        self.built = True

    @property
    def torch_optimizer(self):
        """The inner optimizer's `torch.optim.Optimizer`."""
        return self.inner_optimizer.torch_optimizer

    @property
    def variables(self):
        """The inner optimizer's state tensors (the scale and counter are Python numbers)."""
        return self.inner_optimizer.variables

    @property
    def learning_rate(self):
        """The inner optimizer's learning rate; settable."""
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        self.inner_optimizer.learning_rate = value

    lr = learning_rate

    @property
    def iterations(self):
        """The inner optimizer's `iterations` (skipped steps do not count)."""
        return self.inner_optimizer.iterations

    @iterations.setter
    def iterations(self, value):
        self.inner_optimizer.iterations = value

    def scale_loss(self, loss):
        """Multiply the loss by the current dynamic scale."""
        return loss * self.dynamic_scale

    def zero_grad(self):
        """Clear the variables' gradients."""
        self.inner_optimizer.zero_grad()

    def apply(self, grads=None, trainable_variables=None):
        """Take one step (or skip it and halve the scale when a gradient is not finite)."""
        if trainable_variables is not None:
            self.build(trainable_variables)
        if not self.built:
            raise ValueError(
                f"Optimizer '{self.name}' expected build(variables) (or trainable_variables) "
                "before its first step; it has no variables yet."
            )
        if grads is not None:
            self.inner_optimizer._set_grads(grads)
        if self.gradient_reducer is not None:
            self.gradient_reducer([v for v in self._variables if v.grad is not None])
        present = [v.grad for v in self._variables if v.grad is not None]
        finite = (
            bool(torch.stack([torch.isfinite(g).all() for g in present]).all()) if present else True
        )
        if not finite:
            self.step_counter = 0
            self.dynamic_scale *= 0.5
            return
        with torch.no_grad():
            torch._foreach_div_(present, self.dynamic_scale)
        self.inner_optimizer.apply()
        if self.step_counter == self.dynamic_growth_steps - 1:
            self.step_counter = 0
            self.dynamic_scale *= 2.0
        else:
            self.step_counter += 1

    def finalize_variable_values(self, var_list):
        """The inner optimizer's `finalize_variable_values`."""
        self.inner_optimizer.finalize_variable_values(var_list)

    def swap_ema_weights(self):
        """The inner optimizer's `swap_ema_weights`."""
        self.inner_optimizer.swap_ema_weights()

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """The inner optimizer's `exclude_from_weight_decay`."""
        self.inner_optimizer.exclude_from_weight_decay(var_list, var_names)

    def add_variable_group(self, variables, lr_multiplier=1.0):
        """The inner optimizer's `add_variable_group`."""
        added = self.inner_optimizer.add_variable_group(variables, lr_multiplier)
        self._variables = self.inner_optimizer.trainable_variables
        self.built = True
        return added

    def get_lr_multiplier(self, variable) -> float:
        """The inner optimizer's `get_lr_multiplier`."""
        return self.inner_optimizer.get_lr_multiplier(variable)

    def state_dict(self):
        """The inner optimizer's state plus the scale and the counter of finite steps."""
        state = self.inner_optimizer.state_dict()
        state["loss_scale"] = {
            "dynamic_scale": self.dynamic_scale,
            "step_counter": self.step_counter,
        }
        return state

    def load_state_dict(self, state_dict):
        """Restore `state_dict()`'s output."""
        state = dict(state_dict)
        scale = state.pop("loss_scale", None)
        self.inner_optimizer.load_state_dict(state)
        if scale is not None:
            self.dynamic_scale = float(scale["dynamic_scale"])
            self.step_counter = int(scale["step_counter"])

    def check_state_dict(self, state_dict) -> None:
        """The inner optimizer's check (the scale entry is optional)."""
        state = {k: v for k, v in state_dict.items() if k != "loss_scale"}
        self.inner_optimizer.check_state_dict(state)

    def get_config(self):
        """Keras's config: the name, the serialized inner optimizer and the scale settings."""
        from strata import optimizers

        return {
            "name": self.name,
            "inner_optimizer": optimizers.serialize(self.inner_optimizer),
            "initial_scale": self.initial_scale,
            "dynamic_growth_steps": self.dynamic_growth_steps,
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Rebuild from `get_config()`'s output."""
        from strata import optimizers

        config = dict(config)
        inner = optimizers.deserialize(config.pop("inner_optimizer"), custom_objects)
        return cls(inner, **config)
