"""`strata.random.SeedGenerator`: Keras's constructor, an advancing and saveable state."""

import io

import pytest
import torch

import strata
from strata.random import SeedGenerator


def test_state_starts_at_the_seed_and_advances_per_call():
    generator = SeedGenerator(7)
    assert generator.state.tolist() == [7, 0]
    assert generator.next() == (7, 0)
    strata.random.normal((2,), seed=generator)
    assert generator.state.tolist() == [7, 2]


def test_saved_state_resumes_the_same_sequence():
    generator = SeedGenerator(11)
    strata.random.uniform((3,), seed=generator)
    saved = generator.get_state()
    expected = [strata.random.uniform((3,), seed=generator) for _ in range(2)]
    resumed = SeedGenerator(0)
    resumed.set_state(saved)
    assert all(torch.equal(e, strata.random.uniform((3,), seed=resumed)) for e in expected)


def test_state_dict_round_trips_through_torch_save():
    generator = SeedGenerator(3)
    generator.next()
    buffer = io.BytesIO()
    torch.save(generator.state_dict(), buffer)
    buffer.seek(0)
    restored = SeedGenerator(99)
    restored.load_state_dict(torch.load(buffer))
    assert restored.get_state() == [3, 1]
    assert torch.equal(
        strata.random.normal((4,), seed=generator), strata.random.normal((4,), seed=restored)
    )


def test_config_round_trip_restarts_from_the_seed():
    generator = SeedGenerator(5, name="noise")
    assert generator.get_config() == {"seed": 5, "name": "noise"}
    copy = SeedGenerator.from_config(generator.get_config())
    assert copy.name == "noise" and copy.get_state() == [5, 0]
    assert SeedGenerator().name == "seed_generator"


def test_unseeded_generator_is_reproducible_after_set_random_seed():
    strata.backend.set_random_seed(21)
    a = strata.random.normal((3,), seed=SeedGenerator())
    strata.backend.set_random_seed(21)
    assert torch.equal(a, strata.random.normal((3,), seed=SeedGenerator()))


def test_nearby_seeds_give_unrelated_streams():
    a = strata.random.normal((1000,), seed=1)
    b = strata.random.normal((1000,), seed=2)
    assert abs(torch.corrcoef(torch.stack([a, b]))[0, 1].item()) < 0.1


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="integer seed"):
        SeedGenerator("x")
    with pytest.raises(ValueError, match="unexpected"):
        SeedGenerator(1, colour="red")
    assert SeedGenerator(1, backend="torch").get_state() == [1, 0]
