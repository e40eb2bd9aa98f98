"""Normalization, Discretization and CategoryEncoding equal Keras 3.15's outputs (fixtures)."""

from pathlib import Path

import numpy as np
import pytest
import torch

import strata
from strata import layers

FIXTURES = Path(__file__).parent / "fixtures"
NORMALIZATION_CASES = {
    "last": {},
    "both": {"axis": (1, 2)},
    "none": {"axis": None},
    "middle_invert": {"axis": 1, "invert": True},
}


@pytest.mark.parametrize("key", list(NORMALIZATION_CASES))
def test_normalization_adapt_matches_keras(key):
    data = np.load(FIXTURES / "normalization.npz")
    layer = layers.Normalization(**NORMALIZATION_CASES[key])
    layer.adapt(data["data"])
    mean, variance, count = layer.get_weights()
    np.testing.assert_allclose(mean, data[key + "_weights_mean"], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(variance, data[key + "_weights_variance"], rtol=1e-5, atol=1e-5)
    assert count.dtype == np.int32 and count.shape == ()
    np.testing.assert_allclose(layer(data["probe"]).numpy(), data[key], rtol=1e-5, atol=1e-5)


def test_normalization_adapts_from_batches_loaders_and_generators():
    data = np.load(FIXTURES / "normalization.npz")
    x = data["data"]
    from_list = layers.Normalization(axis=(1, 2))
    from_list.adapt([x[:7], x[7:15], x[15:]])
    np.testing.assert_allclose(from_list(data["probe"]).numpy(), data["batches"], atol=1e-4)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.tensor(x)), 6)
    from_loader = layers.Normalization(axis=(1, 2))
    from_loader.adapt(loader)
    np.testing.assert_allclose(from_loader(data["probe"]).numpy(), data["batches"], atol=1e-4)
    from_generator = layers.Normalization(axis=(1, 2))
    from_generator.adapt((x[i : i + 4], None) for i in range(0, 20, 4))
    np.testing.assert_allclose(from_generator(data["probe"]).numpy(), data["batches"], atol=1e-4)


def test_normalization_given_statistics_are_config_not_weights(tmp_path):
    data = np.load(FIXTURES / "normalization.npz")
    layer = layers.Normalization(mean=[1.0, 2.0, 3.0, 4.0], variance=[1.0, 4.0, 9.0, 0.0])
    np.testing.assert_allclose(layer(data["probe"]).numpy(), data["fixed"], rtol=1e-5)
    assert layer.get_weights() == []
    assert layer.get_config()["variance"] == [1.0, 4.0, 9.0, 0.0]


def test_adapted_normalization_travels_with_the_model(tmp_path):
    data = np.load(FIXTURES / "normalization.npz")
    inputs = strata.Input((3, 4))
    norm = layers.Normalization(axis=(1, 2))
    model = strata.Model(inputs, layers.Dense(2)(layers.Flatten()(norm(inputs))))
    norm.adapt(data["data"])
    model.save(tmp_path / "m.keras")
    loaded = strata.models.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(
        loaded.predict(data["probe"], verbose=0), model.predict(data["probe"], verbose=0)
    )
    np.testing.assert_allclose(loaded.layers[1].get_weights()[0], data["both_weights_mean"], 1e-5)


def test_normalization_rejects_bad_arguments():
    with pytest.raises(ValueError, match="both mean and variance"):
        layers.Normalization(mean=1.0)
    with pytest.raises(ValueError, match="one shape"):
        layers.Normalization(mean=[1.0, 2.0], variance=[1.0])
    with pytest.raises(ValueError, match="known sizes"):
        layers.Normalization()(strata.Input(batch_shape=(None, None)))
    layer = layers.Normalization()
    layer.adapt(np.ones((4, 3)))
    with pytest.raises(ValueError, match="built for inputs of shape"):
        layer.adapt(np.ones((4, 2)))


DISCRETIZATION_CASES = {
    "bins4": {"num_bins": 4},
    "bins7_eps": {"num_bins": 7, "epsilon": 0.05},
    "bins3_one_hot": {"num_bins": 3, "output_mode": "one_hot"},
    "bins5_multi_hot": {"num_bins": 5, "output_mode": "multi_hot"},
    "bins5_count": {"num_bins": 5, "output_mode": "count"},
}


@pytest.mark.parametrize("key", list(DISCRETIZATION_CASES))
def test_discretization_adapt_matches_keras(key):
    data = np.load(FIXTURES / "discretization.npz")
    layer = layers.Discretization(**DISCRETIZATION_CASES[key])
    layer.adapt(data["data"])
    np.testing.assert_allclose(layer.bin_boundaries, data[key + "_boundaries"], rtol=1e-6)
    np.testing.assert_array_equal(layer(data["probe"]).numpy(), data[key])


def test_discretization_streams_batches_and_keeps_boundaries_in_config():
    data = np.load(FIXTURES / "discretization.npz")
    x = data["data"]
    layer = layers.Discretization(num_bins=6)
    layer.adapt([x[:100], x[100:220], x[220:]])
    np.testing.assert_allclose(layer.bin_boundaries, data["streamed_boundaries"], rtol=1e-6)
    clone = layers.Discretization.from_config(layer.get_config())
    assert clone.bin_boundaries == layer.bin_boundaries
    given = layers.Discretization(bin_boundaries=[0.0, 1.0, 2.0])
    out = given(data["probe"])
    assert out.dtype == torch.int32
    np.testing.assert_array_equal(out.numpy(), data["given"])
    with pytest.raises(ValueError, match="exactly one"):
        layers.Discretization()
    with pytest.raises(ValueError, match="cannot adapt"):
        given.adapt(x)


@pytest.mark.parametrize("mode", ["multi_hot", "count", "one_hot"])
def test_category_encoding_matches_keras(mode):
    data = np.load(FIXTURES / "category_encoding.npz")
    layer = layers.CategoryEncoding(num_tokens=5, output_mode=mode)
    for suffix, key in (("", "ids"), ("_column", "column"), ("_vector", "vector")):
        np.testing.assert_array_equal(layer(data[key]).numpy(), data[mode + suffix])


def test_category_encoding_count_weights_and_errors():
    data = np.load(FIXTURES / "category_encoding.npz")
    layer = layers.CategoryEncoding(num_tokens=5, output_mode="count")
    out = layer(data["ids"], count_weights=data["weights"])
    np.testing.assert_allclose(out.numpy(), data["weighted_count"], rtol=1e-6)
    with pytest.raises(ValueError, match="num_tokens"):
        layers.CategoryEncoding()
    with pytest.raises(ValueError, match="sparse=False"):
        layers.CategoryEncoding(3, sparse=True)
    with pytest.raises(ValueError, match="count_weights"):
        layers.CategoryEncoding(5, output_mode="one_hot")(
            data["ids"], count_weights=data["weights"]
        )


@pytest.mark.parametrize("key", list(NORMALIZATION_CASES))
def test_normalization_with_keras_weights_gives_keras_outputs(key):
    data = np.load(FIXTURES / "normalization.npz")
    layer = layers.Normalization(**NORMALIZATION_CASES[key])
    layer.build((None, 3, 4))
    mean, variance = data[key + "_weights_mean"], data[key + "_weights_variance"]
    layer.set_weights([mean, variance, np.array(0, "int32")])
    np.testing.assert_allclose(layer(data["probe"]).numpy(), data[key], rtol=1e-6, atol=1e-6)
