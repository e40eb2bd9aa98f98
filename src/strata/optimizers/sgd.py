"""SGD, with optional (Nesterov) momentum, on `torch.optim.SGD`."""

import torch

from strata.optimizers.base_optimizer import Optimizer


class SGD(Optimizer):
    """Gradient descent, with optional momentum and Nesterov momentum.

    Keras's update keeps a velocity scaled by the learning rate
    (`v = momentum * v - lr * g; w += v`, Nesterov: `w += momentum * v - lr * g`); torch keeps
    an unscaled buffer (`b = momentum * b + g; w -= lr * b`, Nesterov:
    `w -= lr * (g + momentum * b)`). The two are identical while the learning rate is constant;
    when a schedule changes it, torch applies the new rate to the whole buffer at once.

    Args:
        learning_rate: a float or a `LearningRateSchedule`.
        momentum: the momentum factor, `>= 0`.
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

    _torch_class = torch.optim.SGD

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, name="SGD", **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        if not isinstance(momentum, (int, float)) or momentum < 0:
            raise ValueError(f"momentum expected a float >= 0; received {momentum!r}.")
        self.momentum = momentum
        self.nesterov = nesterov

    def _torch_kwargs(self):
        return {"momentum": self.momentum, "nesterov": self.nesterov}

    def get_config(self):
        config = super().get_config()
        config.update({"momentum": self.momentum, "nesterov": self.nesterov})
        return config
