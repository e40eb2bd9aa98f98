"""`fit` with RMSprop against Keras 3's own run (tools/keras_fixtures/rmsprop_fit.py).

Same tiny model, initial weights, data and batch order; the gradients are far below
sqrt(epsilon), where torch's RMSprop rule would take very different steps.
"""

import pathlib

import numpy as np
import pytest
import torch

import strata

FIXTURE = np.load(pathlib.Path(__file__).parent / "fixtures" / "rmsprop_fit.npz")
EPOCHS, BATCH = 3, 4


class _BatchLosses(strata.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.losses = []

    def on_train_batch_end(self, batch, logs=None):
        self.losses.append(float(logs["loss"]))


def _fit(optimizer):
    model = strata.Sequential(
        [strata.Input((3,)), strata.layers.Dense(4, activation="tanh"), strata.layers.Dense(1)]
    )
    model.set_weights([FIXTURE[f"initial/{i}"] for i in range(4)])
    model.compile(optimizer=optimizer, loss="mse")
    batches = _BatchLosses()
    history = model.fit(
        FIXTURE["x"],
        FIXTURE["y"],
        batch_size=BATCH,
        epochs=EPOCHS,
        shuffle=False,
        verbose=0,
        callbacks=[batches],
    )
    return model, batches.losses, history.history["loss"]


def test_rmsprop_fit_losses_and_weights_equal_keras():
    model, batch_losses, epoch_losses = _fit(strata.optimizers.RMSprop(learning_rate=1e-3))
    np.testing.assert_allclose(batch_losses, FIXTURE["batch_losses"], rtol=1e-4)
    np.testing.assert_allclose(epoch_losses, FIXTURE["epoch_losses"], rtol=1e-4)
    for i, weight in enumerate(model.get_weights()):
        np.testing.assert_allclose(weight, FIXTURE[f"final/{i}"], rtol=1e-5, atol=1e-7)


class _TorchRuleRMSprop(strata.optimizers.Optimizer):
    """strata's old RMSprop: torch's rule, sqrt(v) + epsilon."""

    _torch_class = torch.optim.RMSprop

    def _torch_kwargs(self):
        return {"alpha": 0.9, "eps": 1e-7}


def test_torch_rule_would_not_match():
    # The same run with torch's RMSprop (epsilon outside the root) ends far from Keras.
    _, _, epoch_losses = _fit(_TorchRuleRMSprop(learning_rate=1e-3))
    assert epoch_losses[-1] != pytest.approx(FIXTURE["epoch_losses"][-1], rel=0.1)
