"""Run under torchrun with 2 processes: process 1 fails in its second epoch; the job must end
with that error instead of leaving process 0 waiting in a collective."""

import numpy as np

import strata
from strata import layers
from strata.distribution import DataParallel, process_index, set_distribution

set_distribution(DataParallel(timeout_seconds=60))
x = np.random.default_rng(0).normal(size=(256, 4)).astype("float32")
y = x.sum(1, keepdims=True)
model = strata.Sequential([strata.Input((4,)), layers.Dense(1)])
model.compile(optimizer="sgd", loss="mse")


class FailOnRankOne(strata.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        if epoch == 1 and process_index() == 1:
            raise RuntimeError("process 1 diverged: loss became NaN")


model.fit(x, y, batch_size=32, epochs=50, verbose=0, callbacks=[FailOnRankOne()])
