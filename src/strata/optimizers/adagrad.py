"""Adagrad with Keras's rule (epsilon inside the square root), on a foreach kernel."""

from strata.optimizers import kernels
from strata.optimizers.base_optimizer import Optimizer


class Adagrad(Optimizer):
    """Per-parameter rates scaled by the accumulated squared gradients.

    Keras's rule: `acc += g**2`, starting from `initial_accumulator_value`; then
    `w -= lr * g / sqrt(acc + epsilon)`. torch's `Adagrad` divides by `sqrt(acc) + epsilon`,
    so strata steps with `kernels.KerasAdagrad`.

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

    _torch_class = kernels.KerasAdagrad

    def __init__(
        self,
        learning_rate=0.001,
        initial_accumulator_value=0.1,
        epsilon=1e-07,
        name=None,
        **kwargs,
    ):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        if not isinstance(initial_accumulator_value, (int, float)) or initial_accumulator_value < 0:
            raise ValueError(
                "initial_accumulator_value expected a float >= 0; received "
                f"{initial_accumulator_value!r}."
            )
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def _torch_kwargs(self):
        return {
            "initial_accumulator_value": self.initial_accumulator_value,
            "epsilon": self.epsilon,
        }

    def get_config(self):
        config = super().get_config()
        config.update(
            {"initial_accumulator_value": self.initial_accumulator_value, "epsilon": self.epsilon}
        )
        return config
