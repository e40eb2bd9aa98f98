"""The Optimizer base: clipping, weight decay, learning rate, state, configs and `get`."""

import copy
import json

import numpy as np
import optim_reference as ref
import pytest
import torch

from strata import optimizers
from strata.optimizers import kernels, schedules

ALL = [
    optimizers.SGD,
    optimizers.RMSprop,
    optimizers.Adam,
    optimizers.AdamW,
    optimizers.Adagrad,
    optimizers.Adadelta,
    optimizers.Adamax,
    optimizers.Nadam,
    optimizers.Ftrl,
    optimizers.Lion,
    optimizers.Lamb,
    optimizers.Adafactor,
    optimizers.Muon,
    optimizers.ScheduleFreeAdamW,
]


def _params(*values):
    return [torch.nn.Parameter(torch.tensor(v, dtype=torch.float64)) for v in values]


def _one_sgd_step(grads, lr=1.0, **kwargs):
    """Return weights after one SGD step from zero weights with the given gradients."""
    params = _params(*[np.zeros(len(g)) for g in grads])
    opt = optimizers.SGD(learning_rate=lr, **kwargs)
    opt.build(params)
    opt.apply([torch.tensor(g, dtype=torch.float64) for g in grads])
    return [p.detach().numpy() for p in params]


# ------------------------------------------------------------------------------ clipping
def test_clipvalue_clamps_each_entry():
    (got,) = _one_sgd_step([[3.0, -0.5, -4.0]], clipvalue=1.0)
    np.testing.assert_array_equal(got, [-1.0, 0.5, 1.0])


def test_clipnorm_rescales_each_variable_separately():
    big, small = _one_sgd_step([[3.0, 4.0], [0.1, 0.2]], clipnorm=1.0)
    np.testing.assert_allclose(big, [-0.6, -0.8], rtol=1e-15)  # norm 5 -> 1
    np.testing.assert_allclose(small, [-0.1, -0.2], rtol=1e-15)  # norm < 1: untouched


def test_global_clipnorm_rescales_all_gradients_together():
    # global norm sqrt(9 + 16 + 144) = 13; clipped to 6.5 the scale is 0.5 (torch divides by
    # norm + 1e-6, a relative 1e-7 here).
    first, second = _one_sgd_step([[3.0, 4.0], [12.0]], global_clipnorm=6.5)
    np.testing.assert_allclose(first, [-1.5, -2.0], rtol=1e-6)
    np.testing.assert_allclose(second, [-6.0], rtol=1e-6)
    unclipped = _one_sgd_step([[3.0, 4.0], [12.0]], global_clipnorm=100.0)
    np.testing.assert_allclose(unclipped[1], [-12.0], rtol=1e-12)


def test_only_one_clipping_option_is_accepted():
    with pytest.raises(ValueError, match="Only one of clipnorm, clipvalue and global_clipnorm"):
        optimizers.SGD(clipnorm=1.0, clipvalue=0.5)


def test_loss_scale_factor_divides_the_gradients():
    opt = optimizers.SGD(learning_rate=1.0, loss_scale_factor=4.0)
    (w,) = _params([0.0])
    opt.build([w])
    loss = opt.scale_loss((2.0 * w).sum())
    loss.backward()
    opt.apply()
    assert w.item() == pytest.approx(-2.0)


# ------------------------------------------------------------------------------ weight decay
def test_decoupled_weight_decay_before_the_step():
    (w,) = _params([2.0, -4.0])
    opt = optimizers.SGD(learning_rate=0.1, weight_decay=0.5)
    opt.build([w])
    opt.apply([torch.tensor([1.0, 1.0], dtype=torch.float64)])
    # Keras: w -= lr * wd * w, then w -= lr * g.
    np.testing.assert_allclose(w.detach().numpy(), [2.0 * 0.95 - 0.1, -4.0 * 0.95 - 0.1])


