"""The common checks every layer passes (DESIGN.md convention 7).

A `LayerSpec` gives small constructor arguments, an input shape and the expected output shape;
`run_layer_test` then checks: the config round trip, symbolic vs eager output shapes, the
weight counts, `get_weights`/`set_weights` round trip, save/load equality inside a model, that one
training step moves the trainable weights only, that a frozen layer stays put, and that inference
is deterministic.
"""

from __future__ import annotations

import copy
import os
import tempfile
from dataclasses import dataclass, field

import numpy as np
import torch


@dataclass
class LayerSpec:
    """What a layer is tested with.

    Args:
        layer_cls: the layer class.
        init_kwargs: small constructor arguments.
        input_shape: one sample batch's full shape (batch first), or a list of shapes for
            layers that take a list of inputs.
        expected_output_shape: the eager output shape (a list of shapes for several outputs).
        input_dtype: dtype of the generated input ("int32" for token ids).
        int_high: exclusive upper bound of generated integer inputs.
        expected_trainable: number of trainable weight tensors (None: not checked).
        expected_non_trainable: number of non-trainable weight tensors (None: not checked).
        trains: whether a training step must move every trainable weight (False for layers
            whose gradient may be zero at random inputs, e.g. a ReLU threshold).
        random_in_training: the layer is random when training (dropout): determinism is only
            checked in inference.
        id: a readable test id (defaults to the class name).
    """

    layer_cls: type
    init_kwargs: dict = field(default_factory=dict)
    input_shape: tuple | list = (2, 3)
    expected_output_shape: tuple | list | None = None
    input_dtype: str = "float32"
    int_high: int = 10
    expected_trainable: int | None = None
    expected_non_trainable: int | None = None
    trains: bool = True
    random_in_training: bool = False
    id: str | None = None

    @property
    def name(self) -> str:
        return self.id or self.layer_cls.__name__


def _is_multi(shape) -> bool:
    return isinstance(shape, list)


def make_inputs(spec: LayerSpec, seed: int = 0):
    generator = np.random.default_rng(seed)

    def one(shape):
        if spec.input_dtype.startswith("int"):
            return generator.integers(0, spec.int_high, size=shape).astype(spec.input_dtype)
        return generator.standard_normal(shape).astype(spec.input_dtype)

    if _is_multi(spec.input_shape):
        return [one(s) for s in spec.input_shape]
    return one(spec.input_shape)


def _shapes(output):
    if isinstance(output, (list, tuple)):
        return [tuple(o.shape) for o in output]
    return tuple(output.shape)


def _symbolic_inputs(spec):
    from strata import Input

    def one(shape):
        return Input(batch_shape=(None, *shape[1:]), dtype=spec.input_dtype)

    if _is_multi(spec.input_shape):
        return [one(s) for s in spec.input_shape]
    return one(spec.input_shape)


def _none_batch(shape):
    if isinstance(shape, list):
        return [_none_batch(s) for s in shape]
    return (None, *shape[1:])


def check_config_round_trip(spec):
    layer = spec.layer_cls(**spec.init_kwargs)
    config = layer.get_config()
    clone = spec.layer_cls.from_config(copy.deepcopy(config))
    assert clone.get_config() == config, f"{spec.name}: from_config(get_config()) differs"


def check_eager_and_symbolic_shapes(spec):
    layer = spec.layer_cls(**spec.init_kwargs)
    output = layer(make_inputs(spec))
    if spec.expected_output_shape is not None:
        assert _shapes(output) == spec.expected_output_shape, (
            f"{spec.name}: eager output {_shapes(output)}, expected {spec.expected_output_shape}"
        )
    symbolic = spec.layer_cls(**spec.init_kwargs)(_symbolic_inputs(spec))
    eager_shape = _shapes(output)
    assert _shapes(symbolic) == _none_batch(eager_shape), (
        f"{spec.name}: symbolic output {_shapes(symbolic)} vs eager {eager_shape}"
    )


def _model_for(spec, layer):
    from strata import Model

    inputs = _symbolic_inputs(spec)
    return Model(inputs, layer(inputs))


