"""plot_history: one line per run with the recorded values; training vs validation of one run."""

import numpy as np
import pytest

import strata
from strata import layers
from strata.callbacks import History
from strata.utils import plot_history

matplotlib = pytest.importorskip("matplotlib")


def lines(figure):
    return {line.get_label(): line for line in figure.axes[0].get_lines()}


def record(values):
    history = History()
    for epoch, logs in enumerate(values):
        history.on_epoch_end(epoch, logs)
    return history


RUNS = {
    "Original model": {"loss": [0.6, 0.3, 0.1], "val_loss": [0.5, 0.45, 0.7]},
    "Smaller model": {"loss": [0.65, 0.4, 0.3], "val_loss": [0.55, 0.5, 0.52]},
    "Bigger model": {"loss": [0.5, 0.05, 0.001], "val_loss": [0.6, 0.9, 1.4]},
}


def test_one_line_per_run_with_its_validation_loss():
    figure = plot_history(RUNS, title="Validation loss")
    drawn = lines(figure)
    assert list(drawn) == list(RUNS)
    for label, history in RUNS.items():
        np.testing.assert_allclose(drawn[label].get_ydata(), history["val_loss"])
        np.testing.assert_allclose(drawn[label].get_xdata(), [1, 2, 3])
    axes = figure.axes[0]
    assert axes.get_ylabel() == "Validation loss" and axes.get_xlabel() == "Epochs"
    assert axes.get_title() == "Validation loss"
    assert len({line.get_color() for line in drawn.values()}) == 3
    assert len({line.get_marker() for line in drawn.values()}) == 3


def test_training_loss_comparison_and_styles():
    figure = plot_history(RUNS, metric="loss", styles={"Original model": "b+"})
    drawn = lines(figure)
    assert list(drawn) == list(RUNS)  # several runs: no validation twins unless asked
    np.testing.assert_allclose(drawn["Bigger model"].get_ydata(), [0.5, 0.05, 0.001])
    assert drawn["Original model"].get_marker() == "+"
    assert drawn["Original model"].get_color() == "b"
    assert figure.axes[0].get_ylabel() == "Training loss"
    both = lines(plot_history(RUNS, metric="loss", show_validation=True))
    assert len(both) == 6
    np.testing.assert_allclose(both["Smaller model (validation)"].get_ydata(), [0.55, 0.5, 0.52])


def test_training_vs_validation_of_one_history_object():
    history = record([{"loss": 0.6, "val_loss": 0.5}, {"loss": 0.2, "val_loss": 0.55}])
    figure = plot_history(history, metric="loss")
    drawn = lines(figure)
    assert list(drawn) == ["Training loss", "Validation loss"]
    np.testing.assert_allclose(drawn["Training loss"].get_ydata(), [0.6, 0.2])
    np.testing.assert_allclose(drawn["Validation loss"].get_ydata(), [0.5, 0.55])
    np.testing.assert_allclose(drawn["Validation loss"].get_xdata(), [1, 2])
    assert figure.axes[0].get_ylabel() == "Loss"
    only = lines(plot_history(history, metric="loss", show_validation=False))
    assert list(only) == ["Training loss"]


def test_history_from_fit_and_png_file(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = (x[:, :1] > 0).astype("float32")
    model = strata.Sequential(
        [layers.Dense(4, activation="relu", input_shape=(4,)), layers.Dense(1)]
    )
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(x, y, epochs=3, batch_size=16, validation_split=0.25, verbose=0)
    path = tmp_path / "plots" / "curves.png"
    figure = plot_history({"tiny": history}, metric="val_loss", to_file=path)
    np.testing.assert_allclose(lines(figure)["tiny"].get_ydata(), history.history["val_loss"])
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 5000


def test_errors_name_what_was_recorded(tmp_path):
    with pytest.raises(ValueError, match=r"'val_accuracy'.*\['loss', 'val_loss'\]"):
        plot_history(RUNS, metric="val_accuracy")
    with pytest.raises(ValueError, match="non-empty"):
        plot_history({})
    with pytest.raises(ValueError, match="val_loss"):
        plot_history({"a": {"loss": [1.0]}}, metric="loss", show_validation=True)
    with pytest.raises(ValueError, match=".jpg"):
        plot_history(RUNS, to_file=tmp_path / "x.jpg")


def test_uses_no_pyplot_state():
    """Figures are made without pyplot, so none pile up in its global list (no display needed)."""
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    figure = plot_history(RUNS)
    assert plt.get_fignums() == before
    assert figure.canvas.__class__.__name__ == "FigureCanvasAgg"
