"""Seed 004's MNIST CNN with BatchNormalization and Dropout on the real MNIST test files.

Split (by position, via `mnist.load_test_split`): the first 8,000 t10k images train, the last
2,000 are held out and only evaluated. The listing is as printed apart from the imports; compile
and fit follow the book's MNIST CNN (rmsprop, categorical_crossentropy, batch size 64).
"""

import numpy as np
import pytest

import strata as keras
from strata import layers, models
from strata.datasets import mnist

EPOCHS = 5


def _seed_model():
    model = models.Sequential()
    model.add(layers.Conv2D(32, (3, 3), activation="relu", input_shape=(28, 28, 1)))
    model.add(layers.BatchNormalization())
    model.add(layers.MaxPooling2D((2, 2)))
    model.add(layers.Conv2D(64, (3, 3), activation="relu"))
    model.add(layers.BatchNormalization())
    model.add(layers.MaxPooling2D((2, 2)))
    model.add(layers.Dropout(0.5))
    model.add(layers.Conv2D(64, (3, 3), activation="relu"))
    model.add(layers.Flatten())
    model.add(layers.Dense(64, activation="relu"))
    model.add(layers.BatchNormalization())
    model.add(layers.Dense(10, activation="softmax"))
    return model


def _prepare(images, labels):
    x = images.reshape((len(images), 28, 28, 1)).astype("float32") / 255
    return x, keras.utils.to_categorical(labels, 10)


def test_seed_model_shapes_and_parameter_count():
    model = _seed_model()
    assert tuple(model.output_shape) == (None, 10)
    # conv 320, BN 128, conv 18,496, BN 256, conv 36,928, dense 36,928, BN 256, dense 650.
    assert model.count_params() == 320 + 128 + 18496 + 256 + 36928 + 36928 + 256 + 650
    # Each BN keeps its moving mean and variance untrained.
    assert sum(int(np.prod(w.shape)) for w in model.non_trainable_weights) == 2 * (32 + 64 + 64)


@pytest.mark.slow
def test_mnist_cnn_with_batchnorm_reaches_96_percent_on_held_out_images(shared_datasets):
    (train_images, train_labels), (test_images, test_labels) = mnist.load_test_split(
        shared_datasets / "mnist", train_size=8000
    )
    assert len(train_images) == 8000 and len(test_images) == 2000
    x_train, y_train = _prepare(train_images, train_labels)
    x_test, y_test = _prepare(test_images, test_labels)

    keras.set_random_seed(0)
    model = _seed_model()
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    bn = model.layers[1]
    moving_mean_before = bn.get_weights()[2].copy()
    history = model.fit(x_train, y_train, epochs=EPOCHS, batch_size=64, verbose=0)
    assert set(history.history) == {"loss", "accuracy"}
    assert history.history["loss"][-1] < history.history["loss"][0]

    # fit trained BatchNormalization's moving statistics; inference reads them, so it is
    # deterministic and independent of the batch it is given.
    assert not np.allclose(bn.get_weights()[2], moving_mean_before)
    stats = [layer.get_weights()[2:] for layer in model.layers if "batch" in layer.name]
    test_loss, test_acc = model.evaluate(x_test, y_test, verbose=0)
    after = [layer.get_weights()[2:] for layer in model.layers if "batch" in layer.name]
    for s0, s1 in zip(stats, after, strict=True):
        for a, b in zip(s0, s1, strict=True):
            np.testing.assert_array_equal(a, b)
    probabilities = model.predict(x_test, batch_size=500, verbose=0)
    single = model.predict(x_test[:7], batch_size=1, verbose=0)
    np.testing.assert_allclose(single, probabilities[:7], rtol=1e-4, atol=1e-6)
    predicted_acc = (probabilities.argmax(1) == test_labels).mean()
    assert predicted_acc == pytest.approx(test_acc, abs=1e-6)
    print(f"MNIST seed-004 CNN: held-out accuracy {test_acc:.4f} (loss {test_loss:.4f})")
    assert test_acc >= 0.96
