"""Keras 3 patterns from issue 10 that strata now supports (the issue stays open for the rest)."""

import numpy as np
import pytest
import torch

import strata
from strata import layers


def test_a_model_subclass_built_from_inputs_and_outputs_is_functional_with_its_methods():
    class CustomModel(strata.Model):
        def train_step(self, data):
            self.custom_steps = getattr(self, "custom_steps", 0) + 1
            return super().train_step(data)

    inputs = strata.Input((3,))
    model = CustomModel(inputs, layers.Dense(1)(inputs), name="custom")
    assert isinstance(model, CustomModel) and isinstance(model, strata.models.Model)
    assert model.name == "custom" and model.count_params() == 4
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.ones((8, 3), "float32"), np.zeros((8, 1), "float32"), batch_size=4, verbose=0)
    assert model.custom_steps == 2
    again = CustomModel(inputs=inputs, outputs=layers.Dense(2)(inputs))
    assert type(again) is type(model)  # one functional twin per class


@pytest.mark.parametrize("call", ["predict", "eager"])
def test_integer_arrays_feed_float_inputs(call):
    inputs = strata.Input((3,))
    model = strata.Model(inputs, layers.Dense(2)(inputs))
    x = np.arange(6, dtype="int64").reshape(2, 3)
    out = model.predict(x, verbose=0) if call == "predict" else model(x).detach().numpy()
    expected = model.predict(x.astype("float32"), verbose=0)
    np.testing.assert_allclose(out, expected)


def test_a_custom_metric_written_for_keras_uses_add_weight():
    class TruePositives(strata.metrics.Metric):
        def __init__(self, name="true_positives", **kwargs):
            super().__init__(name=name, **kwargs)
            self.true_positives = self.add_weight(name="tp", initializer="zeros")

        def update_state(self, y_true, y_pred, sample_weight=None):
            hits = (torch.as_tensor(y_true) > 0.5) & (torch.as_tensor(y_pred) > 0.5)
            self.true_positives.add_(hits.float().sum())

        def result(self):
            return self.true_positives.clone()

    metric = TruePositives()
    metric.update_state([[1.0], [0.0], [1.0]], [[0.9], [0.8], [0.2]])
    assert float(metric.result()) == 1.0
    metric.reset_state()
    assert float(metric.result()) == 0.0
    with pytest.raises(ValueError, match="initializer 'zeros', 'ones' or a number"):
        metric.add_weight(name="bad", initializer="glorot_uniform")


def test_an_endpoint_layers_add_loss_alone_trains_the_model():
    class Endpoint(layers.Layer):
        def call(self, predictions, targets):
            self.add_loss(torch.nn.functional.mse_loss(predictions, targets))
            return predictions

    features, targets = strata.Input((3,), name="x"), strata.Input((1,), name="t")
    model = strata.Model([features, targets], Endpoint()(layers.Dense(1)(features), targets))
    model.compile(optimizer="sgd")  # no compiled loss: the endpoint's is the only one
    x = np.random.default_rng(0).random((32, 3)).astype("float32")
    history = model.fit([x, x.sum(1, keepdims=True)], epochs=5, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_a_keras_3_torch_style_train_step_with_compute_loss_and_optimizer_apply():
    class Custom(strata.Model):
        def train_step(self, data):
            x, y = data
            self.zero_grad()
            y_pred = self(x, training=True)
            loss = self.compute_loss(y=y, y_pred=y_pred)
            loss.backward()
            trainable = list(self.trainable_weights)
            with torch.no_grad():
                self.optimizer.apply([v.grad for v in trainable], trainable)
            self.seen.append(float(loss.detach()))
            return {"loss": loss}

    inputs = strata.Input((4,))
    dense = layers.Dense(3, activation="softmax", kernel_regularizer=strata.regularizers.L2(0.1))
    model = Custom(inputs, dense(inputs))
    model.seen = []
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    rng = np.random.default_rng(1)
    x = rng.normal(size=(8, 4)).astype("float32")
    y = np.eye(3, dtype="float32")[rng.integers(0, 3, 8)]
    expected = model.evaluate(x, y, batch_size=8, verbose=0)  # crossentropy + L2 penalty
    model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0)
    assert model.seen[0] == pytest.approx(expected, rel=1e-5)
    assert model.seen[-1] < model.seen[0]


@pytest.mark.parametrize("kind", ["sequential", "functional"])
def test_layers_may_be_named_like_model_attributes(kind, tmp_path):
    names = ["inputs", "outputs", "name", "optimizer", "built", "history", "layers"]
    if kind == "sequential":
        model = strata.Sequential([strata.Input((3,))] + [layers.Dense(2, name=n) for n in names])
    else:
        x = inputs = strata.Input((3,))
        for name in names:
            x = layers.Dense(2, name=name)(x)
        model = strata.Model(inputs, x)
    assert [layer.name for layer in model.layers if layer.name in names] == names
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.ones((4, 3), "float32"), np.ones((4, 2), "float32"), verbose=0)
    assert len(list(model.parameters())) == 2 * len(names)
    model.save(tmp_path / "m.keras")
    loaded = strata.models.load_model(tmp_path / "m.keras")
    sample = np.ones((1, 3), "float32")
    np.testing.assert_allclose(loaded.predict(sample, verbose=0), model.predict(sample, verbose=0))
