"""Per-layer activation statistics from a probe forward pass (SELU self-normalization checks).

`activation_stats(model, x)` runs `x` through the model once in inference mode and returns the
mean and standard deviation of every layer's output; the `ActivationStats` callback does the
same at the end of each epoch and records the numbers into the epoch's logs (so into the
History). `GradientMonitor` reuses the probe to find dead ReLUs.

A functional model runs its layers through a precomputed plan rather than through
`Module.__call__`, so forward hooks would not see them; the probe instead runs the plan itself
and reads each layer's output from the plan's slots, and recurses into nested functional
models with the values that reach them. Layers called through `__call__` (inside subclassed
models) are seen with forward hooks.
"""

from __future__ import annotations

import torch

from strata.backend import arguments
from strata.callbacks.callback import Callback


def leaf_layers(model, prefix=""):
    """(path, layer) for every layer that is not a model or an input, nested models expanded.

    The path is the layer's name, prefixed by the names of the models holding it below the top
    one (`"encoder/dense"`), so layers of two nested models never share a key.
    """
    from strata.layers.core.input_layer import InputLayer
    from strata.models.model import Model

    found = []
    for layer in model.layers:
        if isinstance(layer, InputLayer):
            continue
        if isinstance(layer, Model):
            found += leaf_layers(layer, f"{prefix}{layer.name}/")
        else:
            found.append((f"{prefix}{layer.name}", layer))
    return found


def model_input_tensors(model, x) -> list[torch.Tensor]:
    """`x` (array, tensor, list or dict) as tensors on the model's device, in inputs order."""
    from strata.trainers.data_adapters import to_device

    if getattr(model, "inputs", None):
        from strata.trainers.input_checks import flatten_model_inputs

        return [to_device(t) for t in flatten_model_inputs(model, x)]
    if isinstance(x, (list, tuple)):
        return [to_device(v) for v in x]
    return [to_device(x)]


def layer_outputs(model, flat_inputs, layers) -> dict:
    """Runs the model once in inference mode; returns id(layer) -> list of its output tensors.

    Args:
        model: A strata model.
        flat_inputs: Input tensors in the order of `model.inputs`.
        layers: The layers whose outputs are wanted.
    """
    found: dict[int, list[torch.Tensor]] = {}

    def record(layer, _inputs, output):
        found.setdefault(id(layer), []).extend(_tensors(output))

    # Hooks fire inside functional plans too (nested models included), so one call finds them.
    handles = [layer.register_forward_hook(record) for layer in layers]
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            structured = _structured_inputs(model, list(flat_inputs))
            model(structured, training=False)
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)
    return found


def _structured_inputs(model, flat_inputs):
    structure = getattr(model, "_input_structure", None)
    if isinstance(structure, (list, dict)):
        from strata.backend.keras_tensor import pack_like

        return pack_like(structure, flat_inputs)
    return flat_inputs[0] if len(flat_inputs) == 1 else flat_inputs


def _tensors(output) -> list[torch.Tensor]:
    from strata.backend.keras_tensor import flatten

    return [t for t in flatten(output) if isinstance(t, torch.Tensor)]


def activation_stats(model, x, layers=None) -> dict:
    """The mean and standard deviation of each layer's output on `x`.

    Use it to check self-normalization: in a SELU network with LeCun normal initialization
    and standardized inputs, every layer's output keeps a mean near 0 and a standard
    deviation near 1.

    Args:
        model: A built strata model.
        x: Input data for one probe pass (an array, tensor, list or dict, as for `predict`).
        layers: Optional list of layer paths (see `leaf_layers`) to restrict the result to.

    Returns:
        A dict of layer path -> `{"mean": float, "std": float}`, in the model's layer order.

    Example:
        >>> import numpy as np, strata
        >>> from strata import layers
        >>> model = strata.Sequential([
        ...     layers.Dense(8, activation="relu", input_shape=(4,), name="hidden"),
        ...     layers.Dense(1, name="out")])
        >>> stats = activation_stats(model, np.ones((16, 4), dtype="float32"))
        >>> sorted(stats), sorted(stats["hidden"])
        (['hidden', 'out'], ['mean', 'std'])
    """
    if not getattr(model, "built", False):
        model._build_for(tuple(torch.as_tensor(x).shape))
    selected = leaf_layers(model)
    if layers is not None:
        unknown = sorted(set(layers) - {path for path, _ in selected})
        if unknown:
            raise ValueError(
                f"activation_stats expected layer paths among {[p for p, _ in selected]}; "
                f"received unknown {unknown}."
            )
        selected = [(path, layer) for path, layer in selected if path in set(layers)]
    outputs = layer_outputs(model, model_input_tensors(model, x), [lay for _, lay in selected])
    stats = {}
    for path, layer in selected:
        tensors = [t for t in outputs.get(id(layer), []) if t.is_floating_point()]
        if not tensors:
            continue
        flat = torch.cat([t.detach().reshape(-1).double() for t in tensors])
        pair = torch.stack([flat.mean(), flat.std(unbiased=False)]).cpu().tolist()
        stats[path] = {"mean": pair[0], "std": pair[1]}
    return stats


class ActivationStats(Callback):
    """Records each layer's activation mean and std at the end of every `freq`-th epoch.

    The probe data is `x` when given, else the first `max_samples` samples of the validation
    data. The logs (and so the History) get the keys `act_mean/<layer>` and `act_std/<layer>`;
    `self.stats` keeps every epoch's dict of `activation_stats`.

    Args:
        x: Probe inputs; None to use the validation data that `fit` received.
        freq: Record every `freq` epochs.
        max_samples: Most samples of the validation data used for the probe.
        layers: Optional list of layer paths to record (all leaf layers by default).

    Example:
        >>> import numpy as np, strata
        >>> from strata import layers
        >>> x = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
        >>> model = strata.Sequential([layers.Dense(8, activation="selu", input_shape=(4,),
        ...     kernel_initializer="lecun_normal", name="selu_1"), layers.Dense(1, name="out")])
        >>> model.compile(optimizer="sgd", loss="mse")
        >>> history = model.fit(x, x[:, :1], epochs=2, verbose=0,
        ...                     callbacks=[ActivationStats(x=x)])
        >>> len(history.history["act_std/selu_1"])
        2
    """

    # Its effects are output only: in a data-parallel run the first process alone runs it.
    _chief_only = True
    _only_reports = True

    def __init__(self, x=None, freq=1, max_samples=1024, layers=None):
        super().__init__()
        if not isinstance(freq, int) or freq < 1:
            raise ValueError(f"ActivationStats expected freq >= 1; received {freq!r}.")
        arguments.integer("ActivationStats", "max_samples", max_samples)
        self.x = x
        self.freq = freq
        self.max_samples = max_samples
        self.layers = layers
        self.stats = []

    def _probe_inputs(self):
        if self.x is not None:
            return self.x
        if self.validation_data is None:
            return None
        x = self.validation_data[0]
        if isinstance(x, dict):
            return {k: v[: self.max_samples] for k, v in x.items()}
        if isinstance(x, (list, tuple)):
            return [v[: self.max_samples] for v in x]
        return x[: self.max_samples]

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % self.freq:
            return
        x = self._probe_inputs()
        if x is None:
            return
        stats = activation_stats(self.model, x, layers=self.layers)
        self.stats.append(stats)
        if logs is not None:
            for path, values in stats.items():
                logs[f"act_mean/{path}"] = values["mean"]
                logs[f"act_std/{path}"] = values["std"]
