"""Each optimizer's steps on a quadratic against NumPy updates written from Keras's formulas."""

import numpy as np
import optim_reference as ref
import pytest

from strata import optimizers

STEPS = 6


def test_sgd_plain_matches_keras():
    got = ref.run_strata(optimizers.SGD(learning_rate=0.1), STEPS)
    np.testing.assert_allclose(got, ref.run_reference(ref.sgd(0.1), STEPS), rtol=0, atol=1e-14)


@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_momentum_matches_keras(nesterov):
    # With a constant rate torch's unscaled buffer and Keras's scaled velocity are the same.
    opt = optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=nesterov)
    got = ref.run_strata(opt, STEPS)
    want = ref.run_reference(ref.sgd(0.1, 0.9, nesterov), STEPS)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-13)


def test_sgd_nesterov_differs_from_plain_momentum():
    plain = ref.run_strata(optimizers.SGD(learning_rate=0.1, momentum=0.9), 3)
    nesterov = ref.run_strata(optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=True), 3)
    assert np.abs(plain - nesterov).max() > 1e-3


@pytest.mark.parametrize(
    "kwargs", [{}, {"centered": True}, {"momentum": 0.5}, {"centered": True, "momentum": 0.5}]
)
def test_rmsprop_matches_keras(kwargs):
    # epsilon sits outside the sqrt in torch and inside in Keras. Each step (~0.03) then differs
    # by a relative ~epsilon / sqrt(denominator) <= ~1e-6 (the centered denominator v - a**2 is
    # the smallest), so six steps agree to a few 1e-8; a wrong rho or momentum gives ~1e-3.
    got = ref.run_strata(optimizers.RMSprop(learning_rate=0.01, **kwargs), STEPS)
    want = ref.run_reference(ref.rmsprop(0.01, **kwargs), STEPS)
    np.testing.assert_allclose(got, want, rtol=0, atol=5e-8)
    assert np.abs(got[-1] - ref.W0).min() > 1e-3  # the weights really moved


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adam_matches_keras(amsgrad):
    # torch's Adam with epsilon / sqrt(1 - b2**t) computes Keras's formula: float64 rounding.
    got = ref.run_strata(optimizers.Adam(learning_rate=0.01, amsgrad=amsgrad), STEPS)
    want = ref.run_reference(ref.adam(0.01, amsgrad=amsgrad), STEPS)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


def test_adam_puts_epsilon_where_keras_does():
    # With epsilon = 1e-3 the placement matters (differences of 1e-6): Keras's form agrees to
    # rounding, torch's plain form (epsilon added to the bias-corrected root) does not.
    opt = optimizers.Adam(learning_rate=0.01, epsilon=1e-3)
    got = ref.run_strata(opt, STEPS)
    torch_form = ref.run_reference(ref.adam_torch_epsilon(0.01, epsilon=1e-3), STEPS)
    keras_form = ref.run_reference(ref.adam(0.01, epsilon=1e-3), STEPS)
    np.testing.assert_allclose(got, keras_form, rtol=0, atol=1e-12)
    assert np.abs(got - torch_form).max() > 1e-7


def test_adamw_matches_keras():
    opt = optimizers.AdamW(learning_rate=0.01, weight_decay=0.1)
    got = ref.run_strata(opt, STEPS)
    want = ref.run_reference(ref.adam(0.01, weight_decay=0.1), STEPS)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
    without_decay = ref.run_reference(ref.adam(0.01), STEPS)
    assert np.abs(got - without_decay).max() > 1e-4


def test_adam_weight_decay_is_decoupled_like_keras():
    opt = optimizers.Adam(learning_rate=0.01, weight_decay=0.1)
    got = ref.run_strata(opt, STEPS)
    want = ref.run_reference(ref.adam(0.01, weight_decay=0.1), STEPS)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


def test_adagrad_matches_keras():
    # Keras's sqrt(acc + eps), not torch's sqrt(acc) + eps: float64 rounding only.
    got = ref.run_strata(optimizers.Adagrad(learning_rate=0.1), STEPS)
    want = ref.run_reference(ref.adagrad(0.1), STEPS)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
    assert np.abs(got[-1] - ref.W0).min() > 1e-2


def test_adagrad_initial_accumulator_value_is_used():
    got = ref.run_strata(optimizers.Adagrad(learning_rate=0.1, initial_accumulator_value=2.0), 3)
    want = ref.run_reference(ref.adagrad(0.1, initial_accumulator_value=2.0), 3)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-8)
    default = ref.run_reference(ref.adagrad(0.1), 3)
    assert np.abs(got - default).max() > 1e-3


def test_adadelta_matches_keras_exactly():
    got = ref.run_strata(optimizers.Adadelta(learning_rate=1.0), STEPS)
    want = ref.run_reference(ref.adadelta(1.0), STEPS)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)
    assert np.abs(got[-1] - ref.W0).min() > 1e-3


def test_adamax_matches_keras():
    # epsilon added after the max (Keras), not inside it (torch): float64 rounding only.
    got = ref.run_strata(optimizers.Adamax(learning_rate=0.01), STEPS)
    want = ref.run_reference(ref.adamax(0.01), STEPS)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
    assert np.abs(got[-1] - ref.W0).min() > 1e-2


def test_nadam_matches_keras():
    # torch's NAdam with momentum_decay=1 computes Keras's formula (schedule 0.96**t); only its
    # running momentum product is kept in float32, a relative ~1e-8 on each 0.01 step.
    got = ref.run_strata(optimizers.Nadam(learning_rate=0.01), STEPS)
    want = ref.run_reference(ref.nadam(0.01), STEPS)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-9)
    assert np.abs(got[-1] - ref.W0).min() > 1e-2
