"""SwapEMAWeights against Keras's fit (tools/keras_fixtures/swap_ema.py) and on its own."""

from pathlib import Path

import numpy as np
import pytest
import torch

import strata

KERAS = np.load(Path(__file__).parent / "fixtures" / "keras_swap_ema.npz")


def _model(use_ema=True, momentum=0.5):
    model = strata.Sequential([strata.Input((3,)), strata.layers.Dense(1)])
    model.set_weights([KERAS["kernel0"], KERAS["bias0"]])
    optimizer = strata.optimizers.SGD(learning_rate=0.05, use_ema=use_ema, ema_momentum=momentum)
    model.compile(optimizer=optimizer, loss="mse")
    return model


def _fit(model, callbacks, epochs=3):
    x, y = KERAS["x"], KERAS["y"]
    return model.fit(
        x,
        y,
        batch_size=4,
        epochs=epochs,
        shuffle=False,
        verbose=0,
        validation_data=(x, y),
        callbacks=callbacks,
    )


@pytest.mark.parametrize("swap_on_epoch, key", [(False, "test"), (True, "epoch")])
def test_matches_keras_history_and_final_weights(swap_on_epoch, key):
    model = _model()
    history = _fit(model, [strata.callbacks.SwapEMAWeights(swap_on_epoch=swap_on_epoch)])
    np.testing.assert_allclose(history.history["loss"], KERAS[f"loss_{key}"], rtol=1e-5)
    np.testing.assert_allclose(history.history["val_loss"], KERAS[f"val_loss_{key}"], rtol=1e-5)
    kernel, bias = model.get_weights()
    np.testing.assert_allclose(kernel, KERAS[f"kernel_{key}"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(bias, KERAS[f"bias_{key}"], rtol=1e-5, atol=1e-6)


def test_validation_sees_the_averages_and_training_the_raw_weights():
    plain = _fit(_model(), [])
    swapped = _fit(_model(), [strata.callbacks.SwapEMAWeights()])
    # Training is unchanged; only the validation numbers come from other weights.
    np.testing.assert_allclose(plain.history["loss"], swapped.history["loss"], rtol=1e-6)
    assert not np.allclose(plain.history["val_loss"], swapped.history["val_loss"])


def _train_steps(model, steps=3):
    # train_on_batch updates the averages without fit's final write of them into the model.
    for _ in range(steps):
        model.train_on_batch(KERAS["x"], KERAS["y"])


def test_evaluate_and_predict_swap_and_restore():
    model = _model()
    _train_steps(model)
    optimizer = model.optimizer
    raw = [w.detach().clone() for w in model.trainable_weights]
    optimizer.swap_ema_weights()
    kernel, bias = model.get_weights()  # Keras's layout: kernel (3, 1)
    optimizer.swap_ema_weights()
    assert not np.allclose(kernel, model.get_weights()[0])

    x = KERAS["x"]
    callback = strata.callbacks.SwapEMAWeights()
    predicted = model.predict(x, verbose=0, callbacks=[callback])
    expected = x @ kernel + bias
    np.testing.assert_allclose(predicted, expected, rtol=1e-5, atol=1e-6)
    for w, r in zip(model.trainable_weights, raw):
        torch.testing.assert_close(w.detach(), r)
    loss = model.evaluate(x, KERAS["y"], verbose=0, callbacks=[callback])
    np.testing.assert_allclose(loss, np.mean((expected - KERAS["y"]) ** 2), rtol=1e-5)
    for w, r in zip(model.trainable_weights, raw):
        torch.testing.assert_close(w.detach(), r)


def test_swap_twice_is_the_identity():
    model = _model()
    _train_steps(model)
    before = [w.detach().clone() for w in model.trainable_weights]
    model.optimizer.swap_ema_weights()
    model.optimizer.swap_ema_weights()
    for w, b in zip(model.trainable_weights, before):
        torch.testing.assert_close(w.detach(), b)


def test_refuses_an_optimizer_without_ema():
    model = _model(use_ema=False)
    with pytest.raises(ValueError, match="use_ema=True"):
        _fit(model, [strata.callbacks.SwapEMAWeights()], epochs=1)
    with pytest.raises(ValueError, match="use_ema=True"):
        model.optimizer.swap_ema_weights()
