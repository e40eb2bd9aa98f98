"""What `compile` resolves once: a loss and metrics per output, loss weights, logits routes.

Losses, metrics and loss weights may be given as one value, a list (in output order) or a dict
keyed by output name, as in Keras. An output whose last activation is softmax or sigmoid and
whose loss is the matching crossentropy trains from its logits (`log_softmax`,
`binary_cross_entropy_with_logits`): faster and numerically stable (DESIGN.md).
"""

from __future__ import annotations

import warnings

import torch

from strata import activations, losses, metrics

_SEED_003_TABLE = (
    "Per seed 003's table of last-layer activation and loss: binary classification -> sigmoid + "
    "binary_crossentropy; multiclass, single-label -> softmax + categorical_crossentropy; "
    "multiclass, multi-label -> sigmoid + binary_crossentropy; regression to arbitrary values -> "
    "no activation + mse; regression to values in [0, 1] -> sigmoid + mse or binary_crossentropy."
)


class LossActivationWarning(UserWarning):
    """A loss that does not suit the output's last activation."""


def per_output(value, output_names, what):
    """A list aligned with the outputs from one value, a list or a dict."""
    count = len(output_names)
    if isinstance(value, dict):
        unknown = sorted(set(value) - set(output_names))
        if unknown:
            raise ValueError(
                f"compile() {what} expected keys among the output names {output_names}; "
                f"received unknown key(s) {unknown}."
            )
        return [value.get(name) for name in output_names]
    if what == "metrics" and isinstance(value, (list, tuple)):
        nested = all(v is None or isinstance(v, (list, tuple, dict)) for v in value)
        if count == 1 or not nested:
            # One flat list: the same metrics for every output (fresh objects for each).
            return [value] + [_fresh_copies(value) for _ in range(count - 1)]
    if isinstance(value, (list, tuple)):
        if len(value) != count:
            raise ValueError(
                f"compile() {what} expected one entry per output ({count}: {output_names}); "
                f"received {len(value)}."
            )
        return list(value)
    if what == "loss_weights" and value is not None and count > 1:
        raise ValueError(
            f"compile() loss_weights expected a list or dict for {count} outputs; "
            f"received {value!r}."
        )
    return [value] * count if what != "loss_weights" else [value]


def output_names_and_shapes(model):
    """Output names and shapes: from the graph, or from the probe call of a subclassed model."""
    outputs = getattr(model, "outputs", None)
    if outputs:
        return list(model.output_names), [tuple(t.shape) for t in outputs]
    shapes = getattr(model, "_probe_output_shapes", None)
    if shapes is None:
        raise ValueError(
            f"Model '{model.name}' does not know its outputs yet: expected it to be called on "
            "data (fit/evaluate do this with array data) before compile's losses are resolved."
        )
    names = ["output"] if len(shapes) == 1 else [f"output_{i + 1}" for i in range(len(shapes))]
    return names, shapes


def _fresh_copies(spec):
    import copy

    return [copy.deepcopy(item) if isinstance(item, metrics.Metric) else item for item in spec]


def _last_activation(model, output_index):
    """(layer, activation function) producing output `output_index`, when it has one."""
    outputs = getattr(model, "outputs", None)
    tensor = outputs[output_index] if outputs else None
    if tensor is None or tensor._keras_history is None:
        return None, None
    layer, _, tensor_index = tensor._keras_history
    if tensor_index != 0 or len(tensor.node.output_tensors) != 1:
        return None, None
    return layer, getattr(layer, "activation", None)


def _loss_kind(loss) -> str | None:
    if isinstance(loss, losses.BinaryCrossentropy):
        return "binary"
    if isinstance(loss, losses.CategoricalCrossentropy):
        return "categorical"
    if isinstance(loss, losses.SparseCategoricalCrossentropy):
        return "sparse"
    return None


class OutputTarget:
    """Everything compile decided for one output."""

    def __init__(
        self, name, index, loss, weight, metric_list, logits_layer, activation, shape, output_loss
    ):
        self.name = name
        self.index = index
        self.loss = loss
        self.weight = weight
        self.metrics = metric_list
        self.logits_layer = logits_layer  # the layer whose pre-activation feeds the loss
        self.activation = activation  # applied to logits for metrics and predictions
        self.shape = shape
        # The loss as compiled, on the output's own values (probabilities for a softmax):
        # what `compute_loss` applies to outputs of a plain `model(x)` call.
        self.output_loss = output_loss


def warn_on_mismatch(name, activation, loss, units):
    kind = _loss_kind(loss)
    if kind is None or getattr(loss, "from_logits", False):
        return
    message = None
    if activation is activations.softmax and kind == "binary":
        message = (
            f"Output '{name}' ends in softmax but is trained with binary_crossentropy: softmax "
            "couples the units, binary_crossentropy treats them as independent yes/no answers."
        )
    elif activation is activations.sigmoid and kind == "categorical" and units == 1:
        message = (
            f"Output '{name}' is a single sigmoid unit trained with categorical_crossentropy: "
            "with one column the loss is constant and nothing is learned."
        )
    elif activation is activations.softmax and units == 1:
        message = f"Output '{name}' is a softmax over one unit: it is always 1."
    elif activation is activations.linear and kind in ("binary", "categorical"):
        message = (
            f"Output '{name}' has no activation but is trained with {loss.name}, which expects "
            "probabilities: values outside [0, 1] are clipped and give no gradient. End the "
            "output in sigmoid/softmax, or pass from_logits=True to the loss."
        )
    if message:
        warnings.warn(f"{message} {_SEED_003_TABLE}", LossActivationWarning, stacklevel=4)


