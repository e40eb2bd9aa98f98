"""InputLayer and Input: where a functional graph starts."""

from __future__ import annotations

from strata.backend import config as backend_config
from strata.backend.conversion import standardize_dtype
from strata.backend.keras_tensor import KerasTensor
from strata.layers.layer import Layer
from strata.layers.node import Node


class InputLayer(Layer):
    """The layer behind `Input`: it holds the graph's symbolic input tensor.

    Args:
        shape: the shape of one sample, without the batch dimension (None for free sizes).
        batch_size: a fixed batch size, or None.
        dtype: the input's dtype (default floatx; `"int32"` for token ids).
        batch_shape: the full shape including the batch dimension (instead of shape/batch_size).
        name: the input's name; dict inputs of `fit`/`predict` are matched by it.
    """

    def __init__(
        self,
        shape=None,
        batch_size=None,
        dtype=None,
        sparse=None,
        batch_shape=None,
        input_tensor=None,
        optional=False,
        name=None,
        **kwargs,
    ):
        if "input_shape" in kwargs and shape is None:
            shape = kwargs.pop("input_shape")
        if "batch_input_shape" in kwargs and batch_shape is None:
            batch_shape = kwargs.pop("batch_input_shape")
        super().__init__(name=name, **kwargs)
        if sparse:
            raise ValueError("InputLayer expected sparse=False; sparse inputs are not supported.")
        if batch_shape is None:
            if shape is None:
                raise ValueError("InputLayer expected `shape` or `batch_shape`; received neither.")
            if isinstance(shape, int):
                shape = (shape,)
            batch_shape = (batch_size, *tuple(shape))
        self._input_batch_shape = tuple(None if d is None else int(d) for d in batch_shape)
        self._input_dtype = standardize_dtype(dtype) or backend_config.floatx()
        self.optional = optional
        self.built = True
        tensor = KerasTensor(self._input_batch_shape, self._input_dtype, name=self.name)
        Node(self, (), {}, tensor)
        self._input_tensor = tensor

    @property
    def batch_shape(self):
        return self._input_batch_shape

    @property
    def dtype(self) -> str:
        return self._input_dtype

    def call(self, inputs):
        return inputs

    def get_config(self) -> dict:
        return {
            "batch_shape": list(self._input_batch_shape),
            "dtype": self._input_dtype,
            "sparse": False,
            "name": self.name,
        }


def Input(  # noqa: N802 - Keras's public name
    shape=None,
    batch_size=None,
    dtype=None,
    sparse=None,
    batch_shape=None,
    name=None,
    tensor=None,
    optional=False,
):
    """A symbolic input tensor for the functional API.

    Args:
        shape: shape of one sample, e.g. `(64,)` or `(None,)` for variable-length token ids.
        batch_size: optional fixed batch size.
        dtype: `"float32"` by default; `"int32"` for indices fed to `Embedding`.
        batch_shape: full shape including the batch size, instead of `shape`.
        name: the input's name, used to match dict inputs in `fit`/`predict`.

    Returns:
        A `KerasTensor` of shape `(batch_size, *shape)`.

    Example:
        >>> from strata import Input
        >>> Input(shape=(None,), dtype="int32", name="text").shape
        (None, None)
    """
    layer = InputLayer(
        shape=shape,
        batch_size=batch_size,
        dtype=dtype,
        sparse=sparse,
        batch_shape=batch_shape,
        name=name,
        optional=optional,
    )
    return layer._input_tensor
