"""Seed 001's transfer example (digits 0-4 -> 5-9) runs on real MNIST in a tiny mode."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "transfer_mnist.py"


def _example():
    spec = importlib.util.spec_from_file_location("transfer_mnist", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_transfer_example_reports_every_variant(shared_datasets, capsys):
    module = _example()
    argv = ["--data", str(shared_datasets / "mnist"), "--per-class", "20", "--seeds", "0"]
    summary = module.main([*argv, "--base-epochs", "1", "--epochs", "3", "--fine-epochs", "1"])
    assert list(summary) == [
        "base (digits 0-4)",
        "frozen",
        "frozen, cache off",
        "unfrozen",
        "frozen, hidden1-2 only",
        "frozen, hidden1 only",
        "scratch",
    ]
    assert summary["base (digits 0-4)"][0] > 0.8  # five digits: chance is 0.2
    assert summary["scratch"][0] > 0.3
    # Same seed and shuffles with and without the frozen-layer cache: the same accuracy.
    assert summary["frozen"][:2] == pytest.approx(summary["frozen, cache off"][:2], abs=1e-6)
    assert all(0.0 <= accuracy <= 1.0 for accuracy, _, _ in summary.values())
    assert all(ms > 0 for name, (_, _, ms) in summary.items() if name != "base (digits 0-4)")
    printed = capsys.readouterr().out
    assert "100 in all" in printed and "median epoch (ms)" in printed


@pytest.mark.slow
def test_reused_layers_are_frozen_copies_and_unfreezing_trains_them(shared_datasets):
    module = _example()
    (x_train, y_train), _ = module.load(str(shared_datasets / "mnist"))
    low = y_train[:600] < 5
    base = module.build_base()
    base.fit(x_train[:600][low], y_train[:600][low], epochs=1, verbose=0)
    base_weights = [w.copy() for w in base.get_weights()]

    model = module.build_new(base)
    reused = [model.get_layer(name) for name in module.HIDDEN]
    assert [layer.trainable for layer in reused] == [False] * 3
    assert all(layer is not base.get_layer(layer.name) for layer in reused)
    for layer in reused:
        for got, want in zip(layer.get_weights(), base.get_layer(layer.name).get_weights()):
            np.testing.assert_array_equal(got, want)
    x_few, y_few = module.few_labels(x_train, y_train, 10, np.random.default_rng(0))
    assert sorted(set(y_few.tolist())) == [0, 1, 2, 3, 4] and len(x_few) == 50
    hidden3 = model.get_layer("hidden3").get_weights()[0].copy()
    model.fit(x_few, y_few, epochs=1, verbose=0)
    np.testing.assert_array_equal(model.get_layer("hidden3").get_weights()[0], hidden3)
    model.get_layer("hidden3").trainable = True
    module.compile_new(model, 1e-3)
    model.fit(x_few, y_few, epochs=1, verbose=0)
    assert not np.array_equal(model.get_layer("hidden3").get_weights()[0], hidden3)
    for got, want in zip(base.get_weights(), base_weights):
        np.testing.assert_array_equal(got, want)  # the base itself is untouched