def test_weight_decay_skips_excluded_and_gradient_free_variables():
    a, b, c = _params([1.0], [1.0], [1.0])
    opt = optimizers.SGD(learning_rate=0.1, weight_decay=1.0)
    opt.exclude_from_weight_decay(var_list=[b])
    opt.build([a, b, c])
    zero = torch.zeros(1, dtype=torch.float64)
    opt.apply([zero, zero, None])
    assert (a.item(), b.item(), c.item()) == (pytest.approx(0.9), 1.0, 1.0)


def test_adamw_excludes_variables_through_a_decay_free_group():
    a, b = _params([1.0], [1.0])
    opt = optimizers.AdamW(learning_rate=0.1, weight_decay=1.0)
    opt.build([a, b])
    opt.exclude_from_weight_decay(var_list=[b])
    zero = torch.zeros(1, dtype=torch.float64)
    opt.apply([zero, zero])
    assert a.item() == pytest.approx(0.9)
    assert b.item() == 1.0


# ------------------------------------------------------------------------------ learning rate
def test_setting_learning_rate_changes_the_next_step():
    (w,) = _params([0.0])
    opt = optimizers.SGD(learning_rate=0.1)
    opt.build([w])
    one = torch.ones(1, dtype=torch.float64)
    opt.apply([one])
    opt.learning_rate = 0.01
    assert isinstance(opt.learning_rate, float) and opt.learning_rate == 0.01
    opt.apply([one])
    assert w.item() == pytest.approx(-0.11, rel=1e-12)
    opt.learning_rate = schedules.PiecewiseConstantDecay([0], [5.0, 1.0])
    opt.apply([one])  # iterations is 2: past the boundary, rate 1.0
    assert w.item() == pytest.approx(-1.11, rel=1e-12)


def test_learning_rate_rejects_other_types():
    with pytest.raises(
        ValueError, match="learning_rate expected a float, a LearningRateSchedule or a callable"
    ):
        optimizers.Adam(learning_rate="fast")


def test_legacy_lr_and_decay_keywords():
    assert optimizers.SGD(lr=0.5).learning_rate == 0.5
    opt = optimizers.SGD(lr=0.1, decay=0.01, momentum=0.9, nesterov=True)
    opt.iterations = 10
    assert opt.learning_rate == pytest.approx(0.1 / (1 + 0.01 * 10))


def test_unknown_keyword_and_bad_ema_or_accumulation_settings_are_refused():
    with pytest.raises(TypeError, match="unknown argument"):
        optimizers.Adam(betas=(0.9, 0.99))
    with pytest.raises(ValueError, match="ema_momentum expected a float in"):
        optimizers.Adam(use_ema=True, ema_momentum=1.5)
    with pytest.raises(ValueError, match="ema_overwrite_frequency expected an integer"):
        optimizers.Adam(use_ema=True, ema_overwrite_frequency=0)
    with pytest.raises(ValueError, match="gradient_accumulation_steps expected an integer >= 2"):
        optimizers.Adam(gradient_accumulation_steps=1)


# ------------------------------------------------------------------------------ stepping
def test_iterations_counts_steps_and_step_uses_dot_grad():
    (w,) = _params([1.0])
    opt = optimizers.Adam()
    opt.build([w])
    for _ in range(3):
        opt.zero_grad()
        assert w.grad is None  # set_to_none
        (w**2).sum().backward()
        opt.step()
    assert opt.iterations == 3 and isinstance(opt.iterations, int)
    assert w.item() < 1.0


def test_apply_gradients_pairs_leave_unlisted_variables_alone():
    a, b = _params([1.0], [1.0])
    opt = optimizers.SGD(learning_rate=0.5)
    opt.build([a, b])
    b.grad = torch.ones(1, dtype=torch.float64)  # stale: must not be used
    opt.apply_gradients([(torch.ones(1, dtype=torch.float64), a)])
    assert (a.item(), b.item()) == (0.5, 1.0)
    (stranger,) = _params([1.0])
    with pytest.raises(ValueError, match="does not hold"):
        opt.apply_gradients([(torch.ones(1, dtype=torch.float64), stranger)])


def test_apply_before_build_is_a_clear_error():
    with pytest.raises(ValueError, match="expected build"):
        optimizers.SGD().apply()


