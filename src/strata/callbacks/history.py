"""History: records every epoch's logs; `fit` returns it."""

from strata.callbacks.callback import Callback


class History(Callback):
    """`history.history` maps each metric name (and its `val_` twin) to a list, one per epoch.

    Attributes:
        epoch: the epoch indices recorded.
        history: dict of metric name -> list of floats.
    """

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        # A resumed or repeated fit keeps appending, as Keras's History does.
        self.epoch = self.epoch or []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
        if self.model is not None:
            self.model.history = self

    def state_dict(self):
        return {"history": {k: list(v) for k, v in self.history.items()}, "epoch": list(self.epoch)}

    def load_state_dict(self, state):
        self.history = {k: list(v) for k, v in state["history"].items()}
        self.epoch = list(state["epoch"])
