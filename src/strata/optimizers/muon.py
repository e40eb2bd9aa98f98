"""Muon (AdamW for non-matrix variables) with Keras's rule, on its own kernel."""

import re

import torch

from strata.optimizers import kernels_matrix
from strata.optimizers.base_optimizer import Optimizer


class Muon(Optimizer):
    """Momentum orthogonalised by Newton-Schulz iterations for 2-D variables, AdamW elsewhere.

    Keras's rule for a 2-D variable: `m = momentum * m + g`, the direction `g + momentum * m`
    (Nesterov) or `m`, orthogonalised by `ns_steps` quintic Newton-Schulz iterations with
    coefficients `(muon_a, muon_b, muon_c)` (after dividing by its Frobenius norm + 1e-7,
    transposed when taller than wide), and `w -= lr * O * sqrt(max(rows, cols)) * rms_rate`
    (no scaling when `rms_rate` is None), with `weight_decay` decoupled before. Other
    variables (rank != 2, a `path` containing "embedding" when `exclude_embeddings`, or a
    `path` matching one of `exclude_layers`) take Keras's Adam step at `lr * adam_lr_ratio`
    with `adam_weight_decay`. strata steps with `kernels_matrix.KerasMuon`.

    strata's variables are `torch.nn.Parameter`s, which carry no Keras `path` unless one is set
    as an attribute: without it only the rank decides (an Embedding's 2-D table takes the
    Muon step, where Keras would give it the Adam step).

    Args:
        learning_rate: a float or a `LearningRateSchedule`.
        adam_beta_1: the Adam path's first-moment decay.
        adam_beta_2: the Adam path's second-moment decay.
        adam_weight_decay: the Adam path's decoupled weight decay.
        epsilon: the Adam path's epsilon.
        weight_decay: the Muon path's decoupled weight decay.
        exclude_layers: regular expressions; variables whose `path` matches take the Adam path.
        exclude_embeddings: whether variables whose `path` contains "embedding" take it too.
        muon_a: the first Newton-Schulz coefficient.
        muon_b: the second Newton-Schulz coefficient.
        muon_c: the third Newton-Schulz coefficient.
        adam_lr_ratio: the Adam path's rate relative to `learning_rate`.
        momentum: the Muon path's momentum.
        ns_steps: the number of Newton-Schulz iterations.
        nesterov: whether the Muon path uses Nesterov momentum.
        rms_rate: the update's scale relative to `sqrt(max(rows, cols))`, or None.
        name: the optimizer's name.
        **kwargs: the base `Optimizer` arguments.

    Example:
        >>> Muon().get_config()["ns_steps"]
        5
    """

    _torch_class = kernels_matrix.KerasMuon

    def __init__(
        self,
        learning_rate=0.001,
        adam_beta_1=0.9,
        adam_beta_2=0.999,
        adam_weight_decay=0.004,
        epsilon=1e-7,
        weight_decay=0.004,
        exclude_layers=None,
        exclude_embeddings=True,
        muon_a=3.4445,
        muon_b=-4.7750,
        muon_c=2.0315,
        adam_lr_ratio=1,
        momentum=0.95,
        ns_steps=5,
        nesterov=True,
        rms_rate=0.2,
        name=None,
        **kwargs,
    ):
        super().__init__(
            learning_rate=learning_rate, weight_decay=weight_decay, name=name, **kwargs
        )
        self.adam_beta_1 = adam_beta_1
        self.adam_beta_2 = adam_beta_2
        self.adam_weight_decay = adam_weight_decay
        self.epsilon = epsilon
        self.exclude_layers = list(exclude_layers or [])
        self.exclude_embeddings = exclude_embeddings
        self.muon_a = muon_a
        self.muon_b = muon_b
        self.muon_c = muon_c
        self.adam_lr_ratio = adam_lr_ratio
        self.momentum = momentum
        self.ns_steps = ns_steps
        self.nesterov = nesterov
        self.rms_rate = rms_rate

    def _uses_adam(self, variable):
        if variable.dim() != 2:
            return True
        path = getattr(variable, "path", None) or ""
        if self.exclude_embeddings and "embedding" in path.lower():
            return True
        return any(re.search(pattern, path) for pattern in self.exclude_layers)

    def _torch_kwargs(self):
        return {
            "adam_ids": {id(v) for v in self._variables if self._uses_adam(v)},
            "adam_beta_1": self.adam_beta_1,
            "adam_beta_2": self.adam_beta_2,
            "epsilon": self.epsilon,
            "adam_lr_ratio": self.adam_lr_ratio,
            "momentum": self.momentum,
            "ns_steps": self.ns_steps,
            "nesterov": self.nesterov,
            "muon_a": self.muon_a,
            "muon_b": self.muon_b,
            "muon_c": self.muon_c,
            "rms_rate": self.rms_rate,
        }

    def _variables_added(self, new):
        self._torch_optimizer.adam_ids.update(id(v) for v in new if self._uses_adam(v))

    def _apply_weight_decay(self, lr):
        # Keras decays the Adam path with adam_weight_decay and the Muon path with weight_decay.
        adam_ids = self._torch_optimizer.adam_ids
        for uses_adam, rate in ((True, self.adam_weight_decay), (False, self.weight_decay)):
            if rate is None:
                continue
            params = [
                v
                for v in self._variables
                if v.grad is not None and not self._excluded(v) and (id(v) in adam_ids) == uses_adam
            ]
            if params:
                _decay(params, lr, rate)

    def get_config(self):
        config = super().get_config()
        config.update(self._keras_arguments())
        return config

    def _keras_arguments(self):
        names = (
            "adam_beta_1", "adam_beta_2", "epsilon", "exclude_layers", "muon_a", "muon_b",
            "muon_c", "adam_lr_ratio", "momentum", "ns_steps", "nesterov", "exclude_embeddings",
            "adam_weight_decay", "rms_rate",
        )  # fmt: skip
        return {key: getattr(self, key) for key in names}


def _decay(params, lr, rate):
    with torch.no_grad():
        torch._foreach_mul_(params, 1.0 - lr * rate)
