"""Schedule-Free AdamW with Keras's rule, on a foreach kernel."""

from strata.optimizers import kernels_matrix
from strata.optimizers.base_optimizer import Optimizer


class ScheduleFreeAdamW(Optimizer):
    """AdamW without a learning-rate schedule (Defazio et al., 2024).

    Keras's rule, with `t` the step number and `z` (state "momentum") starting at the
    variable's value at `build`: `lr_t = lr * min(t / warmup_steps, 1)` when warming up,
    `v += (g**2 - v) * (1 - b2)`, `z' = z - lr_t * g / (sqrt(v / (1 - b2**t)) + epsilon)`;
    with `x = (w - (1 - b1) * z') / b1` the average the variable interpolates,
    `x' = (1 - 1/t) * x + z' / t` and `w = (1 - b1) * z' + b1 * x'`. strata steps with
    `kernels_matrix.KerasScheduleFreeAdamW`.

    Deliberate match: Keras (torch and TensorFlow backends) recovers `x` from the *updated*
    `z'`, where the paper (and Keras on JAX) uses `z` from before the step; strata computes what
    Keras on torch computes. Expanded, that rule is `w = (1 - 1/t) * w + z' / t`: `beta_1`
    cancels out and has no effect (in Keras on torch as here); strata steps with one lerp.

    Args:
        learning_rate: a float or a `LearningRateSchedule`.
        beta_1: the interpolation between `z` and the average `x`.
        beta_2: the decay rate of the second moment.
        epsilon: a small constant for numerical stability.
        warmup_steps: the number of steps over which the rate rises linearly from 0.
        name: the optimizer's name.
        **kwargs: the base `Optimizer` arguments.

    Example:
        >>> ScheduleFreeAdamW().get_config()["learning_rate"]
        0.0025
    """

    _torch_class = kernels_matrix.KerasScheduleFreeAdamW

    def __init__(
        self,
        learning_rate=0.0025,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        warmup_steps=0,
        name=None,
        **kwargs,
    ):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.warmup_steps = warmup_steps

    def _torch_kwargs(self):
        return {
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
            "warmup_steps": self.warmup_steps,
        }

    def get_config(self):
        config = super().get_config()
        config.update(self._torch_kwargs())
        return config
