"""Reshape: a new shape for every sample."""

import math

from strata.layers.layer import Layer


class Reshape(Layer):
    """Reshapes each sample to `target_shape`; the batch axis stays.

    Args:
        target_shape: the new shape of one sample (without the batch axis); one entry may be -1,
            meaning "whatever size makes the element count match".

    Input shape:
        `(batch_size, ...)`.

    Output shape:
        `(batch_size, *target_shape)`.

    Example:
        >>> import strata
        >>> strata.layers.Reshape((-1, 4))(strata.Input(shape=(3, 8))).shape
        (None, 6, 4)
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        if isinstance(target_shape, int):
            target_shape = (target_shape,)
        target_shape = tuple(target_shape)
        unknown = [d for d in target_shape if d == -1]
        valid = all(isinstance(d, int) and (d > 0 or d == -1) for d in target_shape)
        if not valid or len(unknown) > 1:
            raise ValueError(
                "Reshape expected target_shape of positive integers with at most one -1; "
                f"received {target_shape!r}."
            )
        self.target_shape = target_shape

    def build(self, input_shape):
        self._resolve(tuple(input_shape))
        self.built = True

    def _resolve(self, input_shape):
        """The sample shape with -1 resolved when the input's sizes are known."""
        known = math.prod(d for d in self.target_shape if d != -1)
        rest = input_shape[1:]
        if None in rest:
            return tuple(None if d == -1 else d for d in self.target_shape)
        total = math.prod(rest)
        if -1 in self.target_shape:
            if total % known:
                raise ValueError(self._mismatch(input_shape))
            return tuple(total // known if d == -1 else d for d in self.target_shape)
        if total != known:
            raise ValueError(self._mismatch(input_shape))
        return self.target_shape

    def _mismatch(self, input_shape):
        return (
            f"Reshape expected an input whose sample size fits target_shape "
            f"{self.target_shape}; received shape {tuple(input_shape)}."
        )

    def call(self, inputs):
        return inputs.reshape(inputs.shape[0], *self.target_shape)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], *self._resolve(tuple(input_shape)))

    def get_config(self):
        return {**super().get_config(), "target_shape": self.target_shape}
