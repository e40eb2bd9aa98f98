"""The engine of one training, evaluation or prediction run: the seam everything plugs into.

`fit`, `evaluate` and `predict` each build an `Engine`; so does a direct `train_step` /
`test_step` / `predict_step` call after `compile`. The engine owns what belongs to that run and
not to the model:

- `forward`: the model's forward pass on flat tensors, possibly wrapped (DistributedDataParallel
  under a data-parallel distribution; `torch.compile` for `jit_compile=True`);
- the loss, composed from one source: the compiled per-output losses plus `model.losses` of that
  forward pass (weight penalties, `add_loss` values and activity regularizers, collected by a
  `LossScope` so that nothing outlives its step);
- the optimizer, built on the weights trainable when the run starts, and the constraints;
  layers frozen or unfrozen later (by a callback, between runs) are picked up at the next
  step (`sync_trainable`) without recompiling: newly trainable weights join the optimizer,
  frozen ones get no gradient and stay put;
- the loop's resumable state (`epoch`, `initial_epoch`, `steps_done`), with `state_dict()` /
  `load_state_dict()`;
- public events for callbacks: `initial_epoch` may be moved in `on_train_begin` (a restored
  backup does), and `add_input_observer(fn)` sees each training batch's inputs;
- `frozen_cache`: fit's cache of its frozen layers (`trainers.frozen_cache`), whose `report`
  says what is cached; while it is active, `forward` and `eval_forward` run the trainable part
  on cached features.

Distribution, cross-validation, search and ensembles use these seams; none of them subclasses
or patches the trainer.
"""

from __future__ import annotations

import contextlib
import warnings

import torch

from strata.backend import config as backend_config
from strata.backend.loss_scope import LossScope
from strata.trainers.penalties import Penalties


