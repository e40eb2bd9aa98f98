"""Adam on `torch.optim.Adam`, with its epsilon converted to compute Keras's rule."""

import math

import torch

from strata.optimizers.base_optimizer import Optimizer


class Adam(Optimizer):
    """Adaptive moment estimation.

    `m = b1 * m + (1 - b1) * g`, `v = b2 * v + (1 - b2) * g**2`, and with `t` the step number:

    - Keras: `w -= lr * sqrt(1 - b2**t) / (1 - b1**t) * m / (sqrt(v) + epsilon)`
    - torch: `w -= lr / (1 - b1**t) * m / (sqrt(v / (1 - b2**t)) + epsilon)`

    The two differ only in where epsilon sits: torch computes Keras's rule with an epsilon of
    `epsilon / sqrt(1 - b2**t)`. So strata runs torch's `Adam` (fused on CUDA) and sets that
    epsilon before every step, which makes it compute Keras's rule. `amsgrad` keeps the running
    maximum of `v` in both. (torch counts `t` per variable: a variable that gets no gradient
    on some steps is corrected with its own count, Keras uses the global one.)

    `weight_decay` here is Keras's decoupled decay (applied before the step), not torch Adam's
    L2 penalty.

    Args:
        learning_rate: a float or a `LearningRateSchedule`.
        beta_1: the decay rate of the first moment.
        beta_2: the decay rate of the second moment.
        epsilon: a small constant for numerical stability.
        amsgrad: whether to use the AMSGrad variant.
        name: the optimizer's name.
        **kwargs: the base `Optimizer` arguments.

    Example:
        >>> Adam().get_config()["epsilon"]
        1e-07
    """

    _torch_class = torch.optim.Adam

    def __init__(
        self,
        learning_rate=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-07,
        amsgrad=False,
        name=None,
        **kwargs,
    ):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.amsgrad = amsgrad

    def _torch_kwargs(self):
        return {
            "betas": (self.beta_1, self.beta_2),
            "eps": self.epsilon,
            "amsgrad": self.amsgrad,
        }

    def _before_update(self, step, lr):
        eps = self.epsilon / math.sqrt(1.0 - self.beta_2**step)
        for group in self._torch_optimizer.param_groups:
            group["eps"] = eps

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "beta_1": self.beta_1,
                "beta_2": self.beta_2,
                "epsilon": self.epsilon,
                "amsgrad": self.amsgrad,
            }
        )
        return config
