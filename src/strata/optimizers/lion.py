"""Lion (evolved sign momentum) with Keras's rule, on a foreach kernel."""

from strata.optimizers import kernels
from strata.optimizers.base_optimizer import Optimizer


class Lion(Optimizer):
    """The sign of an interpolation of momentum and gradient as the step (Chen et al., 2023).

    Keras's rule: `w -= lr * sign(b1 * m + (1 - b1) * g)`, then `m = b2 * m + (1 - b2) * g`.
    torch has no Lion; strata steps with `kernels.KerasLion`.

    Args:
        learning_rate: a float or a `LearningRateSchedule`.
        beta_1: the interpolation factor of the step, in `(0, 1]`.
        beta_2: the decay rate of the momentum.
        name: the optimizer's name.
        **kwargs: the base `Optimizer` arguments.

    Example:
        >>> import torch
        >>> w = torch.nn.Parameter(torch.tensor([1.0, 1.0]))
        >>> Lion(learning_rate=0.1).apply([torch.tensor([3.0, -0.5])], [w])
        >>> w.detach().tolist()
        [0.8999999761581421, 1.100000023841858]
    """

    _torch_class = kernels.KerasLion

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        if not 0 < beta_1 <= 1:
            raise ValueError(f"beta_1 expected a float in (0, 1]; received {beta_1!r}.")
        self.beta_1 = beta_1
        self.beta_2 = beta_2

    def _torch_kwargs(self):
        return {"beta_1": self.beta_1, "beta_2": self.beta_2}

    def get_config(self):
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2})
        return config
