"""Wrapper: the base of layers that hold another layer and change how it runs."""

from __future__ import annotations

from strata.layers.layer import Layer


class Wrapper(Layer):
    """Holds `layer` (its weights are this layer's) for subclasses to augment.

    `build` builds the wrapped layer for the same input shape, `get_config` holds its
    serialized form under `"layer"` and `from_config` rebuilds it, as Keras's `Wrapper` does.
    Subclasses override `call`; the base's `call` runs the wrapped layer unchanged.

    Args:
        layer: the strata layer to wrap.

    Example:
        >>> import torch, strata
        >>> class Doubled(strata.layers.Wrapper):
        ...     def call(self, inputs):
        ...         return 2 * self.layer(inputs)
        >>> layer = Doubled(strata.layers.Dense(3))
        >>> tuple(layer(torch.ones(2, 4)).shape), len(layer.weights)
        ((2, 3), 2)
    """

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(
                f"{type(self).__name__} expected a strata Layer to wrap; received {layer!r}."
            )
        super().__init__(**kwargs)
        self.layer = layer
        self.supports_masking = layer.supports_masking

    def build(self, input_shape=None):
        if not self.layer.built:
            self.layer._build_for(input_shape)
        self.built = True

    def call(self, inputs, training=None, mask=None):
        kwargs = {}
        if self.layer._call_accepts_training:
            kwargs["training"] = training
        if mask is not None and self.layer._call_accepts_mask:
            kwargs["mask"] = mask
        return self.layer(inputs, **kwargs)

    def compute_mask(self, inputs, mask=None):
        return self.layer.compute_mask(inputs, mask)

    def get_config(self):
        from strata import layers

        return {**super().get_config(), "layer": layers.serialize(self.layer)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from strata import layers

        config = dict(config)
        layer = layers.deserialize(config.pop("layer"), custom_objects=custom_objects)
        return cls(layer, **config)
