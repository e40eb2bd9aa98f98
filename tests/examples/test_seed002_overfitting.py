"""The seed 002 example runs end to end on the real IMDB subset and writes its six figures."""

import importlib.util
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "seed002_overfitting.py"


@pytest.mark.slow
def test_example_writes_every_figure(shared_datasets, tmp_path, capsys):
    spec = importlib.util.spec_from_file_location("seed002_overfitting", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / "plots"
    histories = module.main(
        ["--epochs", "2", "--out", str(out), "--data", str(shared_datasets / "imdb")]
    )
    assert set(histories) == {
        "Original model",
        "Smaller model",
        "Bigger model",
        "L2-regularized model",
        "Dropout-regularized model",
    }
    assert all(len(h.history["val_loss"]) == 2 for h in histories.values())
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted([f[0] for f in module.FIGURES] + ["bigger_train_vs_val_loss.png"])
    for path in out.iterdir():
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    printed = capsys.readouterr().out
    assert "Wrote:" in printed and str((out / "bigger_train_vs_val_loss.png").resolve()) in printed
