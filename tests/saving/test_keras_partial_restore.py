"""Partial restores (`layers`, `rename`, `by_name`) from files written by Keras itself.

Seed 001's scenario: Keras model A (`hidden1`..`hidden5` Dense + `output`), saved by Keras 3
(`seed_a.weights.h5`, `seed_a.keras`, the legacy `seed_a_k3legacy.h5`) and by tf.keras
(`seed_a_tfk_w.h5`, `seed_a_tfk.h5`), restored into a strata model B that shares
hidden1..hidden3 and has a new top. The expected arrays are Keras's own `get_weights()` of A,
layer by layer (`seed_a_weights.npz`; tools/keras_fixtures/make_keras_files.py).
"""

from __future__ import annotations

import os
import shutil
import warnings

import numpy as np
import pytest

import strata
from strata import layers
from strata.saving import LoadReport, Mismatch

h5py = pytest.importorskip("h5py")

HERE = os.path.join(os.path.dirname(__file__), "fixtures", "keras_files")
HIDDEN = ("hidden1", "hidden2", "hidden3")
NEW = ("new_hidden", "new_output")
FILE_ONLY = ("hidden4", "hidden5", "output")
# file, source of its weights, how the file names a weight of its layer (index 0 and 1)
KERAS3 = ("vars/0", "vars/1")
LEGACY = ("kernel", "bias")
FILES = [
    ("seed_a.weights.h5", "keras3", KERAS3),
    ("seed_a.keras", "keras3", KERAS3),
    ("seed_a_k3legacy.h5", "keras3", LEGACY),
    ("seed_a_tfk_w.h5", "tfk", LEGACY),
    ("seed_a_tfk.h5", "tfk", LEGACY),
]
IDS = [name for name, _, _ in FILES]


def fixture(name):
    return os.path.join(HERE, name)


@pytest.fixture(scope="module")
def keras_weights():
    """{source: {layer: [arrays]}}: model A's weights as Keras returned them."""
    found = {}
    with np.load(fixture("seed_a_weights.npz")) as data:
        for key in sorted(data.files, key=lambda k: (k.rsplit("/", 1)[0], int(k[-1]))):
            source, layer, _ = key.split("/")
            found.setdefault(source, {}).setdefault(layer, []).append(data[key])
    return found


def dense_stack(spec, name=None):
    """A strata Sequential on 8 inputs of named Dense layers: spec is [(name, units)]."""
    return strata.Sequential(
        [strata.Input((8,))] + [layers.Dense(units, name=n) for n, units in spec], name=name
    )


def model_a():
    return dense_stack([(f"hidden{i}", 6) for i in range(1, 6)] + [("output", 5)])


def model_b():
    """Seed 001's reuse: A's hidden1..hidden3 (same names and sizes), a new top."""
    return strata.Sequential(
        [strata.Input((8,))]
        + [layers.Dense(6, activation="relu", name=name) for name in HIDDEN]
        + [
            layers.Dense(20, activation="relu", name="new_hidden"),
            layers.Dense(5, activation="softmax", name="new_output"),
        ]
    )


def weights_of(model):
    return {layer.name: layer.get_weights() for layer in model.layers if layer.weights}


def assert_equal_arrays(expected, actual, names, renamed=None):
    for name in names:
        target = (renamed or {}).get(name, name)
        assert len(expected[name]) == len(actual[target]), name
        for x, y in zip(expected[name], actual[target], strict=True):
            np.testing.assert_array_equal(x, y, err_msg=name)


def file_labels(names, style):
    return [f"{name}/{weight}" for name in names for weight in style]


def model_labels(names):
    return [f"{name}/{weight}" for name in names for weight in ("kernel", "bias")]


# ------------------------------------------------------------------------- seed 001's scenario
@pytest.mark.parametrize("by_name", [None, True])
@pytest.mark.parametrize("name,source,style", FILES, ids=IDS)
def test_seed_pattern_loads_exactly_hidden1_to_3(name, source, style, by_name, keras_weights):
    target = model_b()
    before = weights_of(target)
    versions = [t._version for n in NEW for t in target.get_layer(n).weights]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = target.load_weights(fixture(name), layers="hidden[123]", by_name=by_name)
    after = weights_of(target)
    assert_equal_arrays(keras_weights[source], after, HIDDEN)
    for layer in HIDDEN:  # the fresh weights were not Keras's already
        assert not np.array_equal(before[layer][0], after[layer][0])
    assert_equal_arrays(before, after, NEW)
    assert versions == [t._version for n in NEW for t in target.get_layer(n).weights]
    assert isinstance(report, LoadReport)
    assert report.loaded == model_labels(HIDDEN)
    assert report.loaded_layers == list(HIDDEN)
    assert report.skipped == model_labels(NEW)
    assert report.ignored == file_labels(FILE_ONLY, style)
    assert report.missing == report.unexpected == report.mismatched == []
    assert report.ok
    assert report.summary() == (
        "6 loaded, 4 skipped, 0 missing, 0 mismatched, 0 unexpected, 6 ignored"
    )


