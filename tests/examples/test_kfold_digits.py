"""The iterated K-fold digits example runs end to end in a tiny configuration."""

import importlib.util
from pathlib import Path

import numpy as np

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "kfold_digits.py"


def test_tiny_iterated_kfold_on_digits(capsys, tmp_path):
    spec = importlib.util.spec_from_file_location("kfold_digits", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    plot = tmp_path / "curves.png"
    argv = ["--rows", "300", "--repeats", "2", "--folds", "3", "--epochs", "4"]
    result, test = module.main([*argv, "--plot", str(plot)])
    assert (result.repeats, result.n_splits, len(result.scores)) == (2, 3, 6)
    assert result.oof_predictions.shape == (2, 240, 10)
    assert 1 <= result.best_epoch <= 4
    assert result.curves["loss"].shape == (4,)
    assert np.isfinite(test["accuracy"])
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    printed = capsys.readouterr().out
    assert "cross-validated accuracy" in printed and "best epoch count" in printed
    assert printed.count("running mean") == 6