def test_build_is_idempotent_and_rebuilds_for_new_variables():
    a, b = _params([1.0], [2.0])
    opt = optimizers.Adam()
    opt.build([a])
    first = opt.torch_optimizer
    opt.build([a])
    assert opt.torch_optimizer is first
    opt.build([a, b])
    assert opt.torch_optimizer is not first
    assert opt.trainable_variables == [a, b]


def test_variables_are_the_optimizer_state():
    (w,) = _params([1.0, 2.0])
    opt = optimizers.Adam(amsgrad=True)
    opt.build([w])
    assert opt.variables == []
    opt.apply([torch.ones(2, dtype=torch.float64)])
    shapes = sorted(tuple(v.shape) for v in opt.variables)
    assert shapes == [(), (2,), (2,), (2,)]  # step, exp_avg, exp_avg_sq, max_exp_avg_sq


def test_step_path_never_reads_a_tensor_on_the_host(monkeypatch):
    (w,) = _params([1.0, -3.0])
    opt = optimizers.SGD(
        learning_rate=schedules.ExponentialDecay(0.1, 5, 0.5),
        momentum=0.9,
        weight_decay=0.01,
        global_clipnorm=1.0,
    )
    opt.build([w])

    def refuse(*args):
        raise AssertionError("host synchronisation on the step path")

    monkeypatch.setattr(torch.Tensor, "item", refuse)
    monkeypatch.setattr(torch.Tensor, "__float__", refuse)
    monkeypatch.setattr(torch.Tensor, "tolist", refuse)
    for _ in range(3):
        w.grad = torch.tensor([3.0, 4.0], dtype=torch.float64)
        opt.apply()
    monkeypatch.undo()
    assert opt.iterations == 3


# ------------------------------------------------------------------------------ state
@pytest.mark.parametrize("cls", ALL)
def test_state_dict_resume_continues_exactly(cls):
    def make():
        lr = schedules.ExponentialDecay(0.05, decay_steps=3, decay_rate=0.7)
        return cls(learning_rate=lr) if cls is not optimizers.SGD else cls(lr, momentum=0.9)

    uninterrupted = ref.run_strata(make(), 10)[-1]

    first = make()
    partial = ref.run_strata(first, 4)[-1]
    saved = copy.deepcopy(first.state_dict())
    assert saved["iterations"] == 4

    resumed = make()
    resumed.load_state_dict(saved)  # before build: applied when build() runs
    continued = ref.run_strata(resumed, 6, w0=partial)[-1]
    np.testing.assert_array_equal(continued, uninterrupted)

    fresh = ref.run_strata(make(), 6, w0=partial)[-1]  # without the state: a different path
    assert np.abs(fresh - uninterrupted).max() > 1e-6


def test_state_dict_restores_a_float_learning_rate_set_during_training():
    (w,) = _params([1.0])
    opt = optimizers.RMSprop()
    opt.build([w])
    opt.learning_rate = 0.123
    state = opt.state_dict()
    other = optimizers.RMSprop()
    other.build(_params([1.0]))
    other.load_state_dict(state)
    assert other.learning_rate == 0.123
    assert other.torch_optimizer.param_groups[0]["lr"] == 0.123


# ------------------------------------------------------------------------------ config, get
@pytest.mark.parametrize("cls", ALL)
def test_config_round_trip(cls):
    opt = cls(learning_rate=0.02, clipnorm=2.0, name="mine")
    config = json.loads(json.dumps(opt.get_config()))
    restored = cls.from_config(config)
    assert restored.get_config() == opt.get_config()
    assert config["learning_rate"] == 0.02 and config["name"] == "mine"
    again = optimizers.deserialize(json.loads(json.dumps(optimizers.serialize(opt))))
    assert type(again) is cls and again.get_config() == opt.get_config()


def test_config_round_trip_with_a_schedule():
    opt = optimizers.Adam(learning_rate=schedules.CosineDecay(0.1, 100, alpha=0.1))
    config = json.loads(json.dumps(opt.get_config()))
    assert config["learning_rate"]["class_name"] == "CosineDecay"
    restored = optimizers.Adam.from_config(config)
    restored.iterations = 50
    opt.iterations = 50
    assert restored.learning_rate == opt.learning_rate


