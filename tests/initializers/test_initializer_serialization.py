"""initializers.get / serialize / deserialize: every name, aliases, round trips, errors."""

import json

import pytest
import torch

import strata
from strata import initializers

ALL_NAMES = sorted(initializers.ALL_OBJECTS_DICT)


@pytest.mark.parametrize("name", ALL_NAMES)
def test_get_every_name_gives_an_instance_of_its_class(name):
    init = initializers.get(name)
    assert isinstance(init, initializers.ALL_OBJECTS_DICT[name])


@pytest.mark.parametrize(
    "name, cls",
    [
        ("glorot_uniform", initializers.GlorotUniform),
        ("GlorotUniform", initializers.GlorotUniform),
        ("glorot_normal", initializers.GlorotNormal),
        ("he_normal", initializers.HeNormal),
        ("he_uniform", initializers.HeUniform),
        ("lecun_normal", initializers.LecunNormal),
        ("lecun_uniform", initializers.LecunUniform),
        ("zeros", initializers.Zeros),
        ("zero", initializers.Zeros),
        ("ones", initializers.Ones),
        ("one", initializers.Ones),
        ("constant", initializers.Constant),
        ("orthogonal", initializers.Orthogonal),
        ("OrthogonalInitializer", initializers.Orthogonal),
        ("identity", initializers.Identity),
        ("IdentityInitializer", initializers.Identity),
        ("random_normal", initializers.RandomNormal),
        ("normal", initializers.RandomNormal),
        ("random_uniform", initializers.RandomUniform),
        ("uniform", initializers.RandomUniform),
        ("truncated_normal", initializers.TruncatedNormal),
        ("variance_scaling", initializers.VarianceScaling),
    ],
)
def test_keras_names_and_aliases(name, cls):
    assert type(initializers.get(name)) is cls


def test_snake_case_module_attributes_are_the_classes():
    assert initializers.glorot_uniform is initializers.GlorotUniform
    assert initializers.he_normal is initializers.HeNormal
    assert initializers.zeros is initializers.Zeros
    assert initializers.orthogonal is initializers.Orthogonal
    assert initializers.truncated_normal is initializers.TruncatedNormal
    assert isinstance(initializers.glorot_uniform(seed=1), initializers.VarianceScaling)


@pytest.mark.parametrize("name", ALL_NAMES)
def test_serialize_round_trip_through_json(name):
    init = initializers.get(name)
    config = json.loads(json.dumps(initializers.serialize(init)))
    back = initializers.deserialize(config)
    assert type(back) is type(init)
    assert back.get_config() == init.get_config()


@pytest.mark.parametrize(
    "init",
    [
        initializers.Constant(value=[1.0, 2.0]),
        initializers.Identity(gain=3.0),
        initializers.RandomNormal(mean=1.0, stddev=2.0, seed=5),
        initializers.RandomUniform(minval=-1.0, maxval=2.0, seed=6),
        initializers.TruncatedNormal(mean=0.5, stddev=0.1, seed=7),
        initializers.VarianceScaling(2.0, "fan_avg", "uniform", seed=8),
        initializers.HeUniform(seed=9),
        initializers.Orthogonal(gain=0.5, seed=10),
    ],
    ids=lambda init: type(init).__name__,
)
def test_round_trip_keeps_arguments_and_seeded_values(init):
    back = initializers.deserialize(json.loads(json.dumps(initializers.serialize(init))))
    assert back.get_config() == init.get_config()
    assert torch.equal(back((4, 2)), init((4, 2)))
    clone = init.clone()
    assert clone is not init and torch.equal(clone((4, 2)), init((4, 2)))


def test_serialized_form():
    config = initializers.serialize(initializers.GlorotUniform(seed=3))
    assert config["class_name"] == "GlorotUniform"
    assert config["config"] == {"seed": 3}


def test_preset_config_has_only_the_seed():
    assert initializers.HeNormal().get_config() == {"seed": None}
    assert initializers.VarianceScaling().get_config() == {
        "scale": 1.0,
        "mode": "fan_in",
        "distribution": "truncated_normal",
        "seed": None,
    }


def test_deserialize_a_keras_dict():
    keras_dict = {
        "module": "keras.initializers",
        "class_name": "VarianceScaling",
        "config": {"scale": 2.0, "mode": "fan_out", "distribution": "uniform", "seed": None},
        "registered_name": None,
    }
    init = initializers.deserialize(keras_dict)
    assert isinstance(init, initializers.VarianceScaling)
    assert (init.scale, init.mode, init.distribution) == (2.0, "fan_out", "uniform")


def test_get_passes_through_none_instances_and_callables():
    assert initializers.get(None) is None
    init = initializers.HeNormal()
    assert initializers.get(init) is init

    def custom(shape, dtype=None):
        return torch.full(shape, 3.0)

    assert initializers.get(custom) is custom
    assert type(initializers.get(initializers.Ones)) is initializers.Ones


def test_unknown_name_says_what_was_expected_and_what_came():
    with pytest.raises(ValueError, match="initializer.*'glorot_unifrom'"):
        initializers.get("glorot_unifrom")


def test_uninterpretable_identifier():
    with pytest.raises(ValueError, match="expected None, a name string.*received 3"):
        initializers.get(3)


def test_custom_initializer_via_custom_objects_and_registration():
    class Twos(initializers.Initializer):
        def __call__(self, shape, dtype=None):
            return torch.full(shape, 2.0)

    config = initializers.serialize(Twos())
    with pytest.raises(ValueError, match="Twos"):
        initializers.deserialize(config)
    back = initializers.deserialize(config, custom_objects={"Twos": Twos})
    assert torch.equal(back((2,)), torch.tensor([2.0, 2.0]))

    @strata.saving.register_keras_serializable(package="test_initializers")
    class Threes(initializers.Initializer):
        def __call__(self, shape, dtype=None):
            return torch.full(shape, 3.0)

    config = json.loads(json.dumps(initializers.serialize(Threes())))
    assert config["registered_name"] == "test_initializers>Threes"
    assert torch.equal(initializers.deserialize(config)((1,)), torch.tensor([3.0]))
