"""RMSprop on `torch.optim.RMSprop`."""

import torch

from strata.optimizers.base_optimizer import Optimizer


class RMSprop(Optimizer):
    """Divides the gradient by a running root mean square of recent gradients.

    `v = rho * v + (1 - rho) * g**2`; centered: `a = rho * a + (1 - rho) * g` and `v - a**2`
    replaces `v`; the step is `lr * g / denominator`, with momentum accumulated on top.

    Numeric difference from Keras: Keras's denominator is `sqrt(v + epsilon)`, torch's is
    `sqrt(v) + epsilon`. They agree to about `epsilon / sqrt(v)` relatively while gradients are
    far larger than `sqrt(epsilon)` (3e-4 with the default epsilon); for gradients near or below
    that size torch takes larger steps. With momentum and a changing learning rate, torch applies
    the rate to the momentum buffer as a whole (as in `SGD`).

    Args:
        learning_rate: a float or a `LearningRateSchedule`.
        rho: the discount factor of the squared-gradient average (torch's `alpha`).
        momentum: the momentum factor.
        epsilon: a small constant for numerical stability.
        centered: whether to normalise by the gradient's estimated variance.
        name: the optimizer's name.
        **kwargs: the base `Optimizer` arguments.

    Example:
        >>> opt = RMSprop()
        >>> opt.get_config()["rho"], opt.get_config()["epsilon"]
        (0.9, 1e-07)
    """

    _torch_class = torch.optim.RMSprop

    def __init__(
        self,
        learning_rate=0.001,
        rho=0.9,
        momentum=0.0,
        epsilon=1e-07,
        centered=False,
        name="rmsprop",
        **kwargs,
    ):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered

    def _torch_kwargs(self):
        return {
            "alpha": self.rho,
            "eps": self.epsilon,
            "momentum": self.momentum,
            "centered": self.centered,
        }

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "rho": self.rho,
                "momentum": self.momentum,
                "epsilon": self.epsilon,
                "centered": self.centered,
            }
        )
        return config
