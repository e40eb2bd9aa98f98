"""Seed 001's greedy pretraining example runs on real MNIST in a tiny mode."""

import importlib.util
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "greedy_pretraining_mnist.py"


@pytest.mark.slow
def test_greedy_example_compares_pretrained_and_scratch(shared_datasets, capsys):
    spec = importlib.util.spec_from_file_location("greedy_pretraining_mnist", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    argv = ["--data", str(shared_datasets / "mnist"), "--labels", "100", "--unlabelled", "1000"]
    summary, runs = module.main([*argv, "--seeds", "0", "--pretrain-epochs", "1", "--epochs", "5"])
    assert set(summary) == {"pretrained", "scratch"} and len(runs) == 1
    # Ten digits: chance is 0.1; 100 labels and 5 epochs reach well above it either way.
    assert summary["pretrained"][0] > 0.3 and summary["scratch"][0] > 0.3
    assert runs[0]["pretraining_s"] > 0
    printed = capsys.readouterr().out
    assert "100 labelled images (1000 unlabelled" in printed and "2000 held-out" in printed
