"""Adadelta on `torch.optim.Adadelta`."""

import torch

from strata.optimizers.base_optimizer import Optimizer


class Adadelta(Optimizer):
    """Steps scaled by the ratio of running RMS of updates to running RMS of gradients.

    `a = rho * a + (1 - rho) * g**2`, `d = sqrt(u + epsilon) / sqrt(a + epsilon) * g`,
    `u = rho * u + (1 - rho) * d**2`, `w -= lr * d`. torch's update is the same formula as
    Keras's, so the two agree to rounding.

    Args:
        learning_rate: a float or a `LearningRateSchedule` (Keras's default 0.001; the original
            paper's method corresponds to 1.0).
        rho: the decay rate of the running averages.
        epsilon: a small constant for numerical stability.
        name: the optimizer's name.
        **kwargs: the base `Optimizer` arguments.

    Example:
        >>> Adadelta().get_config()["rho"]
        0.95
    """

    _torch_class = torch.optim.Adadelta

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-07, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.rho = rho
        self.epsilon = epsilon

    def _torch_kwargs(self):
        return {"rho": self.rho, "eps": self.epsilon}

    def get_config(self):
        config = super().get_config()
        config.update({"rho": self.rho, "epsilon": self.epsilon})
        return config
