"""SpectralNormalization: divides a layer's kernel by its largest singular value."""

from __future__ import annotations

import torch

from strata import initializers
from strata.layers.core.wrapper import Wrapper
from strata.layers.layer import _to_keras

_EPSILON = 1e-7


class SpectralNormalization(Wrapper):
    """Keeps a wrapped layer's kernel at spectral norm one (Miyato et al., 2018), as Keras does.

    In training, each call first runs `power_iterations` steps of the power method on the kernel
    (reshaped to `(-1, last axis)` in Keras's layout) from the kept vector `vector_u`, then
    divides the kernel by the estimated largest singular value in place (no gradient flows
    through the estimate) and runs the layer. In inference the layer runs with the kernel as it
    is. A frozen wrapper (`trainable=False`) leaves its kernel alone.

    Weights, in Keras's order: the wrapped kernel (or `embeddings`), `vector_u (1, last axis)`
    (not trainable), then the wrapped layer's other weights.

    Args:
        layer: a layer with a `kernel` or `embeddings` weight (Dense, Conv2D, Embedding, ...).
        power_iterations: power-method steps per training call.

    Example:
        >>> import torch, strata
        >>> layer = strata.layers.SpectralNormalization(strata.layers.Dense(4))
        >>> for _ in range(20):  # each training call refines the estimate
        ...     _ = layer(torch.ones(2, 3), training=True)
        >>> round(torch.linalg.matrix_norm(layer.layer.kernel.detach(), ord=2).item(), 1)
        1.0
    """

    def __init__(self, layer, power_iterations=1, **kwargs):
        super().__init__(layer, **kwargs)
        if not isinstance(power_iterations, int) or power_iterations <= 0:
            raise ValueError(
                "SpectralNormalization expected a positive integer `power_iterations`; "
                f"received {power_iterations!r}."
            )
        self.power_iterations = power_iterations

    def build(self, input_shape):
        super().build(input_shape)
        for name in ("kernel", "embeddings"):
            if isinstance(getattr(self.layer, name, None), torch.Tensor):
                self._kernel_name = name
                break
        else:
            raise ValueError(
                f"SpectralNormalization expected a layer with a `kernel` or `embeddings` "
                f"weight; {type(self.layer).__name__} has neither."
            )
        last = self._keras_kernel().shape[-1]
        self.vector_u = self.add_weight(
            name="vector_u",
            shape=(1, last),
            initializer=initializers.TruncatedNormal(stddev=0.02),
            trainable=False,
        )
        self.built = True

    def _kernel_record(self):
        for record in self.layer._weight_records():
            if record[0] is self.layer and record[1] == self._kernel_name:
                return record
        raise ValueError(f"SpectralNormalization lost the wrapped '{self._kernel_name}'.")

    def _keras_kernel(self):
        _, _, tensor, layout = self._kernel_record()
        return _to_keras(tensor, layout)

    def call(self, inputs, training=None):
        if training and self.trainable:
            self._normalize_kernel()
        outputs = self.layer(inputs)
        return outputs.to(inputs.dtype) if inputs.is_floating_point() else outputs

    @torch.no_grad()
    def _normalize_kernel(self):
        kernel = getattr(self.layer, self._kernel_name)
        weights = self._keras_kernel().reshape(-1, self.vector_u.shape[-1])
        if torch.all(weights == 0):
            return
        u = self.vector_u.to(weights.dtype)
        for _ in range(self.power_iterations):
            v = _l2_normalize(u @ weights.T)
            u = _l2_normalize(v @ weights)
        sigma = (v @ weights) @ u.T
        kernel.div_(sigma.reshape(()))  # a scalar: the same in any stored layout
        self.vector_u.copy_(u)

    def _weight_records(self):
        # Keras's order: the kernel first (the wrapper tracks it as its own), then vector_u,
        # then the wrapped layer's other weights.
        records = super()._weight_records()
        if not self.built:
            return records
        kernel = getattr(self.layer, self._kernel_name)
        first = [r for r in records if r[2] is kernel]
        return first + [r for r in records if r[2] is not kernel]

    def compute_mask(self, inputs, mask=None):
        return self.layer.compute_mask(inputs, mask)

    def get_config(self):
        return {**super().get_config(), "power_iterations": self.power_iterations}


def _l2_normalize(x):
    inverse = torch.rsqrt(x.square().sum()).clamp(max=1.0 / _EPSILON)
    return x * inverse
