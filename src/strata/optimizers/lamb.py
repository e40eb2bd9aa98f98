"""LAMB with Keras's rule, on a foreach kernel."""

from strata.optimizers import kernels_matrix
from strata.optimizers.base_optimizer import Optimizer


class Lamb(Optimizer):
    """Adam's direction with a per-variable trust ratio (You et al., 2019).

    Keras's rule: Adam's moments, `u = (m / (1 - b1**t)) / (sqrt(v / (1 - b2**t)) + epsilon)`,
    then `w -= r * lr * u` with `r = ||w|| / ||u||` (1 when either norm is 0). torch has no
    LAMB; strata steps with `kernels_matrix.KerasLamb` (norms stay on the device).

    Args:
        learning_rate: a float or a `LearningRateSchedule`.
        beta_1: the decay rate of the first moment.
        beta_2: the decay rate of the second moment.
        epsilon: a small constant for numerical stability.
        name: the optimizer's name.
        **kwargs: the base `Optimizer` arguments.

    Example:
        >>> Lamb().get_config()["beta_2"]
        0.999
    """

    _torch_class = kernels_matrix.KerasLamb

    def __init__(
        self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-07, name=None, **kwargs
    ):
        super().__init__(learning_rate=learning_rate, name=name, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def _torch_kwargs(self):
        return {"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}

    def get_config(self):
        config = super().get_config()
        config.update(self._torch_kwargs())
        return config
