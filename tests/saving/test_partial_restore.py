"""Partial restores: the `layers` filter, `by_name`, `rename`, and the LoadReport they return."""

import numpy as np
import pytest

import strata
from strata import layers
from strata.saving import LoadReport, Mismatch, load_weights, weights_file


def dense_stack(spec, inputs=8):
    """A Sequential of named Dense layers: spec is [(name, units)]."""
    return strata.Sequential(
        [strata.Input((inputs,))] + [layers.Dense(units, name=name) for name, units in spec]
    )


def model_a():
    """Seed 001's base: hidden1..hidden5 and an output layer."""
    names = [(f"hidden{i}", 6) for i in range(1, 6)]
    return dense_stack(names + [("output", 5)])


def model_b():
    """Seed 001's reuse: hidden1..hidden3 (same names and shapes) and new upper layers."""
    return dense_stack(
        [("hidden1", 6), ("hidden2", 6), ("hidden3", 6), ("new_hidden", 4), ("new_output", 2)]
    )


def weights_of(model):
    return {layer.name: layer.get_weights() for layer in model.layers if layer.weights}


def assert_layers_equal(expected, actual, names):
    for name in names:
        for x, y in zip(expected[name], actual[name], strict=True):
            np.testing.assert_array_equal(x, y, err_msg=name)


def assert_layers_differ(expected, actual, names):
    for name in names:
        assert not all(
            np.array_equal(x, y) for x, y in zip(expected[name], actual[name], strict=True)
        ), name


@pytest.fixture
def saved_a(tmp_path):
    model = model_a()
    path = tmp_path / "a.weights.h5"
    model.save_weights(path)
    return model, path


@pytest.mark.parametrize("by_name", [True, None])
def test_seed_pattern_loads_exactly_hidden1_to_3(saved_a, by_name):
    source, path = saved_a
    target = model_b()
    before = weights_of(target)
    untouched = [
        t._version for name in ("new_hidden", "new_output") for t in target.get_layer(name).weights
    ]
    report = target.load_weights(path, layers="hidden[123]", by_name=by_name)
    # Layers left out are not even rewritten with their own values.
    assert untouched == [
        t._version for name in ("new_hidden", "new_output") for t in target.get_layer(name).weights
    ]
    after, saved = weights_of(target), weights_of(source)
    assert_layers_equal(saved, after, ["hidden1", "hidden2", "hidden3"])
    assert_layers_differ(before, after, ["hidden1", "hidden2", "hidden3"])
    assert_layers_equal(before, after, ["new_hidden", "new_output"])
    assert report.loaded == [f"hidden{i}/{w}" for i in (1, 2, 3) for w in ("kernel", "bias")]
    assert report.loaded_layers == ["hidden1", "hidden2", "hidden3"]
    assert report.skipped == [
        f"{n}/{w}" for n in ("new_hidden", "new_output") for w in ("kernel", "bias")
    ]
    assert report.ignored == [
        f"{n}/{w}" for n in ("hidden4", "hidden5", "output") for w in ("kernel", "bias")
    ]
    assert report.missing == report.unexpected == report.mismatched == []
    assert report.ok


def test_module_function_is_the_same(saved_a):
    source, path = saved_a
    target = model_b()
    report = load_weights(target, path, layers="hidden[123]")
    assert isinstance(report, LoadReport) and report.loaded_layers == [
        "hidden1",
        "hidden2",
        "hidden3",
    ]
    assert_layers_equal(weights_of(source), weights_of(target), ["hidden1", "hidden2", "hidden3"])


@pytest.mark.parametrize(
    "selection", [["hidden1", "hidden3"], lambda name: name in ("hidden1", "hidden3")]
)
def test_list_and_callable_filters(saved_a, selection):
    source, path = saved_a
    target = model_b()
    before = weights_of(target)
    report = target.load_weights(path, layers=selection)
    assert report.loaded_layers == ["hidden1", "hidden3"]
    assert_layers_equal(weights_of(source), weights_of(target), ["hidden1", "hidden3"])
    assert_layers_equal(before, weights_of(target), ["hidden2", "new_hidden", "new_output"])
    assert "hidden2/kernel" in report.skipped and "hidden2/kernel" in report.ignored


def test_regex_matches_whole_names(saved_a):
    _, path = saved_a
    with pytest.raises(ValueError, match=r"selects none.*whole name.*Closest names: \[.*'hidden1'"):
        model_b().load_weights(path, layers="hidden")
    # A list naming a layer the model lacks is a typo, not a silent no-op.
    with pytest.raises(ValueError, match=r"\['hiden2'\].*'hiden2': Closest names: \['hidden2'"):
        model_b().load_weights(path, layers=["hidden1", "hiden2"])


