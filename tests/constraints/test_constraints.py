"""Constraints: norms after projection, Keras's formulas with epsilon, names, serialization."""

import json

import pytest
import torch

import strata
from strata import constraints


def _norms(w, axis):
    return torch.sqrt((w**2).sum(dim=axis, keepdim=True))


def _weight(shape=(6, 5)):
    # Columns with norms well below, near and far above the limits used below.
    w = torch.randn(*shape, dtype=torch.float64)
    w = w / _norms(w, 0)
    return w * torch.linspace(0.1, 5.0, shape[-1], dtype=torch.float64)


def test_max_norm_caps_large_columns_and_keeps_small_ones():
    w = _weight()
    out = constraints.MaxNorm(max_value=2.0)(w)
    before, after = _norms(w, 0).flatten(), _norms(out, 0).flatten()
    assert (after <= 2.0 + 1e-6).all()
    large = before > 2.0
    torch.testing.assert_close(after[large], torch.full_like(after[large], 2.0))
    torch.testing.assert_close(out[:, ~large], w[:, ~large])
    # Directions are kept: each column is a positive multiple of the original.
    torch.testing.assert_close(out / _norms(out, 0), w / _norms(w, 0))


def test_max_norm_default_is_two_along_axis_zero():
    assert constraints.MaxNorm().get_config() == {"max_value": 2, "axis": 0}
    out = constraints.MaxNorm()(torch.tensor([[30.0], [40.0]], dtype=torch.float64))
    torch.testing.assert_close(out.flatten(), torch.tensor([1.2, 1.6], dtype=torch.float64))


def test_max_norm_along_other_axes():
    w = _weight((5, 6)).T.contiguous()  # rows now carry the varied norms
    out = constraints.MaxNorm(1.0, axis=1)(w)
    assert (_norms(out, 1) <= 1.0 + 1e-6).all()
    kernel = torch.randn(3, 3, 4, 8, dtype=torch.float64) * 5
    out = constraints.MaxNorm(1.5, axis=[0, 1, 2])(kernel)
    torch.testing.assert_close(
        _norms(out, (0, 1, 2)).flatten(), torch.full((8,), 1.5, dtype=torch.float64)
    )


def test_max_norm_uses_backend_epsilon():
    w = torch.tensor([[3.0], [4.0]], dtype=torch.float64)
    strata.backend.set_epsilon(1.0)
    try:
        out = constraints.MaxNorm(1.0)(w)
    finally:
        strata.backend.set_epsilon(1e-7)
    # w * clip(5, 0, 1) / (1 + 5)
    torch.testing.assert_close(out, w / 6.0)


def test_unit_norm_and_min_max_norm_use_backend_epsilon():
    w = torch.tensor([[3.0], [4.0]], dtype=torch.float64)
    strata.backend.set_epsilon(1.0)
    try:
        unit = constraints.UnitNorm()(w)
        ranged = constraints.MinMaxNorm(0.0, 10.0)(w)
    finally:
        strata.backend.set_epsilon(1e-7)
    torch.testing.assert_close(unit, w / 6.0)
    torch.testing.assert_close(ranged, w * 5.0 / 6.0)


@pytest.mark.parametrize("rate", [1.0, 0.5, 0.0])
def test_min_max_norm_moves_norms_into_range(rate):
    w = _weight()
    out = constraints.MinMaxNorm(min_value=1.0, max_value=3.0, rate=rate)(w)
    before = _norms(w, 0)
    expected = rate * before.clamp(1.0, 3.0) + (1 - rate) * before
    torch.testing.assert_close(_norms(out, 0), expected, rtol=1e-6, atol=1e-6)
    if rate == 1.0:
        assert (_norms(out, 0) >= 1.0 - 1e-6).all() and (_norms(out, 0) <= 3.0 + 1e-6).all()


