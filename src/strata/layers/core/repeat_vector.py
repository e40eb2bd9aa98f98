"""RepeatVector: repeats a vector n times along a new time axis."""

from strata.layers.layer import Layer


class RepeatVector(Layer):
    """Repeats each sample's vector `n` times: `(batch, features)` -> `(batch, n, features)`.

    The result is a broadcast view of the input (no copy); layers after it read it as a
    normal tensor.

    Args:
        n: how many times to repeat.

    Input shape:
        `(batch_size, features)`.

    Output shape:
        `(batch_size, n, features)`.

    Example:
        >>> import strata
        >>> strata.layers.RepeatVector(3)(strata.Input(shape=(32,))).shape
        (None, 3, 32)
    """

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if isinstance(n, bool) or not isinstance(n, int) or n <= 0:
            raise ValueError(f"RepeatVector expected a positive integer n; received n={n!r}.")
        self.n = n

    def build(self, input_shape):
        if len(input_shape) != 2:
            raise ValueError(
                "RepeatVector expected an input of rank 2 (batch_size, features); "
                f"received shape {tuple(input_shape)}."
            )
        self.built = True

    def call(self, inputs):
        return inputs.unsqueeze(1).expand(-1, self.n, -1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self):
        return {**super().get_config(), "n": self.n}
