"""compile(jit_compile=True) runs the forward pass and loss through torch.compile."""

import numpy as np
import pytest

import strata
from strata import layers


def fitted_history(jit):
    strata.set_random_seed(7)
    model = strata.Sequential(
        [
            layers.Dense(16, activation="relu", input_shape=(8,)),
            layers.Dense(3, activation="softmax"),
        ]
    )
    model.compile(
        optimizer="adam", loss="categorical_crossentropy", metrics=["acc"], jit_compile=jit
    )
    rng = np.random.default_rng(0)
    x = rng.random((256, 8), dtype=np.float32)
    y = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 256)]
    return model, model.fit(x, y, epochs=2, batch_size=64, shuffle=False, verbose=0).history


@pytest.mark.slow
def test_jit_compiled_training_matches_eager():
    compiled_model, compiled = fitted_history(True)
    _, eager = fitted_history(False)
    assert compiled_model._train_forward is not compiled_model._forward_and_loss
    assert set(compiled) == set(eager) == {"loss", "acc"}
    np.testing.assert_allclose(compiled["loss"], eager["loss"], rtol=1e-4)
    np.testing.assert_allclose(compiled["acc"], eager["acc"])
