"""Files written by Keras itself (Keras 3.15 and tf_keras 2.21), loaded into strata.

The fixtures come from tools/keras_fixtures/make_keras_files.py; `keras_predictions.npz` holds
Keras's own predictions of each saved model on fixed inputs. Booby-trapped files (`trap_*`)
would write MARKER if anything in them ran.
"""

from __future__ import annotations

import os
import shutil
import warnings

import numpy as np
import pytest

import strata
from strata import layers

h5py = pytest.importorskip("h5py")

HERE = os.path.join(os.path.dirname(__file__), "fixtures", "keras_files")
MARKER = "/tmp/strata_keras_booby_trap_ran.txt"
NAMES = ("mlp", "conv", "rnn", "nested", "ops")
ATOL = 1e-5


def fixture(name):
    return os.path.join(HERE, name)


@pytest.fixture(scope="module")
def keras_predictions():
    with np.load(fixture("keras_predictions.npz")) as data:
        return {key: data[key] for key in data.files}


@pytest.fixture
def no_marker():
    if os.path.exists(MARKER):
        os.remove(MARKER)
    yield
    assert not os.path.exists(MARKER), "code from a Keras file ran"


def build(name):
    """The fixtures' architectures, written with strata (as the generator writes them)."""
    if name == "mlp":
        return strata.Sequential(
            [
                strata.Input((8,)),
                layers.Dense(16, activation="relu", name="hidden1"),
                layers.Dense(12, activation="tanh", name="hidden2"),
                layers.Dense(4, activation="softmax", name="out"),
            ],
            name="mlp",
        )
    if name == "conv":
        image = strata.Input((8, 8, 3))
        x = layers.Conv2D(4, 3, padding="same", name="conv1")(image)
        x = layers.BatchNormalization(name="bn1")(x)
        x = layers.Activation("relu")(x)
        x = layers.MaxPooling2D(2)(x)
        x = layers.Conv2D(6, 3, activation="relu", name="conv2")(x)
        x = layers.Dropout(0.2)(layers.Flatten()(x))
        return strata.Model(image, layers.Dense(3, activation="softmax", name="head")(x))
    if name == "rnn":
        tokens = strata.Input((6,), dtype="int32")
        x = layers.Embedding(20, 4, name="embed")(tokens)
        x = layers.LSTM(5, return_sequences=True, name="lstm")(x)
        x = layers.Bidirectional(layers.GRU(3), name="bigru")(x)
        return strata.Model(tokens, layers.Dense(2, activation="softmax", name="head")(x))
    if name == "ops":
        x = strata.Input((5,))
        total = layers.Dense(3, name="left")(x) + layers.Dense(3, name="right")(x)
        return strata.Model(x, layers.Dense(2, activation="softmax", name="head")(total))
    seq = strata.Input((4, 6))
    att = layers.MultiHeadAttention(num_heads=2, key_dim=3, name="mha")(seq, seq)
    x = layers.LayerNormalization(name="norm")(layers.Add(name="residual")([att, seq]))
    x = layers.GlobalAveragePooling1D()(x)
    block = strata.Sequential(
        [
            strata.Input((6,)),
            layers.BatchNormalization(name="inner_bn"),
            layers.Dense(5, activation="relu", name="inner_dense"),
        ],
        name="block",
    )
    return strata.Model(seq, layers.Dense(2, activation="softmax", name="head")(block(x)))


def predict(model, name, keras_predictions):
    return np.asarray(model.predict(keras_predictions[f"{name}_x"], verbose=0))


# ------------------------------------------------------------------------------ whole models
MODEL_FILES = [
    (n, s, k)
    for n in NAMES
    for s, k in ((".keras", "keras3"), ("_k3legacy.h5", "keras3"), ("_tfk.h5", "tfk"))
]


@pytest.mark.parametrize("name,suffix,source", MODEL_FILES)
def test_load_model_predicts_as_keras(name, suffix, source, keras_predictions):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing skipped, no compile setting lost
        model = strata.models.load_model(fixture(name + suffix))
    assert model.name == name
    expected = keras_predictions[f"{name}_{source}"]
    np.testing.assert_allclose(predict(model, name, keras_predictions), expected, atol=ATOL)
    assert not np.allclose(predict(build(name), name, keras_predictions), expected, atol=1e-3)