def test_bad_filter_type(saved_a):
    with pytest.raises(ValueError, match="regex string, a list.*received int"):
        model_b().load_weights(saved_a[1], layers=3)


@pytest.mark.parametrize(
    "rename", [{"hidden1": "enc1", "hidden2": "enc2"}, lambda n: n.replace("hidden", "enc")]
)
def test_rename_maps_file_names_onto_model_names(saved_a, rename):
    source, path = saved_a
    target = dense_stack([("enc1", 6), ("enc2", 6), ("head", 3)])
    before = weights_of(target)
    report = target.load_weights(path, rename=rename, layers=["enc1", "enc2"])
    saved, after = weights_of(source), weights_of(target)
    for old, new in (("hidden1", "enc1"), ("hidden2", "enc2")):
        for x, y in zip(saved[old], after[new], strict=True):
            np.testing.assert_array_equal(x, y)
    assert_layers_equal(before, after, ["head"])
    assert report.loaded_layers == ["enc1", "enc2"] and report.skipped == [
        "head/kernel",
        "head/bias",
    ]


def test_rename_errors(saved_a):
    _, path = saved_a
    with pytest.raises(ValueError, match=r"rename maps \['hiddn1'\].*Closest names: \['hidden1'"):
        model_b().load_weights(path, rename={"hiddn1": "hidden1"})
    with pytest.raises(ValueError, match="needs by_name=True"):
        model_b().load_weights(path, rename={"hidden1": "hidden1"}, by_name=False)
    with pytest.raises(ValueError, match="both 'hidden1' and 'hidden2'.*'hidden3'"):
        model_b().load_weights(path, rename={"hidden1": "hidden3", "hidden2": "hidden3"})


def test_rename_callable_returning_none_ignores_the_layer(saved_a):
    source, path = saved_a
    target = model_b()
    report = target.load_weights(path, by_name=True, rename=lambda n: None if n == "hidden2" else n)
    assert report.loaded_layers == ["hidden1", "hidden3"]
    assert "hidden2/kernel" in report.missing and "hidden2/kernel" in report.ignored
    assert report.unexpected == [
        f"{n}/{w}" for n in ("hidden4", "hidden5", "output") for w in ("kernel", "bias")
    ]


def test_report_exercises_every_category(saved_a, tmp_path):
    source, path = saved_a
    # hidden1 loads; hidden2 has other units (mismatched); hidden3 is excluded (skipped, and
    # the file's hidden3 ignored); fresh is new (missing); the file's hidden4.. are unexpected.
    target = dense_stack([("hidden1", 6), ("hidden2", 7), ("hidden3", 6), ("fresh", 2)])
    before = weights_of(target)
    with pytest.warns(UserWarning, match="'hidden2'.*left unchanged"):
        report = target.load_weights(
            path, by_name=True, skip_mismatch=True, layers=lambda name: name != "hidden3"
        )
    assert report.loaded == ["hidden1/kernel", "hidden1/bias"]
    assert report.skipped == ["hidden3/kernel", "hidden3/bias"]
    assert report.missing == ["fresh/kernel", "fresh/bias"]
    assert report.mismatched == [
        Mismatch("hidden2/kernel", (6, 7), (6, 6)),
        Mismatch("hidden2/bias", (7,), (6,)),
    ]
    assert report.unexpected == [
        f"{n}/{w}" for n in ("hidden4", "hidden5", "output") for w in ("kernel", "bias")
    ]
    assert report.ignored == ["hidden3/kernel", "hidden3/bias"]
    assert not report.ok
    assert_layers_equal(weights_of(source), weights_of(target), ["hidden1"])
    assert_layers_equal(before, weights_of(target), ["hidden2", "hidden3", "fresh"])
    text = str(report)
    assert text.splitlines()[0] == (
        f"LoadReport from '{path}': 2 loaded, 2 skipped, 2 missing, 2 mismatched, "
        "6 unexpected, 2 ignored"
    )
    for category in ("loaded", "skipped", "missing", "mismatched", "unexpected", "ignored"):
        assert category in text
    assert "hidden2/kernel  (6, 7)       (6, 6)" in text
    assert repr(report) == text


def test_by_name_with_no_common_names_raises_with_closest(saved_a):
    target = dense_stack([("hiden1", 6), ("top", 2)])
    with pytest.raises(
        ValueError,
        match=r"Nothing was loaded.*'hiden1': Closest names: \["
        r"'hidden1'",
    ):
        target.load_weights(saved_a[1], by_name=True)


