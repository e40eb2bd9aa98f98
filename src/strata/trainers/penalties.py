"""Weight penalties and constraints of a model, collected once per run."""

from __future__ import annotations

import torch

from strata.layers.layer import _from_keras, _to_keras


class Penalties:
    """The weight regularizers added to the loss and the constraints applied after each step.

    Both see weights in Keras's layouts (OrthogonalRegularizer and MaxNorm care about rows and
    columns). Collected when a run starts: the layers' weights do not change during a run.
    """

    def __init__(self, model):
        self.regularized = []  # (regularizer, weight, layout)
        self.constrained = []  # (constraint, weight, layout)
        for layer in model.modules():
            layouts = {n: p for n, _, p in getattr(layer, "_own_weights", [])}
            for name, (regularizer, constraint) in getattr(layer, "_weight_extras", {}).items():
                weight = getattr(layer, name)
                if regularizer is not None:
                    self.regularized.append((regularizer, weight, layouts[name]))
                if constraint is not None:
                    self.constrained.append((constraint, weight, layouts.get(name)))

    def total(self):
        """The sum of the weight penalties as a 0-d tensor, or None without regularizers."""
        if not self.regularized:
            return None
        terms = [reg(_to_keras(w, layout)).reshape(()) for reg, w, layout in self.regularized]
        return torch.stack(terms).sum() if len(terms) > 1 else terms[0]

    @torch.no_grad()
    def apply_constraints(self) -> None:
        for constraint, weight, layout in self.constrained:
            weight.copy_(_from_keras(constraint(_to_keras(weight, layout)), layout))
