"""Distribution tests of `strata.random`: moments on many samples, shapes and dtypes, seeds.

Draws are seeded, so the statistical checks are deterministic (no flaky tests); the tolerances
are several standard errors wide so that they test the distribution, not one sample.
"""

import json
from pathlib import Path

import numpy as np
import pytest
import scipy.stats as st
import torch

import strata
from strata import random

API = Path(__file__).resolve().parents[1] / "compat" / "keras_3_15_api.json"
N = 20000


def test_every_keras_random_name_is_present():
    names = json.loads(API.read_text())["names"]
    wanted = sorted(k.split(".")[-1] for k in names if k.startswith("keras.random."))
    assert sorted(random.__all__) == wanted
    assert [n for n in wanted if not hasattr(strata.random, n)] == []


def test_signatures_match_keras():
    from ops.harness import keras_signatures, signature

    recorded = keras_signatures("random.")
    assert sorted(recorded) == sorted(random.__all__)
    differ = {n: signature(getattr(random, n)) for n in recorded}
    assert {n: s for n, s in differ.items() if s != recorded[n]} == {}


def _ks(sample, distribution, *args):
    return st.kstest(sample.double().numpy().ravel(), distribution, args=args).pvalue


def test_normal_moments_and_distribution():
    x = random.normal((N,), mean=2.0, stddev=3.0, seed=1)
    assert x.dtype == torch.float32 and x.shape == (N,)
    assert abs(x.mean().item() - 2.0) < 0.1
    assert abs(x.std().item() - 3.0) < 0.1
    assert _ks(x, "norm", 2.0, 3.0) > 1e-3


def test_uniform_bounds_and_distribution():
    x = random.uniform((N,), minval=-1.0, maxval=3.0, seed=2)
    assert x.min().item() >= -1.0 and x.max().item() < 3.0
    assert abs(x.mean().item() - 1.0) < 0.05
    assert _ks(x, "uniform", -1.0, 4.0) > 1e-3


def test_truncated_normal_stays_within_two_stddev():
    x = random.truncated_normal((N,), mean=1.0, stddev=0.5, seed=3)
    assert x.min().item() >= 0.0 and x.max().item() <= 2.0
    assert abs(x.mean().item() - 1.0) < 0.02
    # A standard normal cut at +-2 has standard deviation 0.8796.
    assert abs(x.std().item() - 0.5 * 0.8796) < 0.01
    assert _ks((x - 1.0) / 0.5, "truncnorm", -2.0, 2.0) > 1e-3


def test_randint_range_and_uniformity():
    x = random.randint((N,), 3, 8, seed=4)
    assert x.dtype == torch.int32
    counts = torch.bincount(x.long(), minlength=8)[3:]
    assert x.min().item() == 3 and x.max().item() == 7
    assert st.chisquare(counts.numpy()).pvalue > 1e-3


def test_categorical_frequencies_follow_softmax():
    logits = torch.log(torch.tensor([[0.2, 0.3, 0.5], [0.9, 0.05, 0.05]]))
    draws = random.categorical(logits, N, seed=5)
    assert draws.shape == (2, N) and draws.dtype == torch.int32
    for row, probabilities in zip(draws, [[0.2, 0.3, 0.5], [0.9, 0.05, 0.05]], strict=True):
        frequencies = torch.bincount(row.long(), minlength=3).double() / N
        np.testing.assert_allclose(frequencies.numpy(), probabilities, atol=0.015)


def test_dropout_rate_scale_and_noise_shape():
    x = torch.ones(N)
    y = random.dropout(x, 0.3, seed=6)
    assert abs((y == 0).double().mean().item() - 0.3) < 0.015
    np.testing.assert_allclose(y[y != 0].numpy(), 1 / 0.7, rtol=1e-6)
    assert abs(y.mean().item() - 1.0) < 0.03
    z = random.dropout(torch.ones(4, 50), 0.5, noise_shape=(None, 1), seed=7)
    assert all(len(set(row.tolist())) == 1 for row in z)  # one decision per row


def test_shuffle_is_a_permutation_along_an_axis():
    x = torch.arange(12).reshape(3, 4)
    y = random.shuffle(x, axis=1, seed=8)
    assert sorted(y[0].tolist()) == [0, 1, 2, 3]
    # Columns move together: every row is permuted the same way.
    assert torch.equal(y - y[:1], x - x[:1])
    assert not torch.equal(random.shuffle(torch.arange(100), seed=8), torch.arange(100))


