"""Initializer values: variances against Keras's formulas, bounds, orthogonality, seeding."""

import math

import pytest
import torch

import strata
from strata import initializers

SHAPE = (300, 200)  # 60,000 draws: the sample variance is within about 1% of the true one


def _variance(name, shape):
    fan_in, fan_out = initializers.compute_fans(shape)
    scale, fan = {
        "glorot_uniform": (1.0, (fan_in + fan_out) / 2),
        "glorot_normal": (1.0, (fan_in + fan_out) / 2),
        "he_uniform": (2.0, fan_in),
        "he_normal": (2.0, fan_in),
        "lecun_uniform": (1.0, fan_in),
        "lecun_normal": (1.0, fan_in),
    }[name]
    return scale / fan


@pytest.mark.parametrize(
    "shape, expected",
    [
        ((), (1, 1)),
        ((7,), (7, 7)),
        ((3, 5), (3, 5)),
        ((3, 3, 16, 32), (144, 288)),
        ((5, 4, 8), (20, 40)),
        ((2, 3, 4, 5, 6), (120, 144)),
    ],
)
def test_compute_fans(shape, expected):
    assert initializers.compute_fans(shape) == expected


@pytest.mark.parametrize(
    "name",
    ["glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "lecun_uniform", "lecun_normal"],
)
@pytest.mark.parametrize("shape", [SHAPE, (3, 3, 32, 64)])
def test_variance_scaling_presets_match_the_formula(name, shape):
    values = initializers.get(name)(shape)
    expected = _variance(name, shape)
    assert values.shape == shape
    assert values.var().item() == pytest.approx(expected, rel=0.05)
    assert abs(values.mean().item()) < 5 * math.sqrt(expected / values.numel())


def test_glorot_uniform_variance_is_two_over_fan_sum():
    values = initializers.GlorotUniform()(SHAPE)
    assert values.var().item() == pytest.approx(2 / (300 + 200), rel=0.05)


@pytest.mark.parametrize(
    "name, scale", [("glorot_uniform", 1.0), ("he_uniform", 2.0), ("lecun_uniform", 1.0)]
)
def test_uniform_presets_stay_within_their_limit(name, scale):
    fan_in, fan_out = initializers.compute_fans(SHAPE)
    fan = (fan_in + fan_out) / 2 if name.startswith("glorot") else fan_in
    limit = math.sqrt(3 * scale / fan)
    values = initializers.get(name)(SHAPE)
    assert values.abs().max().item() <= limit
    assert values.abs().max().item() > 0.99 * limit


@pytest.mark.parametrize("name", ["glorot_normal", "he_normal", "lecun_normal"])
def test_truncated_presets_cut_at_two_stddevs(name):
    stddev = math.sqrt(_variance(name, SHAPE)) / 0.87962566103423978
    values = initializers.get(name)(SHAPE)
    assert values.abs().max().item() <= 2 * stddev * (1 + 1e-6)
    assert values.abs().max().item() > 1.9 * stddev


@pytest.mark.parametrize("mode, fan", [("fan_in", 300), ("fan_out", 200), ("fan_avg", 250)])
@pytest.mark.parametrize("distribution", ["truncated_normal", "untruncated_normal", "uniform"])
def test_variance_scaling_modes_and_distributions(mode, fan, distribution):
    init = initializers.VarianceScaling(scale=3.0, mode=mode, distribution=distribution)
    assert init(SHAPE).var().item() == pytest.approx(3.0 / fan, rel=0.05)


def test_untruncated_normal_is_not_cut():
    init = initializers.VarianceScaling(scale=1.0, distribution="untruncated_normal")
    stddev = math.sqrt(1 / 300)
    assert init(SHAPE).abs().max().item() > 3 * stddev


def test_variance_scaling_normal_means_truncated_normal():
    init = initializers.VarianceScaling(distribution="normal")
    assert init.distribution == "truncated_normal"


def test_variance_scaling_small_fan_is_floored_at_one():
    # A fan of zero would divide by zero; Keras uses max(1, fan).
    values = initializers.VarianceScaling(scale=1.0, distribution="uniform")((0, 5))
    assert values.shape == (0, 5)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"scale": 0.0}, "positive"),
        ({"scale": -1.0}, "positive"),
        ({"mode": "fan_sum"}, "mode"),
        ({"distribution": "cauchy"}, "distribution"),
        ({"seed": 1.5}, "seed"),
    ],
)
def test_variance_scaling_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        initializers.VarianceScaling(**kwargs)


