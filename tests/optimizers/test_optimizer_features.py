"""EMA, gradient accumulation, loss scaling, the new optimizers' state and arguments, and fit."""

import copy
import json

import numpy as np
import pytest
import torch

import strata
from strata import optimizers

KERNEL_CLASSES = [
    optimizers.SGD,
    optimizers.RMSprop,
    optimizers.Adagrad,
    optimizers.Adamax,
    optimizers.Ftrl,
    optimizers.Lion,
    optimizers.Lamb,
    optimizers.Adafactor,
    optimizers.Muon,
    optimizers.ScheduleFreeAdamW,
]


def _variables(seed=0):
    gen = torch.Generator().manual_seed(seed)
    return [torch.nn.Parameter(torch.randn(s, generator=gen)) for s in ((3, 4), (4,))]


def _grads(step):
    gen = torch.Generator().manual_seed(100 + step)
    return [torch.randn(s, generator=gen) for s in ((3, 4), (4,))]


def _run(optimizer, variables, steps, start=0):
    for step in range(start, start + steps):
        optimizer.apply(_grads(step), variables)
    return [v.detach().clone() for v in variables]


# ------------------------------------------------------------------------------ state
@pytest.mark.parametrize(
    "make",
    [
        lambda: optimizers.Adam(
            0.05, use_ema=True, ema_momentum=0.6, gradient_accumulation_steps=3
        ),
        lambda: optimizers.Adafactor(0.05),
        lambda: optimizers.SGD(0.05, momentum=0.9, use_ema=True, ema_overwrite_frequency=2),
    ],
)
def test_state_dict_with_ema_accumulators_and_factored_moments_resumes_exactly(make):
    straight = _run(make(), _variables(), 8)
    first_vars = _variables()
    first = make()
    _run(first, first_vars, 4)
    saved = copy.deepcopy(first.state_dict())
    resumed_vars = [torch.nn.Parameter(v.detach().clone()) for v in first_vars]
    resumed = make()
    resumed.build(resumed_vars)
    resumed.check_state_dict(saved)
    resumed.load_state_dict(saved)
    for got, want in zip(_run(resumed, resumed_vars, 4, start=4), straight):
        torch.testing.assert_close(got, want, rtol=0, atol=0)


def test_check_state_dict_names_wrong_ema_and_factored_shapes():
    a = optimizers.Adam(use_ema=True)
    a.build(_variables())
    a.apply(_grads(0))
    state = a.state_dict()
    state["ema"] = [torch.zeros(2)] + state["ema"][1:]
    with pytest.raises(ValueError, match="expected 'ema' tensors shaped like its 2 variables"):
        a.check_state_dict(state)
    f = optimizers.Adafactor()
    f.build(_variables())
    f.apply(_grads(0))
    state = f.state_dict()
    assert tuple(state["optimizer"]["state"][0]["row"].shape) == (3,)
    state["optimizer"]["state"][0]["column"] = torch.zeros(3)
    with pytest.raises(ValueError, match="state 'column' of variable 0 with shape \\(4,\\)"):
        f.check_state_dict(state)


def test_gradient_accumulation_updates_with_the_mean_every_n_calls():
    (w,) = [torch.nn.Parameter(torch.zeros(2))]
    opt = optimizers.SGD(learning_rate=1.0, gradient_accumulation_steps=2)
    opt.apply([torch.tensor([2.0, 4.0])], [w])
    assert w.detach().tolist() == [0.0, 0.0] and opt.iterations == 0
    opt.apply([torch.tensor([4.0, 0.0])])
    assert w.detach().tolist() == [-3.0, -2.0] and opt.iterations == 1


def test_callable_learning_rate_is_read_each_step():
    rate = {"value": 0.5}
    (w,) = [torch.nn.Parameter(torch.zeros(1))]
    opt = optimizers.SGD(learning_rate=lambda: rate["value"])
    opt.apply([torch.ones(1)], [w])
    rate["value"] = 0.25
    opt.apply([torch.ones(1)])
    assert w.item() == -0.75


