"""The training engine's seams: losses from one source, hooks, direct steps, torch interop.

Each test retries a finding of the review of the training core (issue 8) and fails on the code
that had it.
"""

import ast
import pathlib

import numpy as np
import pytest
import torch

import strata
from strata import layers


def regression_data(rows=64, width=4, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, width)).astype("float32")
    y = rng.normal(size=(rows, 1)).astype("float32")
    return x, y


class AddsConstantLoss(layers.Layer):
    """Adds `value` to the model's loss on every call, as a layer's `add_loss` does in Keras."""

    def __init__(self, value=4000.0, **kwargs):
        super().__init__(**kwargs)
        self.value = value

    def call(self, inputs):
        self.add_loss(torch.tensor(self.value, device=inputs.device) + 0.0 * inputs.sum())
        return inputs


def plain_mse(model, x, y):
    prediction = model.predict(x, verbose=0)
    return float(np.mean((prediction - y) ** 2))


@pytest.mark.parametrize("kind", ["functional", "sequential"])
def test_add_loss_counts_in_evaluate_and_fit_and_nothing_accumulates(kind):
    x, y = regression_data()
    if kind == "functional":
        inputs = strata.Input((4,))
        outputs = layers.Dense(1)(AddsConstantLoss(4000.0)(inputs))
        model = strata.Model(inputs, outputs)
    else:
        model = strata.Sequential([strata.Input((4,)), AddsConstantLoss(4000.0), layers.Dense(1)])
    model.compile(optimizer=strata.optimizers.SGD(0.0), loss="mse")
    evaluated = model.evaluate(x, y, batch_size=64, verbose=0)
    assert evaluated == pytest.approx(plain_mse(model, x, y) + 4000.0, rel=1e-5)
    history = model.fit(x, y, batch_size=16, epochs=2, verbose=0)
    # Learning rate 0: each epoch's loss is the plain loss plus exactly one 4000 per step.
    assert history.history["loss"][-1] == pytest.approx(plain_mse(model, x, y) + 4000.0, rel=1e-4)
    adder = next(layer for layer in model.layers if isinstance(layer, AddsConstantLoss))
    assert len(adder._activity_losses) <= 1  # nothing piles up from step to step


def test_activity_regularization_counts_in_evaluate_of_a_functional_model():
    x, y = regression_data()
    inputs = strata.Input((4,))
    hidden = layers.Dense(3, kernel_initializer="ones")(inputs)
    regularized = layers.ActivityRegularization(l2=1000.0)(hidden)
    model = strata.Model(inputs, layers.Dense(1)(regularized))
    model.compile(optimizer="sgd", loss="mse")
    hidden_values = x @ np.ones((4, 3), dtype="float32")
    penalty = 1000.0 * float(np.sum(hidden_values**2)) / len(x)
    # One batch: the penalty is that of the whole batch, once.
    evaluated = model.evaluate(x, y, batch_size=len(x), verbose=0)
    assert evaluated == pytest.approx(plain_mse(model, x, y) + penalty * len(x), rel=1e-4)


def test_model_losses_after_a_call_is_what_a_step_adds():
    inputs = strata.Input((4,))
    dense = layers.Dense(2, kernel_regularizer=strata.regularizers.L2(0.5))
    outputs = layers.ActivityRegularization(l1=0.25)(dense(AddsConstantLoss(7.0)(inputs)))
    model = strata.Model(inputs, outputs)
    x = torch.ones(3, 4)
    model(x)
    first = float(sum(model.losses).detach())
    model(x)
    assert float(sum(model.losses).detach()) == pytest.approx(first)  # the last call's only
    kernel, bias = (torch.as_tensor(w) for w in dense.get_weights())  # Keras layout (in, out)
    hidden = x @ kernel + bias
    expected = 7.0 + 0.5 * float((kernel**2).sum()) + 0.25 * float(hidden.abs().sum())
    assert first == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("kind", ["functional", "sequential"])
