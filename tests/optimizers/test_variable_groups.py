"""Variables joining a built optimizer and per-variable learning-rate multipliers."""

import copy

import pytest
import torch

from strata import optimizers


def _param(seed, shape=(3, 2)):
    generator = torch.Generator().manual_seed(seed)
    return torch.nn.Parameter(torch.randn(shape, generator=generator))


def _grad(seed, shape=(3, 2)):
    return torch.randn(shape, generator=torch.Generator().manual_seed(100 + seed))


def test_sgd_updates_a_variable_at_learning_rate_times_its_multiplier():
    head, base = _param(0), _param(1)
    opt = optimizers.SGD(learning_rate=0.1)
    opt.build([head])
    assert opt.add_variable_group([base], lr_multiplier=0.25) == 1
    start_head, start_base = head.detach().clone(), base.detach().clone()
    opt.apply([_grad(0), _grad(1)])
    torch.testing.assert_close(head.detach(), start_head - 0.1 * _grad(0))
    torch.testing.assert_close(base.detach(), start_base - 0.1 * 0.25 * _grad(1))
    assert opt.get_lr_multiplier(base) == 0.25 and opt.get_lr_multiplier(head) == 1.0


def test_the_multiplier_follows_a_changed_learning_rate_and_a_schedule():
    head, base = _param(0), _param(1)
    schedule = optimizers.schedules.ExponentialDecay(0.1, decay_steps=1, decay_rate=0.5)
    opt = optimizers.SGD(learning_rate=schedule)
    opt.build([head])
    opt.add_variable_group([base], lr_multiplier=0.1)
    for step in range(3):
        start = base.detach().clone()
        opt.apply([torch.zeros(3, 2), _grad(1)])
        torch.testing.assert_close(base.detach(), start - 0.1 * 0.5**step * 0.1 * _grad(1))
    fixed = optimizers.SGD(learning_rate=0.1)
    fixed.build([head])
    fixed.add_variable_group([base], lr_multiplier=0.1)
    fixed.learning_rate = 0.4
    rates = sorted(group["lr"] for group in fixed.torch_optimizer.param_groups)
    assert rates == pytest.approx([0.04, 0.4])


RULES = [
    lambda lr: optimizers.SGD(learning_rate=lr, momentum=0.9, nesterov=True),
    lambda lr: optimizers.Adam(learning_rate=lr),
    lambda lr: optimizers.AdamW(learning_rate=lr, weight_decay=0.1),
    lambda lr: optimizers.RMSprop(learning_rate=lr, momentum=0.5),
    lambda lr: optimizers.Adagrad(learning_rate=lr),
    lambda lr: optimizers.Adamax(learning_rate=lr),
    lambda lr: optimizers.Nadam(learning_rate=lr),
    lambda lr: optimizers.Lion(learning_rate=lr, weight_decay=0.05),
    lambda lr: optimizers.Lamb(learning_rate=lr),
    lambda lr: optimizers.Adafactor(learning_rate=lr),
    lambda lr: optimizers.ScheduleFreeAdamW(learning_rate=lr),
    lambda lr: optimizers.Ftrl(learning_rate=lr),
    lambda lr: optimizers.Adadelta(learning_rate=lr),
]


@pytest.mark.parametrize("make", RULES, ids=lambda make: type(make(0.1)).__name__)
def test_a_multiplied_group_steps_like_an_optimizer_at_the_multiplied_rate(make):
    # The variable in the 0.3 group must follow exactly the path it would follow alone under
    # the same rule at learning_rate 0.01 * 0.3, while the other keeps the full rate.
    head, base = _param(0), _param(1)
    alone = torch.nn.Parameter(base.detach().clone())
    grouped, reference = make(0.01), make(0.003)
    grouped.build([head])
    grouped.add_variable_group([base], lr_multiplier=0.3)
    reference.build([alone])
    for step in range(3):
        grouped.apply([_grad(step), _grad(step + 10)])
        reference.apply([_grad(step + 10)])
    torch.testing.assert_close(base.detach(), alone.detach(), rtol=1e-5, atol=1e-6)
    assert not torch.allclose(base.detach(), _param(1).detach())


