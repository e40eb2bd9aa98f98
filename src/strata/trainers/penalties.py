"""Regularization penalties and weight constraints, collected once per training run."""

from __future__ import annotations

import torch


class PenaltiesMixin:
    """What the train step adds to the loss (weight and activity penalties) and applies after
    each optimizer step (constraints), in Keras's weight layouts."""

    def _regularization_penalty(self):
        cached = getattr(self, "_regularized", None)
        if cached is None:
            cached = self._collect_regularized()
            self._regularized = cached
        weights, activity_layers = cached
        if not weights and not activity_layers:
            return None
        from strata.layers.layer import _to_keras

        terms = [reg(_to_keras(w, layout)) for reg, w, layout in weights]
        for layer in activity_layers:
            terms += layer._activity_losses
        if not terms:
            return None
        return torch.stack([t.reshape(()) for t in terms]).sum() if len(terms) > 1 else terms[0]

    def _collect_regularized(self):
        weights, activity = [], []
        for layer in self.modules():
            extras = getattr(layer, "_weight_extras", {})
            layouts = {n: p for n, _, p in getattr(layer, "_own_weights", [])}
            for name, (regularizer, _constraint) in extras.items():
                if regularizer is not None:
                    weights.append((regularizer, getattr(layer, name), layouts[name]))
            if getattr(layer, "activity_regularizer", None) is not None or hasattr(
                layer, "_adds_activity_loss"
            ):
                activity.append(layer)
        return weights, activity

    def _constrained_weights(self):
        cached = getattr(self, "_constrained", None)
        if cached is None:
            cached = []
            for layer in self.modules():
                for name, (_, constraint) in getattr(layer, "_weight_extras", {}).items():
                    if constraint is not None:
                        layout = dict((n, p) for n, _, p in layer._own_weights).get(name)
                        cached.append((constraint, getattr(layer, name), layout))
            self._constrained = cached
        return cached

    @torch.no_grad()
    def _apply_constraints(self):
        from strata.layers.layer import _from_keras, _to_keras

        for constraint, weight, layout in self._constrained_weights():
            weight.copy_(_from_keras(constraint(_to_keras(weight, layout)), layout))