def test_random_normal_mean_and_stddev():
    values = initializers.RandomNormal(mean=2.0, stddev=0.5)(SHAPE)
    assert values.mean().item() == pytest.approx(2.0, abs=0.01)
    assert values.std().item() == pytest.approx(0.5, rel=0.02)


def test_random_normal_defaults():
    init = initializers.RandomNormal()
    assert init.get_config() == {"mean": 0.0, "stddev": 0.05, "seed": None}
    assert init(SHAPE).std().item() == pytest.approx(0.05, rel=0.02)


def test_random_uniform_range_and_defaults():
    values = initializers.RandomUniform()(SHAPE)
    assert values.min().item() >= -0.05 and values.max().item() < 0.05
    assert values.min().item() < -0.049 and values.max().item() > 0.049
    values = initializers.RandomUniform(minval=1.0, maxval=3.0)(SHAPE)
    assert values.min().item() >= 1.0 and values.max().item() < 3.0
    assert values.mean().item() == pytest.approx(2.0, abs=0.01)


def test_truncated_normal_bounds_and_variance():
    values = initializers.TruncatedNormal(mean=1.0, stddev=0.5)(SHAPE)
    assert values.min().item() >= 0.0 and values.max().item() <= 2.0
    assert values.min().item() < 0.05 and values.max().item() > 1.95
    # A unit normal cut at +-2 keeps 0.7737 of its variance.
    assert values.var().item() == pytest.approx(0.25 * 0.87962566103423978**2, rel=0.03)
    assert values.mean().item() == pytest.approx(1.0, abs=0.01)


@pytest.mark.parametrize("shape", [(50, 30), (30, 50), (3, 3, 4, 8), (40, 40)])
def test_orthogonal_is_orthogonal(shape):
    values = initializers.Orthogonal()(shape)
    assert values.shape == shape
    flat = values.reshape(-1, shape[-1])
    small = min(flat.shape)
    gram = flat.T @ flat if flat.shape[0] >= flat.shape[1] else flat @ flat.T
    torch.testing.assert_close(gram, torch.eye(small), atol=1e-5, rtol=0)


def test_orthogonal_gain_scales_the_matrix():
    values = initializers.Orthogonal(gain=2.0, seed=4)((20, 10))
    torch.testing.assert_close(values.T @ values, 4 * torch.eye(10), atol=1e-4, rtol=0)
    unit = initializers.Orthogonal(gain=1.0, seed=4)((20, 10))
    torch.testing.assert_close(values, 2 * unit)


def test_orthogonal_rejects_vectors():
    with pytest.raises(ValueError, match="rank 2"):
        initializers.Orthogonal()((5,))


def test_identity_with_gain_and_rectangles():
    torch.testing.assert_close(initializers.Identity()((3, 3)), torch.eye(3))
    expected = torch.tensor([[0.5, 0.0, 0.0, 0.0], [0.0, 0.5, 0.0, 0.0]])
    torch.testing.assert_close(initializers.Identity(gain=0.5)((2, 4)), expected)
    with pytest.raises(ValueError, match="2D"):
        initializers.Identity()((2, 2, 2))


def test_zeros_ones_constant():
    assert torch.equal(initializers.Zeros()((2, 3)), torch.zeros(2, 3))
    assert torch.equal(initializers.Ones()((4,)), torch.ones(4))
    assert torch.equal(initializers.Constant(7.5)((2, 2)), torch.full((2, 2), 7.5))
    row = initializers.Constant([1.0, 2.0, 3.0])((2, 3))
    assert torch.equal(row, torch.tensor([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]]))
    with pytest.raises(ValueError, match="broadcasts"):
        initializers.Constant([1.0, 2.0])((2, 3))
    with pytest.raises(ValueError, match="number"):
        initializers.Constant("seven")


