"""RMSprop with Keras's rule (epsilon inside the square root), on a foreach kernel."""

from strata.optimizers import kernels
from strata.optimizers.base_optimizer import Optimizer


class RMSprop(Optimizer):
    """Divides the gradient by a running root mean square of recent gradients.

    Keras's rule: `v = rho * v + (1 - rho) * g**2`; the increment is
    `lr * g / sqrt(v + epsilon)` (centered: `a = rho * a + (1 - rho) * g` and the root is
    `sqrt(v - a**2 + epsilon)`); with momentum `m = momentum * m + increment` and `w -= m`,
    else `w -= increment`. torch's `RMSprop` divides by `sqrt(v) + epsilon` instead, which
    takes much larger steps for small gradients, so strata steps with `kernels.KerasRMSprop`.

    Args:
        learning_rate: a float or a `LearningRateSchedule`.
        rho: the discount factor of the squared-gradient average.
        momentum: the momentum factor.
        epsilon: a small constant for numerical stability.
        centered: whether to normalise by the gradient's estimated variance.
        name: the optimizer's name.
        **kwargs: the base `Optimizer` arguments.

    Example:
        >>> import torch
        >>> w = torch.nn.Parameter(torch.tensor([1.0]))
        >>> opt = RMSprop(learning_rate=0.1, rho=0.0, epsilon=0.0)
        >>> opt.apply([torch.tensor([0.5])], [w])
        >>> round(w.item(), 6)
        0.9
    """

    _torch_class = kernels.KerasRMSprop

    def __init__(
        self,
        learning_rate=0.001,
        rho=0.9,
        momentum=0.0,
        epsilon=1e-07,
        centered=False,
        name=None,
        **kwargs,
    ):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered

    def _torch_kwargs(self):
        return {
            "rho": self.rho,
            "epsilon": self.epsilon,
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