def test_forward_hooks_fire_in_fit_evaluate_and_predict(kind):
    x, y = regression_data()
    if kind == "functional":
        inputs = strata.Input((4,))
        hidden = layers.Dense(5, activation="relu", name="hidden")
        model = strata.Model(inputs, layers.Dense(1)(hidden(inputs)))
    else:
        hidden = layers.Dense(5, activation="relu", name="hidden")
        model = strata.Sequential([strata.Input((4,)), hidden, layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    seen, pre_seen = [], []
    handle = hidden.register_forward_hook(lambda m, args, out: seen.append(tuple(out.shape)))
    pre = hidden.register_forward_pre_hook(lambda m, args: pre_seen.append(args[0].shape[0]))
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    assert seen == [(16, 5)] * 4 and pre_seen == [16] * 4
    model.evaluate(x, y, batch_size=32, verbose=0)
    model.predict(x, batch_size=64, verbose=0)
    assert seen[4:] == [(32, 5), (32, 5), (64, 5)]
    handle.remove()
    pre.remove()
    model.predict(x, verbose=0)
    assert len(seen) == 7 and len(pre_seen) == 7


@pytest.mark.parametrize("kind", ["functional", "sequential"])
def test_hooks_on_the_model_itself_fire_in_fit_evaluate_and_predict(kind):
    x, y = regression_data()
    if kind == "functional":
        inputs = strata.Input((4,))
        model = strata.Model(inputs, layers.Dense(1, activation="sigmoid")(inputs))
    else:
        model = strata.Sequential([strata.Input((4,)), layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    batches, outputs = [], []
    model.register_forward_pre_hook(lambda m, args: batches.append(len(args[0])))
    model.register_forward_hook(lambda m, args, out: outputs.append(out.detach()))
    model.fit(x, (y > 0).astype("float32"), batch_size=32, epochs=1, verbose=0)
    model.evaluate(x, (y > 0).astype("float32"), batch_size=64, verbose=0)
    model.predict(x, batch_size=64, verbose=0)
    assert batches == [32, 32, 64, 64]
    assert all(float(o.min()) >= 0 and float(o.max()) <= 1 for o in outputs)  # probabilities


def test_a_hook_may_replace_a_layers_output():
    inputs = strata.Input((3,))
    scale = layers.Dense(3, kernel_initializer="identity", use_bias=False)
    model = strata.Model(inputs, scale(inputs))
    scale.register_forward_hook(lambda m, args, out: out * 2)
    np.testing.assert_allclose(model.predict(np.ones((2, 3), "float32"), verbose=0), 2.0)


def test_hooks_on_a_softmax_output_see_probabilities_while_training_uses_logits():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(32, 4)).astype("float32")
    y = np.eye(3, dtype="float32")[rng.integers(0, 3, 32)]
    inputs = strata.Input((4,))
    head = layers.Dense(3, activation="softmax")
    model = strata.Model(inputs, head(inputs))
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    sums = []
    head.register_forward_hook(lambda m, args, out: sums.append(out.detach().sum(-1)))
    model.fit(x, y, batch_size=32, epochs=1, verbose=0)
    torch.testing.assert_close(sums[0], torch.ones(32))


def test_global_module_hooks_fire_too():
    inputs = strata.Input((2,))
    model = strata.Model(inputs, layers.Dense(1, name="only")(inputs))
    names = []
    handle = torch.nn.modules.module.register_module_forward_hook(
        lambda m, args, out: names.append(getattr(m, "name", None))
    )
    try:
        model.predict(np.ones((1, 2), "float32"), verbose=0)
    finally:
        handle.remove()
    assert "only" in names


def test_steps_work_when_called_directly_after_compile():
    x, y = regression_data(rows=8)
    model = strata.Sequential([layers.Dense(1)])  # no input shape: built from the data
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    before = model.evaluate(x, y, verbose=0, return_dict=True) if model.built else None
    logs = model.train_step((x, y))
    assert set(dict(logs)) == {"loss", "mae"} and before is None
    logs = model.test_step((torch.as_tensor(x), torch.as_tensor(y)))
    assert float(logs["loss"]) > 0
    assert model.predict_step((torch.as_tensor(x),)).shape == (8, 1)


def test_direct_train_steps_follow_freezing():
    x, y = regression_data(rows=8)
    first, second = layers.Dense(3), layers.Dense(1)
    model = strata.Sequential([strata.Input((4,)), first, second])
    model.compile(optimizer="sgd", loss="mse")
    model.train_step((x, y))
    first.trainable = False
    frozen = first.kernel.detach().clone()
    model.train_step((x, y))
    torch.testing.assert_close(first.kernel.detach(), frozen)


def test_torch_compile_and_state_dict_work():
    inputs = strata.Input((4,))
    model = strata.Model(inputs, layers.Dense(2)(layers.Dense(3, activation="relu")(inputs)))
    x = torch.randn(5, 4)
    compiled = torch.compile(model)
    torch.testing.assert_close(compiled(x), model(x))
    state = model.state_dict()
    assert sorted(state) == sorted(name for name, _ in model.named_parameters())
    clone = strata.models.clone_model(model)
    clone.load_state_dict(state)
    torch.testing.assert_close(clone(x), model(x))


def test_add_weight_without_a_name_registers_once_under_its_attribute():
    class Scale(layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")
            self.offsets = self.add_weight(shape=(2,), trainable=False)

        def call(self, x):
            return x * self.w

    layer = Scale()
    inputs = strata.Input((3,))
    model = strata.Model(inputs, layer(inputs))
    assert [name for name, _ in layer.named_parameters()] == ["w"]
    assert list(layer.state_dict()) == ["w", "offsets"]
    assert len(model.weights) == 2
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.ones((4, 3), "float32"), np.zeros((4, 3), "float32"), verbose=0)
    assert float(layer.w.detach().max()) < 1.0


@pytest.mark.parametrize(
    "call", [lambda: strata.Model(unknown=1), lambda: strata.Sequential(foo=2)]
)
def test_models_refuse_unknown_constructor_arguments(call):
    with pytest.raises(TypeError, match="expected only the keyword arguments"):
        call()


def test_a_callback_moves_the_start_through_the_engine():
    x, y = regression_data(rows=8)
    model = strata.Sequential([strata.Input((4,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")

    class ResumeAtTwo(strata.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.engine.load_state_dict({"epoch": 2})

        def on_epoch_begin(self, epoch, logs=None):
            self.epochs = [*getattr(self, "epochs", []), epoch]

    resume = ResumeAtTwo()
    model.fit(x, y, epochs=4, verbose=0, callbacks=[resume])
    assert resume.epochs == [2, 3]
    assert resume.engine.state_dict() == {"epoch": 4, "steps_done": 2}


def _imports_of(path: pathlib.Path, package_root: pathlib.Path) -> set:
    """Every strata module a file imports, at any depth of the file (lazy imports too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("strata")}


@pytest.mark.parametrize(
    "lower, upper", [("strata.trainers", "strata.models"), ("strata.backend", "strata.layers")]
)
def test_no_imports_from_a_lower_package_up_into_a_higher_one(lower, upper):
    source = pathlib.Path(strata.__file__).parent
    folder = source / lower.split(".")[1]
    offenders = {
        str(path.relative_to(source)): sorted(
            n for n in _imports_of(path, source) if n.startswith(upper)
        )
        for path in folder.rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}
