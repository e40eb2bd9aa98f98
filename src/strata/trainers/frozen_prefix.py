"""The frozen prefix of a functional model: the layers `fit` may run once per dataset.

The prefix is the largest set of layer calls, starting from the model's inputs, whose layers are
frozen (no weight that trains) and deterministic in training, and whose outputs are not model
outputs. The trainable rest sees the prefix only through a *cut*: the tensors that prefix calls
(or the model's inputs) hand to the rest. `split_model` returns two plans, one from the inputs
to the cut and one from the cut to the outputs, or the reason there is nothing to cache.

The module never imports `strata.models` (the trainers sit below the models): it reads a model's
node graph and plan through the methods every functional model has.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

# Layers random in training, or whose training call updates state: never cached.
_RANDOM_LAYERS = {
    "Dropout": "is random in training",
    "SpatialDropout1D": "is random in training",
    "SpatialDropout2D": "is random in training",
    "SpatialDropout3D": "is random in training",
    "GaussianNoise": "is random in training",
    "GaussianDropout": "is random in training",
    "AlphaDropout": "is random in training",
    "RReLU": "is random in training",
    "SpectralNormalization": "updates its power-iteration state in training",
    "ActivityRegularization": "adds a loss in training",
}
# Layers whose call takes `training` but that compute the same in training when their dropout
# rates are zero (checked separately) and, for BatchNormalization, when frozen.
_SAFE_WITH_TRAINING = {
    "InputLayer",
    "BatchNormalization",
    "RNN",
    "SimpleRNN",
    "LSTM",
    "GRU",
    "SimpleRNNCell",
    "LSTMCell",
    "GRUCell",
    "StackedRNNCells",
    "Bidirectional",
    "TimeDistributed",
    "ConvLSTM1D",
    "ConvLSTM2D",
    "ConvLSTM3D",
    "ConvLSTMCell",
    "Attention",
    "AdditiveAttention",
    "MultiHeadAttention",
    "GroupedQueryAttention",
    "TorchModuleWrapper",
    "Pipeline",
}


@dataclass
class Split:
    """A model cut in two: `prefix` (inputs -> cut tensors) and `suffix` (cut -> outputs)."""

    prefix: object  # a Plan from the model's inputs to the computed cut tensors
    suffix: object  # a Plan from all cut tensors to the model's (training) outputs
    layers: list  # the layers of the prefix, in call order, each once
    cut_sources: list  # per cut tensor: ("input", index) or ("feature", index)
    weighted: bool  # whether a prefix layer holds weights (caching then saves real work)
    stopped_at: str | None = None  # why the prefix ends where it does, when a layer ends it


def random_reason(layer) -> str | None:
    """Why `layer` (or a module inside it) may compute differently on each training call."""
    from strata.layers.layer import Layer
    from strata.layers.preprocessing._base import ImageAugmentation

    for module in layer.modules():
        kind = type(module).__name__
        if _zero_rate(module):
            continue  # a dropout of rate 0 (inside attention layers, say) changes nothing
        if isinstance(module, torch.nn.modules.dropout._DropoutNd):
            return f"{kind} inside '{layer.name}' is random in training"
        if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
            return f"torch {kind} inside '{layer.name}' normalizes with batch statistics"
        if not isinstance(module, Layer):
            continue
        where = _where(module, layer)
        if isinstance(module, ImageAugmentation) or kind.startswith("Random"):
            return f"{where} is an augmentation layer (it changes data in training)"
        if kind in _RANDOM_LAYERS:
            return f"{where} {_RANDOM_LAYERS[kind]}"
        if getattr(module, "activity_regularizer", None) is not None:
            return f"{where} has an activity_regularizer (it adds a loss in training)"
        if getattr(module, "stateful", False):
            return f"{where} is stateful (its output depends on the previous batches)"
        for rate in ("dropout", "recurrent_dropout"):
            value = getattr(module, rate, 0)
            if isinstance(value, (int, float)) and value > 0:
                return f"{where} uses {rate}={value} (random in training)"
        if kind == "BatchNormalization" and module.trainable:
            return (
                f"{where} is trainable, so it normalizes with batch statistics in training "
                "(freeze it with trainable=False)"
            )
        if (
            module._call_accepts_training
            and kind not in _SAFE_WITH_TRAINING
            and not _is_container(module)
            and not getattr(type(module), "deterministic_in_training", False)
        ):
            return (
                f"{where} takes a `training` argument, so its training output may differ (set "
                "the class attribute deterministic_in_training = True if it does not)"
            )
    return None


def _zero_rate(module) -> bool:
    if isinstance(module, torch.nn.modules.dropout._DropoutNd):
        return module.p == 0
    rate = getattr(module, "rate", None)
    return "Dropout" in type(module).__name__ and isinstance(rate, (int, float)) and rate == 0


def _where(module, layer) -> str:
    name = f"{type(module).__name__} '{module.name}'"
    return name if module is layer else f"{name} (inside '{layer.name}')"


def _is_container(layer) -> bool:
    """A functional or Sequential model used as a layer: its sublayers are checked instead."""
    return hasattr(layer, "_plan") and hasattr(layer, "_nodes_between_inputs_and_outputs")


def is_frozen(layer) -> bool:
    """No weight of `layer` (or inside it) trains (a layer without weights counts as frozen;
    a trainable BatchNormalization is refused by `random_reason`)."""
    return not any(p.requires_grad for p in layer.parameters())


def has_weights(layer) -> bool:
    return any(True for _ in layer.parameters()) or any(True for _ in layer.buffers())


def runs_its_plan(model) -> bool:
    """Whether `model`'s training forward pass is its plan (no overridden call or forward)."""
    for cls in type(model).__mro__:
        if cls.__name__ in ("Sequential", "Functional") and cls.__module__.startswith("strata."):
            return (
                type(model).call is cls.call
                and type(model)._flat_forward is cls._flat_forward
                and type(model).forward is cls.forward
            )
    return False


