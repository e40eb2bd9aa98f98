"""A model whose layers have different float dtypes casts each layer's inputs to its dtype."""

import numpy as np
import torch

import strata
from strata import layers


def _layer_by_layer(model, x):
    """The model's output computed by eager layer calls (each casts its own inputs)."""
    value = torch.from_numpy(x)
    for layer in model.layers:
        value = layer(value)
    return value.float().detach().numpy()


def test_sequential_and_functional_with_a_bfloat16_layer_predict_and_train():
    x = np.random.default_rng(0).random((8, 4), dtype=np.float32)
    strata.utils.set_random_seed(0)
    sequential = strata.Sequential(
        [strata.Input((4,)), layers.Dense(3, dtype="bfloat16"), layers.Dense(2)]
    )
    np.testing.assert_allclose(
        sequential.predict(x, verbose=0), _layer_by_layer(sequential, x), rtol=1e-6
    )
    inputs = strata.Input((4,))
    hidden = layers.Dense(3, dtype="bfloat16")(inputs)
    functional = strata.Model(inputs, layers.Dense(2, activation="softmax")(hidden))
    assert functional.predict(x, verbose=0).shape == (8, 2)
    functional.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    history = functional.fit(x, np.arange(8) % 2, epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert functional.layers[1].kernel.dtype == torch.bfloat16
