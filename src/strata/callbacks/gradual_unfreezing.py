"""GradualUnfreezing: unfreeze a model's upper layers on a schedule of epochs."""

from __future__ import annotations

import numbers

from strata.backend import arguments
from strata.callbacks.callback import Callback


class GradualUnfreezing(Callback):
    """Unfreezes upper layers at the start of chosen epochs, optionally at a smaller rate.

    Transfer learning's recipe: train the new head on a frozen base, then unfreeze one or
    two upper layers of the base and see whether it helps. No recompiling is needed: the
    unfrozen weights join the running optimizer at once.

    Each schedule entry runs at the start of its epoch (0-based, as in `on_epoch_begin`).
    An entry whose epoch is before the run's first epoch (`initial_epoch`) runs at the first
    epoch; each entry runs once per callback (a second `fit` with the same callback continues
    the schedule instead of repeating it). Its state is saved by `BackupAndRestore`, which
    also restores which layers were unfrozen and their learning rates.

    Args:
        schedule: a dict `{epoch: what}` where `what` is an int (unfreeze that many more
            layers with weights, the topmost frozen ones first) or a list of layer names.
        lr_multiplier: when set (a float >= 0), the weights unfrozen by this callback train at
            `learning_rate * lr_multiplier` (discriminative learning rates, through the
            optimizer's parameter groups: `Optimizer.add_variable_group`). None: the base rate.
        verbose: 1 prints what each entry unfroze.

    Attributes:
        unfrozen: `{epoch: [layer names]}` of what was unfrozen so far.

    Example:
        >>> import strata
        >>> callback = strata.callbacks.GradualUnfreezing({2: 1, 4: ["hidden1"]},
        ...                                               lr_multiplier=0.1)
    """

    def __init__(self, schedule, lr_multiplier=None, verbose=0):
        super().__init__()
        self.schedule = _checked_schedule(schedule)
        if lr_multiplier is not None and (
            isinstance(lr_multiplier, bool)
            or not isinstance(lr_multiplier, numbers.Real)
            or not lr_multiplier >= 0
        ):
            raise ValueError(
                f"GradualUnfreezing expected lr_multiplier None or a float >= 0; received "
                f"{lr_multiplier!r}."
            )
        self.lr_multiplier = None if lr_multiplier is None else float(lr_multiplier)
        self.verbose = arguments.verbosity("GradualUnfreezing", verbose)
        self.unfrozen = {}

    def on_epoch_begin(self, epoch, logs=None):
        for key in sorted(self.schedule):
            if key <= epoch and key not in self.unfrozen:
                self.unfrozen[key] = self._apply(self.schedule[key])
                if self.verbose:
                    rate = "" if self.lr_multiplier is None else f" at lr x{self.lr_multiplier}"
                    print(
                        f"Epoch {epoch + 1}: GradualUnfreezing unfroze {self.unfrozen[key]}{rate}."
                    )

    def _apply(self, what) -> list[str]:
        from strata.models import freezing

        if isinstance(what, int):
            layers = freezing.unfreeze_next(self.model, what)
        else:
            layers = freezing.resolve_layers(self.model, what)
            _unfreeze_layers(self.model, layers)
        weights = [w for layer in layers for w in layer.trainable_weights if w.requires_grad]
        optimizer = getattr(self.model, "optimizer", None)
        if weights and optimizer is not None and optimizer.built:
            optimizer.add_variable_group(weights, lr_multiplier=self.lr_multiplier or 1.0)
        return [layer.name for layer in layers]

    def state_dict(self) -> dict:
        return {"unfrozen": {int(k): list(v) for k, v in self.unfrozen.items()}}

    def load_state_dict(self, state: dict) -> None:
        self.unfrozen = {int(k): list(v) for k, v in state.get("unfrozen", {}).items()}


def _unfreeze_layers(model, layers):
    from strata.models import freezing

    if layers:
        freezing.lift_model_flag(model)
    for layer in layers:
        layer.trainable = True


def _checked_schedule(schedule) -> dict:
    if not isinstance(schedule, dict) or not schedule:
        raise ValueError(
            "GradualUnfreezing expected a non-empty dict {epoch: count or [layer names]}; "
            f"received {schedule!r}."
        )
    checked = {}
    for epoch, what in schedule.items():
        if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch < 0:
            raise ValueError(f"GradualUnfreezing expected epochs as ints >= 0; received {epoch!r}.")
        if isinstance(what, int) and not isinstance(what, bool) and what >= 1:
            checked[epoch] = what
        elif isinstance(what, (list, tuple)) and what and all(isinstance(n, str) for n in what):
            checked[epoch] = list(what)
        else:
            raise ValueError(
                f"GradualUnfreezing expected, for epoch {epoch}, a count >= 1 or a non-empty "
                f"list of layer names; received {what!r}."
            )
    return checked
