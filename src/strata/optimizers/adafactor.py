"""Adafactor with Keras's rule, on its own kernel."""

from strata.optimizers import kernels_matrix
from strata.optimizers.base_optimizer import Optimizer


class Adafactor(Optimizer):
    """Adam-like steps with second moments factored into row and column averages.

    Keras's rule, with `t` the step number: `rho = min(lr, 1 / sqrt(t))`,
    `alpha = max(epsilon_2, rms(w)) * rho`, `b = 1 - t**beta_2_decay`, `s = g**2 + epsilon_1`.
    For variables of rank >= 2, `r = b * r + (1 - b) * mean(s, -1)`,
    `c = b * c + (1 - b) * mean(s, -2)` and `v = (r / mean(r, -1))[..., None] * c[..., None, :]`;
    otherwise `v = b * v + (1 - b) * s`. Then `u = g / sqrt(v)`,
    `w -= alpha * u / max(1, rms(u) / clip_threshold)`. torch has no Adafactor with this rule;
    strata steps with `kernels_matrix.KerasAdafactor` (per variable; nothing leaves the
    device). The row and column averages are saved as state "row" and "column".

    Args:
        learning_rate: a float or a `LearningRateSchedule`.
        beta_2_decay: the decay exponent of the second-moment rate.
        epsilon_1: added to the squared gradients.
        epsilon_2: the floor of the variables' root mean square in the step size.
        clip_threshold: the root mean square the update is clipped to.
        relative_step: whether the rate is capped by `1 / sqrt(t)` (Keras caps it either way
            in the step size, so this changes nothing in the update).
        name: the optimizer's name.
        **kwargs: the base `Optimizer` arguments.

    Example:
        >>> Adafactor().get_config()["epsilon_1"]
        1e-30
    """

    _torch_class = kernels_matrix.KerasAdafactor

    def __init__(
        self,
        learning_rate=0.001,
        beta_2_decay=-0.8,
        epsilon_1=1e-30,
        epsilon_2=1e-3,
        clip_threshold=1.0,
        relative_step=True,
        name=None,
        **kwargs,
    ):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_2_decay = beta_2_decay
        self.epsilon_1 = epsilon_1
        self.epsilon_2 = epsilon_2
        self.clip_threshold = clip_threshold
        self.relative_step = relative_step

    def _torch_kwargs(self):
        return {
            "beta_2_decay": self.beta_2_decay,
            "epsilon_1": self.epsilon_1,
            "epsilon_2": self.epsilon_2,
            "clip_threshold": self.clip_threshold,
            "relative_step": self.relative_step,
        }

    def _state_shape(self, key, param):
        if key == "row":
            return tuple(param.shape[:-1])
        if key == "column":
            return tuple(param.shape[:-2] + param.shape[-1:])
        return tuple(param.shape)

    def get_config(self):
        config = super().get_config()
        config.update(self._torch_kwargs())
        return config