@pytest.mark.parametrize(
    "name, cls, defaults",
    [
        ("sgd", optimizers.SGD, {"learning_rate": 0.01, "momentum": 0.0, "nesterov": False}),
        (
            "rmsprop",
            optimizers.RMSprop,
            {
                "learning_rate": 0.001,
                "rho": 0.9,
                "momentum": 0.0,
                "epsilon": 1e-7,
                "centered": False,
            },
        ),
        (
            "adam",
            optimizers.Adam,
            {
                "learning_rate": 0.001,
                "beta_1": 0.9,
                "beta_2": 0.999,
                "epsilon": 1e-7,
                "amsgrad": False,
            },
        ),
        (
            "adamw",
            optimizers.AdamW,
            {
                "learning_rate": 0.001,
                "weight_decay": 0.004,
                "beta_1": 0.9,
                "beta_2": 0.999,
                "epsilon": 1e-7,
                "amsgrad": False,
            },
        ),
        (
            "adagrad",
            optimizers.Adagrad,
            {"learning_rate": 0.001, "initial_accumulator_value": 0.1, "epsilon": 1e-7},
        ),
        ("adadelta", optimizers.Adadelta, {"learning_rate": 0.001, "rho": 0.95, "epsilon": 1e-7}),
        (
            "adamax",
            optimizers.Adamax,
            {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7},
        ),
        (
            "nadam",
            optimizers.Nadam,
            {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7},
        ),
    ],
)
def test_get_every_name_with_keras_defaults(name, cls, defaults):
    for spelling in (name, name.upper(), cls.__name__):
        opt = optimizers.get(spelling)
        assert type(opt) is cls
    config = optimizers.get(name).get_config()
    assert {key: config[key] for key in defaults} == defaults


def test_torch_kwargs_follow_keras_arguments():
    (w,) = _params([1.0])
    opt = optimizers.RMSprop(rho=0.8, epsilon=1e-5, centered=True)
    opt.build([w])
    group = opt.torch_optimizer.param_groups[0]
    assert (group["rho"], group["epsilon"], group["centered"]) == (0.8, 1e-5, True)
    assert isinstance(opt.torch_optimizer, kernels.KerasRMSprop)


def test_get_passes_instances_and_dicts_and_refuses_unknown_names():
    opt = optimizers.Adam()
    assert optimizers.get(opt) is opt
    torch_opt = torch.optim.SGD(_params([1.0]), lr=0.1)
    assert optimizers.get(torch_opt) is torch_opt
    from_dict = optimizers.get({"class_name": "Adam", "config": {"learning_rate": 0.5}})
    assert type(from_dict) is optimizers.Adam and from_dict.learning_rate == 0.5
    with pytest.raises(ValueError, match="Unknown optimizer: 'adamz'"):
        optimizers.get("adamz")
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier"):
        optimizers.get(42)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("cls", ALL)
def test_cuda_uses_fused_kernels_where_torch_has_them_and_matches_cpu(cls):
    cpu = ref.run_strata(cls(learning_rate=0.01, clipnorm=1.0), 5)
    w = torch.nn.Parameter(torch.tensor(ref.W0, dtype=torch.float32, device="cuda"))
    a = torch.tensor(ref.A, dtype=torch.float32, device="cuda")
    b = torch.tensor(ref.B, dtype=torch.float32, device="cuda")
    opt = cls(learning_rate=0.01, clipnorm=1.0)
    opt.build([w])
    fused = cls.__name__ in ("SGD", "Adam", "AdamW")
    assert bool(opt.torch_optimizer.defaults.get("fused")) is fused
    for _ in range(5):
        opt.zero_grad()
        (0.5 * a * w**2 + b * w).sum().backward()
        opt.apply()
    np.testing.assert_allclose(w.detach().cpu().numpy(), cpu[-1], rtol=0, atol=1e-5)
