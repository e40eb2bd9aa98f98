"""LSTM: the long short-term memory layer."""

from strata.layers.recurrent._cell_layer import CellLayer
from strata.layers.recurrent.lstm_cell import LSTMCell


class LSTM(CellLayer):
    """Long short-term memory layer (Hochreiter 1997) over `(batch, time, features)`.

    Holds an `LSTMCell` (`lstm.cell`) with Keras's weights: `kernel (features, 4 * units)`,
    `recurrent_kernel (units, 4 * units)` and one `bias (4 * units,)`, gate order i, f, c, o.

    Runs in one call of torch's fused `torch.lstm` (cuDNN on CUDA) when activation is tanh,
    recurrent_activation is sigmoid, recurrent_dropout is 0 (or not training) and the mask is
    absent or has one contiguous block of valid steps per row (right or left padding, packed);
    otherwise in a Python loop over timesteps. `dropout` keeps the fused kernel (one input mask
    per sequence, as Keras draws it).

    Args:
        units: size of the output and of the states.
        activation, recurrent_activation: tanh and sigmoid by default.
        use_bias: whether the cell has a bias.
        kernel_initializer, recurrent_initializer, bias_initializer: glorot_uniform,
            orthogonal, zeros.
        unit_forget_bias: start the forget gate's bias at one.
        kernel_regularizer, recurrent_regularizer, bias_regularizer, activity_regularizer:
            penalties.
        kernel_constraint, recurrent_constraint, bias_constraint: projections.
        dropout, recurrent_dropout: dropout rates of the inputs and of the previous output.
        seed: seed of the dropout masks.
        return_sequences, return_state, go_backwards, stateful, unroll: see `RNN`.
        use_cudnn: accepted for compatibility ("auto"); the fused kernel is chosen as above.

    Input shape:
        `(batch, time, features)`.

    Output shape:
        `(batch, units)` or `(batch, time, units)`; with `return_state`, `[output, h, c]`.

    Example:
        >>> import strata
        >>> layer = strata.layers.LSTM(32)
        >>> layer(strata.Input(shape=(None, 64))).shape
        (None, 32)
        >>> layer.count_params()
        12416
    """

    cell_class = LSTMCell

    def __init__(
        self,
        units,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        unit_forget_bias=True,
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
        use_cudnn="auto",
        **kwargs,
    ):
        self._init_from(locals(), kwargs, use_cudnn)
