"""FTRL-Proximal with Keras's rule, on a foreach kernel."""

from strata.optimizers import kernels
from strata.optimizers.base_optimizer import Optimizer

_NON_NEGATIVE = (
    "initial_accumulator_value",
    "l1_regularization_strength",
    "l2_regularization_strength",
    "l2_shrinkage_regularization_strength",
)


class Ftrl(Optimizer):
    """Follow The Regularized Leader (McMahan et al., 2013), as Keras defines it.

    With `p = -learning_rate_power`, `l2 = l2_regularization_strength + beta / (2 * lr)`:
    `n' = n + g**2`, `z += g + 2 * l2_shrinkage * w - (n'**p - n**p) / lr * w`,
    `w = (clip(z, -l1, l1) - z) / (n'**p / lr + 2 * l2)`, `n = n'` (accumulator `n` starts at
    `initial_accumulator_value`, linear `z` at 0). torch has no FTRL; strata steps with
    `kernels.KerasFtrl`.

    Args:
        learning_rate: a float or a `LearningRateSchedule`.
        learning_rate_power: `<= 0`; how the rate falls with the accumulated squared gradients.
        initial_accumulator_value: the accumulators' starting value, `>= 0`.
        l1_regularization_strength: L1 strength (`>= 0`).
        l2_regularization_strength: L2 strength (`>= 0`), applied to the stabilized weights.
        l2_shrinkage_regularization_strength: L2 shrinkage strength (`>= 0`), on the gradient.
        beta: added (divided by `2 * lr`) to the L2 strength.
        name: the optimizer's name.
        **kwargs: the base `Optimizer` arguments.

    Example:
        >>> Ftrl().get_config()["learning_rate_power"]
        -0.5
    """

    _torch_class = kernels.KerasFtrl

    def __init__(
        self,
        learning_rate=0.001,
        learning_rate_power=-0.5,
        initial_accumulator_value=0.1,
        l1_regularization_strength=0.0,
        l2_regularization_strength=0.0,
        l2_shrinkage_regularization_strength=0.0,
        beta=0.0,
        name=None,
        **kwargs,
    ):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        if learning_rate_power > 0:
            raise ValueError(
                f"learning_rate_power expected a float <= 0; received {learning_rate_power!r}."
            )
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta
        for key in _NON_NEGATIVE:
            if getattr(self, key) < 0:
                raise ValueError(f"{key} expected a float >= 0; received {getattr(self, key)!r}.")

    def _torch_kwargs(self):
        return {key: getattr(self, key) for key in (*_NON_NEGATIVE, "learning_rate_power", "beta")}

    def get_config(self):
        config = super().get_config()
        config.update(self._torch_kwargs())
        return config
