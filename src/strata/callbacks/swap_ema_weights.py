"""SwapEMAWeights: evaluate (and optionally checkpoint) with the optimizer's EMA weights."""

from __future__ import annotations

from strata.callbacks.callback import Callback


class SwapEMAWeights(Callback):
    """Puts the optimizer's moving averages of the weights into the model for evaluation.

    Use with an optimizer made with `use_ema=True`. Before validation, `evaluate` and `predict`
    the model's weights and their exponential moving averages are exchanged in place, and
    exchanged back afterwards, so the metrics are those of the averaged ("Polyak") weights
    while training continues on the raw ones. With `swap_on_epoch=True` the averages are also
    in the model between `on_epoch_end` and the next `on_epoch_begin`, so callbacks placed
    after this one (`ModelCheckpoint`, ...) see them.

    Args:
        swap_on_epoch: also swap at the end of each epoch (and back at the next epoch's
            beginning).

    Raises:
        ValueError: (when it first swaps) the model's optimizer was not made with
            `use_ema=True`.

    Example:
        >>> import numpy as np, strata
        >>> model = strata.Sequential([strata.Input((2,)), strata.layers.Dense(1)])
        >>> model.compile(optimizer=strata.optimizers.SGD(use_ema=True), loss="mse")
        >>> x, y = np.ones((8, 2)), np.ones((8, 1))
        >>> history = model.fit(x, y, validation_data=(x, y), epochs=2, verbose=0,
        ...                     callbacks=[strata.callbacks.SwapEMAWeights()])
        >>> sorted(history.history)
        ['loss', 'val_loss']
    """

    _only_reports = True

    def __init__(self, swap_on_epoch=False):
        super().__init__()
        self.swap_on_epoch = swap_on_epoch
        self._ema_in_model = False

    def _optimizer(self):
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is None or not getattr(optimizer, "use_ema", None):
            inner = getattr(optimizer, "inner_optimizer", None)
            if inner is not None and inner.use_ema:
                return optimizer
            raise ValueError(
                "SwapEMAWeights expected the model's optimizer to have use_ema=True; received "
                f"{type(optimizer).__name__} with use_ema="
                f"{getattr(optimizer, 'use_ema', None)}."
            )
        return optimizer

    def _swap(self, into_model):
        if self._ema_in_model is into_model:
            return
        optimizer = self._optimizer()
        if not optimizer.built:  # nothing trained yet: no averages to swap
            return
        optimizer.swap_ema_weights()
        self._ema_in_model = into_model

    def on_epoch_begin(self, epoch, logs=None):
        if self.swap_on_epoch:
            self._swap(into_model=False)

    def on_epoch_end(self, epoch, logs=None):
        if not self.swap_on_epoch:
            return
        self._swap(into_model=True)
        last = epoch == self.params.get("epochs", 0) - 1 or self.model.stop_training
        if last and self._ema_in_model:
            # fit ends by writing the averages into the model; make the averages equal to
            # what the model holds now (the averages) rather than to the raw weights.
            optimizer = self._optimizer()
            optimizer.swap_ema_weights()
            optimizer.finalize_variable_values(
                [w for w in self.model.trainable_weights if w.requires_grad]
            )

    def on_test_begin(self, logs=None):
        self._swap(into_model=True)

    def on_test_end(self, logs=None):
        self._swap(into_model=False)

    def on_predict_begin(self, logs=None):
        self._swap(into_model=True)

    def on_predict_end(self, logs=None):
        self._swap(into_model=False)
