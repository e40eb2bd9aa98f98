"""Keras's "Transfer learning & fine-tuning" guide, with only the imports changed: a frozen
application as the base (random weights here: nothing is downloaded), augmentation and
rescaling in front, a new head trained with fit, then fine-tuning with a low learning rate."""

import numpy as np
import torch

import strata as keras
from strata import layers


def test_frozen_base_then_fine_tuning():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (48, 32, 32, 3)).astype("float32")
    labels = images[:, :16].mean(axis=(1, 2, 3)) > images[:, 16:].mean(axis=(1, 2, 3))
    labels = labels.astype("float32")

    data_augmentation = keras.Sequential(
        [layers.RandomFlip("horizontal"), layers.RandomRotation(0.1)]
    )
    base_model = keras.applications.MobileNetV3Small(
        weights=None, input_shape=(32, 32, 3), include_top=False, include_preprocessing=False
    )
    base_model.trainable = False

    inputs = keras.Input(shape=(32, 32, 3))
    x = data_augmentation(inputs)
    x = layers.Rescaling(scale=1 / 127.5, offset=-1)(x)
    # The base runs in inference mode: its BatchNormalization layers keep their statistics.
    x = base_model(x, training=False)
    x = keras.layers.GlobalAveragePooling2D()(x)
    x = keras.layers.Dropout(0.2)(x)
    outputs = keras.layers.Dense(1)(x)
    model = keras.Model(inputs, outputs)

    frozen_before = [w.detach().clone() for w in base_model.weights]
    model.compile(
        optimizer=keras.optimizers.Adam(),
        loss=keras.losses.BinaryCrossentropy(from_logits=True),
        metrics=[keras.metrics.BinaryAccuracy()],
    )
    assert len(model.trainable_weights) == 2  # only the new head
    history = model.fit(images, labels, epochs=2, batch_size=16, verbose=0)
    assert set(history.history) == {"binary_accuracy", "loss"}
    for before, after in zip(frozen_before, base_model.weights):
        assert torch.equal(before, after)  # frozen weights and BN statistics unchanged

    base_model.trainable = True
    model.compile(
        optimizer=keras.optimizers.Adam(1e-5),
        loss=keras.losses.BinaryCrossentropy(from_logits=True),
        metrics=[keras.metrics.BinaryAccuracy()],
    )
    assert len(model.trainable_weights) > 2
    tuned_before = [w.detach().clone() for w in base_model.trainable_weights]
    model.fit(images, labels, epochs=1, batch_size=16, verbose=0)
    moved = [not torch.equal(b, a) for b, a in zip(tuned_before, base_model.trainable_weights)]
    assert sum(moved) > len(moved) // 2  # fine-tuning now updates the base
