"""Seed 000's ensemble example (CNN + MLP + random forest on MNIST) runs in a tiny mode."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "mnist_ensemble.py"


def _example():
    spec = importlib.util.spec_from_file_location("mnist_ensemble", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_mnist_ensemble_example_reports_members_and_ensembles(shared_datasets, capsys):
    argv = [
        "--data",
        str(shared_datasets / "mnist"),
        "--epochs",
        "1",
        "--train-limit",
        "300",
        "--val",
        "200",
        "--threads",
        "1",
    ]
    report = _example().main(argv)
    names = [record["name"] for record in report.records]
    assert names == [
        "cnn",
        "mlp",
        "RandomForestClassifier",
        "equal-weight mean",
        "weighted ensemble",
    ]
    assert report.weights.sum() == pytest.approx(1.0) and np.all(report.weights >= 0)
    assert all(0.0 <= r["accuracy"] <= 1.0 for r in report.records)
    assert report.records[2]["accuracy"] > 0.5  # a forest on 300 digits: well above chance
    assert report.diversity.shape == (3, 3)
    printed = capsys.readouterr().out
    assert "test split (2000 images)" in printed and "learned weights" in printed
    assert "vs best member" in printed
