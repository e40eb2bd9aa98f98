"""Name resolution: every Keras name and alias, instances, dicts, unknown names."""

import pytest
import torch

from strata import losses
from strata.saving import register_keras_serializable

FUNCTION_NAMES = {
    "mse": losses.mean_squared_error,
    "MSE": losses.mean_squared_error,
    "mean_squared_error": losses.mean_squared_error,
    "mae": losses.mean_absolute_error,
    "MAE": losses.mean_absolute_error,
    "mean_absolute_error": losses.mean_absolute_error,
    "mape": losses.mean_absolute_percentage_error,
    "mean_absolute_percentage_error": losses.mean_absolute_percentage_error,
    "msle": losses.mean_squared_logarithmic_error,
    "mean_squared_logarithmic_error": losses.mean_squared_logarithmic_error,
    "huber": losses.huber,
    "log_cosh": losses.log_cosh,
    "logcosh": losses.log_cosh,
    "binary_crossentropy": losses.binary_crossentropy,
    "bce": losses.binary_crossentropy,
    "categorical_crossentropy": losses.categorical_crossentropy,
    "sparse_categorical_crossentropy": losses.sparse_categorical_crossentropy,
    "kl_divergence": losses.kl_divergence,
    "kld": losses.kl_divergence,
    "KLD": losses.kl_divergence,
    "poisson": losses.poisson,
    "hinge": losses.hinge,
    "squared_hinge": losses.squared_hinge,
    "categorical_hinge": losses.categorical_hinge,
    "cosine_similarity": losses.cosine_similarity,
}
CLASS_NAMES = [
    "MeanSquaredError",
    "MeanAbsoluteError",
    "MeanAbsolutePercentageError",
    "MeanSquaredLogarithmicError",
    "Huber",
    "LogCosh",
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "SparseCategoricalCrossentropy",
    "KLDivergence",
    "Poisson",
    "Hinge",
    "SquaredHinge",
    "CategoricalHinge",
    "CosineSimilarity",
]
DEFAULT_NAMES = {
    "MeanSquaredError": "mean_squared_error",
    "MeanAbsoluteError": "mean_absolute_error",
    "MeanAbsolutePercentageError": "mean_absolute_percentage_error",
    "MeanSquaredLogarithmicError": "mean_squared_logarithmic_error",
    "Huber": "huber_loss",
    "LogCosh": "log_cosh",
    "BinaryCrossentropy": "binary_crossentropy",
    "CategoricalCrossentropy": "categorical_crossentropy",
    "SparseCategoricalCrossentropy": "sparse_categorical_crossentropy",
    "KLDivergence": "kl_divergence",
    "Poisson": "poisson",
    "Hinge": "hinge",
    "SquaredHinge": "squared_hinge",
    "CategoricalHinge": "categorical_hinge",
    "CosineSimilarity": "cosine_similarity",
}


@pytest.mark.parametrize("name", sorted(FUNCTION_NAMES))
def test_get_function_names(name):
    assert losses.get(name) is FUNCTION_NAMES[name]


@pytest.mark.parametrize("name", CLASS_NAMES)
def test_get_class_names_and_default_names(name):
    obj = losses.get(name)
    assert type(obj) is getattr(losses, name)
    assert obj.name == DEFAULT_NAMES[name]
    assert type(losses.get(getattr(losses, name))) is getattr(losses, name)


def test_get_passes_instances_callables_and_none():
    loss = losses.Huber(delta=2.0)
    assert losses.get(loss) is loss
    fn = lambda y_true, y_pred: (y_true - y_pred).abs()  # noqa: E731
    assert losses.get(fn) is fn
    assert losses.get(None) is None
    rebuilt = losses.get(losses.serialize(loss))
    assert isinstance(rebuilt, losses.Huber) and rebuilt.delta == 2.0


def test_unknown_name_says_what_was_expected():
    with pytest.raises(ValueError, match="Unknown loss: 'nope'.*Expected"):
        losses.get("nope")
    with pytest.raises(ValueError, match="Could not interpret a loss"):
        losses.get(42)


def test_serialize_function_by_name():
    assert losses.serialize(losses.mean_squared_error) == "mean_squared_error"
    assert losses.deserialize("mean_squared_error") is losses.mean_squared_error


def test_custom_objects_and_registered_classes():
    @register_keras_serializable(package="test_losses")
    class Scaled(losses.MeanSquaredError):
        pass

    config = losses.serialize(Scaled(name="scaled"))
    assert config["registered_name"] == "test_losses>Scaled"
    assert type(losses.deserialize(config)) is Scaled

    class Local(losses.MeanAbsoluteError):
        pass

    config = losses.serialize(Local())
    with pytest.raises(ValueError, match="Unknown loss"):
        losses.deserialize(config)
    assert type(losses.deserialize(config, custom_objects={"Local": Local})) is Local


def test_to_loss_gives_configurable_instances():
    bce = losses.to_loss("binary_crossentropy")
    assert type(bce) is losses.BinaryCrossentropy and bce.name == "binary_crossentropy"
    assert type(losses.to_loss("mse")) is losses.MeanSquaredError
    custom = losses.to_loss(lambda t, p: (t - p).abs().mean(-1))
    assert isinstance(custom, losses.LossFunctionWrapper)
    assert float(custom(torch.zeros(2, 1), torch.ones(2, 1))) == 1.0


def test_loss_function_wrapper_config_round_trip():
    wrapper = losses.LossFunctionWrapper(losses.huber, name="h", delta=0.5)
    config = wrapper.get_config()
    assert config["fn"] == "huber" and config["delta"] == 0.5
    clone = losses.LossFunctionWrapper.from_config(config)
    t, p = torch.zeros(3, 2), torch.full((3, 2), 2.0)
    assert torch.allclose(clone(t, p), wrapper(t, p))
    assert float(wrapper(t, p)) == pytest.approx(0.5 * (2.0 - 0.25))
