"""ReduceLROnPlateau: lowers the optimizer's rate on a plateau and logs learning_rate."""

import numpy as np
import pytest
from callback_helpers import frozen_model, scripted_logs

import strata
from strata.callbacks import ReduceLROnPlateau


def test_factor_must_be_below_one():
    with pytest.raises(ValueError, match="factor > 0.0 and < 1.0; received 1.0"):
        ReduceLROnPlateau(factor=1.0)


def test_lowers_the_rate_after_patience_epochs_and_respects_min_lr():
    model = frozen_model()
    model.optimizer.learning_rate = 1.0
    callback = ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2, min_lr=0.3)
    rates = []
    callback.set_model(model)
    callback.on_train_begin()
    for epoch in range(8):
        logs = {"val_loss": 1.0}
        callback.on_epoch_end(epoch, logs)
        rates.append(logs["learning_rate"])
    # The logged rate is the one the epoch trained with; lowered after epochs 2, 4 and 6.
    assert rates == [1.0, 1.0, 1.0, 0.5, 0.5, 0.3, 0.3, 0.3]
    assert model.optimizer.learning_rate == 0.3


def test_improvement_resets_and_cooldown_waits():
    model = frozen_model()
    model.optimizer.learning_rate = 1.0
    callback = ReduceLROnPlateau(monitor="val_loss", factor=0.1, patience=1, cooldown=2)
    scripted_logs(callback, model, [1.0, 0.5, 0.5])
    assert model.optimizer.learning_rate == pytest.approx(0.1)
    # Keras's cooldown: the counter runs down at the start of each epoch's check, so with
    # cooldown=2 epoch 3 is skipped and epoch 4 counts again (and, with patience 1, reduces).
    callback.on_epoch_end(3, {"val_loss": 0.5})
    assert model.optimizer.learning_rate == pytest.approx(0.1)
    assert callback.cooldown_counter == 1
    callback.on_epoch_end(4, {"val_loss": 0.5})
    assert model.optimizer.learning_rate == pytest.approx(0.01)
    # Without cooldown the next flat epoch reduces at once.
    plain = ReduceLROnPlateau(monitor="val_loss", factor=0.1, patience=1)
    model.optimizer.learning_rate = 1.0
    scripted_logs(plain, model, [1.0, 0.5, 0.5, 0.5])
    assert model.optimizer.learning_rate == pytest.approx(0.01)


def test_seed_listing_lowers_the_rate_on_a_real_validation_plateau():
    # Listing 7.2: ReduceLROnPlateau(monitor='val_loss', factor=0.1, patience=10) on a
    # constant problem, so val_loss is flat from the first epoch.
    x = np.random.default_rng(0).random((32, 3)).astype("float32")
    callbacks_list = [ReduceLROnPlateau(monitor="val_loss", factor=0.1, patience=10)]
    model = strata.Sequential([strata.layers.Input((3,)), strata.layers.Dense(1)])
    model.compile(optimizer=strata.optimizers.SGD(learning_rate=0.05), loss="mse")
    zeros = np.zeros((32, 1), "float32")
    model.layers[0].set_weights([np.zeros((3, 1)), np.zeros(1)])
    history = model.fit(
        x,
        zeros,
        epochs=13,
        batch_size=32,
        callbacks=callbacks_list,
        validation_data=(x, zeros),
        verbose=0,
    )
    rates = history.history["learning_rate"]
    # A zero model on zero targets has zero loss and zero gradients: a perfect plateau.
    assert history.history["val_loss"] == [0.0] * 13
    assert rates[:11] == [pytest.approx(0.05)] * 11
    assert rates[11:] == [pytest.approx(0.005)] * 2
    assert model.optimizer.learning_rate == pytest.approx(0.005)


def test_state_dict_round_trip():
    model = frozen_model()
    callback = ReduceLROnPlateau(patience=5, cooldown=1)
    scripted_logs(callback, model, [1.0, 2.0, 3.0])
    restored = ReduceLROnPlateau(patience=5, cooldown=1)
    restored.load_state_dict(callback.state_dict())
    assert (restored.best, restored.wait, restored.cooldown_counter) == (1.0, 2, 0)