@pytest.mark.parametrize("suffix", [".keras", "_tfk.h5", "_k3legacy.h5"])
def test_compile_settings_come_back(suffix):
    model = strata.models.load_model(fixture("mlp" + suffix))
    config = model.get_compile_config()
    assert type(model.optimizer).__name__ == "Adam"
    assert float(model.optimizer.learning_rate) == pytest.approx(0.05)
    assert config["loss"] == "sparse_categorical_crossentropy"
    assert config["metrics"] == ["accuracy"]
    rng = np.random.default_rng(0)
    before = model.get_weights()
    history = model.fit(rng.normal(size=(8, 8)), rng.integers(0, 4, 8), epochs=1, verbose=0)
    assert set(history.history) == {"loss", "accuracy"}
    assert not np.allclose(before[0], model.get_weights()[0])


def test_compile_false_leaves_the_model_uncompiled():
    assert not strata.models.load_model(fixture("mlp.keras"), compile=False).compiled


def test_keras_files_are_recognised_by_content_not_suffix(tmp_path, keras_predictions):
    for source, target in (("conv.keras", "conv.bin"), ("conv_tfk.h5", "conv.dat")):
        shutil.copy(fixture(source), tmp_path / target)
        model = strata.models.load_model(tmp_path / target)
        expected = keras_predictions["conv_keras3" if source.endswith("keras") else "conv_tfk"]
        np.testing.assert_allclose(predict(model, "conv", keras_predictions), expected, atol=ATOL)


@pytest.mark.parametrize("name", ["mlp.weights.h5", "mlp_tfk_w.h5", "mlp_tfk.weights.h5"])
def test_load_model_of_a_weights_file_says_so(name):
    with pytest.raises(ValueError, match="weights only"):
        strata.models.load_model(fixture(name))


# ----------------------------------------------------------------------------------- weights
WEIGHT_FILES = [
    (n, s, k)
    for n in NAMES
    for s, k in (
        (".weights.h5", "keras3"),
        (".keras", "keras3"),
        ("_k3legacy.h5", "keras3"),
        ("_tfk_w.h5", "tfk"),
        ("_tfk.h5", "tfk"),
        ("_tfk.weights.h5", "tfk"),
    )
]


