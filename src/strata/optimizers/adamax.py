"""Adamax on `torch.optim.Adamax`."""

import torch

from strata.optimizers.base_optimizer import Optimizer


class Adamax(Optimizer):
    """Adam's variant based on the infinity norm.

    `m = b1 * m + (1 - b1) * g`, then with `t` the step number:

    - Keras: `u = max(b2 * u, |g|)`, `w -= lr / (1 - b1**t) * m / (u + epsilon)`
    - torch: `u = max(b2 * u, |g| + epsilon)`, `w -= lr / (1 - b1**t) * m / u`

    The relative difference is of order `epsilon / |g|` (about 1e-7 for gradients of order 1).

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

    _torch_class = torch.optim.Adamax

    def __init__(
        self,
        learning_rate=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-07,
        name="adamax",
        **kwargs,
    ):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def _torch_kwargs(self):
        return {"betas": (self.beta_1, self.beta_2), "eps": self.epsilon}

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