# ------------------------------------------------------------------------------ loss scaling
def test_loss_scale_optimizer_skips_non_finite_steps_and_grows_the_scale():
    (w,) = [torch.nn.Parameter(torch.ones(1))]
    opt = optimizers.LossScaleOptimizer(
        optimizers.SGD(0.5), initial_scale=4.0, dynamic_growth_steps=2
    )
    assert opt.scale_loss(torch.tensor(1.0)).item() == 4.0
    opt.apply([torch.tensor([4.0])], [w])
    opt.apply([torch.tensor([4.0])])
    assert (w.item(), opt.dynamic_scale, opt.iterations) == (0.0, 8.0, 2)
    opt.apply([torch.tensor([float("nan")])])
    assert (w.item(), opt.dynamic_scale, opt.iterations) == (0.0, 4.0, 2)


def test_loss_scale_optimizer_config_state_and_refused_arguments():
    opt = optimizers.LossScaleOptimizer(optimizers.Adam(0.01), initial_scale=16.0, name="lso")
    config = json.loads(json.dumps(optimizers.serialize(opt)))
    again = optimizers.deserialize(config)
    assert type(again) is optimizers.LossScaleOptimizer
    assert type(again.inner_optimizer) is optimizers.Adam
    assert again.get_config() == opt.get_config()
    variables = _variables()
    opt.apply(_grads(0), variables)
    opt.dynamic_scale = 2.0
    state = copy.deepcopy(opt.state_dict())
    again.build(_variables())
    again.check_state_dict(state)
    again.load_state_dict(state)
    assert again.dynamic_scale == 2.0 and again.iterations == 1
    with pytest.raises(ValueError, match="does not take clipnorm"):
        optimizers.LossScaleOptimizer(optimizers.SGD(), clipnorm=1.0)
    with pytest.raises(ValueError, match="dynamic=False"):
        optimizers.LossScaleOptimizer(optimizers.SGD(), dynamic=False)


# ------------------------------------------------------------------------------ arguments
def test_keras_argument_checks():
    with pytest.raises(ValueError, match="momentum expected a float in \\[0, 1\\]"):
        optimizers.SGD(momentum=1.5)
    with pytest.raises(ValueError, match="beta_1 expected a float in \\(0, 1\\]"):
        optimizers.Lion(beta_1=0.0)
    with pytest.raises(ValueError, match="learning_rate_power expected a float <= 0"):
        optimizers.Ftrl(learning_rate_power=0.5)
    with pytest.raises(ValueError, match="l1_regularization_strength expected a float >= 0"):
        optimizers.Ftrl(l1_regularization_strength=-1.0)


def test_default_names_follow_keras():
    names = [optimizers.RMSprop().name, optimizers.AdamW().name, optimizers.SGD().name]
    assert [n.rsplit("_", 1)[0] if n[-1].isdigit() else n for n in names] == [
        "rm_sprop",
        "adam_w",
        "sgd",
    ]


def test_muon_routes_variables_and_decays_each_path_with_its_rate():
    matrix, vector, table = (torch.nn.Parameter(torch.ones(s)) for s in ((3, 4), (4,), (5, 2)))
    table.path = "embedding/embeddings"
    opt = optimizers.Muon(learning_rate=0.1, weight_decay=0.5, adam_weight_decay=0.0)
    opt.build([matrix, vector, table])
    assert opt.torch_optimizer.adam_ids == {id(vector), id(table)}
    opt._apply_weight_decay(0.1)  # before any gradient: nothing is decayed
    for v in (matrix, vector, table):
        v.grad = torch.zeros_like(v)
    opt._apply_weight_decay(0.1)
    assert matrix[0, 0].item() == pytest.approx(0.95) and vector[0].item() == 1.0