class Engine:
    """The per-run state and steps of a compiled model.

    Args:
        model: a compiled strata model.
        training: build what training needs (the optimizer on the trainable weights, the
            distributed wrapper, the compiled step); False for evaluation and prediction.
    """

    def __init__(self, model, training=True):
        from strata.distribution import distribution as active_distribution

        self.model = model
        self.training = training
        active = active_distribution()
        # A distribution over one process (a script run without torchrun) changes nothing.
        self.distribution = active if active is not None and active.num_processes > 1 else None
        self.epoch = 0
        self.initial_epoch = 0
        self.steps_done = 0
        self._penalties = None  # collected on first use: predict never needs them
        self.forward = model._flat_forward  # (xs, training, logits) -> flat outputs
        # The evaluation forward pass (validation inside fit runs the trainable part only when
        # the frozen layers are cached).
        self.eval_forward = model._flat_forward
        self.frozen_cache = None  # fit's FrozenCache, when fit runs one
        self.train_forward = self._forward_and_loss
        self._input_observers = []
        self._wrapped = None
        self._trainable_ids = ()
        from strata.layers.layer import _TRAINABLE_VERSION

        # Read once per training step: a changed count means some layer's `trainable` was set.
        self._version_box = _TRAINABLE_VERSION
        self._trainable_version = _TRAINABLE_VERSION[0]
        # Under a data-parallel run, each process's loss is weighted by its share of the global
        # batch so that the averaged gradient equals the one-process gradient (set per step).
        self.loss_scale = 1.0
        self.running = False  # True while fit/evaluate/predict drive this engine
        self.autocast_dtype = mixed_compute_dtype(model)
        self._in_builtin_step = False
        if training:
            self._prepare_training()

    # ------------------------------------------------------------------------------- set-up
    def _prepare_training(self):
        model = self.model
        params = [w for w in model.trainable_weights if w.requires_grad]
        self._trainable_ids = tuple(id(w) for w in params)
        if model.optimizer is None:
            raise ValueError("Training expected a compiled model; call model.compile() first.")
        _build_optimizer(model.optimizer, params)
        self._wrap_distributed(params)
        if getattr(model, "jit_compile", False):
            # Only the pure part is compiled; optimizer, trackers and callbacks stay eager.
            self.train_forward = torch.compile(self._forward_and_loss)

    @property
    def penalties(self) -> Penalties:
        """The model's weight regularizers and constraints, collected once per run."""
        if self._penalties is None:
            self._penalties = Penalties(self.model)
        return self._penalties

    def is_current(self) -> bool:
        """Whether the trainable weights are still those this engine was built for."""
        params = [w for w in self.model.trainable_weights if w.requires_grad]
        return tuple(id(w) for w in params) == self._trainable_ids

    def sync_trainable(self) -> bool:
        """Follow layers frozen or unfrozen since the run began; True when anything changed.

        Weights that became trainable join the optimizer (at the base learning rate unless a
        callback such as `GradualUnfreezing` already added them with a multiplier); weights
        frozen since keep their optimizer state but get no gradient, so they do not move.
        `train_step` calls this by itself when a layer's `trainable` was set.
        """
        self._trainable_version = self._version_box[0]
        params = [w for w in self.model.trainable_weights if w.requires_grad]
        ids = tuple(id(w) for w in params)
        if ids == self._trainable_ids:
            return False
        self._trainable_ids = ids
        self._warn_if_cached_layers_unfrozen()
        _build_optimizer(self.model.optimizer, params)
        # DistributedDataParallel registers its gradient hooks on the weights trainable when
        # it is made: a new trainable set needs a new wrapper (made on every process alike).
        self._wrap_distributed(params)
        return True

    def _warn_if_cached_layers_unfrozen(self) -> None:
        # Unfrozen mid-epoch (say by a batch callback), a cached layer cannot train before
        # fit rebuilds the cache at the next epoch: say so rather than let it pass silently.
        names = self.frozen_cache.unfrozen_since_built() if self.frozen_cache else []
        if names:
            warnings.warn(
                f"Layers {names} were unfrozen during an epoch while fit trains on their cached "
                "outputs; they start training at the next epoch. Unfreeze in on_epoch_begin "
                "(as GradualUnfreezing does) or pass fit(cache_frozen=False) to train them at "
                "once."
            )

    def _wrap_distributed(self, params) -> None:
        if self.distribution is None:
            return
        model = self.model
        if not params:
            self._wrapped, self.forward = None, model._flat_forward
            return
        self._wrapped = self.distribution.wrap_model(model)
        self.forward = self._wrapped
        if model._overridden("train_step"):
            # A custom step may run its own forward pass (`self(x)`), which DDP does not
            # see: its gradients are averaged over the processes before the update instead.
            model.optimizer.gradient_reducer = self._average_custom_gradients

    def _average_custom_gradients(self, variables) -> None:
        if not self._in_builtin_step:  # the built-in step's gradients come averaged by DDP
            self.distribution.average_gradients(variables)

    def close(self) -> None:
        """Release what the run held (the distributed wrapper and its communication buffers)."""
        self.forward = self.eval_forward = self.model._flat_forward
        self._wrapped = None
        optimizer = self.model.optimizer
        if optimizer is not None and optimizer.gradient_reducer == self._average_custom_gradients:
            optimizer.gradient_reducer = None
        if self.training:
            self.train_forward = self._forward_and_loss

    # --------------------------------------------------------------------------------- data
    def batches(self, adapter, evaluation=False):
        """The batches this process runs for one epoch (or one evaluation) of `adapter`."""
        if self.distribution is None:
            return iter(adapter)
        return self.distribution.batches(adapter, self, evaluation)

    def agree_to_stop(self, flag) -> bool:
        """Whether to stop, the same on every process (any process asking stops them all)."""
        if self.distribution is None:
            return bool(flag)
        return self.distribution.agree(flag)

    # ------------------------------------------------------------------------------- events
    def add_input_observer(self, observer):
        """Call `observer(flat_inputs)` before each training forward pass; returns a handle
        whose `remove()` stops it."""
        self._input_observers.append(observer)
        return _ObserverHandle(self._input_observers, observer)

    @property
    def observes_inputs(self) -> bool:
        """Whether a callback watches the training inputs (through `add_input_observer`)."""
        return bool(self._input_observers)

    def state_dict(self) -> dict:
        """The loop's position: the next epoch to run and the optimizer steps taken."""
        return {"epoch": int(self.epoch), "steps_done": int(self.steps_done)}

    def load_state_dict(self, state: dict) -> None:
        """Resume at `state["epoch"]` (the next epoch to run)."""
        self.initial_epoch = int(state["epoch"])
        self.epoch = self.initial_epoch
        self.steps_done = int(state.get("steps_done", 0))

    # -------------------------------------------------------------------------------- losses
    def compute_loss(self, ys, outputs, weights, added_losses=None):
        """The total loss and each output's: compiled losses + penalties + added losses.

        `added_losses` is the `LossScope` total of the forward pass that made `outputs`; with
        the weight penalties it is `sum(model.losses)` for that pass.
        """
        total, per_output = self.model._compiled_loss(ys, outputs, weights)
        for extra in (self.penalties.total(), added_losses):
            if extra is not None:
                total = extra if total is None else total + extra
        if total is None:
            raise ValueError(
                "The model has no loss to train on: compile(loss=...) is required, or a layer "
                "must add one with add_loss()."
            )
        return total, per_output

    def _forward_and_loss(self, xs, ys, weights):
        """Forward pass and loss of a training step: the part `jit_compile=True` compiles."""
        with LossScope() as scope, self.autocast():
            outputs = self.forward(xs, True, True)
        outputs = self._full_precision_outputs(outputs)
        total, per_output = self.compute_loss(ys, outputs, weights, scope.total())
        return total, outputs, per_output

    def autocast(self):
        """torch.autocast in the model's half type for mixed-policy models, else nothing."""
        if self.autocast_dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(device_type=backend_config.device().type, dtype=self.autocast_dtype)

    def _full_precision_outputs(self, outputs):
        # Losses and metrics are computed in float32, as Keras computes them.
        if self.autocast_dtype is None:
            return outputs
        return [o.float() if o.dtype == self.autocast_dtype else o for o in outputs]

    # --------------------------------------------------------------------------------- steps
    def train_step(self, xs, ys, weights):
        """One optimisation step on flat device tensors; metrics accumulate on the device."""
        if self._version_box[0] != self._trainable_version:
            self.sync_trainable()
        if self._input_observers:
            for observer in list(self._input_observers):  # an observer may remove itself
                observer(xs)
        model = self.model
        loss, outputs, per_output = self.train_forward(xs, ys, weights)
        batch = outputs[0].shape[0]
        optimizer = model.optimizer
        optimizer.zero_grad()
        scale = self.loss_scale
        scaled = loss if scale == 1.0 else loss * scale
        # Keras scales the loss for the optimizer (loss_scale_factor, LossScaleOptimizer).
        scale_loss = getattr(optimizer, "scale_loss", None)
        (scaled if scale_loss is None else scale_loss(scaled)).backward()
        self._in_builtin_step = True
        try:
            optimizer.step()
        finally:
            self._in_builtin_step = False
        self.steps_done += 1
        if self.penalties.constrained:
            self.penalties.apply_constraints()
        if scale == 0.0:
            return  # a placeholder batch of a data-parallel run: it counts for nothing
        if model._multi_output:
            model._track_output_losses(per_output, batch)
        model._loss_tracker.update(loss.detach(), batch)
        if model._metric_targets:
            model._update_metrics(ys, outputs, weights, logits=True)

    def test_step(self, xs, ys, weights):
        """One evaluation step (no gradient); loss and metrics accumulate on the device."""
        model = self.model
        with LossScope() as scope, self.autocast():
            outputs = self.eval_forward(xs, False, True)
        outputs = self._full_precision_outputs(outputs)
        loss, per_output = self.compute_loss(ys, outputs, weights, scope.total())
        batch = outputs[0].shape[0]
        if model._multi_output:
            model._track_output_losses(per_output, batch)
        model._loss_tracker.update(loss, batch)
        model._update_metrics(ys, outputs, weights, logits=True)

    def predict_step(self, xs):
        """The flat outputs (probabilities, not logits) for one batch of flat inputs."""
        with LossScope(), self.autocast():  # the scope drops losses layers add
            return self._full_precision_outputs(self.model._flat_forward(xs, False))


def _build_optimizer(optimizer, params):
    """Build `optimizer` on `params`, keeping what it learned about the ones it already holds.

    An optimizer built before (an earlier fit, then some layers frozen or unfrozen) keeps its
    state and learning-rate multipliers: newly trainable weights join it and weights frozen
    since stay in it without gradients. An optimizer built on other weights starts afresh.
    """
    if optimizer.built and hasattr(optimizer, "add_variable_group"):
        known = {id(v) for v in optimizer.trainable_variables}
        # Everything frozen for now: the optimizer keeps what it holds for a later unfreeze.
        if not params or any(id(p) in known for p in params):
            missing = [p for p in params if id(p) not in known]
            if missing:
                optimizer.add_variable_group(missing)
            return
    optimizer.build(params)


class _ObserverHandle:
    def __init__(self, observers, observer):
        self._observers, self._observer = observers, observer

    def remove(self):
        if self._observer in self._observers:
            self._observers.remove(self._observer)


def mixed_compute_dtype(model):
    """The half dtype a model with mixed-policy layers computes in (autocast), else None."""
    for module in model.modules():
        dtype = getattr(module, "_autocast_dtype", None)
        if dtype is not None:
            return dtype
    return None
