"""Adagrad on `torch.optim.Adagrad`."""

import torch

from strata.optimizers.base_optimizer import Optimizer


class Adagrad(Optimizer):
    """Per-parameter rates scaled by the accumulated squared gradients.

    `acc += g**2`, starting from `initial_accumulator_value`; then `w -= lr * g / denominator`.

    Numeric difference from Keras: Keras's denominator is `sqrt(acc + epsilon)`, torch's is
    `sqrt(acc) + epsilon`. With the default accumulator start of 0.1 the relative difference is
    below `epsilon / sqrt(0.1)` (about 3e-7).

    Args:
        learning_rate: a float or a `LearningRateSchedule`.
        initial_accumulator_value: the accumulators' starting value, `>= 0`.
        epsilon: a small constant for numerical stability.
        name: the optimizer's name.
        **kwargs: the base `Optimizer` arguments.

    Example:
        >>> Adagrad().get_config()["initial_accumulator_value"]
        0.1
    """

    _torch_class = torch.optim.Adagrad

    def __init__(
        self,
        learning_rate=0.001,
        initial_accumulator_value=0.1,
        epsilon=1e-07,
        name="adagrad",
        **kwargs,
    ):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def _torch_kwargs(self):
        return {"initial_accumulator_value": self.initial_accumulator_value, "eps": self.epsilon}

    def get_config(self):
        config = super().get_config()
        config.update(
            {"initial_accumulator_value": self.initial_accumulator_value, "epsilon": self.epsilon}
        )
        return config