def test_the_seed_model_predicts_with_keras_hidden_layers(keras_weights):
    # hidden1..hidden3 of B compute what Keras's hidden1..hidden3 compute.
    target = model_b()
    target.load_weights(fixture("seed_a.keras"), layers="hidden[123]")
    x = np.random.default_rng(0).normal(size=(4, 8)).astype("float32")
    expected = x
    for layer in HIDDEN:
        kernel, bias = keras_weights["keras3"][layer]
        expected = np.maximum(expected @ kernel + bias, 0)
    base = strata.Model(target.inputs, target.get_layer("hidden3").output)
    np.testing.assert_allclose(np.asarray(base.predict(x, verbose=0)), expected, atol=1e-5)


@pytest.mark.parametrize(
    "name,source", [("seed_a.weights.h5", "keras3"), ("seed_a_tfk_w.h5", "tfk")]
)
def test_module_function_is_the_same(name, source, keras_weights):
    target = model_b()
    report = strata.saving.load_weights(target, fixture(name), layers="hidden[123]")
    assert report.loaded_layers == list(HIDDEN)
    assert_equal_arrays(keras_weights[source], weights_of(target), HIDDEN)


@pytest.mark.parametrize(
    "selection", [["hidden1", "hidden3"], lambda name: name in ("hidden1", "hidden3")]
)
@pytest.mark.parametrize("name,source,style", FILES[::2] + FILES[3:4], ids=IDS[::2] + IDS[3:4])
def test_list_and_callable_filters(name, source, style, selection, keras_weights):
    target = model_b()
    before = weights_of(target)
    report = target.load_weights(fixture(name), layers=selection)
    assert report.loaded_layers == ["hidden1", "hidden3"]
    assert_equal_arrays(keras_weights[source], weights_of(target), ["hidden1", "hidden3"])
    assert_equal_arrays(before, weights_of(target), ["hidden2", *NEW])
    assert report.skipped == model_labels(["hidden2", *NEW])
    assert report.ignored == file_labels(["hidden2", *FILE_ONLY], style)


@pytest.mark.parametrize(
    "rename", [{"hidden1": "enc1", "hidden2": "enc2"}, lambda n: n.replace("hidden", "enc")]
)
@pytest.mark.parametrize("name,source,style", FILES[::2] + FILES[3:4], ids=IDS[::2] + IDS[3:4])
def test_rename_maps_the_files_names_onto_the_models(name, source, style, rename, keras_weights):
    target = dense_stack([("enc1", 6), ("enc2", 6), ("head", 3)])
    before = weights_of(target)
    report = target.load_weights(fixture(name), rename=rename, layers=["enc1", "enc2"])
    renamed = {"hidden1": "enc1", "hidden2": "enc2"}
    assert_equal_arrays(keras_weights[source], weights_of(target), renamed, renamed)
    assert_equal_arrays(before, weights_of(target), ["head"])
    assert report.loaded == model_labels(["enc1", "enc2"])
    assert report.skipped == model_labels(["head"])
    # The file's other layers: left out by the filter (renamed or not, they select nothing).
    assert report.ignored == file_labels(["hidden3", "hidden4", "hidden5", "output"], style)


@pytest.mark.parametrize("name,source,style", FILES, ids=IDS)
def test_by_name_without_filter_loads_the_common_layers(name, source, style, keras_weights):
    target = model_b()
    before = weights_of(target)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = target.load_weights(fixture(name), by_name=True)
    assert_equal_arrays(keras_weights[source], weights_of(target), HIDDEN)
    assert_equal_arrays(before, weights_of(target), NEW)
    assert report.loaded == model_labels(HIDDEN)
    assert report.missing == model_labels(NEW)
    assert report.unexpected == file_labels(FILE_ONLY, style)
    assert report.skipped == report.mismatched == report.ignored == []
    assert not report.ok