def split_model(model):
    """The model's `Split`, or a string saying why nothing can be cached."""
    if not (hasattr(model, "_plan") and runs_its_plan(model)):
        return (
            f"the model is a {type(model).__name__} that does not run a layer graph (only "
            "Sequential and functional models are cached)"
        )
    # The trainable part's plan stops its softmax/sigmoid outputs at their logits, as the
    # model's training plan does.
    plan_type, logits_layers = type(model._plan), model._logits_plan()._logits_layers
    nodes = model._nodes_between_inputs_and_outputs()
    inputs, outputs = list(model.inputs), list(model.outputs)
    available = {id(t) for t in inputs}
    output_ids = {id(t) for t in outputs}
    frozen, first_block = [], None
    for node in nodes:
        ready = all(id(t) in available for t in node.input_tensors)
        if not ready:
            continue
        reason = _block_reason(node, output_ids)
        if reason is not None:
            first_block = first_block or reason
            continue
        frozen.append(node)
        available.update(id(t) for t in node.output_tensors)
    if len(frozen) == len(nodes):
        return "every layer is frozen: there is nothing to train on cached features"
    if not frozen:
        return f"no frozen layer feeds the trainable ones ({first_block})"
    frozen_ids = {id(n) for n in frozen}
    rest = [n for n in nodes if id(n) not in frozen_ids]
    cut = _cut_tensors(rest, available)
    masked = [t for t in cut if t.has_mask]
    if masked:
        return f"the frozen layers pass a mask to the trainable ones ('{_producer(masked[0])}')"
    input_index = {id(t): i for i, t in enumerate(inputs)}
    computed = [t for t in cut if id(t) not in input_index]
    sources, feature = [], 0
    for tensor in cut:
        if id(tensor) in input_index:
            sources.append(("input", input_index[id(tensor)]))
        else:
            sources.append(("feature", feature))
            feature += 1
    prefix = plan_type(frozen, inputs, computed)
    suffix = plan_type(rest, cut, outputs, logits_layers=logits_layers)
    if prefix._mixed != model._plan._mixed or suffix._mixed != model._plan._mixed:
        return "the model mixes precisions in a way the split plans would not reproduce"
    layers = []
    for node in frozen:
        if node.layer not in layers:
            layers.append(node.layer)
    return Split(
        prefix=prefix,
        suffix=suffix,
        layers=layers,
        cut_sources=sources,
        weighted=any(has_weights(layer) for layer in layers),
        stopped_at=first_block,
    )


def has_hooks(model, layers) -> bool:
    """Whether hooks would see the model's call or a frozen layer's (then nothing is cached:
    the hooks expect to fire at every step)."""
    from torch.nn.modules import module as torch_module

    if (
        torch_module._global_forward_hooks
        or torch_module._global_forward_pre_hooks
        or torch_module._global_backward_hooks
        or torch_module._global_backward_pre_hooks
    ):
        return True
    return any(
        m._forward_hooks or m._forward_pre_hooks or m._backward_hooks or m._backward_pre_hooks
        for m in (model, *(sub for layer in layers for sub in layer.modules()))
    )


def _block_reason(node, output_ids) -> str | None:
    """Why this ready node cannot join the prefix (None when it can)."""
    layer = node.layer
    name = f"{type(layer).__name__} '{layer.name}'"
    if any(id(t) in output_ids for t in node.output_tensors):
        return f"{name} makes a model output"
    if not is_frozen(layer):
        return f"{name} is trainable"
    return random_reason(layer)


def _cut_tensors(rest, available):
    """The tensors the trainable nodes read from the prefix or the inputs, in first-use order."""
    cut, seen = [], set()
    for node in rest:
        for tensor in node.input_tensors:
            if id(tensor) in available and id(tensor) not in seen:
                seen.add(id(tensor))
                cut.append(tensor)
    return cut


def _producer(tensor) -> str:
    history = getattr(tensor, "_keras_history", None)
    return history[0].name if history else "input"