@pytest.mark.parametrize("cls", KERNEL_CLASSES)
def test_kernel_steps_never_read_a_tensor_on_the_host(cls, monkeypatch):
    variables = _variables()
    kwargs = {"momentum": 0.9} if cls is optimizers.SGD else {}
    opt = cls(learning_rate=0.01, global_clipnorm=1.0, **kwargs)
    opt.build(variables)

    def refuse(*args):
        raise AssertionError("host synchronisation on the step path")

    monkeypatch.setattr(torch.Tensor, "item", refuse)
    monkeypatch.setattr(torch.Tensor, "__float__", refuse)
    monkeypatch.setattr(torch.Tensor, "__bool__", refuse)
    monkeypatch.setattr(torch.Tensor, "tolist", refuse)
    for step in range(3):
        opt.apply(_grads(step))
    monkeypatch.undo()
    assert opt.iterations == 3


# ------------------------------------------------------------------------------ fit
def _fit_weights(optimizer, epochs=1):
    strata.utils.set_random_seed(3)
    model = strata.Sequential([strata.Input((3,)), strata.layers.Dense(2)])
    model.compile(optimizer=optimizer, loss="mse")
    x = np.linspace(-1, 1, 24, dtype="float32").reshape(8, 3)
    y = np.cos(x[:, :2])
    model.fit(x, y, batch_size=4, epochs=epochs, shuffle=False, verbose=0)
    return [w.detach().clone() for w in model.trainable_weights]


def test_fit_scales_the_loss_for_loss_scale_factor():
    plain = _fit_weights(optimizers.SGD(0.1))
    scaled = _fit_weights(optimizers.SGD(0.1, loss_scale_factor=64.0))
    for a, b in zip(plain, scaled):
        torch.testing.assert_close(a, b, rtol=1e-6, atol=1e-7)
    assert any((a - w).abs().max() > 1e-3 for a, w in zip(plain, _fit_weights(optimizers.SGD(0.0))))


def test_fit_ends_with_the_ema_weights():
    # ema_momentum=1 keeps the average at the weights after the first step.
    two_steps = _fit_weights(optimizers.SGD(0.1), epochs=1)
    ema = _fit_weights(optimizers.SGD(0.1, use_ema=True, ema_momentum=1.0), epochs=2)
    one = _fit_weights_steps(1)
    for a, b in zip(ema, one):
        torch.testing.assert_close(a, b)
    assert any((a - b).abs().max() > 1e-4 for a, b in zip(two_steps, one))


def _fit_weights_steps(steps):
    strata.utils.set_random_seed(3)
    model = strata.Sequential([strata.Input((3,)), strata.layers.Dense(2)])
    model.compile(optimizer=optimizers.SGD(0.1), loss="mse")
    x = np.linspace(-1, 1, 24, dtype="float32").reshape(8, 3)
    y = np.cos(x[:, :2])
    model.fit(x[: 4 * steps], y[: 4 * steps], batch_size=4, shuffle=False, verbose=0)
    return [w.detach().clone() for w in model.trainable_weights]


def test_apply_with_only_missing_gradients_is_refused_like_keras():
    opt = optimizers.Adam()
    with pytest.raises(ValueError, match="expected at least one gradient; received only None"):
        opt.apply([None, None], _variables())


@pytest.mark.parametrize(
    "name", ["lion", "ftrl", "lamb", "adafactor", "muon", "schedulefreeadamw", "Adamax"]
)
def test_new_optimizers_by_name_train_save_and_resume(name, tmp_path):
    x = np.linspace(-1, 1, 24, dtype="float32").reshape(8, 3)
    y = np.cos(x[:, :2])
    model = strata.Sequential([strata.Input((3,)), strata.layers.Dense(2)])
    model.compile(optimizer=name, loss="mse")
    model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = strata.saving.load_model(path)
    assert type(loaded.optimizer) is type(model.optimizer)
    assert loaded.optimizer.iterations == model.optimizer.iterations == 2
    for a, b in zip(model.optimizer.variables, loaded.optimizer.variables):
        torch.testing.assert_close(a, b, rtol=0, atol=0)
    model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    loaded.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(model.get_weights(), loaded.get_weights()):
        np.testing.assert_array_equal(a, b)