def test_moving_a_held_variable_to_another_rate_keeps_its_state():
    w = _param(0)
    opt = optimizers.Adam(learning_rate=0.01)
    opt.build([w])
    opt.apply([_grad(0)])
    moment = opt.torch_optimizer.state[w]["exp_avg"].clone()
    assert opt.add_variable_group([w], lr_multiplier=0.5) == 0
    assert opt.torch_optimizer.state[w]["exp_avg"].equal(moment)
    assert [group["lr"] for group in opt.torch_optimizer.param_groups] == [0.01, 0.005]
    opt.apply([_grad(1)])
    assert int(opt.torch_optimizer.state[w]["step"]) == 2


def test_ema_and_accumulators_extend_to_added_variables():
    head, base = _param(0), _param(1)
    opt = optimizers.SGD(learning_rate=0.1, use_ema=True, gradient_accumulation_steps=2)
    opt.build([head])
    opt.add_variable_group([base], lr_multiplier=0.5)
    assert len(opt.variables) == 4  # two EMA averages, two accumulators
    start = base.detach().clone()
    opt.apply([_grad(0), _grad(1)])
    torch.testing.assert_close(base.detach(), start)  # accumulating
    opt.apply([_grad(0), _grad(1)])
    torch.testing.assert_close(base.detach(), start - 0.05 * _grad(1))
    opt.finalize_variable_values([base])  # a subset of the built variables is accepted


def test_the_state_round_trips_with_the_groups_and_refuses_other_groups():
    def made():
        head, base = _param(0), _param(1)
        opt = optimizers.Adam(learning_rate=0.01)
        opt.build([head, base])
        opt.add_variable_group([base], lr_multiplier=0.1)
        return opt, head, base

    first, head, base = made()
    first.apply([_grad(0), _grad(1)])
    state = copy.deepcopy(first.state_dict())  # torch's state holds the live tensors
    second, head2, base2 = made()
    second.load_state_dict(state)
    with torch.no_grad():
        head2.copy_(head)
        base2.copy_(base)
    first.apply([_grad(2), _grad(3)])
    second.apply([_grad(2), _grad(3)])
    torch.testing.assert_close(base2.detach(), base.detach())
    plain = optimizers.Adam(learning_rate=0.01)
    plain.build([_param(0), _param(1)])
    with pytest.raises(ValueError, match="parameter group"):
        plain.load_state_dict(state)
    other = optimizers.Adam(learning_rate=0.01)
    other.build([_param(0), _param(1)])
    other.add_variable_group([other.trainable_variables[1]], lr_multiplier=0.2)
    with pytest.raises(ValueError, match="lr_multiplier 0.2"):
        other.load_state_dict(state)


def test_adamw_keeps_its_no_decay_group_beside_multiplied_groups():
    a, b, c = _param(0), _param(1), _param(2)
    opt = optimizers.AdamW(learning_rate=0.01, weight_decay=0.5)
    opt.exclude_from_weight_decay(var_list=[b])
    opt.build([a, b])
    opt.add_variable_group([c], lr_multiplier=0.1)
    groups = [
        (len(g["params"]), g["weight_decay"], g.get("lr_multiplier", 1.0))
        for g in opt.torch_optimizer.param_groups
    ]
    assert groups == [(1, 0.5, 1.0), (1, 0.0, 1.0), (1, 0.5, 0.1)]


def test_loss_scale_optimizer_passes_groups_to_its_inner_optimizer():
    head, base = _param(0), _param(1)
    opt = optimizers.LossScaleOptimizer(optimizers.SGD(learning_rate=0.1), initial_scale=4.0)
    opt.build([head])
    opt.add_variable_group([base], lr_multiplier=0.5)
    assert opt.get_lr_multiplier(base) == 0.5 and len(opt.trainable_variables) == 2
    start = base.detach().clone()
    opt.apply([4.0 * _grad(0), 4.0 * _grad(1)])
    torch.testing.assert_close(base.detach(), start - 0.05 * _grad(1))


@pytest.mark.parametrize("bad", [-0.1, "0.1", True, None])
def test_a_bad_multiplier_is_refused(bad):
    opt = optimizers.SGD()
    opt.build([_param(0)])
    with pytest.raises(ValueError, match="lr_multiplier expected a float >= 0"):
        opt.add_variable_group([_param(1)], lr_multiplier=bad)
