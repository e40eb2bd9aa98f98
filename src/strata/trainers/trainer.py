"""Trainer: compile / fit / evaluate / predict, with a lean step on the hot path.

`fit` orchestrates; `train_step`, `test_step` and `predict_step` are small and overridable (Keras
3's torch-backend contract). When they are not overridden, the built-in steps run on flat lists of
device tensors: no structure munging, no host synchronisation, losses from logits.
"""

from __future__ import annotations

import torch

from strata.trainers.compile_utils import LossTracker, resolve_targets
from strata.trainers.data_adapters import (
    unpack_batch,
)
from strata.trainers.data_plumbing import DataPlumbingMixin, class_weights_for
from strata.trainers.logs import LazyLogs
from strata.trainers.penalties import PenaltiesMixin


class Trainer(PenaltiesMixin, DataPlumbingMixin):
    def __init__(self):
        self.compiled = False
        self.optimizer = None
        self.stop_training = False
        self.history = None
        self._targets = []
        self._compile_config = None

    # --------------------------------------------------------------------------------- compile
    def compile(
        self,
        optimizer="rmsprop",
        loss=None,
        loss_weights=None,
        metrics=None,
        weighted_metrics=None,
        run_eagerly=False,
        steps_per_execution=1,
        jit_compile="auto",
        auto_scale_loss=True,
    ):
        """Configure training: optimizer, loss(es), loss weights and metrics.

        Args:
            optimizer: name (`"rmsprop"`, `"adam"`, ...) or `strata.optimizers.Optimizer`.
            loss: name, function or `Loss`; for several outputs a list or a dict by output name.
            loss_weights: list or dict weighting each output's loss in the total.
            metrics: list of metrics (or, for several outputs, a list of lists or a dict).
            weighted_metrics: metrics that also receive `sample_weight`.
            jit_compile: True compiles the train step with `torch.compile` ("auto": off).
        """
        from strata import optimizers

        self.optimizer = optimizers.get(optimizer)
        self._compile_args = (loss, loss_weights, metrics, weighted_metrics)
        self._targets = []
        self._loss_tracker = LossTracker("loss")
        self._output_loss_trackers = []
        if getattr(self, "built", False):
            self._resolve_targets()
        self.jit_compile = jit_compile is True
        self._compile_config = {
            "optimizer": optimizers.serialize(self.optimizer),
            "loss": _jsonable(loss),
            "loss_weights": _jsonable(loss_weights),
            "metrics": _jsonable(metrics),
            "weighted_metrics": _jsonable(weighted_metrics),
        }
        self.compiled = True

    def _resolve_targets(self):
        """Per-output losses and metrics; needs the outputs, so waits for a built model."""
        self._targets = resolve_targets(self, *self._compile_args)
        self._output_loss_trackers = [LossTracker(f"{t.name}_loss") for t in self._targets]
        self._cached_logits_plan = None
        # What every step needs, decided once: (output index, loss, weight), the outputs with
        # metrics, whether several loss heads are tracked.
        self._loss_terms = [(t.index, t.loss, t.weight) for t in self._targets if t.loss]
        self._metric_targets = [t for t in self._targets if t.metrics]
        self._multi_output = len(self._targets) > 1
        self._has_penalties = True  # until a training run has looked at the layers

    def get_compile_config(self):
        return self._compile_config

    def compile_from_config(self, config):
        from strata import optimizers
        from strata.saving.registry import deserialize_keras_object

        self.compile(
            optimizer=optimizers.deserialize(config["optimizer"]),
            loss=_from_jsonable(config.get("loss"), deserialize_keras_object),
            loss_weights=config.get("loss_weights"),
            metrics=_from_jsonable(config.get("metrics"), deserialize_keras_object),
            weighted_metrics=_from_jsonable(
                config.get("weighted_metrics"), deserialize_keras_object
            ),
        )

    @property
    def metrics(self):
        """The loss trackers and compiled metrics (objects with `result()`/`reset_state()`)."""
        found = [self._loss_tracker] if self.compiled else []
        if len(self._targets) > 1:
            found += [t for t, o in zip(self._output_loss_trackers, self._targets) if o.loss]
        for target in self._targets:
            found += target.metrics
        return found

    @property
    def metrics_names(self):
        """Names in the order of the lists `evaluate` and `*_on_batch` return: the loss first."""
        names = [key for key, _ in self._metric_keys()]
        return ["loss"] + [n for n in names if n != "loss"] if "loss" in names else names

    def reset_metrics(self):
        for metric in self.metrics:
            metric.reset_state()

    def _metric_keys(self):
        multi = len(self._targets) > 1
        for target in self._targets:
            for metric in target.metrics:
                yield (f"{target.name}_{metric.name}" if multi else metric.name), metric
        yield "loss", self._loss_tracker
        if multi:
            for tracker, target in zip(self._output_loss_trackers, self._targets):
                if target.loss is not None:
                    yield tracker.name, tracker

    def _metric_results(self):
        """Epoch logs as floats: one read from the device for all metrics together."""
        keys, values = [], []
        for key, metric in self._metric_keys():
            keys.append(key)
            values.append(torch.as_tensor(metric.result()).float().reshape(()).cpu())
        return {k: float(v) for k, v in zip(keys, values)}

    def _lazy_logs(self):
        return LazyLogs(lambda: self._metric_results())

    # -------------------------------------------------------------------------------- forward
    def _flat_forward(self, xs, training, logits=False):
        """The outputs as a flat list (pre-activation for logits outputs when `logits`)."""
        if hasattr(self, "_plan"):
            plan = self._logits_plan() if logits else self._plan
            return plan.run(xs, training)
        from strata.backend.keras_tensor import flatten

        structured = xs[0] if len(xs) == 1 else xs
        return flatten(self(structured, training=training))

    def _logits_plan(self):
        """The plan whose softmax/sigmoid outputs stop at their logits (made once per compile)."""
        cached = getattr(self, "_cached_logits_plan", None)
        if cached is None or cached[0] is not self._plan:
            layers = {t.logits_layer for t in self._targets if t.logits_layer is not None}
            plan = self._plan
            if layers:
                from strata.models.functional import Functional
                from strata.models.plan import Plan

                nodes = Functional._nodes_between_inputs_and_outputs(self)
                plan = Plan(nodes, self.inputs, self.outputs, logits_layers=layers)
            cached = (self._plan, plan)
            self._cached_logits_plan = cached
        return cached[1]

    # ---------------------------------------------------------------------------------- steps
    def _compute_total_loss(self, ys, outputs, weights, track=True):
        total, per_output = self._total_and_per_output_loss(ys, outputs, weights)
        if track:
            self._track_output_losses(per_output, outputs[0].shape[0])
        return total

    def _total_and_per_output_loss(self, ys, outputs, weights):
        """The weighted total (plus penalties) and each output's loss; no side effects."""
        total, per_output = None, [None] * len(self._targets)
        for index, loss_fn, weight in self._loss_terms:
            value = loss_fn(ys[index], outputs[index], sample_weight=weights)
            per_output[index] = value
            weighted = value if weight == 1.0 else value * weight
            total = weighted if total is None else total + weighted
        if self._has_penalties:
            penalties = self._regularization_penalty()
            if penalties is not None:
                total = penalties if total is None else total + penalties
        if total is None:
            raise ValueError("The model has no loss to train on: compile(loss=...) is required.")
        return total, per_output

    def _track_output_losses(self, per_output, batch):
        if self._multi_output:
            for tracker, value in zip(self._output_loss_trackers, per_output):
                if value is not None:
                    tracker.update(value.detach(), batch)

    def _forward_and_loss(self, xs, ys, weights):
        """Forward pass and losses of a training step: the part `jit_compile=True` compiles."""
        outputs = self._flat_forward(xs, training=True, logits=True)
        total, per_output = self._total_and_per_output_loss(ys, outputs, weights)
        return total, outputs, per_output

    def _update_metrics(self, ys, outputs, weights, logits):
        for target in self._metric_targets:
            prediction = outputs[target.index].detach()
            if logits and target.activation is not None:
                prediction = target.activation(prediction)
            y = ys[target.index]
            for metric in target.metrics:
                metric.update_state(
                    y, prediction, sample_weight=weights if metric._strata_weighted else None
                )

    def _builtin_train_step(self, xs, ys, weights):
        loss, outputs, per_output = self._train_forward(xs, ys, weights)
        batch = outputs[0].shape[0]
        if self._multi_output:
            self._track_output_losses(per_output, batch)
        optimizer = self.optimizer
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if self._has_constraints:
            self._apply_constraints()
        self._loss_tracker.update(loss.detach(), batch)
        if self._metric_targets:
            self._update_metrics(ys, outputs, weights, logits=True)

    def _builtin_test_step(self, xs, ys, weights):
        outputs = self._flat_forward(xs, training=False, logits=True)
        loss = self._compute_total_loss(ys, outputs, weights)
        self._loss_tracker.update(loss, outputs[0].shape[0])
        self._update_metrics(ys, outputs, weights, logits=True)

    def train_step(self, data):
        """One optimisation step on `data = (x, y, sample_weight)`; returns the logs."""
        x, y, weights = unpack_batch(data)
        xs, ys, weights = self._prepare_batch((x, y, weights))
        self._builtin_train_step(xs, ys, weights)
        return self._lazy_logs()

    def test_step(self, data):
        """One evaluation step on `data = (x, y, sample_weight)`; returns the logs."""
        xs, ys, weights = self._prepare_batch(data)
        self._builtin_test_step(xs, ys, weights)
        return self._lazy_logs()

    def predict_step(self, data):
        """The model's outputs for one batch of inputs."""
        x, _, _ = unpack_batch(data)
        return self(x, training=False)

    def _overridden(self, name) -> bool:
        return getattr(type(self), name) is not getattr(Trainer, name)

    # ---------------------------------------------------------------------------- data plumbing
    # ------------------------------------------------------------------------------------- fit
    def fit(
        self,
        x=None,
        y=None,
        batch_size=None,
        epochs=1,
        verbose="auto",
        callbacks=None,
        validation_split=0.0,
        validation_data=None,
        shuffle=True,
        class_weight=None,
        sample_weight=None,
        initial_epoch=0,
        steps_per_epoch=None,
        validation_steps=None,
        validation_batch_size=None,
        validation_freq=1,
    ):
        """Train for `epochs` epochs; returns a `History` (`.history`: metric -> list per epoch).

        Args follow Keras's `Model.fit`. Data: NumPy arrays or tensors (lists and dicts of them
        by input/output name), a torch Dataset or DataLoader, or a Python generator of `(x, y)`
        or `(x, y, sample_weight)` batches (then give `steps_per_epoch`).
        """
        from strata.trainers.fit_loop import run_fit

        return run_fit(
            self,
            x,
            y,
            batch_size,
            epochs,
            verbose,
            callbacks,
            validation_split,
            validation_data,
            shuffle,
            class_weight,
            sample_weight,
            initial_epoch,
            steps_per_epoch,
            validation_steps,
            validation_batch_size,
            validation_freq,
        )

    def fit_generator(self, generator, steps_per_epoch=None, epochs=1, **kwargs):
        """Keras 2's name for fit on a generator."""
        return self.fit(generator, steps_per_epoch=steps_per_epoch, epochs=epochs, **kwargs)

    def evaluate(
        self,
        x=None,
        y=None,
        batch_size=None,
        verbose="auto",
        sample_weight=None,
        steps=None,
        callbacks=None,
        return_dict=False,
    ):
        """The loss and metrics on the given data (a scalar, a list, or a dict)."""
        from strata.trainers.fit_loop import run_evaluate

        return run_evaluate(
            self, x, y, batch_size, verbose, sample_weight, steps, callbacks, return_dict
        )

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """The model's outputs as NumPy arrays (a list or dict for several outputs)."""
        from strata.trainers.fit_loop import run_predict

        return run_predict(self, x, batch_size, verbose, steps, callbacks)

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
        """One training step on one batch; returns the loss (and metrics) of that batch."""
        self._build_from_batch(x)
        self._assert_compiled("train_on_batch")
        self.reset_metrics()
        xs, ys, weights = self._prepare_batch((x, y, sample_weight), warn_non_finite=True)
        if class_weight is not None:
            weights = class_weights_for(class_weight, ys, weights)
        self._begin_training_run()
        self.train()
        try:
            self._builtin_train_step(xs, ys, weights)
        finally:
            self.eval()
        return _format_result(self._metric_results(), return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        self._build_from_batch(x)
        self._assert_compiled("test_on_batch")
        self.reset_metrics()
        xs, ys, weights = self._prepare_batch((x, y, sample_weight), warn_non_finite=True)
        with torch.inference_mode():
            self._builtin_test_step(xs, ys, weights)
        return _format_result(self._metric_results(), return_dict)

    def predict_on_batch(self, x):
        from strata.backend.conversion import convert_to_numpy
        from strata.backend.keras_tensor import map_structure

        with torch.inference_mode():
            outputs = self(x, training=False)
        return map_structure(convert_to_numpy, outputs)

    def _assert_compiled(self, what):
        if not self.compiled:
            raise ValueError(
                f"{what}() expected a compiled model; call model.compile(optimizer, loss) first."
            )
        if not self._targets:
            self._resolve_targets()

    def _build_from_batch(self, x):
        from strata.trainers.fit_loop import _build_from_data

        _build_from_data(self, x)

    def _begin_training_run(self):
        """Build the optimizer on the current trainable weights (they change with freezing)."""
        self._train_forward = self._forward_and_loss
        if getattr(self, "jit_compile", False):
            # Only the pure part is compiled; optimizer, trackers and callbacks stay eager.
            self._train_forward = torch.compile(self._forward_and_loss)
        params = [w for w in self.trainable_weights if w.requires_grad]
        self.optimizer.build(params)
        self._regularized = self._collect_regularized()
        self._constrained = None
        self._has_constraints = bool(self._constrained_weights())
        self._has_penalties = any(self._regularized)


def _format_result(logs, return_dict):
    if return_dict:
        return logs
    # Keras's order for lists: the loss first, then the metrics.
    values = [logs["loss"]] if "loss" in logs else []
    values += [v for k, v in logs.items() if k != "loss"]
    return values[0] if len(values) == 1 else values


def _jsonable(value):
    from strata.saving.registry import serialize_keras_object

    try:
        return serialize_keras_object(value)
    except Exception:
        return None


def _from_jsonable(value, deserialize):
    if value is None:
        return None
    if isinstance(value, list):
        return [_from_jsonable(v, deserialize) for v in value]
    if isinstance(value, dict) and "class_name" not in value:
        return {k: _from_jsonable(v, deserialize) for k, v in value.items()}
    if isinstance(value, dict):
        from strata import losses, metrics

        for module in (losses, metrics):
            try:
                return module.deserialize(value)
            except ValueError:
                continue
    return value
