"""Mixed precision: policies, autocast in fit/evaluate/predict and eager calls, float32 layers
inside a mixed model, loss scaling under mixed_float16, saving."""

import numpy as np
import pytest
import torch

import strata
from strata import layers, mixed_precision


@pytest.fixture
def policy():
    def set_policy(name):
        mixed_precision.set_global_policy(name)

    yield set_policy
    mixed_precision.set_global_policy(None)


def _data(n=256, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, 16), dtype=np.float32)
    y = (x[:, :8].sum(axis=1) > x[:, 8:].sum(axis=1)).astype("int64")
    return x, y


def _model():
    inputs = strata.Input((16,))
    x = layers.Dense(32, activation="relu", name="hidden")(inputs)
    x = layers.Dense(2, name="logits")(x)
    outputs = layers.Activation("softmax", dtype="float32", name="probabilities")(x)
    return strata.Model(inputs, outputs)


def _dtypes_seen(model, run):
    seen = {}

    def recorder(name):
        def hook(module, args, output):
            seen.setdefault(name, output.dtype)  # returns None: the output is kept

        return hook

    handles = [
        model.get_layer(name).register_forward_hook(recorder(name))
        for name in ("hidden", "logits", "probabilities")
    ]
    try:
        run()
    finally:
        for handle in handles:
            handle.remove()
    return seen


def test_policy_names_dtypes_and_errors(policy):
    mixed = mixed_precision.Policy("mixed_float16")
    assert (mixed.compute_dtype, mixed.variable_dtype) == ("float16", "float32")
    assert mixed_precision.global_policy().name == "float32"
    policy("mixed_bfloat16")
    assert mixed_precision.global_policy().name == "mixed_bfloat16"
    assert strata.config.dtype_policy().name == "mixed_bfloat16"
    dense = layers.Dense(2)
    assert (dense.compute_dtype, dense.variable_dtype, dense.dtype) == (
        "bfloat16",
        "float32",
        "float32",
    )
    assert layers.Dense(2, dtype="float32").dtype_policy.name == "float32"
    with pytest.raises(ValueError, match="mixed_float16"):
        mixed_precision.Policy("mixed_int8")


@pytest.mark.parametrize(
    "name, half", [("mixed_bfloat16", torch.bfloat16), ("mixed_float16", torch.float16)]
)
def test_fit_computes_in_half_keeps_float32_weights_and_learns(policy, name, half):
    policy(name)
    strata.utils.set_random_seed(0)
    model = _model()
    model.compile(
        strata.optimizers.Adam(1e-2), "sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    if name == "mixed_float16":
        assert isinstance(model.optimizer, mixed_precision.LossScaleOptimizer)
    else:
        assert not isinstance(model.optimizer, mixed_precision.LossScaleOptimizer)
    x, y = _data()
    seen = _dtypes_seen(model, lambda: model.fit(x, y, epochs=8, batch_size=32, verbose=0))
    assert seen == {"hidden": half, "logits": half, "probabilities": torch.float32}
    assert all(w.dtype == torch.float32 for w in model.weights)
    loss, accuracy = model.evaluate(x, y, verbose=0)
    assert accuracy > 0.85 and np.isfinite(loss)
    predictions = model.predict(x[:4], verbose=0)
    assert predictions.dtype == np.float32
    np.testing.assert_allclose(predictions.sum(axis=1), 1.0, rtol=1e-5)


def test_eager_calls_autocast_and_full_precision_layers_leave_it(policy):
    policy("mixed_bfloat16")
    model = _model()
    seen = _dtypes_seen(model, lambda: model(torch.rand(3, 16)))
    assert seen == {
        "hidden": torch.bfloat16,
        "logits": torch.bfloat16,
        "probabilities": torch.float32,
    }


class _Subclassed(strata.Model):
    def __init__(self):
        super().__init__()
        self.hidden = layers.Dense(8, activation="relu")
        self.out = layers.Dense(2, activation="softmax", dtype="float32")

    def call(self, inputs):
        return self.out(self.hidden(inputs))


def test_subclassed_model_trains_under_mixed_bfloat16(policy):
    policy("mixed_bfloat16")
    model = _Subclassed()
    model.compile("adam", "sparse_categorical_crossentropy")
    x, y = _data()
    history = model.fit(x, y, epochs=3, batch_size=64, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model(torch.rand(2, 16)).dtype == torch.float32


def test_policies_survive_save_and_load(policy, tmp_path):
    policy("mixed_bfloat16")
    model = _model()
    path = tmp_path / "mixed.keras"
    model.save(path)
    policy(None)  # a fresh session with the default policy
    loaded = strata.models.load_model(path)
    assert loaded.get_layer("hidden").dtype_policy.name == "mixed_bfloat16"
    assert loaded.get_layer("probabilities").dtype_policy.name == "float32"
    x = np.random.default_rng(1).random((4, 16), dtype=np.float32)
    np.testing.assert_allclose(
        loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-2, atol=1e-3
    )


def test_full_precision_models_pay_nothing():
    model = _model()
    assert strata.trainers.engine.mixed_compute_dtype(model) is None
    assert not model.get_layer("hidden")._dtype_policy.is_mixed


def test_after_mixed_models_full_precision_models_still_save_and_load(policy, tmp_path):
    policy("mixed_bfloat16")
    _model()  # a mixed layer now exists in the process
    policy(None)
    inputs = strata.Input((4,))
    model = strata.Model(inputs, layers.Add()([layers.Dense(4)(inputs), inputs]))
    model.save(tmp_path / "plain.keras")
    loaded = strata.models.load_model(tmp_path / "plain.keras")  # built on the meta device
    x = np.ones((2, 4), dtype=np.float32)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    mixed_inputs = strata.Input((4,))
    policy("mixed_bfloat16")
    mixed = strata.Model(
        mixed_inputs, layers.Dense(2, dtype="float32")(layers.Dense(4)(mixed_inputs))
    )
    mixed.save(tmp_path / "mixed.keras")
    assert strata.models.load_model(tmp_path / "mixed.keras").count_params() == 30