def test_min_max_norm_defaults_and_validation():
    assert constraints.MinMaxNorm().get_config() == {
        "min_value": 0.0,
        "max_value": 1.0,
        "rate": 1.0,
        "axis": 0,
    }
    with pytest.raises(ValueError, match="min_value <= max_value"):
        constraints.MinMaxNorm(min_value=2.0, max_value=1.0)


def test_non_neg_zeroes_negatives_only():
    w = torch.tensor([[-1.0, 2.0], [0.5, -0.1]])
    out = constraints.NonNeg()(w)
    torch.testing.assert_close(out, torch.tensor([[0.0, 2.0], [0.5, 0.0]]))
    assert (out >= 0).all()


@pytest.mark.parametrize("axis", [0, 1, [0, 1]])
def test_unit_norm(axis):
    w = torch.randn(4, 7, dtype=torch.float64) * 3
    out = constraints.UnitNorm(axis=axis)(w)
    dims = tuple(axis) if isinstance(axis, list) else axis
    norms = _norms(out, dims)
    torch.testing.assert_close(norms, torch.ones_like(norms))


def test_constraints_return_a_new_tensor_and_leave_the_input_alone():
    w = torch.randn(3, 3) * 10
    original = w.clone()
    for c in (
        constraints.MaxNorm(1.0),
        constraints.MinMaxNorm(),
        constraints.NonNeg(),
        constraints.UnitNorm(),
    ):
        out = c(w)
        assert out is not w
        assert torch.equal(w, original)


def test_bad_axis_is_refused():
    with pytest.raises(ValueError, match="axis"):
        constraints.UnitNorm(axis="rows")
    with pytest.raises(ValueError, match="axis"):
        constraints.MaxNorm(axis=1.5)


def test_base_constraint_is_the_identity():
    w = torch.randn(2)
    assert constraints.Constraint()(w) is w


@pytest.mark.parametrize(
    "name, cls",
    [
        ("max_norm", constraints.MaxNorm),
        ("MaxNorm", constraints.MaxNorm),
        ("min_max_norm", constraints.MinMaxNorm),
        ("MinMaxNorm", constraints.MinMaxNorm),
        ("non_neg", constraints.NonNeg),
        ("NonNeg", constraints.NonNeg),
        ("unit_norm", constraints.UnitNorm),
        ("UnitNorm", constraints.UnitNorm),
    ],
)
def test_get_by_name(name, cls):
    assert type(constraints.get(name)) is cls


@pytest.mark.parametrize(
    "c",
    [
        constraints.MaxNorm(3.0, axis=[0, 1]),
        constraints.MinMaxNorm(0.5, 2.0, 0.7, axis=1),
        constraints.NonNeg(),
        constraints.UnitNorm(axis=-1),
    ],
    ids=lambda c: type(c).__name__,
)
def test_serialize_round_trip(c):
    config = json.loads(json.dumps(constraints.serialize(c)))
    assert config["class_name"] == type(c).__name__
    back = constraints.deserialize(config)
    assert type(back) is type(c) and back.get_config() == c.get_config()
    w = torch.randn(3, 4, 5)
    torch.testing.assert_close(back(w), c(w))


def test_snake_case_attributes_are_the_classes():
    assert constraints.max_norm is constraints.MaxNorm
    assert constraints.min_max_norm is constraints.MinMaxNorm
    assert constraints.non_neg is constraints.NonNeg
    assert constraints.unit_norm is constraints.UnitNorm


def test_get_passes_through_none_instances_and_callables():
    assert constraints.get(None) is None
    c = constraints.NonNeg()
    assert constraints.get(c) is c

    def clip(w):
        return w.clamp(-1, 1)

    assert constraints.get(clip) is clip
    assert type(constraints.get(constraints.UnitNorm)) is constraints.UnitNorm


def test_unknown_names_and_bad_identifiers():
    with pytest.raises(ValueError, match="constraint.*'maxnorm'"):
        constraints.get("maxnorm")
    with pytest.raises(ValueError, match="expected None, a name string.*received 2"):
        constraints.get(2)
