"""SGD, with optional (Nesterov) momentum: `torch.optim.SGD` without momentum, else Keras's form."""

import torch

from strata.optimizers import kernels
from strata.optimizers.base_optimizer import Optimizer


class SGD(Optimizer):
    """Gradient descent, with optional momentum and Nesterov momentum.

    Keras's rule: `w -= lr * g` without momentum (torch's `SGD`, the same computation);
    with momentum a velocity scaled by the learning rate, `m = momentum * m - lr * g` and
    `w += m` (Nesterov: `w += momentum * m - lr * g`), stepped by `kernels.KerasSGD`. (torch's
    momentum SGD keeps an unscaled buffer instead, which differs once the rate changes.)

    Args:
        learning_rate: a float or a `LearningRateSchedule`.
        momentum: the momentum factor, in `[0, 1]`.
        nesterov: whether to use Nesterov momentum.
        name: the optimizer's name.
        **kwargs: the base `Optimizer` arguments (`weight_decay`, `clipnorm`, ...).

    Example:
        >>> import torch
        >>> w = torch.nn.Parameter(torch.tensor([1.0]))
        >>> opt = SGD(learning_rate=0.5, momentum=0.9)
        >>> opt.build([w])
        >>> w.grad = torch.tensor([1.0])
        >>> opt.step()
        >>> w.detach().tolist()
        [0.5]
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        if isinstance(momentum, bool) or not isinstance(momentum, (int, float)):
            raise ValueError(f"momentum expected a float in [0, 1]; received {momentum!r}.")
        if not 0 <= momentum <= 1:
            raise ValueError(f"momentum expected a float in [0, 1]; received {momentum!r}.")
        self.momentum = momentum
        self.nesterov = nesterov

    def _torch_optimizer_class(self):
        return kernels.KerasSGD if self.momentum else torch.optim.SGD

    def _torch_kwargs(self):
        if not self.momentum:
            return {}
        return {"momentum": self.momentum, "nesterov": self.nesterov}

    def get_config(self):
        config = super().get_config()
        config.update({"momentum": self.momentum, "nesterov": self.nesterov})
        return config