@pytest.mark.parametrize("name", ["seed_a.weights.h5", "seed_a.keras", "seed_a_tfk_w.h5"])
def test_nothing_matching_names_the_closest(name):
    target = dense_stack([("hiden1", 6), ("top", 2)])
    before = weights_of(target)
    with pytest.raises(
        ValueError, match=r"Nothing was loaded.*'hiden1': Closest names: \['hidden1'"
    ):
        target.load_weights(fixture(name), by_name=True)
    assert_equal_arrays(before, weights_of(target), ["hiden1", "top"])
    with pytest.raises(ValueError, match=r"selects none.*Closest names: \[.*'hidden1'"):
        model_b().load_weights(fixture(name), layers="hidden")
    with pytest.raises(ValueError, match=r"rename maps \['hiddn1'\].*Closest names: \['hidden1'"):
        model_b().load_weights(fixture(name), rename={"hiddn1": "hidden1"})
    with pytest.raises(ValueError, match="needs by_name=True"):
        model_b().load_weights(fixture(name), rename={"hidden1": "hidden1"}, by_name=False)


@pytest.mark.parametrize(
    "name,saved_as",
    [("seed_a.weights.h5", "layers/dense_2/vars/0"), ("seed_a_tfk_w.h5", "hidden3/kernel")],
)
def test_a_mismatched_layer_is_named_and_can_be_skipped(name, saved_as, keras_weights):
    target = dense_stack([("hidden1", 6), ("hidden2", 6), ("hidden3", 7)])
    before = weights_of(target)
    message = rf"'hidden3' weight 'kernel' expected shape \(6, 7\).*\(6, 6\).*'{saved_as}'"
    with pytest.raises(ValueError, match=message):
        target.load_weights(fixture(name), layers="hidden[123]")
    assert_equal_arrays(before, weights_of(target), HIDDEN)  # nothing written
    with pytest.warns(UserWarning, match="'hidden3'.*left unchanged"):
        report = target.load_weights(fixture(name), layers="hidden[123]", skip_mismatch=True)
    assert report.loaded_layers == ["hidden1", "hidden2"]
    assert report.mismatched == [
        Mismatch("hidden3/kernel", (6, 7), (6, 6)),
        Mismatch("hidden3/bias", (7,), (6,)),
    ]
    source = "keras3" if "tfk" not in name else "tfk"
    assert_equal_arrays(keras_weights[source], weights_of(target), ["hidden1", "hidden2"])
    assert_equal_arrays(before, weights_of(target), ["hidden3"])


# ------------------------------------------------------------------ Keras's pairing, filtered
@pytest.mark.parametrize(
    "name,source,unexpected",
    [
        (
            "seed_a.weights.h5",
            "keras3",
            ["layers/dense_5/vars/0 (layer 'output')", "layers/dense_5/vars/1 (layer 'output')"],
        ),
        ("seed_a_tfk_w.h5", "tfk", ["output/kernel", "output/bias"]),
    ],
)
def test_by_name_false_keeps_keras_pairing(name, source, unexpected, keras_weights):
    # Other names (as after a rebuild with auto-generated names): Keras's own pairing (per
    # class for Keras 3, layer order for Keras 2), then only the selected layers load.
    target = dense_stack([("x1", 6), ("x2", 6), ("x3", 6), ("x4", 20), ("x5", 5)])
    before = weights_of(target)
    report = target.load_weights(fixture(name), by_name=False, layers=["x1", "x2"])
    renamed = {"hidden1": "x1", "hidden2": "x2"}
    assert_equal_arrays(keras_weights[source], weights_of(target), renamed, renamed)
    assert_equal_arrays(before, weights_of(target), ["x3", "x4", "x5"])
    assert report.loaded_layers == ["x1", "x2"]
    assert report.skipped == model_labels(["x3", "x4", "x5"])
    assert report.unexpected[-len(unexpected) :] == unexpected


# ------------------------------------------------------------------------------ whole models
@pytest.mark.parametrize("name,source,style", FILES, ids=IDS)
def test_a_full_load_returns_a_report(name, source, style, keras_weights):
    target = model_a()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = target.load_weights(fixture(name))
    assert report.summary() == "12 loaded, 0 skipped, 0 missing, 0 mismatched, 0 unexpected"
    assert report.ok and report.loaded == model_labels([*HIDDEN, *FILE_ONLY])
    assert_equal_arrays(keras_weights[source], weights_of(target), [*HIDDEN, *FILE_ONLY])


def test_a_full_load_with_skip_mismatch_reports_the_unused_weights():
    # A whole-model load pairs the Keras way: B's five Dense layers take A's first five; with
    # skip_mismatch the ones that do not fit stay unchanged and the file's sixth is unexpected.
    target = model_b()
    with pytest.warns(UserWarning):
        report = target.load_weights(fixture("seed_a.weights.h5"), skip_mismatch=True)
    assert report.loaded_layers == list(HIDDEN)
    assert [m.name for m in report.mismatched] == model_labels(NEW)
    assert report.unexpected == [
        "layers/dense_5/vars/0 (layer 'output')",
        "layers/dense_5/vars/1 (layer 'output')",
    ]