@pytest.mark.parametrize("alpha", [0.5, 3.0])
def test_gamma_moments_and_distribution(alpha):
    x = random.gamma((N,), alpha, seed=9)
    assert x.dtype == torch.float32 and bool((x > 0).all())
    assert abs(x.mean().item() - alpha) < 0.05 * alpha + 0.02
    assert abs(x.var().item() - alpha) < 0.1 * alpha + 0.02
    assert _ks(x, "gamma", alpha) > 1e-3


def test_beta_moments_and_distribution():
    a, b = 2.0, 5.0
    x = random.beta((N,), a, b, seed=10)
    assert bool(((x >= 0) & (x <= 1)).all())
    assert abs(x.mean().item() - a / (a + b)) < 0.005
    assert abs(x.var().item() - a * b / ((a + b) ** 2 * (a + b + 1))) < 0.002
    assert _ks(x, "beta", a, b) > 1e-3


def test_binomial_moments():
    x = random.binomial((N,), 10, 0.3, seed=11)
    assert x.dtype == torch.float32
    assert x.min().item() >= 0 and x.max().item() <= 10 and bool((x == x.round()).all())
    assert abs(x.mean().item() - 3.0) < 0.05
    assert abs(x.var().item() - 2.1) < 0.1


def test_binomial_broadcasts_parameters():
    x = random.binomial((2, N), [[5.0], [20.0]], [[0.5], [0.1]], seed=12)
    np.testing.assert_allclose(x.mean(dim=1).numpy(), [2.5, 2.0], atol=0.08)


DRAWS = {
    "normal": lambda seed, **k: random.normal((3, 4), seed=seed, **k),
    "uniform": lambda seed, **k: random.uniform((3, 4), seed=seed, **k),
    "truncated_normal": lambda seed, **k: random.truncated_normal((3, 4), seed=seed, **k),
    "gamma": lambda seed, **k: random.gamma((3, 4), 2.0, seed=seed, **k),
    "beta": lambda seed, **k: random.beta((3, 4), 2.0, 3.0, seed=seed, **k),
    "binomial": lambda seed, **k: random.binomial((3, 4), 10, 0.5, seed=seed, **k),
}


@pytest.mark.parametrize("name", sorted(DRAWS))
def test_float_draws_shapes_dtypes_and_seeds(name):
    draw = DRAWS[name]
    a = draw(42)
    assert a.shape == (3, 4) and a.dtype == torch.float32
    assert draw(42, dtype="float64").dtype == torch.float64
    assert torch.equal(a, draw(42))  # an integer seed: the same values every call
    assert not torch.equal(a, draw(43))
    generator = random.SeedGenerator(5)
    first, second = draw(generator), draw(generator)
    assert not torch.equal(first, second)  # a generator advances
    replay = random.SeedGenerator(5)
    assert torch.equal(first, draw(replay)) and torch.equal(second, draw(replay))


@pytest.mark.parametrize(
    "draw",
    [
        lambda seed: random.randint((3, 4), 0, 100, seed=seed),
        lambda seed: random.categorical(torch.zeros(2, 5), 6, seed=seed),
        lambda seed: random.dropout(torch.ones(3, 4), 0.5, seed=seed),
        lambda seed: random.shuffle(torch.arange(20), seed=seed),
    ],
    ids=["randint", "categorical", "dropout", "shuffle"],
)
def test_other_draws_are_reproducible(draw):
    assert torch.equal(draw(1), draw(1))
    assert not torch.equal(draw(1), draw(2))
    generator, replay = random.SeedGenerator(3), random.SeedGenerator(3)
    assert torch.equal(draw(generator), draw(replay))


def test_unseeded_draws_follow_set_random_seed():
    strata.backend.set_random_seed(7)
    a = random.normal((5,))
    strata.backend.set_random_seed(7)
    assert torch.equal(a, random.normal((5,)))
    assert not torch.equal(a, random.normal((5,)))


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="float dtype"):
        random.uniform((2,), dtype="int32")
    with pytest.raises(ValueError, match="integer dtype"):
        random.randint((2,), 0, 5, dtype="float32")
    with pytest.raises(ValueError, match="rate"):
        random.dropout(torch.ones(3), 1.0)
    with pytest.raises(ValueError, match="seed"):
        random.normal((2,), seed=1.5)
    with pytest.raises(ValueError, match="shape"):
        random.normal("abc")
    with pytest.raises(ValueError, match="logits"):
        random.categorical(torch.zeros(3), 2)
