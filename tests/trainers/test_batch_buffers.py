"""Shuffled array batches share buffers only when no user code can keep a batch."""

import numpy as np
import torch

import strata
from strata import layers


def data():
    x = np.arange(64 * 3, dtype=np.float32).reshape(64, 3)
    y = np.ones((64, 1), dtype=np.float32)
    return x, y


def test_builtin_fit_reuses_buffers_and_trains_on_every_row_once_per_epoch():
    seen = []

    class RecordRows(layers.Layer):
        def call(self, inputs):
            if inputs.device.type != "meta":  # shape inference runs on meta tensors
                seen.append(inputs[:, 0].detach().clone())
            return inputs

    model = strata.Sequential([RecordRows(input_shape=(3,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = data()
    model.fit(x, y, batch_size=16, epochs=2, shuffle=True, verbose=0)
    assert len(seen) == 8
    for epoch in (seen[:4], seen[4:]):
        rows = torch.cat(epoch).numpy()
        np.testing.assert_array_equal(np.sort(rows), x[:, 0])  # every row exactly once


def test_overridden_train_step_gets_batches_it_can_keep():
    class Keeper(strata.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(1)
            self.kept = []

        def call(self, inputs):
            return self.dense(inputs)

        def train_step(self, data):
            self.kept.append(data[0])
            return super().train_step(data)

    model = Keeper()
    model.compile(optimizer="sgd", loss="mse")
    x, y = data()
    model.fit(x, y, batch_size=16, epochs=1, shuffle=True, verbose=0)
    firsts = sorted(float(batch[0, 0]) for batch in model.kept)
    # Each kept batch still holds its own rows: had buffers been reused, all would be equal.
    assert len(set(firsts)) == 4
    np.testing.assert_array_equal(
        np.sort(torch.cat([b[:, 0] for b in model.kept]).numpy()), x[:, 0]
    )
