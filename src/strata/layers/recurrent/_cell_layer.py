"""What LSTM, GRU and SimpleRNN share: an RNN over a built-in cell made from flat arguments."""

from strata.layers.recurrent.rnn import RNN

_RNN_ARGS = ("return_sequences", "return_state", "go_backwards", "stateful", "unroll")
_LAYER_ARGS = ("name", "trainable", "dtype")


class CellLayer(RNN):
    """An `RNN` whose cell is built from the layer's own arguments (Keras's LSTM, GRU, ...).

    `get_config()` is flat, as in Keras: the cell's arguments next to the RNN's.
    """

    cell_class = None

    def _init_from(self, arguments, kwargs, use_cudnn="auto"):
        if use_cudnn not in ("auto", True, False):
            raise ValueError(
                f"{type(self).__name__} expected use_cudnn in ('auto', True, False); "
                f"received {use_cudnn!r}."
            )
        arguments = {k: v for k, v in arguments.items() if k not in ("self", "kwargs", "__class__")}
        rnn_args = {k: arguments.pop(k) for k in _RNN_ARGS}
        activity_regularizer = arguments.pop("activity_regularizer", None)
        arguments.pop("use_cudnn", None)
        cell_kwargs = {k: kwargs[k] for k in ("dtype", "trainable") if k in kwargs}
        cell = self.cell_class(**arguments, **cell_kwargs)
        RNN.__init__(self, cell, activity_regularizer=activity_regularizer, **rnn_args, **kwargs)
        self.use_cudnn = use_cudnn

    def __getattr__(self, name):
        # The cell's arguments read through the layer, as in Keras (`lstm.units`).
        try:
            return super().__getattr__(name)
        except AttributeError:
            cell = self.__dict__.get("_modules", {}).get("cell")
            if cell is not None and not name.startswith("_") and name in cell.get_config():
                return getattr(cell, name)
            raise

    def get_config(self):
        cell_config = {k: v for k, v in self.cell.get_config().items() if k not in _LAYER_ARGS}
        return {**super().get_config(), **cell_config}