@pytest.mark.parametrize("name,suffix,source", WEIGHT_FILES)
def test_load_weights_predicts_as_keras(name, suffix, source, keras_predictions):
    model = build(name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.load_weights(fixture(name + suffix))
    expected = keras_predictions[f"{name}_{source}"]
    np.testing.assert_allclose(predict(model, name, keras_predictions), expected, atol=ATOL)


@pytest.mark.parametrize("suffix", [".weights.h5", "_tfk_w.h5", "_k3legacy.h5"])
def test_by_name_loads_the_same(suffix, keras_predictions):
    model = build("nested")
    model.load_weights(fixture("nested" + suffix), by_name=True)
    expected = keras_predictions["nested_keras3" if "tfk" not in suffix else "nested_tfk"]
    np.testing.assert_allclose(predict(model, "nested", keras_predictions), expected, atol=ATOL)


def test_by_name_needs_recorded_names():
    with pytest.raises(ValueError, match="records no layer names"):
        build("mlp").load_weights(fixture("mlp_tfk.weights.h5"), by_name=True)


def test_keras_numbering_ignores_layer_names(keras_predictions):
    # Keras 3 matches the k-th Dense of the model with `dense_k`, whatever the names.
    model = build("mlp")
    for index, layer in enumerate(model.layers):
        layer.name = f"renamed_{index}"
    model.load_weights(fixture("mlp.weights.h5"))
    np.testing.assert_allclose(
        predict(model, "mlp", keras_predictions), keras_predictions["mlp_keras3"], atol=ATOL
    )


def _new_head_model():
    return strata.Sequential(
        [
            strata.Input((8,)),
            layers.Dense(16, activation="relu", name="hidden1"),
            layers.Dense(12, activation="tanh", name="hidden2"),
            layers.Dense(7, name="new_head"),
        ]
    )


@pytest.mark.parametrize(
    "suffix,unused",
    [("_tfk_w.h5", ["out/kernel", "out/bias"]), (".weights.h5", ["out/vars/0", "out/vars/1"])],
)
def test_a_new_head_loads_the_base_by_name(suffix, unused):
    # As for strata's files: by_name=True loads the layers whose names match and reports the
    # rest (the whole-model load without by_name refuses the file instead).
    reference = build("mlp")
    reference.load_weights(fixture("mlp" + suffix))
    model = _new_head_model()
    head_before = model.layers[-1].get_weights()
    with pytest.raises(ValueError, match=r"'new_head' weight 'kernel' expected shape \(12, 7\)"):
        model.load_weights(fixture("mlp" + suffix))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = model.load_weights(fixture("mlp" + suffix), by_name=True)
    assert report.loaded_layers == ["hidden1", "hidden2"]
    assert report.missing == ["new_head/kernel", "new_head/bias"]
    assert report.unexpected == unused
    for mine, theirs in zip(model.layers[:2], reference.layers[:2]):
        for a, b in zip(mine.get_weights(), theirs.get_weights()):
            np.testing.assert_array_equal(a, b)
    for a, b in zip(model.layers[-1].get_weights(), head_before):
        np.testing.assert_array_equal(a, b)


def test_another_architecture_is_refused():
    with pytest.raises(ValueError, match="does not fit model"):
        build("mlp").load_weights(fixture("conv.weights.h5"))
    with pytest.raises(ValueError, match="layers with weights"):
        build("mlp").load_weights(fixture("conv_tfk_w.h5"))


def test_a_shape_mismatch_names_layer_and_shapes():
    model = strata.Sequential(
        [
            strata.Input((8,)),
            layers.Dense(16, activation="relu"),
            layers.Dense(13, activation="tanh"),
            layers.Dense(4, activation="softmax"),
        ]
    )
    with pytest.raises(ValueError, match=r"expected shape \(16, 13\).*\(16, 12\)"):
        model.load_weights(fixture("mlp.weights.h5"))


# ------------------------------------------------------------------ more layer kinds (w_*)
WIDE = ("w_seq", "w_conv", "w_text", "w_multi_io", "w_shared", "w_gru_v1", "w_bilstm")


def _wide_inputs(name, keras_predictions):
    inputs = [
        keras_predictions[f"{name}_x{i}"] for i in range(2) if f"{name}_x{i}" in keras_predictions
    ]
    return inputs if len(inputs) > 1 else inputs[0]


def _assert_wide(model, name, source, keras_predictions):
    outputs = model.predict(_wide_inputs(name, keras_predictions), verbose=0)
    outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    for index, value in enumerate(outputs):
        expected = keras_predictions[f"{name}_{source}_{index}"]
        np.testing.assert_allclose(np.asarray(value), expected, atol=ATOL)


@pytest.mark.parametrize("name", WIDE)
@pytest.mark.parametrize(
    "suffix,source", [(".keras", "keras3"), ("_k3legacy.h5", "keras3"), ("_tfk.h5", "tfk")]
)
def test_more_layer_kinds_predict_as_keras(name, suffix, source, keras_predictions):
    model = strata.models.load_model(fixture(name + suffix))
    _assert_wide(model, name, source, keras_predictions)


@pytest.mark.parametrize("name", WIDE)
@pytest.mark.parametrize(
    "architecture,weights,source",
    [(".keras", ".weights.h5", "keras3"), ("_tfk.h5", "_tfk_w.h5", "tfk")],
)
def test_more_layer_kinds_load_weights(name, architecture, weights, source, keras_predictions):
    model = strata.models.load_model(fixture(name + architecture), compile=False)
    rng = np.random.default_rng(0)
    model.set_weights([rng.normal(size=w.shape).astype(w.dtype) for w in model.get_weights()])
    model.load_weights(fixture(name + weights))
    _assert_wide(model, name, source, keras_predictions)


# ------------------------------------------------------------------------------------ traps
@pytest.mark.parametrize(
    "name", ["trap_lambda.keras", "trap_lambda_k3legacy.h5", "trap_lambda_tfk.h5"]
)
@pytest.mark.parametrize("safe_mode", [True, False])
def test_bytecode_lambda_is_refused_and_never_runs(name, safe_mode, no_marker):
    with pytest.raises(ValueError, match="Lambda layer \\('trap'\\).*bytecode") as info:
        strata.models.load_model(fixture(name), safe_mode=safe_mode)
    assert "never runs bytecode" in str(info.value)


@pytest.mark.parametrize(
    "name,registered", [("trap_custom.keras", "Booby>Booby"), ("trap_custom_tfk.h5", "Booby")]
)
def test_unregistered_custom_class_is_refused(name, registered, no_marker):
    with pytest.raises(ValueError, match=f"Unknown layer: '{registered}'.*custom_objects"):
        strata.models.load_model(fixture(name))


@pytest.mark.parametrize(
    "name,registered", [("trap_custom.keras", "Booby>Booby"), ("trap_custom_tfk.h5", "Booby")]
)
def test_custom_class_loads_through_custom_objects(name, registered):
    class Passthrough(layers.Layer):
        def call(self, x):
            return x

    model = strata.models.load_model(fixture(name), custom_objects={registered: Passthrough})
    assert isinstance(model.get_layer("booby"), Passthrough)


@pytest.mark.parametrize("safe_mode", [True, False])
def test_a_module_outside_keras_is_refused(safe_mode, no_marker):
    with pytest.raises(ValueError, match="'system' from module 'os', which is not part of Keras"):
        strata.models.load_model(fixture("trap_os_system.keras"), safe_mode=safe_mode)


def test_object_dtype_dataset_is_refused(no_marker):
    with pytest.raises(ValueError, match="dtype.*only numeric"):
        strata.models.load_model(fixture("trap_object_dataset.keras"))
    with pytest.raises(ValueError, match="dtype.*only numeric"):
        build("mlp").load_weights(fixture("trap_object_dataset.weights.h5"))


def test_opaque_attribute_is_refused(no_marker):
    with pytest.raises(ValueError, match="attribute 'model_config'.*opaque bytes may be a pickle"):
        strata.models.load_model(fixture("trap_opaque_attr_k3legacy.h5"))


def _copy(tmp_path, name):
    target = tmp_path / name
    shutil.copy(fixture(name), target)
    return target


def test_links_out_of_the_file_are_refused(tmp_path):
    outside = tmp_path / "outside.h5"
    with h5py.File(outside, "w") as f:
        f["secret"] = np.arange(16, dtype="float32").reshape(8, 2)
    path = _copy(tmp_path, "mlp.weights.h5")
    with h5py.File(path, "a") as f:
        del f["layers/dense/vars/0"]
        f["layers/dense/vars/0"] = h5py.ExternalLink(str(outside), "secret")
    with pytest.raises(ValueError, match="ExternalLink"):
        build("mlp").load_weights(path)
    with h5py.File(path, "a") as f:
        del f["layers/dense/vars/0"]
        f["layers/dense/vars/0"] = h5py.SoftLink("/layers/dense_1/vars/0")
    with pytest.raises(ValueError, match="SoftLink"):
        build("mlp").load_weights(path)


def test_external_dataset_storage_is_refused(tmp_path):
    raw = tmp_path / "raw.bin"
    raw.write_bytes(np.zeros(128, dtype="float32").tobytes())
    path = _copy(tmp_path, "mlp.weights.h5")
    with h5py.File(path, "a") as f:
        del f["layers/dense/vars/0"]
        f.create_dataset("layers/dense/vars/0", (8, 16), "float32", external=[(str(raw), 0, 512)])
    with pytest.raises(ValueError, match="outside the file"):
        build("mlp").load_weights(path)


def test_string_dataset_is_refused(tmp_path):
    path = _copy(tmp_path, "mlp_tfk_w.h5")
    with h5py.File(path, "a") as f:
        name = "hidden1/hidden1/kernel:0"
        del f[name]
        f[name] = np.array([b"cos\nsystem\n"])
    with pytest.raises(ValueError, match="only numeric"):
        build("mlp").load_weights(path)


def test_a_damaged_keras_zip_is_refused(tmp_path):
    path = tmp_path / "extra.keras"
    import zipfile

    with zipfile.ZipFile(fixture("mlp.keras")) as source, zipfile.ZipFile(path, "w") as target:
        for member in source.namelist():
            target.writestr(member, source.read(member))
        target.writestr("hook.py", b"import os")
    with pytest.raises(ValueError, match="hook.py"):
        strata.models.load_model(path)


def test_keras_class_names_in_snake_case():
    from strata.saving.keras_files.keras3_weights import snake_case

    assert [
        snake_case(n)
        for n in ("Dense", "Conv2D", "LSTM", "MultiHeadAttention", "Conv1DTranspose", "ReLU")
    ] == ["dense", "conv2d", "lstm", "multi_head_attention", "conv1d_transpose", "re_lu"]


def test_absurdly_deep_groups_are_refused(tmp_path):
    path = tmp_path / "deep.weights.h5"
    with h5py.File(path, "w") as f:
        f.create_group("/".join(["g"] * 80))
    with pytest.raises(ValueError, match="nest deeper"):
        build("mlp").load_weights(path)


def test_compile_settings_strata_lacks_leave_the_model_uncompiled(tmp_path):
    import json
    import zipfile

    path = tmp_path / "odd_loss.keras"
    with zipfile.ZipFile(fixture("mlp.keras")) as source, zipfile.ZipFile(path, "w") as target:
        for member in source.namelist():
            data = source.read(member)
            if member == "config.json":
                config = json.loads(data)
                config["compile_config"]["loss"] = {
                    "module": "my_losses",
                    "class_name": "FancyLoss",
                    "config": {},
                    "registered_name": "my>FancyLoss",
                }
                data = json.dumps(config).encode()
            target.writestr(member, data)
    with pytest.warns(UserWarning, match="compile settings could not be restored"):
        model = strata.models.load_model(path)
    assert not model.compiled


def test_bfloat16_weights_load_bit_for_bit(keras_predictions):
    model = strata.Sequential([strata.Input((3,)), layers.Dense(2, dtype="bfloat16")])
    model.load_weights(fixture("bf16.weights.h5"))
    for index, weight in enumerate(model.get_weights()):
        np.testing.assert_array_equal(weight, keras_predictions[f"bf16_weight{index}"])


def test_lambda_saved_by_function_name_needs_the_function(keras_predictions):
    with pytest.raises(ValueError, match="custom_objects"):
        strata.models.load_model(fixture("named_lambda.keras"))

    def double(x):
        return x * 2.0

    model = strata.models.load_model(
        fixture("named_lambda.keras"), custom_objects={"demo>double": double}
    )
    np.testing.assert_allclose(
        predict(model, "named_lambda", keras_predictions),
        keras_predictions["named_lambda_keras3"],
        atol=ATOL,
    )


@pytest.mark.parametrize("suffix", ["_tfk_w.h5", "_k3legacy.h5"])
def test_legacy_order_follows_the_file_not_this_models_freezing(suffix, keras_predictions):
    # Saved with everything trainable (BatchNormalization's statistics after every trainable
    # weight of the block); loaded into a model whose block is frozen, which would list the
    # statistics right after gamma and beta.
    model = build("nested")
    model.get_layer("block").trainable = False
    model.load_weights(fixture("nested" + suffix))
    source = "tfk" if "tfk" in suffix else "keras3"
    np.testing.assert_allclose(
        predict(model, "nested", keras_predictions),
        keras_predictions[f"nested_{source}"],
        atol=ATOL,
    )


def test_keras3_weights_without_recorded_names(tmp_path, keras_predictions):
    # Keras before 3.9 recorded no layer names: the attribute paths alone must do.
    path = _copy(tmp_path, "nested.weights.h5")
    with h5py.File(path, "a") as f:
        groups = []
        f.visititems(lambda name, item: groups.append(item) if name.endswith("vars") else None)
        for group in groups:
            del group.attrs["name"]
        assert not any("name" in group.attrs for group in groups) and len(groups) > 5
    model = build("nested")
    model.load_weights(path)
    np.testing.assert_allclose(
        predict(model, "nested", keras_predictions), keras_predictions["nested_keras3"], atol=ATOL
    )


def test_a_group_where_a_weight_belongs_is_refused(tmp_path):
    path = _copy(tmp_path, "mlp.weights.h5")
    with h5py.File(path, "a") as f:
        del f["layers/dense/vars/1"]
        f.create_group("layers/dense/vars/1")
    with pytest.raises(ValueError, match="groups where datasets belong"):
        build("mlp").load_weights(path)
