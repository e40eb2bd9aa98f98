"""Masking: marks timesteps whose features all equal a padding value."""

from strata.layers.layer import Layer


class Masking(Layer):
    """Masks the timesteps whose features all equal `mask_value`.

    The output is the input with masked timesteps set to zero, and a mask
    `any(inputs != mask_value, axis=-1)` travels with it to mask-aware layers (recurrent
    layers skip masked timesteps, merges combine masks).

    Args:
        mask_value: the padding value.

    Input shape:
        `(batch_size, timesteps, features)` (any rank >= 2).

    Output shape:
        The input's shape.

    Example:
        >>> import torch, strata
        >>> x = torch.tensor([[[1.0, 2.0], [0.0, 0.0], [3.0, 0.0]]])
        >>> layer = strata.layers.Masking(mask_value=0.0)
        >>> layer.compute_mask(x)
        tensor([[ True, False,  True]])
    """

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.supports_masking = True

    def call(self, inputs):
        keep = (inputs != self.mask_value).any(dim=-1, keepdim=True)
        return inputs * keep.to(inputs.dtype)

    def compute_mask(self, inputs, mask=None):
        return (inputs != self.mask_value).any(dim=-1)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def compute_output_spec(self, *args, **kwargs):
        spec = super().compute_output_spec(*args, **kwargs)
        spec.has_mask = True  # the base marks a mask only when one comes in
        return spec

    def get_config(self):
        return {**super().get_config(), "mask_value": self.mask_value}
