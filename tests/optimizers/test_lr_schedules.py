"""Schedules' values against their formulas, and a schedule driving an optimizer's rate."""

import json
import math

import pytest
import torch

from strata import optimizers
from strata.optimizers import schedules
from strata.saving import register_keras_serializable


@pytest.mark.parametrize("step", [0, 1, 7, 10, 25, 100])
def test_exponential_decay(step):
    smooth = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    stairs = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5, staircase=True)
    assert smooth(step) == pytest.approx(0.1 * 0.5 ** (step / 10), rel=1e-12)
    assert stairs(step) == pytest.approx(0.1 * 0.5 ** (step // 10), rel=1e-12)


def test_piecewise_constant_decay_boundaries_are_inclusive_below():
    schedule = schedules.PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])
    got = [schedule(step) for step in (0, 10, 11, 20, 21, 1000)]
    assert got == [1.0, 1.0, 0.5, 0.5, 0.1, 0.1]
    with pytest.raises(ValueError, match="len\\(values\\) == len\\(boundaries\\) \\+ 1"):
        schedules.PiecewiseConstantDecay([10, 20], [1.0, 0.5])


@pytest.mark.parametrize("step", [0, 3, 5, 10, 15])
def test_inverse_time_decay(step):
    smooth = schedules.InverseTimeDecay(1.0, decay_steps=4, decay_rate=0.5)
    stairs = schedules.InverseTimeDecay(1.0, decay_steps=4, decay_rate=0.5, staircase=True)
    assert smooth(step) == pytest.approx(1.0 / (1 + 0.5 * step / 4), rel=1e-12)
    assert stairs(step) == pytest.approx(1.0 / (1 + 0.5 * (step // 4)), rel=1e-12)


@pytest.mark.parametrize("step", [0, 2, 5, 10, 30])
def test_polynomial_decay(step):
    schedule = schedules.PolynomialDecay(1.0, decay_steps=10, end_learning_rate=0.1, power=2.0)
    clipped = min(step, 10)
    assert schedule(step) == pytest.approx(0.9 * (1 - clipped / 10) ** 2 + 0.1, rel=1e-12)


def test_polynomial_decay_cycle_lengthens_the_period():
    schedule = schedules.PolynomialDecay(1.0, decay_steps=10, end_learning_rate=0.0, cycle=True)
    assert schedule(0) == 1.0
    assert schedule(5) == pytest.approx(0.5)
    assert schedule(15) == pytest.approx(1 - 15 / 20)  # second cycle: decay over 20 steps
    assert schedule.get_config()["end_learning_rate"] == 0.0
    assert schedules.PolynomialDecay(1.0, 10).end_learning_rate == 0.0001  # Keras's default


@pytest.mark.parametrize("step", [0, 4, 10, 20, 50])
def test_cosine_decay(step):
    schedule = schedules.CosineDecay(2.0, decay_steps=20, alpha=0.1)
    fraction = min(step, 20) / 20
    cosine = 0.5 * (1 + math.cos(math.pi * fraction))
    assert schedule(step) == pytest.approx(2.0 * (0.9 * cosine + 0.1), rel=1e-12)


def test_cosine_decay_with_warmup():
    schedule = schedules.CosineDecay(
        0.0, decay_steps=10, warmup_target=1.0, warmup_steps=4, alpha=0.0
    )
    assert [schedule(s) for s in (0, 1, 2, 3)] == pytest.approx([0.0, 0.25, 0.5, 0.75])
    assert schedule(4) == pytest.approx(1.0)
    assert schedule(9) == pytest.approx(0.5 * (1 + math.cos(math.pi * 5 / 10)))
    assert schedule(14) == pytest.approx(0.0, abs=1e-12)
    assert schedule(100) == pytest.approx(0.0, abs=1e-12)


def test_cosine_decay_restarts():
    schedule = schedules.CosineDecayRestarts(1.0, first_decay_steps=10, t_mul=2.0, m_mul=0.5)
    assert schedule(5) == pytest.approx(0.5)
    assert schedule(10) == pytest.approx(0.5)  # second period starts at half the peak
    assert schedule(20) == pytest.approx(0.5 * 0.5 * (1 + math.cos(math.pi * 10 / 20)))
    assert schedule(30) == pytest.approx(0.25)  # third period, peak 0.25
    flat = schedules.CosineDecayRestarts(1.0, first_decay_steps=10, t_mul=1.0)
    assert flat(13) == pytest.approx(0.5 * (1 + math.cos(math.pi * 0.3)))


@pytest.mark.parametrize(
    "schedule",
    [
        schedules.ExponentialDecay(0.1, 10, 0.9, staircase=True),
        schedules.PiecewiseConstantDecay([5], [0.1, 0.01]),
        schedules.PolynomialDecay(0.1, 100, power=0.5),
        schedules.InverseTimeDecay(0.1, 3, 0.2),
        schedules.CosineDecay(0.1, 50, warmup_target=0.2, warmup_steps=5),
        schedules.CosineDecayRestarts(0.1, 20, t_mul=1.5),
    ],
)
def test_schedule_serialize_round_trip(schedule):
    config = json.loads(json.dumps(schedules.serialize(schedule)))
    restored = schedules.deserialize(config)
    assert type(restored) is type(schedule)
    assert restored.get_config() == schedule.get_config()
    assert [restored(s) for s in (0, 7, 33)] == [schedule(s) for s in (0, 7, 33)]


def test_unknown_schedule_is_refused():
    with pytest.raises(ValueError, match="Unknown learning rate schedule"):
        schedules.deserialize({"class_name": "Nope", "config": {}})


def test_schedule_drives_the_learning_rate_across_steps():
    schedule = schedules.ExponentialDecay(0.5, decay_steps=1, decay_rate=0.5)
    w = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    opt = optimizers.SGD(learning_rate=schedule)
    opt.build([w])
    expected = 0.0
    for step in range(4):
        assert opt.learning_rate == pytest.approx(schedule(step))
        w.grad = torch.ones(1, dtype=torch.float64)
        opt.apply()
        assert opt.torch_optimizer.param_groups[0]["lr"] == pytest.approx(schedule(step))
        expected -= schedule(step)
    assert w.item() == pytest.approx(expected, rel=1e-12)  # 0.5 + 0.25 + 0.125 + 0.0625
    assert w.item() == pytest.approx(-0.9375)


def test_setting_iterations_moves_the_schedule():
    opt = optimizers.Adam(learning_rate=schedules.PiecewiseConstantDecay([10], [1.0, 0.1]))
    assert opt.learning_rate == 1.0
    opt.iterations = 11
    assert opt.learning_rate == 0.1


def test_custom_registered_schedule_round_trips_in_an_optimizer():
    @register_keras_serializable(package="tests")
    class Halving(schedules.LearningRateSchedule):
        def __init__(self, start):
            self.start = start

        def __call__(self, step):
            return self.start / 2 ** (step // 10)

        def get_config(self):
            return {"start": self.start}

    opt = optimizers.SGD(learning_rate=Halving(0.4))
    restored = optimizers.deserialize(json.loads(json.dumps(optimizers.serialize(opt))))
    restored.iterations = 25
    assert restored.learning_rate == pytest.approx(0.1)
