"""Where the losses added during one forward pass go (`add_loss`, activity regularizers).

The training engine opens a `LossScope` around every forward pass; each `add_loss` made inside it
lands in that scope's list, so the step adds exactly this pass's losses to the compiled loss and
nothing is kept from one step to the next (Keras's `compute_loss` reads `model.losses` the same
way). Outside any scope (a layer called on its own), a layer keeps its losses itself.
"""

from __future__ import annotations

import threading

_local = threading.local()


class LossScope:
    """Collects the losses added while it is open; scopes nest (the innermost one collects)."""

    def __init__(self):
        self.losses = []
        self._outer = None

    def __enter__(self) -> LossScope:
        self._outer = getattr(_local, "scope", None)
        _local.scope = self
        return self

    def __exit__(self, *exc_info) -> None:
        _local.scope = self._outer

    def total(self):
        """The sum of the collected losses as a 0-d tensor, or None when there are none."""
        if not self.losses:
            return None
        terms = [loss.reshape(()) if hasattr(loss, "reshape") else loss for loss in self.losses]
        total = terms[0]
        for term in terms[1:]:
            total = total + term
        return total


def current_scope() -> LossScope | None:
    """The innermost open scope, or None."""
    return getattr(_local, "scope", None)
