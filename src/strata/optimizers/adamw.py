"""AdamW on `torch.optim.AdamW`."""

import torch

from strata.optimizers.adam import Adam


class AdamW(Adam):
    """Adam with decoupled weight decay: `w -= lr * weight_decay * w` before each Adam step.

    torch's AdamW applies exactly Keras's decay (`w *= 1 - lr * weight_decay`), so this class
    hands the decay to torch. The Adam update differs from Keras only in where epsilon sits
    (see `Adam`), which this class converts the same way.

    Args:
        learning_rate: a float or a `LearningRateSchedule`.
        weight_decay: the decoupled decay rate.
        beta_1: the decay rate of the first moment.
        beta_2: the decay rate of the second moment.
        epsilon: a small constant for numerical stability.
        amsgrad: whether to use the AMSGrad variant.
        name: the optimizer's name.
        **kwargs: the base `Optimizer` arguments.

    Example:
        >>> AdamW().weight_decay
        0.004
    """

    _torch_class = torch.optim.AdamW
    _torch_weight_decay = True

    def __init__(
        self,
        learning_rate=0.001,
        weight_decay=0.004,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-07,
        amsgrad=False,
        name=None,
        **kwargs,
    ):
        if weight_decay is None:
            raise ValueError("AdamW expected a weight_decay (a float >= 0); received None.")
        super().__init__(
            learning_rate=learning_rate,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            amsgrad=amsgrad,
            name=name,
            weight_decay=weight_decay,
            **kwargs,
        )

    def _torch_kwargs(self):
        kwargs = super()._torch_kwargs()
        kwargs["weight_decay"] = self.weight_decay
        return kwargs

    def _group_settings(self, variable):
        # torch decays per param group: excluded variables go to a group without decay.
        return {"weight_decay": 0.0} if self._excluded(variable) else {}

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        super().exclude_from_weight_decay(var_list, var_names)
        if self.built:
            self._configure_groups()
