"""ModelCheckpoint and the seed's §7.2 callback listings (7.2.1)."""

import os

import numpy as np
import pytest
from callback_helpers import binary_data

import strata as keras
from strata import layers
from strata.callbacks import ModelCheckpoint


def functional_model():
    inputs = layers.Input((4,))
    hidden = layers.Dense(8, activation="relu")(inputs)
    outputs = layers.Dense(1, activation="sigmoid")(hidden)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["acc"])
    return model


def test_seed_listing_early_stopping_with_model_checkpoint(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    x, y = binary_data(n=96)
    x_val, y_val = binary_data(n=32, seed=1)
    model = functional_model()
    saved = []

    class BestWeights(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            saved.append((logs["val_loss"], model.get_weights()))

    callbacks_list = [
        keras.callbacks.EarlyStopping(monitor="acc", patience=1),
        keras.callbacks.ModelCheckpoint(
            filepath="my_model.h5", monitor="val_loss", save_best_only=True
        ),
        BestWeights(),
    ]
    history = model.fit(
        x,
        y,
        epochs=10,
        batch_size=32,
        callbacks=callbacks_list,
        validation_data=(x_val, y_val),
        verbose=0,
    )
    assert os.path.exists("my_model.h5")
    best_loss, best_weights = min(saved, key=lambda item: item[0])
    loaded = keras.models.load_model("my_model.h5")
    for got, expected in zip(loaded.get_weights(), best_weights, strict=True):
        np.testing.assert_array_equal(got, expected)
    assert loaded.evaluate(x_val, y_val, verbose=0)[0] == pytest.approx(best_loss, abs=1e-6)
    assert len(history.history["loss"]) == len(saved)
    assert [p.name for p in tmp_path.iterdir()] == ["my_model.h5"]  # no temporary files left


def test_filepath_template_every_epoch(tmp_path):
    x, y = binary_data()
    model = functional_model()
    template = str(tmp_path / "ckpt" / "weights.{epoch:02d}-{val_loss:.2f}.keras")
    history = model.fit(
        x, y, epochs=3, validation_split=0.25, verbose=0, callbacks=[ModelCheckpoint(template)]
    )
    expected = sorted(
        f"weights.{epoch + 1:02d}-{loss:.2f}.keras"
        for epoch, loss in enumerate(history.history["val_loss"])
    )
    assert sorted(os.listdir(tmp_path / "ckpt")) == expected
    assert keras.models.load_model(tmp_path / "ckpt" / expected[-1]).count_params() == 49


def test_save_weights_only_and_integer_save_freq(tmp_path):
    x, y = binary_data(n=64)
    model = functional_model()
    template = str(tmp_path / "w-{epoch}-{batch}.weights.h5")
    checkpoint = ModelCheckpoint(template, save_weights_only=True, save_freq=3)
    model.fit(x, y, epochs=2, batch_size=16, verbose=0, callbacks=[checkpoint])
    # 4 batches per epoch, a save every 3: after batch 3 of epoch 1, batch 2 of epoch 2.
    assert sorted(os.listdir(tmp_path)) == ["w-1-3.weights.h5", "w-2-2.weights.h5"]
    other = functional_model()
    other.load_weights(tmp_path / "w-2-2.weights.h5")
    with pytest.raises(ValueError):
        keras.models.load_model(tmp_path / "w-2-2.weights.h5")


def test_save_best_only_modes_and_threshold(tmp_path):
    model = functional_model()
    path = str(tmp_path / "best.keras")
    checkpoint = ModelCheckpoint(path, monitor="val_acc", save_best_only=True)
    assert checkpoint.mode == "max"
    checkpoint.set_model(model)
    checkpoint.on_epoch_end(0, {"val_acc": 0.5})
    first = os.stat(path).st_mtime_ns
    checkpoint.on_epoch_end(1, {"val_acc": 0.4})
    assert os.stat(path).st_mtime_ns == first and checkpoint.best == 0.5
    checkpoint = ModelCheckpoint(
        str(tmp_path / "t.keras"), save_best_only=True, initial_value_threshold=0.1
    )
    checkpoint.set_model(model)
    checkpoint.on_epoch_end(0, {"val_loss": 0.2})
    assert not (tmp_path / "t.keras").exists()
    with pytest.warns(UserWarning, match="available: loss"):
        checkpoint.on_epoch_end(1, {"loss": 0.05})
    with pytest.raises(KeyError, match="could not format"):
        ModelCheckpoint(str(tmp_path / "{nope}.keras")).on_epoch_end(0, {"loss": 1.0})
    with pytest.raises(ValueError, match="save_freq"):
        ModelCheckpoint(path, save_freq="sometimes")


def test_seed_activation_logger(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    class ActivationLogger(keras.callbacks.Callback):
        def set_model(self, model):
            self.model = model
            layer_outputs = [layer.output for layer in model.layers]
            self.activations_model = keras.models.Model(model.input, layer_outputs)

        def on_epoch_end(self, epoch, logs=None):
            if self.validation_data is None:
                raise RuntimeError("Requires validation_data.")
            validation_sample = self.validation_data[0][0:1]
            activations = self.activations_model.predict(validation_sample)
            # The listing opens the file with 'w'; np.savez writes bytes, so 'wb' here.
            f = open("activations_at_epoch_" + str(epoch) + ".npz", "wb")
            np.savez(f, *activations)
            f.close()

    model = keras.Sequential(
        [layers.Input((4,)), layers.Dense(8, activation="relu"), layers.Dense(1)]
    )
    model.compile(optimizer="rmsprop", loss="mse")
    x, y = binary_data(n=32)
    x_val, y_val = binary_data(n=8, seed=3)
    model.fit(
        x, y, epochs=2, verbose=0, validation_data=(x_val, y_val), callbacks=[ActivationLogger()]
    )
    with np.load("activations_at_epoch_1.npz") as saved:
        hidden, output = saved["arr_0"], saved["arr_1"]
    assert hidden.shape == (1, 8) and output.shape == (1, 1)
    np.testing.assert_allclose(output, model.predict(x_val[:1], verbose=0), rtol=1e-6)
    assert os.path.exists("activations_at_epoch_0.npz")
    with pytest.raises(RuntimeError, match="Requires validation_data"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[ActivationLogger()])
