"""Every optimizer against updates recorded from Keras 3 (tools/keras_fixtures/optimizers.py).

The same float32 initial values and per-step gradients go through strata's optimizer; the
variables must equal Keras's after every step.
"""

import json
import pathlib

import numpy as np
import pytest
import torch

from strata import optimizers
from strata.optimizers import schedules

FIXTURE = np.load(pathlib.Path(__file__).parent / "fixtures" / "keras_updates.npz")
CASES = json.loads(str(FIXTURE["cases"]))
STEPS = sum(1 for key in FIXTURE.files if key.startswith("grads/") and key.endswith("/0"))


def _inputs():
    count = sum(1 for key in FIXTURE.files if key.startswith("initial/"))
    initial = [FIXTURE[f"initial/{i}"] for i in range(count)]
    grads = [[FIXTURE[f"grads/{s}/{i}"] for i in range(count)] for s in range(STEPS)]
    return initial, grads


def _case_grads(case, grads):
    # The fixture generator's variants of the gradients (see its case_grads).
    kind = case.get("grads")
    if kind == "small":
        return [[g * np.float32(1e-4) for g in step] for step in grads]
    if kind == "scaled":
        factor = np.float32(case["kwargs"]["loss_scale_factor"])
        return [[g * factor for g in step] for step in grads]
    if kind == "nonfinite":
        out = [[g * np.float32(8.0) for g in step] for step in grads]
        out[2][1] = out[2][1].copy()
        out[2][1][0] = np.inf
        return out
    return grads


def _optimizer(case):
    kwargs = dict(case["kwargs"])
    if "schedule" in case:
        name, config = case["schedule"]
        kwargs["learning_rate"] = getattr(schedules, name)(**config)
    if "inner" in case:
        name, config = case["inner"]
        return optimizers.LossScaleOptimizer(getattr(optimizers, name)(**config), **kwargs)
    return getattr(optimizers, case["class"])(**kwargs)


def _run(case):
    initial, grads = _inputs()
    variables = [torch.nn.Parameter(torch.tensor(v)) for v in initial]
    optimizer = _optimizer(case)
    history = []
    for step in _case_grads(case, grads):
        optimizer.apply([torch.tensor(g) for g in step], variables)
        history.append(torch.cat([v.detach().reshape(-1) for v in variables]).numpy().copy())
    if case.get("finalize"):
        optimizer.finalize_variable_values(variables)
        history.append(torch.cat([v.detach().reshape(-1) for v in variables]).numpy().copy())
    return np.stack(history)


@pytest.mark.parametrize("name", sorted(CASES))
def test_steps_equal_keras(name):
    expected = FIXTURE[f"{name}/values"]
    actual = _run(CASES[name])
    for step, (got, want) in enumerate(zip(actual, expected, strict=True)):
        np.testing.assert_allclose(
            got, want, rtol=2e-5, atol=2e-6, err_msg=f"{name}: step {step + 1}"
        )


def test_every_keras_optimizer_has_a_case():
    covered = {case["class"] for case in CASES.values()}
    exported = {
        name
        for name in optimizers.__all__
        if isinstance(getattr(optimizers, name), type)
        and issubclass(getattr(optimizers, name), optimizers.Optimizer)
        and name != "Optimizer"
    }
    assert exported <= covered


def test_the_comparison_can_fail():
    # torch's own RMSprop (epsilon outside the root) is far from Keras on small gradients.
    case = CASES["rmsprop_small"]
    initial, grads = _inputs()
    variables = [torch.nn.Parameter(torch.tensor(v)) for v in initial]
    opt = torch.optim.RMSprop(variables, lr=1e-4, alpha=0.9, eps=1e-7)
    for step in _case_grads(case, grads):
        for v, g in zip(variables, step):
            v.grad = torch.tensor(g)
        opt.step()
    got = torch.cat([v.detach().reshape(-1) for v in variables]).numpy()
    want = FIXTURE["rmsprop_small/values"][-1]
    assert not np.allclose(got, want, rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("name", sorted(json.loads(str(FIXTURE["default_configs"]))))
def test_default_config_equals_keras(name):
    want = json.loads(str(FIXTURE["default_configs"]))[name]
    if name == "LossScaleOptimizer":
        opt = optimizers.LossScaleOptimizer(optimizers.SGD())
    else:
        opt = getattr(optimizers, name)()
    got = opt.get_config()
    got.pop("name")
    got.pop("inner_optimizer", None)
    # Keras reports its float32 learning-rate variable's value.
    assert got.pop("learning_rate", None) == pytest.approx(want.pop("learning_rate", None))
    assert got == want


@pytest.mark.parametrize("key", sorted(json.loads(str(FIXTURE["schedules"]))))
def test_schedule_values_equal_keras(key):
    name, config = json.loads(str(FIXTURE["schedules"]))[key]
    schedule = getattr(schedules, name)(**config)
    want = FIXTURE[f"schedule/{key}"]
    got = [float(schedule(step)) for step in range(len(want))]
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-9)
