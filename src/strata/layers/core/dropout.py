"""Dropout: zeroes random inputs while training, scaling the rest by 1 / (1 - rate)."""

import torch
import torch.nn.functional as F

from strata.layers.layer import Layer


class Dropout(Layer):
    """Inverted dropout: in training, each input is zeroed with probability `rate` and the kept
    ones are scaled by `1 / (1 - rate)`; in inference the layer is the identity.

    Args:
        rate: the fraction of inputs to drop, in [0, 1].
        noise_shape: the shape of the binary keep-mask, broadcast against the input; `None`
            entries take the input's size (e.g. `(None, 1, None)` drops whole features of a
            `(batch, timesteps, features)` input for every timestep alike).
        seed: an integer for a reproducible, layer-private sequence of masks; None uses torch's
            global generator (seeded by `strata.backend.set_random_seed`).

    Input shape:
        Any shape.

    Output shape:
        The input's shape.

    Example:
        >>> import torch, strata
        >>> layer = strata.layers.Dropout(0.5)
        >>> x = torch.ones(2, 4)
        >>> torch.equal(layer(x), x)  # inference: nothing is dropped
        True
        >>> sorted(set(layer(x, training=True).flatten().tolist())) in ([0.0, 2.0], [0.0], [2.0])
        True
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 1:
            raise ValueError(f"Dropout expected a rate between 0 and 1; received rate={rate!r}.")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise ValueError(f"Dropout expected an integer seed or None; received {seed!r}.")
        self.rate = float(rate)
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)
        self.seed = seed
        self._generator = None
        self.supports_masking = True

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        if self.noise_shape is None and self.seed is None:
            return F.dropout(inputs, self.rate, training=True)
        if self.rate == 1:
            return torch.zeros_like(inputs)
        keep = (
            torch.rand(
                self._mask_shape(inputs),
                generator=self._generator_for(inputs.device),
                device=inputs.device,
            )
            >= self.rate
        )
        return inputs * keep.to(inputs.dtype) / (1.0 - self.rate)

    def _mask_shape(self, inputs):
        if self.noise_shape is None:
            return inputs.shape
        if len(self.noise_shape) != inputs.ndim:
            raise ValueError(
                f"Dropout expected noise_shape of rank {inputs.ndim} (the input's); received "
                f"noise_shape={self.noise_shape} for an input of shape {tuple(inputs.shape)}."
            )
        return tuple(
            d if n is None else n for n, d in zip(self.noise_shape, inputs.shape, strict=True)
        )

    def _generator_for(self, device):
        if self.seed is None:
            return None
        if self._generator is None or self._generator.device != device:
            self._generator = torch.Generator(device=device)
            self._generator.manual_seed(self.seed)
        return self._generator

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        noise_shape = None if self.noise_shape is None else list(self.noise_shape)
        return {
            **super().get_config(),
            "rate": self.rate,
            "noise_shape": noise_shape,
            "seed": self.seed,
        }
