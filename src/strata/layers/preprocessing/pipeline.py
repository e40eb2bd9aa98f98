"""Pipeline: apply a sequence of preprocessing layers as one layer."""

from __future__ import annotations

import torch

from strata.backend.keras_tensor import KerasTensor, any_symbolic
from strata.backend.loss_scope import current_scope
from strata.layers.layer import Layer


class Pipeline(Layer):
    """Apply `layers` one after the other, like a `Sequential` that is not a model.

    Meant for preprocessing and augmentation chains (`Pipeline([RandomFlip(), Rescaling(1 /
    255)])`) that run on data before a model or inside one. As in Keras, a Pipeline called on
    its own outside a model runs its layers in training mode (augmentations active); inside a
    model it follows the model's mode. Layers that take strings (StringLookup,
    TextVectorization) work in a Pipeline called eagerly on NumPy strings.

    Args:
        layers: the layers, in order.
        name: the layer's name.

    Input shape:
        What the first layer takes.

    Output shape:
        What the last layer returns.

    Example:
        >>> import torch, strata
        >>> pipeline = strata.layers.Pipeline(
        ...     [strata.layers.Rescaling(1 / 255), strata.layers.CenterCrop(2, 2)]
        ... )
        >>> pipeline(torch.full((1, 4, 4, 3), 255.0)).shape
        torch.Size([1, 2, 2, 3])
    """

    def __init__(self, layers, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        layers = list(layers)
        for index, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise ValueError(
                    f"Pipeline expected strata layers; item {index} is {type(layer).__name__}."
                )
            self.add_module(f"layer_{index}", layer)
        self._pipeline_layers = layers

    @property
    def layers(self):
        return list(self._pipeline_layers)

    def __call__(self, inputs, *args, **kwargs):
        if kwargs.get("training") is None and current_scope() is None and not any_symbolic(inputs):
            kwargs["training"] = True  # Keras: a Pipeline called on data augments by default
        if not any_symbolic(inputs):
            # Each layer converts what it takes (strings stay NumPy for the string layers).
            self.built = True
            kwargs.pop("mask", None)
            return torch.nn.Module.__call__(self, inputs, *args, **kwargs)
        return super().__call__(inputs, *args, **kwargs)

    def build(self, input_shape):
        spec = KerasTensor(input_shape, self.dtype)
        for layer in self._pipeline_layers:
            spec = _spec_through(layer, spec)
        self.built = True

    def call(self, inputs, training=None):
        for layer in self._pipeline_layers:
            if layer._call_accepts_training:
                inputs = layer(inputs, training=training)
            else:
                inputs = layer(inputs)
        return inputs

    def compute_output_spec(self, inputs):
        spec = inputs
        for layer in self._pipeline_layers:
            spec = _spec_through(layer, spec)
        return spec

    def get_config(self):
        from strata import layers as layers_module

        # Keras's keys: the layers and the name.
        return {
            "layers": [layers_module.serialize(layer) for layer in self._pipeline_layers],
            "name": self.name,
        }

    @classmethod
    def from_config(cls, config):
        from strata import layers as layers_module

        config = dict(config)
        if not isinstance(config.get("layers"), (list, tuple)):
            raise ValueError(
                "Pipeline expected a config with a list of serialized layers under 'layers'; "
                f"received {config.get('layers')!r}."
            )
        config["layers"] = [layers_module.deserialize(item) for item in config["layers"]]
        return cls(**config)


def _spec_through(layer, spec):
    """The symbolic output of `layer` on `spec`, building the layer first (no graph node)."""
    if not layer.built:
        layer._build_for(spec.shape if isinstance(spec, KerasTensor) else [s.shape for s in spec])
    return layer.compute_output_spec(spec)
