"""Adamax with Keras's rule, on a foreach kernel."""

from strata.optimizers import kernels
from strata.optimizers.base_optimizer import Optimizer


class Adamax(Optimizer):
    """Adam's variant based on the infinity norm.

    Keras's rule: `m = b1 * m + (1 - b1) * g`, `u = max(b2 * u, |g|)`,
    `w -= lr * m / ((u + epsilon) * (1 - b1**t))` with `t` the step number. torch's `Adamax`
    puts epsilon inside the maximum (`max(b2 * u, |g| + epsilon)`), so strata steps with
    `kernels.KerasAdamax`.

    Args:
        learning_rate: a float or a `LearningRateSchedule`.
        beta_1: the decay rate of the first moment.
        beta_2: the decay rate of the infinity norm.
        epsilon: a small constant for numerical stability.
        name: the optimizer's name.
        **kwargs: the base `Optimizer` arguments.

    Example:
        >>> Adamax().get_config()["beta_2"]
        0.999
    """

    _torch_class = kernels.KerasAdamax

    def __init__(
        self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-07, name=None, **kwargs
    ):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def _torch_kwargs(self):
        return {"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