def test_constant_accepts_arrays_and_keeps_json_config():
    import json

    import numpy as np

    init = initializers.Constant(np.array([1.0, 2.0]))
    assert json.loads(json.dumps(init.get_config())) == {"value": [1.0, 2.0]}


@pytest.mark.parametrize(
    "init",
    [
        initializers.Zeros(),
        initializers.Ones(),
        initializers.Constant(2.0),
        initializers.Identity(),
        initializers.RandomNormal(),
        initializers.RandomUniform(),
        initializers.TruncatedNormal(),
        initializers.GlorotUniform(),
        initializers.HeNormal(),
        initializers.Orthogonal(),
    ],
    ids=lambda init: type(init).__name__,
)
def test_dtype_follows_floatx_or_argument(init):
    assert init((4, 4)).dtype == torch.float32
    assert init((4, 4), dtype="float64").dtype == torch.float64
    assert init((4, 4), dtype=torch.bfloat16).dtype == torch.bfloat16
    strata.backend.set_floatx("float64")
    try:
        assert init((4, 4)).dtype == torch.float64
    finally:
        strata.backend.set_floatx("float32")
    assert init((4, 4)).device.type == "cpu"


def test_half_precision_draws_keep_the_distribution():
    values = initializers.HeNormal()(SHAPE, dtype="float16")
    assert values.dtype == torch.float16
    assert values.float().var().item() == pytest.approx(2 / 300, rel=0.05)


def test_random_initializers_refuse_integer_dtypes():
    with pytest.raises(ValueError, match="floating-point"):
        initializers.RandomNormal()((2,), dtype="int32")


def test_zeros_accepts_integer_dtype():
    assert initializers.Zeros()((2,), dtype="int64").dtype == torch.int64


@pytest.mark.parametrize(
    "cls",
    [
        initializers.RandomNormal,
        initializers.RandomUniform,
        initializers.TruncatedNormal,
        initializers.GlorotUniform,
        initializers.GlorotNormal,
        initializers.HeUniform,
        initializers.HeNormal,
        initializers.LecunUniform,
        initializers.LecunNormal,
        initializers.Orthogonal,
    ],
)
def test_seeded_initializers_repeat_and_unseeded_ones_do_not(cls):
    seeded = cls(seed=42)
    first = seeded((16, 8))
    assert torch.equal(first, seeded((16, 8)))
    assert torch.equal(first, cls(seed=42)((16, 8)))
    assert not torch.equal(first, cls(seed=43)((16, 8)))
    unseeded = cls()
    assert not torch.equal(unseeded((16, 8)), unseeded((16, 8)))


def test_seeded_draws_do_not_touch_the_global_generator():
    state = torch.get_rng_state()
    initializers.GlorotUniform(seed=1)((10, 10))
    assert torch.equal(state, torch.get_rng_state())


def test_unseeded_draws_follow_set_random_seed():
    strata.backend.set_random_seed(7)
    first = initializers.GlorotUniform()((10, 10))
    strata.backend.set_random_seed(7)
    second = initializers.GlorotUniform()((10, 10))
    assert torch.equal(first, second)


@pytest.mark.parametrize("shape", [(2, -1), ("a", 3), None])
def test_bad_shapes_are_refused(shape):
    with pytest.raises(ValueError, match="shape"):
        initializers.Zeros()(shape)


def test_integer_shape_is_a_vector():
    assert initializers.Ones()(3).shape == (3,)


def test_orthogonal_is_sign_symmetric():
    # A uniformly random orthogonal matrix has each entry as often positive as negative; a QR
    # without the sign correction tends to fix the sign of the leading entries.
    firsts = [initializers.Orthogonal(seed=s)((5, 3))[0, 0].item() for s in range(60)]
    positives = sum(v > 0 for v in firsts)
    assert 15 <= positives <= 45
