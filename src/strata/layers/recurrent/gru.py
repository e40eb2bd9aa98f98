"""GRU: the gated recurrent unit layer."""

from strata.layers.recurrent._cell_layer import CellLayer
from strata.layers.recurrent.gru_cell import GRUCell


class GRU(CellLayer):
    """Gated recurrent unit layer (Cho et al. 2014) over `(batch, time, features)`.

    Holds a `GRUCell` (`gru.cell`) with Keras's weights: `kernel (features, 3 * units)`,
    `recurrent_kernel (units, 3 * units)` and, with `reset_after=True`, `bias (2, 3 * units)`,
    gate order z, r, h as Keras shows them (stored in torch's r, z, n order).

    Runs in one call of torch's fused `torch.gru` when reset_after is True, activation is tanh,
    recurrent_activation is sigmoid, recurrent_dropout is 0 (or not training) and the mask is
    absent or has one contiguous block of valid steps per row; otherwise in a Python loop.

    Args:
        units: size of the output and of the state.
        activation, recurrent_activation: tanh and sigmoid by default.
        use_bias: whether the cell has biases.
        kernel_initializer, recurrent_initializer, bias_initializer: glorot_uniform,
            orthogonal, zeros.
        kernel_regularizer, recurrent_regularizer, bias_regularizer, activity_regularizer:
            penalties.
        kernel_constraint, recurrent_constraint, bias_constraint: projections.
        dropout, recurrent_dropout: dropout rates of the inputs and of the previous output.
        seed: seed of the dropout masks.
        return_sequences, return_state, go_backwards, stateful, unroll: see `RNN`.
        reset_after: apply the reset gate after the recurrent product (Keras 3 default).
        use_cudnn: accepted for compatibility ("auto").

    Input shape:
        `(batch, time, features)`.

    Output shape:
        `(batch, units)` or `(batch, time, units)`; with `return_state`, `[output, h]`.

    Example:
        >>> import strata
        >>> layer = strata.layers.GRU(32)
        >>> layer(strata.Input(shape=(None, 64))).shape
        (None, 32)
        >>> layer.count_params()
        9408
    """

    cell_class = GRUCell

    def __init__(
        self,
        units,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        unroll=False,
        reset_after=True,
        use_cudnn="auto",
        **kwargs,
    ):
        self._init_from(locals(), kwargs, use_cudnn)
