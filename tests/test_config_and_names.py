"""Keras's top-level names, `strata.config`, the `utils` additions and `InputSpec`."""

import numpy as np
import pytest
import torch

import strata
from strata import layers


def test_top_level_names_are_keras_classes():
    assert strata.Loss is strata.losses.Loss
    assert strata.Metric is strata.metrics.Metric
    assert strata.Optimizer is strata.optimizers.Optimizer
    assert strata.Initializer is strata.initializers.Initializer
    assert strata.Regularizer is strata.regularizers.Regularizer
    assert strata.InputSpec is strata.layers.InputSpec
    assert isinstance(strata.Input((3,)), strata.KerasTensor)
    assert strata.version() == strata.__version__
    assert strata.backend.is_keras_tensor(strata.Input((2,)))
    assert not strata.utils.is_keras_tensor(torch.ones(1))
    first = strata.backend.get_uid("block")
    assert strata.backend.get_uid("block") == first + 1
    with strata.device("cpu"):
        assert torch.zeros(1).device.type == "cpu"
        assert strata.layers.Dense(2)(torch.ones(1, 3)).device.type == "cpu"


def test_config_functions():
    config = strata.config
    assert config.backend() == "torch"
    config.set_backend("torch")
    with pytest.raises(ValueError, match="torch backend only"):
        config.set_backend("jax")
    assert config.floatx() == "float32" and config.epsilon() == 1e-7
    assert config.image_data_format() == "channels_last"
    assert config.dtype_policy().name == "float32"
    try:
        config.set_dtype_policy("float64")
        assert config.dtype_policy().compute_dtype == "float64"
        layer = layers.Dense(2)
        assert layer.dtype == "float64"
        assert layer(np.ones((1, 3), "float32")).dtype == torch.float64
    finally:
        config.set_dtype_policy(None)
    assert layers.Dense(2).dtype == "float32"
    try:
        config.set_dtype_policy("mixed_float16")  # mixed precision: see tests/mixed_precision
        assert config.dtype_policy().compute_dtype == "float16"
    finally:
        config.set_dtype_policy(None)
    with pytest.raises(ValueError, match="dtype policy"):
        config.set_dtype_policy("int8")
    assert config.dtype_policy().name == "float32"


def test_enable_unsafe_deserialization_changes_the_default_outside_load_model():
    from strata.saving import SafeModeScope, in_safe_mode, saving_lib

    assert in_safe_mode()
    try:
        strata.config.enable_unsafe_deserialization()
        assert not in_safe_mode()
        with SafeModeScope(True):
            assert in_safe_mode()
        assert not in_safe_mode()
    finally:
        saving_lib.set_global_safe_mode(True)


def test_eager_calls_cast_float_inputs_and_dense_takes_integers():
    dense = layers.Dense(2)
    assert dense(torch.ones(2, 3, dtype=torch.float64)).dtype == torch.float32
    assert dense(np.ones((2, 3), dtype="int64")).dtype == torch.float32
    inputs = strata.Input((3,), dtype="int32")
    model = strata.Model(inputs, layers.Dense(1)(inputs))
    model.compile("sgd", "mse")
    x = np.arange(12, dtype="int32").reshape(4, 3)
    assert model.predict(x, verbose=0).dtype == np.float32
    model.fit(x, np.ones((4, 1), "float32"), verbose=0)
    assert np.isfinite(model.evaluate(x, np.ones((4, 1), "float32"), verbose=0))

    class Sub(strata.Model):
        def __init__(self):
            super().__init__()
            self.d = layers.Dense(1)

        def call(self, x):
            return self.d(x)

    sub = Sub()
    sub.compile("sgd", "mse")
    sub.fit(x.astype("int64"), np.ones((4, 1), "float32"), verbose=0)
    assert sub.predict(torch.ones(2, 3, dtype=torch.float64), verbose=0).dtype == np.float32


def test_input_spec_is_checked_on_calls():
    class Pairs(layers.Layer):
        def __init__(self):
            super().__init__()
            self.input_spec = strata.InputSpec(ndim=2, axes={-1: 2})

    layer = Pairs()
    assert tuple(layer(torch.zeros(4, 2)).shape) == (4, 2)
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 2"):
        layer(torch.zeros(4, 3))
    with pytest.raises(ValueError, match="expected ndim=2, found ndim=3"):
        layer(strata.Input((4, 2)))
    spec = strata.InputSpec(min_ndim=2, axes={-1: 3}, dtype="float32")
    assert strata.InputSpec.from_config(spec.get_config()).get_config() == spec.get_config()
    assert repr(spec) == "InputSpec(dtype=float32, min_ndim=2, axes={-1: 3})"


def test_utils_data_tuples_source_inputs_and_config():
    utils = strata.utils
    assert utils.pack_x_y_sample_weight(1) == 1
    assert utils.pack_x_y_sample_weight([1, 2]) == ([1, 2],)
    assert utils.pack_x_y_sample_weight(1, 2, 3) == (1, 2, 3)
    assert utils.unpack_x_y_sample_weight((1,)) == (1, None, None)
    assert utils.unpack_x_y_sample_weight([1, 2]) == (1, 2, None)
    with pytest.raises(ValueError, match="tuple of 4 items"):
        utils.unpack_x_y_sample_weight((1, 2, 3, 4))
    a, b = strata.Input((3,)), strata.Input((3,))
    merged = layers.Add()([layers.Dense(3)(a), b])
    assert utils.get_source_inputs(merged) == [a, b]
    config = utils.Config(a=1)
    config.b = 2
    assert config.as_dict() == {"a": 1, "b": 2} and config["b"] == 2
    config.freeze()
    with pytest.raises(ValueError, match="frozen"):
        config.a = 3
    with pytest.raises(AttributeError, match="no entry"):
        config.missing  # noqa: B018


def test_registry_names_in_utils_and_model_from_json(tmp_path):
    @strata.utils.register_keras_serializable(package="test_names")
    class Twice(layers.Layer):
        def call(self, x):
            return 2 * x

    assert strata.utils.get_custom_objects()["test_names>Twice"] is Twice
    assert strata.utils.get_registered_object("test_names>Twice") is Twice
    inputs = strata.Input((3,))
    model = strata.Model(inputs, Twice()(layers.Dense(2)(inputs)))
    rebuilt = strata.models.model_from_json(model.to_json())
    assert [type(layer).__name__ for layer in rebuilt.layers][-1] == "Twice"
    assert rebuilt.count_params() == model.count_params()
    path = tmp_path / "m.keras"
    strata.models.save_model(model, path)
    x = np.ones((1, 3), "float32")
    np.testing.assert_allclose(
        strata.models.load_model(path).predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6
    )


def test_progbar_averages_and_prints(capsys):
    bar = strata.utils.Progbar(target=4, verbose=2, stateful_metrics=["acc"])
    bar.update(1, values=[("loss", 4.0), ("acc", 0.1)])
    bar.update(3, values=[("loss", 1.0), ("acc", 0.5)])
    assert bar.averages() == {"loss": pytest.approx((4.0 + 2 * 1.0) / 3), "acc": 0.5}
    bar.add(1, values=[("loss", torch.tensor(3.0))])
    assert bar.averages()["loss"] == pytest.approx(9.0 / 4)
    printed = capsys.readouterr().out
    assert printed.startswith("4/4") and "loss: 2.2500" in printed and "acc: 0.5000" in printed
    with pytest.raises(ValueError, match="verbose 0, 1 or 2"):
        strata.utils.Progbar(3, verbose=5)
