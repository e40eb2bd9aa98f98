"""Trainer: compile / fit / evaluate / predict, with a lean step on the hot path.

`fit` orchestrates; `train_step`, `test_step` and `predict_step` are small and overridable (Keras
3's torch-backend contract). When they are not overridden, the built-in steps run on flat lists of
device tensors: no structure munging, no host synchronisation, losses from logits.
"""

from __future__ import annotations

import torch

from strata.trainers import data_checks
from strata.trainers.compile_utils import LossTracker, resolve_targets
from strata.trainers.data_adapters import (
    ArrayAdapter,
    IterableAdapter,
    is_array,
    to_device,
    unpack_batch,
    wrap_dataset,
)
from strata.trainers.logs import LazyLogs


class Trainer:
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
        self._train_function = None
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
    def _output_names(self):
        if getattr(self, "outputs", None):
            return list(self.output_names)
        return [t.name for t in self._targets] or ["output"]

    def _flatten_targets(self, y):
        names = self._output_names()
        if y is None:
            return []
        if isinstance(y, dict):
            unknown = sorted(set(y) - set(names))
            missing = [n for n, t in zip(names, self._targets) if t.loss is not None and n not in y]
            if unknown or missing:
                raise ValueError(
                    f"Model '{self.name}' expected targets keyed by output names {names}; received "
                    f"keys {sorted(y)}"
                    + (f" (unknown: {unknown})" if unknown else "")
                    + (f" (missing: {missing})" if missing else "")
                    + "."
                )
            return [y.get(n) for n in names]
        if isinstance(y, (list, tuple)) and len(names) > 1:
            if len(y) != len(names):
                raise ValueError(
                    f"Model '{self.name}' expected {len(names)} targets {names}; received {len(y)}."
                )
            return list(y)
        if len(names) > 1:
            raise ValueError(
                f"Model '{self.name}' has {len(names)} outputs {names}: expected a list or dict of "
                f"targets; received a single {type(y).__name__}."
            )
        return [y]

    def _flatten_x(self, x):
        from strata.models.input_checks import order_like_inputs

        if hasattr(self, "inputs") and self.inputs:
            return order_like_inputs(self, x)
        return [x]

    def _prepare_batch(self, batch, warn_non_finite=False):
        """Flatten, check, move to the device and shape one batch (iterables and *_on_batch).

        Shapes and lengths are checked on every batch (a few comparisons, no device read); the
        NaN/inf scan reads the device, so only the batches that ask for it get one.
        """
        x, y, weights = unpack_batch(batch)
        xs = [to_device(v) for v in self._flatten_x(x)]
        ys = [to_device(v) for v in self._flatten_targets(y)]
        weights = to_device(weights)
        xs = self._check_data(xs, ys, weights, warn_non_finite)
        if ys:
            ys = data_checks.shape_targets(self._targets, ys)
        return xs, ys, weights

    def _check_data(self, xs, ys, weights, warn_non_finite=True):
        """Checks before any step: targets present, lengths, input shapes; inputs cast to the
        dtype of their Input (Keras feeds integer arrays to float models)."""
        names = self._output_names()
        if self.compiled and not ys and any(t.loss is not None for t in self._targets):
            raise ValueError(
                f"Model '{self.name}' was compiled with a loss, so it expected targets y for "
                f"outputs {names}; received none."
            )
        data_checks.check_lengths(xs, ys, weights, self._input_names(), names)
        if hasattr(self, "inputs") and self.inputs:
            data_checks.check_inputs(self, xs)
            xs = data_checks.cast_to_input_dtypes(self, xs)
        if warn_non_finite:
            data_checks.warn_non_finite(
                [(f"Input '{n}'", v) for n, v in zip(self._input_names(), xs)]
                + [(f"Target '{n}'", v) for n, v in zip(names, ys)]
            )
        return xs

    def _array_adapter(self, x, y, sample_weight, batch_size, shuffle, class_weight, steps, check):
        xs = [to_device(v) for v in self._flatten_x(x)]
        ys = [to_device(v) for v in self._flatten_targets(y)]
        weights = to_device(sample_weight)
        if check:
            xs = self._check_data(xs, ys, weights)
        if ys and self.compiled:
            ys = data_checks.shape_targets(self._targets, ys)
        if class_weight is not None:
            weights = _class_weights(class_weight, ys, weights)
        return ArrayAdapter(xs, ys, weights, batch_size or 32, shuffle=shuffle, steps=steps)

    def _input_names(self):
        return list(getattr(self, "input_names", None) or ["input"])

    def _make_adapter(self, x, y, sample_weight, batch_size, shuffle, class_weight, steps, check):
        if is_array(x):
            return self._array_adapter(
                x, y, sample_weight, batch_size, shuffle, class_weight, steps, check
            )
        if y is not None:
            raise ValueError(
                "y expected None when x is a generator, Dataset or DataLoader (it yields "
                f"(x, y) batches itself); received {type(y).__name__}."
            )
        source = wrap_dataset(x, batch_size or 32, shuffle)
        scanned = []

        def prepare(batch):
            # The first batch of each run is scanned for NaN/inf too, before its step.
            first = not scanned
            scanned.append(True) if first else None
            return self._prepare_batch(batch, warn_non_finite=first)

        return IterableAdapter(source, prepare, steps=steps)

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
            weights = _class_weights(class_weight, ys, weights)
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


def _class_weights(class_weight, ys, weights):
    if not ys:
        raise ValueError("class_weight expected targets y; received none.")
    y = ys[0]
    labels = (
        y.argmax(-1) if y.ndim > 1 and y.shape[-1] > 1 else y.reshape(y.shape[0]).round().long()
    )
    table_size = max(int(labels.max()) + 1, max(class_weight) + 1)
    table = torch.ones(table_size, device=y.device)
    for cls, value in class_weight.items():
        table[int(cls)] = float(value)
    per_row = table[labels]
    return per_row if weights is None else per_row * weights


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
