"""Permute: reorders the axes of every sample."""

from strata.layers.layer import Layer


class Permute(Layer):
    """Permutes the non-batch axes of the input.

    Args:
        dims: a permutation of `1, ..., rank - 1` (axes counted from 1, the batch axis 0 stays
            first), e.g. `(2, 1)` swaps the two axes of a `(batch, steps, features)` input.

    Input shape:
        `(batch_size, d1, ..., dn)` with `n == len(dims)`.

    Output shape:
        `(batch_size, d[dims[0]], ..., d[dims[n - 1]])`.

    Example:
        >>> import strata
        >>> strata.layers.Permute((2, 1))(strata.Input(shape=(10, 64))).shape
        (None, 64, 10)
    """

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        dims = tuple(dims)
        if sorted(dims) != list(range(1, len(dims) + 1)):
            raise ValueError(
                "Permute expected dims to be a permutation of 1, ..., n (axes counted from 1; "
                f"the batch axis is not included); received dims={dims!r}."
            )
        self.dims = dims
        self.supports_masking = True

    def build(self, input_shape):
        if len(input_shape) != len(self.dims) + 1:
            raise ValueError(
                f"Permute expected an input of rank {len(self.dims) + 1} for dims={self.dims}; "
                f"received shape {tuple(input_shape)}."
            )
        self.built = True

    def call(self, inputs):
        return inputs.permute(0, *self.dims)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], *(input_shape[d] for d in self.dims))

    def get_config(self):
        return {**super().get_config(), "dims": self.dims}
