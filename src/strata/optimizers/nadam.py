"""Nadam on `torch.optim.NAdam`."""

import torch

from strata.optimizers.base_optimizer import Optimizer


class Nadam(Optimizer):
    """Adam with Nesterov momentum and Dozat's momentum schedule.

    With `mu_t = b1 * (1 - 0.5 * 0.96**(0.004 * t))` and `P_t` the running product of the
    `mu`s: `w -= lr * (mu_{t+1} * m / (1 - P_{t+1}) + (1 - mu_t) * g / (1 - P_t))
    / (sqrt(v / (1 - b2**t)) + epsilon)`. torch's NAdam (momentum_decay=0.004) computes the
    same formula as Keras, epsilon included; the only difference is that torch keeps the
    running product `P` in float32, a relative difference of about 1e-8 on each step.

    Args:
        learning_rate: a float or a `LearningRateSchedule`.
        beta_1: the decay rate of the first moment.
        beta_2: the decay rate of the second moment.
        epsilon: a small constant for numerical stability.
        name: the optimizer's name.
        **kwargs: the base `Optimizer` arguments.

    Example:
        >>> Nadam().get_config()["beta_1"]
        0.9
    """

    _torch_class = torch.optim.NAdam

    def __init__(
        self,
        learning_rate=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-07,
        name="nadam",
        **kwargs,
    ):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def _torch_kwargs(self):
        return {"betas": (self.beta_1, self.beta_2), "eps": self.epsilon, "momentum_decay": 0.004}

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