def test_everything_mismatched_still_raises(saved_a):
    target = dense_stack([("hidden1", 9)], inputs=3)
    with pytest.warns(UserWarning), pytest.raises(ValueError, match="every paired layer"):
        target.load_weights(saved_a[1], by_name=True, skip_mismatch=True)


def test_positional_skip_mismatch_leaves_the_whole_layer(tmp_path):
    source = dense_stack([("a", 4), ("b", 3)], inputs=5)
    source.save_weights(tmp_path / "w.weights.h5")
    target = dense_stack([("a", 4), ("b", 3)], inputs=2)  # a's kernel differs, its bias not
    before = weights_of(target)
    with pytest.raises(ValueError, match=r"'a' weight 'kernel' expected shape \(2, 4\).*\(5, 4\)"):
        target.load_weights(tmp_path / "w.weights.h5")
    with pytest.warns(UserWarning, match="'a'"):
        report = target.load_weights(tmp_path / "w.weights.h5", skip_mismatch=True)
    assert report.mismatched == [
        Mismatch("a/kernel", (2, 4), (5, 4)),
        Mismatch("a/bias", (4,), (4,)),
    ]
    assert report.loaded == ["b/kernel", "b/bias"]
    assert_layers_equal(before, weights_of(target), ["a"])  # bias too: a layer loads whole
    assert_layers_equal(weights_of(source), weights_of(target), ["b"])


def test_full_load_reports_everything_loaded(saved_a):
    source, path = saved_a
    target = model_a()
    report = target.load_weights(path)
    assert (
        report.ok
        and len(report.loaded) == 12
        and report.summary() == ("12 loaded, 0 skipped, 0 missing, 0 mismatched, 0 unexpected")
    )
    assert_layers_equal(weights_of(source), weights_of(target), list(weights_of(source)))


def test_positional_filter_pairs_layers_in_order(saved_a):
    """by_name=False with a filter: for models whose (auto-generated) names differ."""
    source, path = saved_a
    target = dense_stack([("x1", 6), ("x2", 6), ("x3", 6), ("top", 2)])
    report = target.load_weights(path, by_name=False, layers=["x1", "x2"])
    saved, after = weights_of(source), weights_of(target)
    for old, new in (("hidden1", "x1"), ("hidden2", "x2")):
        for x, y in zip(saved[old], after[new], strict=True):
            np.testing.assert_array_equal(x, y)
    assert report.loaded_layers == ["x1", "x2"]
    assert report.skipped == ["x3/kernel", "x3/bias", "top/kernel", "top/bias"]
    assert report.unexpected == ["hidden5/kernel", "hidden5/bias", "output/kernel", "output/bias"]


def test_nested_models_match_at_the_top_level(tmp_path):
    def build(head_units):
        encoder = dense_stack([("e1", 4), ("e2", 3)], inputs=5)
        encoder.name = "encoder"
        inputs = strata.Input((5,))
        outputs = layers.Dense(head_units, name="head")(encoder(inputs))
        return strata.Model(inputs, outputs)

    source, target = build(2), build(6)
    source.save_weights(tmp_path / "n.weights.h5")
    report = target.load_weights(tmp_path / "n.weights.h5", layers="encoder")
    assert report.loaded == [
        "encoder/e1/kernel",
        "encoder/e1/bias",
        "encoder/e2/kernel",
        "encoder/e2/bias",
    ]
    assert report.skipped == ["head/kernel", "head/bias"]
    for x, y in zip(
        source.get_layer("encoder").get_weights(),
        target.get_layer("encoder").get_weights(),
        strict=True,
    ):
        np.testing.assert_array_equal(x, y)


def test_assign_takes_entries_without_strata_keys():
    """Readers of other formats give entries {key, layer, name}; the layer names them."""
    target = dense_stack([("d", 2)], inputs=3)
    kernel, bias = np.full((3, 2), 0.5, "float32"), np.arange(2, dtype="float32")
    saved = [
        ({"key": "d/d/kernel:0", "layer": "d", "name": "kernel"}, kernel),
        ({"key": "d/d/bias:0", "layer": "d", "name": "bias"}, bias),
    ]
    report = weights_file.assign(target, saved, "other.h5", by_name=True)
    assert report.loaded == ["d/kernel", "d/bias"]
    np.testing.assert_array_equal(target.get_layer("d").get_weights()[0], kernel)
    np.testing.assert_array_equal(target.get_layer("d").get_weights()[1], bias)


def test_docstring_examples_run():
    import doctest

    from strata.saving import load_report, torch_weights

    for module in (load_report, torch_weights):
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.attempted > 0 and result.failed == 0, module.__name__