def check_weights(spec):
    layer = spec.layer_cls(**spec.init_kwargs)
    model = _model_for(spec, layer)
    if spec.expected_trainable is not None:
        assert len(layer.trainable_weights) == spec.expected_trainable, (
            f"{spec.name}: {len(layer.trainable_weights)} trainable weights, "
            f"expected {spec.expected_trainable}"
        )
    if spec.expected_non_trainable is not None:
        assert len(layer.non_trainable_weights) == spec.expected_non_trainable
    weights = layer.get_weights()
    layer.set_weights([w + 1.0 if w.dtype.kind == "f" else w for w in weights])
    for before, after in zip(weights, layer.get_weights()):
        if before.dtype.kind == "f":
            np.testing.assert_allclose(after, before + 1.0, rtol=1e-6, atol=1e-6)
    model.set_weights(model.get_weights())


def check_deterministic_inference(spec):
    layer = spec.layer_cls(**spec.init_kwargs)
    data = make_inputs(spec)
    first, second = layer(data, training=False), layer(data, training=False)
    for a, b in zip(_flat(first), _flat(second)):
        torch.testing.assert_close(a, b, msg=f"{spec.name}: inference is not deterministic")


def _flat(output):
    return list(output) if isinstance(output, (list, tuple)) else [output]


def _loss_of(output):
    return sum((o.float() ** 2).mean() + o.float().mean() for o in _flat(output))


def check_training_step(spec):
    """One SGD step moves every trainable weight and no non-trainable one (buffers excepted)."""
    layer = spec.layer_cls(**spec.init_kwargs)
    model = _model_for(spec, layer)
    data = make_inputs(spec)
    frozen_before = [w.detach().clone() for w in layer.non_trainable_weights]
    trainable = layer.trainable_weights
    before = [w.detach().clone() for w in trainable]
    output = model(data, training=True)
    loss = _loss_of(output)
    if not loss.requires_grad:
        assert not trainable, f"{spec.name}: trainable weights but the output has no gradient"
        return
    loss.backward()
    with torch.no_grad():
        for weight in trainable:
            if weight.grad is not None:
                weight -= 0.1 * weight.grad
    if spec.trains:
        for index, (old, weight) in enumerate(zip(before, trainable)):
            assert not torch.equal(old, weight.detach()), (
                f"{spec.name}: trainable weight {index} did not move in a training step"
            )
    buffers = {id(b) for b in layer.buffers()}
    for old, weight in zip(frozen_before, layer.non_trainable_weights):
        if id(weight) not in buffers:
            assert torch.equal(old, weight.detach()), f"{spec.name}: a frozen weight moved"


def check_frozen_layer(spec):
    """With `trainable=False` the layer has no trainable weights and produces no gradient."""
    layer = spec.layer_cls(**spec.init_kwargs)
    model = _model_for(spec, layer)
    layer.trainable = False
    assert layer.trainable_weights == []
    assert len(layer.non_trainable_weights) == len(layer.weights)
    output = model(make_inputs(spec), training=True)
    loss = _loss_of(output)
    if loss.requires_grad:
        loss.backward()
    assert all(w.grad is None for w in layer.weights), f"{spec.name}: a frozen weight got a grad"


def check_save_load(spec):
    from strata.models import load_model

    layer = spec.layer_cls(**spec.init_kwargs)
    model = _model_for(spec, layer)
    data = make_inputs(spec)
    expected = model.predict(data, verbose=0)
    # A Lambda's code travels only with consent and loads only outside safe mode.
    holds_code = hasattr(layer, "function_source")
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.keras")
        model.save(path, allow_lambda_source=holds_code)
        loaded = load_model(path, safe_mode=not holds_code)
    got = loaded.predict(data, verbose=0)
    for a, b in zip(_flat(expected), _flat(got)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6, err_msg=f"{spec.name}: save/load")


ALL_CHECKS = [
    check_config_round_trip,
    check_eager_and_symbolic_shapes,
    check_weights,
    check_deterministic_inference,
    check_training_step,
    check_frozen_layer,
    check_save_load,
]


def run_layer_test(spec: LayerSpec, checks=None) -> None:
    """Run every common check (or the given ones) on a layer spec; raises AssertionError."""
    for check in checks or ALL_CHECKS:
        check(spec)
