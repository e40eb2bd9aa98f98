"""Identity: returns its input unchanged."""

from strata.layers.layer import Layer


class Identity(Layer):
    """Returns its input unchanged (a placeholder, e.g. for an optional block).

    Input shape:
        Any shape.

    Output shape:
        The input's shape.

    Example:
        >>> import strata
        >>> strata.layers.Identity()(strata.Input(shape=(3, 5))).shape
        (None, 3, 5)
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape
