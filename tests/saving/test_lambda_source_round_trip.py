"""A real Lambda layer: its source is saved only with consent and loads only outside safe mode."""

import numpy as np
import pytest

from strata import Input, layers
from strata.models import Model, load_model


def lambda_model():
    inputs = Input(shape=(3,))
    doubled = layers.Lambda(lambda t: t * 2 + 1)(inputs)
    return Model(inputs, layers.Dense(2)(doubled))


def test_saving_a_lambda_needs_consent(tmp_path):
    with pytest.raises(ValueError, match="allow_lambda_source=True"):
        lambda_model().save(tmp_path / "m.keras")
    assert not (tmp_path / "m.keras").exists()


def test_lambda_source_loads_only_with_safe_mode_off(tmp_path):
    model = lambda_model()
    path = tmp_path / "m.keras"
    model.save(path, allow_lambda_source=True)
    with pytest.raises(ValueError, match="safe_mode=False"):
        load_model(path)
    loaded = load_model(path, safe_mode=False)
    x = np.random.default_rng(0).random((4, 3)).astype("float32")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