# ---------------------------------------------------------- layers with sublayers, by name
SUBLAYERS = [
    # weights file, whole-model file, layers loaded, layers left alone
    ("nested.weights.h5", "nested.keras", ["mha", "block"], ["norm", "head"]),
    ("nested_tfk_w.h5", "nested_tfk.h5", ["mha", "block"], ["norm", "head"]),
    ("nested_k3legacy.h5", "nested_k3legacy.h5", ["mha", "block"], ["norm", "head"]),
    ("rnn.weights.h5", "rnn.keras", ["lstm", "bigru"], ["embed", "head"]),
    ("rnn_tfk_w.h5", "rnn_tfk.h5", ["lstm", "bigru"], ["embed", "head"]),
    ("conv.weights.h5", "conv.keras", ["bn1", "conv2"], ["conv1", "head"]),
    ("conv_tfk_w.h5", "conv_tfk.h5", ["bn1", "conv2"], ["conv1", "head"]),
]


@pytest.mark.parametrize(
    "weights,reference,chosen,others", SUBLAYERS, ids=[w for w, *_ in SUBLAYERS]
)
def test_layers_with_sublayers_load_by_name_in_the_models_order(weights, reference, chosen, others):
    # MultiHeadAttention (four sublayers), a nested Sequential whose legacy order differs from
    # model.weights, LSTM and Bidirectional GRU cells, BatchNormalization statistics: loaded by
    # name, each weight lands where Keras's own whole-model pairing puts it.
    expected = strata.models.load_model(fixture(reference), compile=False)
    target = strata.models.clone_model(expected)
    rng = np.random.default_rng(0)
    target.set_weights([rng.normal(size=w.shape).astype(w.dtype) for w in target.get_weights()])
    before = weights_of(target)
    report = target.load_weights(fixture(weights), layers=chosen)
    assert report.loaded_layers == chosen
    assert_equal_arrays(weights_of(expected), weights_of(target), chosen)
    assert_equal_arrays(before, weights_of(target), others)
    assert {label.split("/")[0] for label in report.skipped} == set(others)
    assert report.missing == report.unexpected == report.mismatched == []


EVERY_MODEL = ["mlp", "conv", "rnn", "nested", "ops"] + [
    f"w_{n}" for n in ("seq", "conv", "text", "multi_io", "shared", "gru_v1", "bilstm")
]
EVERY_FILE = [
    (".keras", ".weights.h5"),
    (".keras", ".keras"),
    ("_tfk.h5", "_tfk_w.h5"),
    ("_k3legacy.h5", "_k3legacy.h5"),
]


@pytest.mark.parametrize("architecture,weights", EVERY_FILE, ids=[w for _, w in EVERY_FILE])
@pytest.mark.parametrize("name", EVERY_MODEL)
def test_by_name_loads_every_weight_where_keras_pairing_does(name, architecture, weights):
    expected = strata.models.load_model(fixture(name + architecture), compile=False)
    target = strata.models.clone_model(expected)
    rng = np.random.default_rng(1)
    target.set_weights([rng.normal(size=w.shape).astype(w.dtype) for w in target.get_weights()])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = target.load_weights(fixture(name + weights), by_name=True)
    assert report.ok and len(report.loaded) == len(target.weights)
    for x, y in zip(expected.get_weights(), target.get_weights(), strict=True):
        np.testing.assert_array_equal(x, y)


def test_file_side_names_follow_the_recorded_sublayer_names():
    model = strata.models.load_model(fixture("rnn.keras"), compile=False)
    report = model.load_weights(fixture("rnn.weights.h5"), layers=["lstm", "embed", "head"])
    assert report.ignored == [
        f"bigru/{direction}_gru/gru_cell/vars/{i}"
        for direction in ("forward", "backward")
        for i in range(3)
    ]


def test_keras3_file_without_recorded_names(tmp_path, keras_weights):
    path = tmp_path / "old.weights.h5"
    shutil.copy(fixture("seed_a.weights.h5"), path)
    with h5py.File(path, "a") as f:
        for key in f["layers"]:
            del f[f"layers/{key}/vars"].attrs["name"]
    with pytest.raises(ValueError, match="records no layer names.*by_name=False"):
        model_b().load_weights(path, layers="hidden[123]")
    target = model_b()
    report = target.load_weights(path, by_name=False, layers="hidden[123]")
    assert report.loaded_layers == list(HIDDEN)
    assert_equal_arrays(keras_weights["keras3"], weights_of(target), HIDDEN)
