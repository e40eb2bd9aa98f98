"""SimpleRNN: the fully connected recurrent layer."""

from strata.layers.recurrent._cell_layer import CellLayer
from strata.layers.recurrent.simple_rnn_cell import SimpleRNNCell


class SimpleRNN(CellLayer):
    """Fully connected RNN over `(batch, time, features)`: the output is fed back as state.

    Holds a `SimpleRNNCell` (`layer.cell`): `kernel (features, units)`,
    `recurrent_kernel (units, units)`, `bias (units,)`. Runs in one call of torch's fused
    `torch.rnn_tanh` / `torch.rnn_relu` when the activation is tanh or relu, recurrent_dropout
    is 0 (or not training) and the mask is absent or contiguous per row; otherwise in a loop.

    Args:
        units: size of the output and of the state.
        activation: tanh by default.
        use_bias: whether the cell has a bias.
        kernel_initializer, recurrent_initializer, bias_initializer: glorot_uniform,
            orthogonal, zeros.
        kernel_regularizer, recurrent_regularizer, bias_regularizer, activity_regularizer:
            penalties.
        kernel_constraint, recurrent_constraint, bias_constraint: projections.
        dropout, recurrent_dropout: dropout rates of the inputs and of the previous output.
        return_sequences, return_state, go_backwards, stateful, unroll: see `RNN`.
        seed: seed of the dropout masks.

    Input shape:
        `(batch, time, features)`.

    Output shape:
        `(batch, units)` or `(batch, time, units)`; with `return_state`, `[output, h]`.

    Example:
        >>> import strata
        >>> layer = strata.layers.SimpleRNN(32)
        >>> layer(strata.Input(shape=(None, 64))).shape
        (None, 32)
        >>> layer.count_params()
        3104
    """

    cell_class = SimpleRNNCell

    def __init__(
        self,
        units,
        activation="tanh",
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
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        unroll=False,
        seed=None,
        **kwargs,
    ):
        self._init_from(locals(), kwargs)