def resolve_targets(model, loss, loss_weights, metric_spec, weighted_metric_spec):
    """One OutputTarget per model output (loss None for outputs trained without a loss)."""
    names, output_shapes = output_names_and_shapes(model)
    loss_list = per_output(loss, names, "loss")
    weight_list = per_output(loss_weights, names, "loss_weights")
    if len(weight_list) == 1 and len(names) > 1:
        weight_list = [None] * len(names)
    metric_lists = per_output(metric_spec, names, "metrics")
    weighted_lists = per_output(weighted_metric_spec, names, "metrics")
    if loss is not None and all(item is None for item in loss_list):
        raise ValueError(f"compile() loss expected a loss for at least one of {names}.")
    targets = []
    for index, name in enumerate(names):
        loss_obj = losses.to_loss(loss_list[index]) if loss_list[index] is not None else None
        layer, activation = _last_activation(model, index)
        units = output_shapes[index][-1] if output_shapes[index] else None
        warn_on_mismatch(name, activation, loss_obj, units)
        logits_layer, train_loss = None, loss_obj
        kind = _loss_kind(loss_obj)
        if (
            kind is not None
            and not loss_obj.from_logits
            and hasattr(layer, "call_without_activation")
            and (
                (activation is activations.softmax and kind in ("categorical", "sparse"))
                or (activation is activations.sigmoid and kind == "binary")
            )
        ):
            logits_layer = layer
            train_loss = type(loss_obj).from_config({**loss_obj.get_config(), "from_logits": True})
        weight = 1.0 if weight_list[index] is None else float(weight_list[index])
        metric_list = _metrics_for(metric_lists[index], loss_obj, output_shapes[index], False)
        metric_list += _metrics_for(weighted_lists[index], loss_obj, output_shapes[index], True)
        target = OutputTarget(
            name,
            index,
            train_loss,
            weight,
            metric_list,
            logits_layer,
            activation if logits_layer is not None else None,
            output_shapes[index],
            loss_obj,
        )
        targets.append(target)
    return targets


def _metrics_for(spec, loss, output_shape, weighted):
    if spec is None:
        return []
    if not isinstance(spec, (list, tuple)):
        spec = [spec]
    resolved = []
    for identifier in spec:
        metric = metrics.resolve_metric(identifier, loss=loss, y_pred_shape=output_shape)
        metric._strata_weighted = weighted
        resolved.append(metric)
    return resolved


class LossTracker:
    """Running mean of a scalar per batch, weighted by batch size, kept on the device.

    Values are appended as detached tensors (no arithmetic on the step path) and folded into a
    sum when read.
    """

    def __init__(self, name):
        self.name = name
        self.reset_state()

    def reset_state(self):
        self._values, self._sizes = [], []
        self._sum, self._count = None, 0

    def update(self, value, size):
        self._values.append(value)
        self._sizes.append(size)

    def _fold(self):
        if self._values:
            stacked = torch.stack([v.float() for v in self._values])
            sizes = torch.tensor(self._sizes, dtype=stacked.dtype, device=stacked.device)
            total = (stacked * sizes).sum()
            self._sum = total if self._sum is None else self._sum + total
            self._count += sum(self._sizes)
            self._values, self._sizes = [], []

    def result(self):
        self._fold()
        if self._sum is None:
            return torch.tensor(0.0)
        return self._sum / self._count

    @property
    def variables(self):
        """The state as tensors `[sum, count]`: what a data-parallel run adds up over processes."""
        self._fold()
        total = self._sum if self._sum is not None else torch.tensor(0.0)
        return [total, torch.tensor(float(self._count), device=total.device)]

    def stateless_result(self, variables):
        """The result for state `variables` (as `variables` gives them), leaving ours alone."""
        total, count = variables
        return total / count if float(count) else torch.tensor(0.0)

    def update_state(self, values, sample_weight=None):
        """Keras's form for custom steps: add one batch's loss (weight 1, or `sample_weight`)."""
        value = values if isinstance(values, torch.Tensor) else torch.as_tensor(values)
        size = 1 if sample_weight is None else float(sample_weight)
        self.update(value.detach().float().mean(), size)


class CompileMetrics:
    """The compiled metrics of every output as one metric, named "compile_metrics" (Keras 3).

    `model.metrics` lists it after the loss tracker; custom `train_step`s update it with the
    whole `(y, y_pred)` and its `result()` is a dict keyed as the logs are (`"mae"`, or
    `"out_a_mae"` for several outputs).
    """

    name = "compile_metrics"

    def __init__(self, model):
        self._model = model

    @property
    def metrics(self) -> list:
        return [m for target in self._model._targets for m in target.metrics]

    def update_state(self, y_true, y_pred, sample_weight=None):
        from strata.backend.keras_tensor import flatten
        from strata.trainers import data_checks
        from strata.trainers.data_adapters import to_device

        model = self._model
        ys = [to_device(v) for v in model._flatten_targets(y_true)]
        ys = data_checks.shape_targets(model._targets, ys)
        outputs = [o.detach() for o in flatten(y_pred)]
        model._update_metrics(ys, outputs, to_device(sample_weight), logits=False)

    def result(self) -> dict:
        return {
            key: metric.result()
            for key, metric in self._model._metric_keys()
            if key != "loss" and metric in self.metrics
        }

    def reset_state(self):
        for metric in self.metrics:
            metric.reset_state()

    @property
    def variables(self) -> list:
        return [v for metric in self.metrics for v in getattr(metric, "variables", [])]

    def __repr__(self):
        return f"<CompileMetrics of {[m.name for m in self.metrics]}>"
