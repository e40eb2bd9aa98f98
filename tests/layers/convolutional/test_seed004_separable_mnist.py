"""Seed 004's SeparableConv2D MNIST model on the real MNIST files."""

import numpy as np
import pytest

from strata import layers, models
from strata.datasets import mnist
from strata.utils import to_categorical


def separable_model():
    # The seed's listing, imports changed only (`from strata import layers, models`).
    model = models.Sequential()
    model.add(layers.SeparableConv2D(32, 3, activation="relu", input_shape=(28, 28, 1)))
    model.add(layers.BatchNormalization())
    model.add(layers.SeparableConv2D(64, 3, activation="relu"))
    model.add(layers.MaxPooling2D(2))
    model.add(layers.BatchNormalization())
    model.add(layers.SeparableConv2D(64, 3, activation="relu"))
    model.add(layers.MaxPooling2D(2))
    model.add(layers.Dropout(0.5))
    model.add(layers.Flatten())
    model.add(layers.Dense(64, activation="relu"))
    model.add(layers.BatchNormalization())
    model.add(layers.Dense(10, activation="softmax"))
    return model


def test_each_separable_conv_holds_fewer_parameters_than_the_conv2d_it_replaces():
    model = separable_model()
    separable = [layer for layer in model.layers if isinstance(layer, layers.SeparableConv2D)]
    assert len(separable) == 3
    for layer in separable:
        in_channels = layer.input_shape[-1]
        conv = layers.Conv2D(layer.filters, layer.kernel_size)
        conv.build(layer.input_shape)
        assert layer.count_params() < conv.count_params(), layer.name
        # depthwise k*k*in + pointwise in*out + bias
        assert layer.count_params() == 9 * in_channels + in_channels * layer.filters + layer.filters


@pytest.mark.slow
def test_seed004_separable_model_reaches_96_percent_on_held_out_mnist(shared_datasets):
    (x_train, y_train), (x_test, y_test) = mnist.load_test_split(
        shared_datasets / "mnist", train_size=8000
    )
    x_train = x_train.reshape(-1, 28, 28, 1).astype("float32") / 255.0
    x_test = x_test.reshape(-1, 28, 28, 1).astype("float32") / 255.0
    model = separable_model()
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, to_categorical(y_train), epochs=5, batch_size=64, verbose=0)
    loss, accuracy = model.evaluate(x_test, to_categorical(y_test), verbose=0)
    print(f"seed 004 SeparableConv2D model: held-out accuracy {accuracy:.4f} on 2,000 images")
    assert accuracy >= 0.96
    assert np.isfinite(loss)
