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
    seen = SeenForward()
    history = model.fit(x, y, epochs=2, batch_size=64, shuffle=False, verbose=0, callbacks=[seen])
    return seen.forward, history.history


class SeenForward(strata.callbacks.Callback):
    """Records the training forward function the run's engine uses."""

    def on_train_begin(self, logs=None):
        self.forward = self.engine.train_forward


@pytest.mark.slow
def test_jit_compiled_training_matches_eager():
    compiled_forward, compiled = fitted_history(True)
    eager_forward, eager = fitted_history(False)
    # The eager run steps through the engine's own method; the jit run through torch.compile's.
    assert not hasattr(eager_forward, "_torchdynamo_orig_callable")
    assert hasattr(compiled_forward, "_torchdynamo_orig_callable")
    assert set(compiled) == set(eager) == {"loss", "acc"}
    np.testing.assert_allclose(compiled["loss"], eager["loss"], rtol=1e-4)
    np.testing.assert_allclose(compiled["acc"], eager["acc"])
