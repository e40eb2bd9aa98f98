"""TerminateOnNaN: stop training as soon as the loss is NaN or infinite."""

from __future__ import annotations

import math

from strata.callbacks.callback import Callback


class TerminateOnNaN(Callback):
    """Sets `model.stop_training` when a batch's loss is NaN or infinite.

    It reads the loss after every batch, which waits for the device once per step: the price
    of stopping at the first bad batch.

    Example:
        >>> import strata
        >>> callback = strata.callbacks.TerminateOnNaN()
    """

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is None:
            return
        if math.isnan(float(loss)) or math.isinf(float(loss)):
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True
