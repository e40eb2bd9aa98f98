"""TimeDistributed: applies a layer to every timestep of a sequence."""

from strata.layers.layer import Layer


class TimeDistributed(Layer):
    """Applies `layer` to each slice `inputs[:, t]`, with the same weights for every `t`.

    The time axis is folded into the batch (`(batch * time, ...)`), so the layer runs once.

    Args:
        layer: the layer to apply (its weights are this layer's weights).

    Input shape:
        `(batch, time, ...)`, where `(batch, ...)` is what `layer` takes.

    Output shape:
        `(batch, time, ...)` with `layer`'s output shape per timestep.

    Example:
        >>> import strata
        >>> layer = strata.layers.TimeDistributed(strata.layers.Dense(8))
        >>> layer(strata.Input(shape=(10, 16))).shape
        (None, 10, 8)
    """

    def __init__(self, layer, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(layer, Layer):
            raise ValueError(f"TimeDistributed expected a strata Layer; received {layer!r}.")
        self.layer = layer
        self.supports_masking = True

    def build(self, input_shape):
        if len(input_shape) < 3:
            raise ValueError(
                "TimeDistributed expected an input of rank >= 3 (batch, time, ...); "
                f"received shape {tuple(input_shape)}."
            )
        if not self.layer.built:
            self.layer._build_for((input_shape[0], *input_shape[2:]))
        self.built = True

    def call(self, inputs, training=None, mask=None):
        batch, steps = inputs.shape[0], inputs.shape[1]
        folded = inputs.flatten(0, 1)
        kwargs = {}
        if self.layer._call_accepts_training:
            kwargs["training"] = training
        if mask is not None and self.layer._call_accepts_mask and mask.dim() > 2:
            kwargs["mask"] = mask.flatten(0, 1)
        outputs = self.layer.call(folded, **kwargs)
        return outputs.unflatten(0, (batch, steps))

    def compute_output_shape(self, input_shape):
        shape = self.layer.compute_output_shape((input_shape[0], *input_shape[2:]))
        return (input_shape[0], input_shape[1], *shape[1:])

    def compute_output_spec(self, inputs, **kwargs):
        own = type(self.layer).compute_output_shape is not Layer.compute_output_shape
        if own and not kwargs:
            return super().compute_output_spec(inputs)
        from strata.layers.shape_inference import infer_output_spec

        return infer_output_spec(self, (inputs,), kwargs)

    def get_config(self):
        from strata import layers

        return {**super().get_config(), "layer": layers.serialize(self.layer)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from strata import layers

        config = dict(config)
        config["layer"] = layers.deserialize(config["layer"], custom_objects)
        return cls(**config)
