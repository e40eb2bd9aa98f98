"""Trainer: compile / fit / evaluate / predict, with a lean step on the hot path.

`fit` orchestrates; `train_step`, `test_step` and `predict_step` are small and overridable (Keras
3's torch-backend contract). When they are not overridden, the built-in steps run on flat lists of
device tensors: no structure munging, no host synchronisation, losses from logits.
"""

from __future__ import annotations

import contextlib

import torch

from strata.trainers.compile_utils import CompileMetrics, LossTracker, resolve_targets
from strata.trainers.data_adapters import (
    unpack_batch,
)
from strata.trainers.data_plumbing import DataPlumbingMixin, class_weights_for
from strata.trainers.logs import LazyLogs


class Trainer(DataPlumbingMixin):
    def __init__(self):
        self.compiled = False
        self.optimizer = None
        self.stop_training = False
        self.history = None
        self._targets = []
        self._compile_config = None
        self._engine = None  # the run in progress, or the last one (see trainers/engine.py)

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
        from strata.backend import arguments

        arguments.integer("compile()", "steps_per_execution", steps_per_execution)
        if jit_compile not in (True, False, "auto"):
            raise ValueError(
                f"compile() expected jit_compile True, False or 'auto'; received {jit_compile!r}."
            )
        _check_loss_weights(loss_weights)
        self.optimizer = _with_loss_scaling(self, optimizers.get(optimizer))
        self._engine = None
        self._compile_args = (loss, loss_weights, metrics, weighted_metrics)
        self._targets = []
        self._loss_tracker = LossTracker("loss")
        self._output_loss_trackers = []
        self._compile_metrics = CompileMetrics(self) if (metrics or weighted_metrics) else None
        self._output_losses_tracked = False
        self._loss_terms, self._metric_targets, self._multi_output = [], [], False
        if getattr(self, "built", False) and any(a is not None for a in self._compile_args):
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
        """Keras 3's list: the loss tracker, the compiled metrics as one `compile_metrics`
        object (when compile was given metrics), then, for several outputs once a step has
        run, each output's loss tracker. Subclasses may override it (custom `train_step`s)."""
        found = [self._loss_tracker] if self.compiled else []
        if self.compiled and self._compile_metrics is not None:
            found.append(self._compile_metrics)
        if len(self._targets) > 1 and self._output_losses_tracked:
            found += [t for t, o in zip(self._output_loss_trackers, self._targets) if o.loss]
        return found

    @property
    def metrics_names(self):
        """`[m.name for m in model.metrics]`, as Keras 3 answers (`["loss", "compile_metrics"]`);
        the keys of `evaluate(..., return_dict=True)` name every value."""
        return [m.name for m in self.metrics]

    def get_metrics_result(self):
        """Every metric's current result by log name (compiled metrics expanded), as tensors."""
        found = {}
        for metric in self.metrics:
            result = metric.result()
            if isinstance(result, dict):
                found.update(result)
            else:
                found[metric.name] = result
        return found

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        """Update the compiled metrics with one batch and return every metric's result.

        For custom `train_step`s (Keras 3's seam): `y_pred` as the model returns it
        (probabilities for a softmax output). The loss tracker is not updated here.
        """
        self._assert_compiled("compute_metrics")
        if self._compile_metrics is not None:
            self._compile_metrics.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def reset_metrics(self):
        for metric in self.metrics:
            metric.reset_state()

    def _metric_keys(self):
        multi = len(self._targets) > 1
        for target in self._targets:
            plain = {m.name for m in target.metrics if not m._strata_weighted}
            for metric in target.metrics:
                name = metric.name
                if metric._strata_weighted and name in plain:
                    name = f"weighted_{name}"  # Keras's key when both lists hold the metric
                yield (f"{target.name}_{name}" if multi else name), metric
        yield "loss", self._loss_tracker
        if multi:
            for tracker, target in zip(self._output_loss_trackers, self._targets):
                if target.loss is not None:
                    yield tracker.name, tracker

    def _metric_results(self, synchronize=False):
        """Epoch logs as floats: one read from the device for all metrics together.

        With `synchronize` under a data-parallel run, every metric's state is added up over the
        processes first (one collective), so each process reports the same, exact values.
        """
        from strata.distribution import distribution

        keys, metrics = zip(*self._metric_keys()) if self.compiled else ((), ())
        active = distribution() if synchronize else None
        if active is not None and active.num_processes > 1:
            results = active.reduced_results(metrics)
        else:
            results = [metric.result() for metric in metrics]
        values = [torch.as_tensor(r).detach().float().cpu() for r in results]
        # Keras's logs list their keys in sorted order. A metric with one value per class
        # (F1Score(), R2Score(class_aggregation=None)) logs an array, as in Keras.
        return {
            k: float(v) if v.numel() == 1 else v.numpy()
            for k, v in sorted(zip(keys, values), key=lambda kv: kv[0])
        }

    def _lazy_logs(self):
        return LazyLogs(lambda: self._metric_results())

    # -------------------------------------------------------------------------------- forward
    def _flat_forward(self, xs, training, logits=False):
        """The outputs as a flat list, for inputs given as a flat list in the model's order.

        Functional models run their plan (with `logits`, softmax/sigmoid outputs trained from
        their logits stop before the activation); other models are called on the structure.
        """
        from strata.backend.keras_tensor import flatten

        structured = xs[0] if len(xs) == 1 else xs
        return flatten(self(structured, training=training))

    # ---------------------------------------------------------------------------------- steps
    def _compiled_loss(self, ys, outputs, weights, terms=None):
        """The weighted sum of the compiled per-output losses (None without any), and each.

        `terms` are `(output index, loss, weight)`; by default the training terms, whose
        softmax/sigmoid outputs are logits.
        """
        total, per_output = None, [None] * len(self._targets)
        for index, loss_fn, weight in self._loss_terms if terms is None else terms:
            value = loss_fn(ys[index], outputs[index], sample_weight=weights)
            per_output[index] = value
            weighted = value if weight == 1.0 else value * weight
            total = weighted if total is None else total + weighted
        return total, per_output

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The compiled loss of `y_pred` against `y`, plus `self.losses` (Keras 3's seam).

        For custom `train_step`s that run their own forward pass: `y_pred = self(x)`, then
        `loss = self.compute_loss(y=y, y_pred=y_pred)`. The compiled losses apply to the
        outputs as the model returns them (probabilities for a softmax output); `self.losses`
        adds the weight penalties and the `add_loss` values of the last call.
        """
        from strata.backend.keras_tensor import flatten
        from strata.trainers import data_checks
        from strata.trainers.data_adapters import to_device

        self._assert_compiled("compute_loss")
        outputs = flatten(y_pred)
        ys = [to_device(v) for v in self._flatten_targets(y)] if y is not None else []
        if ys:
            ys = data_checks.shape_targets(self._targets, ys)
        total = None
        if ys:
            terms = [(t.index, t.output_loss, t.weight) for t in self._targets if t.output_loss]
            total, _ = self._compiled_loss(ys, outputs, to_device(sample_weight), terms)
        for extra in self.losses:
            total = extra if total is None else total + extra
        if total is None:
            raise ValueError(
                "compute_loss found no loss: compile(loss=...) with targets y, or add_loss in a "
                "layer, is required."
            )
        return total

    def _track_output_losses(self, per_output, batch):
        if self._multi_output:
            self._output_losses_tracked = True
            for tracker, value in zip(self._output_loss_trackers, per_output):
                if value is not None:
                    tracker.update(value.detach(), batch)

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

    def _step_engine(self, what):
        """The engine that direct step calls use: the running one, else a fresh one."""
        self._assert_compiled(what)
        engine = self._engine
        if engine is not None and engine.running:
            return engine  # inside fit: its engine, checked when the run began
        if engine is None or not engine.training or not engine.is_current():
            from strata.trainers.engine import Engine

            engine = self._engine = Engine(self, training=True)
        return engine

    def train_step(self, data):
        """One optimisation step on `data = (x, y)` or `(x, y, sample_weight)`; returns the logs.

        Works inside `fit` (where subclasses may override it and call `super().train_step`)
        and on its own after `compile`.
        """
        self._build_from_batch(unpack_batch(data)[0])
        engine = self._step_engine("train_step")
        xs, ys, weights = self._prepare_batch(data)
        was_training = self.training
        self.train()
        try:
            with _whole_model(engine):
                engine.train_step(xs, ys, weights)
        finally:
            self.train(was_training)
        return self._lazy_logs()

    def test_step(self, data):
        """One evaluation step on `data = (x, y)` or `(x, y, sample_weight)`; returns the logs."""
        self._build_from_batch(unpack_batch(data)[0])
        engine = self._step_engine("test_step")
        xs, ys, weights = self._prepare_batch(data)
        with torch.no_grad(), _whole_model(engine):
            engine.test_step(xs, ys, weights)
        return self._lazy_logs()

    def predict_step(self, data):
        """The model's outputs for one batch of inputs (`x`, or a tuple whose first item is x)."""
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
        cache_frozen="auto",
    ):
        """Train for `epochs` epochs; returns a `History` (`.history`: metric -> list per epoch).

        Args follow Keras's `Model.fit`. Data: NumPy arrays or tensors (lists and dicts of them
        by input/output name), a torch Dataset or DataLoader, or a Python generator of `(x, y)`
        or `(x, y, sample_weight)` batches (then give `steps_per_epoch`).

        `cache_frozen` (strata's addition): when the layers that feed the trainable ones are
        frozen and deterministic in training, compute their outputs once per dataset and train
        the rest on them. "auto" (default) caches when it can and the frozen layers hold
        weights; True insists (a ValueError names the layer that prevents it); False never
        caches. `History.cache_report` says what was cached (docs/frozen-cache.md).
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
            cache_frozen,
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
        engine = self._step_engine("train_on_batch")
        self.train()
        try:
            engine.train_step(xs, ys, weights)
        finally:
            self.eval()
        return _format_result(self, self._metric_results(), return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        self._build_from_batch(x)
        self._assert_compiled("test_on_batch")
        self.reset_metrics()
        xs, ys, weights = self._prepare_batch((x, y, sample_weight), warn_non_finite=True)
        from strata.trainers.engine import Engine

        with torch.inference_mode():
            Engine(self, training=False).test_step(xs, ys, weights)
        return _format_result(self, self._metric_results(), return_dict)

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
        if not self._targets and any(arg is not None for arg in self._compile_args):
            self._resolve_targets()

    def _build_from_batch(self, x):
        from strata.trainers.fit_loop import _build_from_data

        _build_from_data(self, x)


def _check_loss_weights(loss_weights) -> None:
    from strata.backend import arguments

    if isinstance(loss_weights, dict):
        values = list(loss_weights.values())
    elif isinstance(loss_weights, (list, tuple)):
        values = list(loss_weights)
    else:
        values = [loss_weights]
    for weight in values:
        if weight is not None:
            arguments.number("compile()", "every loss weight", weight)


def _format_result(model, logs, return_dict):
    if return_dict:
        return logs
    return _values_in_keras_order(model, logs)


def _values_in_keras_order(model, logs):
    """Keras 3's order for the lists of `evaluate` and `*_on_batch`: the names of
    `model.metrics` found in the logs (compiled metrics by their own names), in that order,
    then the other keys sorted. One value alone comes back as a scalar."""
    names = []
    for metric in model.metrics:
        inner = getattr(metric, "metrics", None) if isinstance(metric, CompileMetrics) else None
        names += [m.name for m in inner] if inner is not None else [metric.name]
    ordered = []
    for name in names:
        if name in logs and name not in ordered:
            ordered.append(name)
    ordered += sorted(k for k in logs if k not in ordered)
    values = [logs[k] for k in ordered]
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

        # Metric and loss classes share names (KLDivergence, Hinge...): the saved module says
        # which one this is ("strata.metrics...", "keras.metrics").
        is_metric = ".metrics" in str(value.get("module", ""))
        for module in (metrics, losses) if is_metric else (losses, metrics):
            try:
                return module.deserialize(value)
            except ValueError:
                continue
    return value


def _with_loss_scaling(model, optimizer):
    """Keras wraps the optimizer of a mixed_float16 model in a LossScaleOptimizer: float16's
    small range would flush small gradients to zero without it."""
    from strata.optimizers import LossScaleOptimizer

    policy = getattr(model, "dtype_policy", None)
    if (
        policy is not None
        and policy.name == "mixed_float16"
        and optimizer is not None
        and not isinstance(optimizer, LossScaleOptimizer)
    ):
        return LossScaleOptimizer(optimizer)
    return optimizer


def _whole_model(engine):
    """Direct step calls get raw inputs: inside a fit training on cached frozen-layer features,
    they run the whole model for the duration of the call."""
    cache = engine.frozen_cache
    if cache is not None and cache.active:
        return cache.whole_model()
    return contextlib.nullcontext()
