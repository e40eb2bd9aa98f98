"""Nadam on `torch.optim.NAdam`, set up to compute Keras's rule."""

import torch

from strata.optimizers.base_optimizer import Optimizer


class Nadam(Optimizer):
    """Adam with Nesterov momentum and Dozat's momentum schedule.

    Keras's rule, with `t` the step number, `mu_t = b1 * (1 - 0.5 * 0.96**t)` and `P_t` the
    product `mu_1 * ... * mu_t`: `m = b1 * m + (1 - b1) * g`, `v = b2 * v + (1 - b2) * g**2`,
    `m_hat = mu_{t+1} * m / (1 - P_{t+1}) + (1 - mu_t) * g / (1 - P_t)` and
    `w -= lr * m_hat / (sqrt(v / (1 - b2**t)) + epsilon)`. torch's `NAdam` computes the same
    formula with `0.96**(momentum_decay * t)` in the schedule, so strata runs it with
    `momentum_decay=1` (torch's default 0.004 is another schedule). torch keeps the running
    product `P` per variable in float32, as Keras does in the variables' float32.

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
        self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-07, name=None, **kwargs
    ):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def _torch_kwargs(self):
        return {"betas": (self.beta_1, self.beta_2), "eps": self.epsilon, "momentum_decay": 1.0}

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
