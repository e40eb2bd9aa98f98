"""What a tuner shows of its search: per-trial lines, TensorBoard's HParams files (read back by
TensorBoard) and the matplotlib plots, on a real search."""

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
from tensorboard.backend.event_processing import event_accumulator as ea  # noqa: E402
from tensorboard.plugins.hparams import metadata  # noqa: E402
from tuning.tuner_helpers import build_model, classification_data, memory  # noqa: E402

import strata.tuning as kt  # noqa: E402


@pytest.fixture(scope="module")
def searched(tmp_path_factory):
    x, y = classification_data()
    tuner = kt.RandomSearch(
        build_model,
        objective="val_accuracy",
        max_trials=4,
        seed=1,
        storage=memory(),
        directory=tmp_path_factory.mktemp("views"),
        verbose=1,
    )
    tuner.search(x, y, epochs=3, validation_split=0.25)
    return tuner


def test_progress_lines_name_the_trial_its_values_score_and_best(capsys):
    x, y = classification_data()
    tuner = kt.RandomSearch(
        build_model, objective="val_accuracy", max_trials=2, seed=1, storage=memory()
    )
    tuner.search(x, y, epochs=1, validation_split=0.25)
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("Trial")]
    assert [line.split(":")[0] for line in lines] == ["Trial 1/2 complete", "Trial 2/2 complete"]
    for line, trial in zip(lines, tuner.study.trials):
        assert f"units={trial.params['units']}" in line
        assert f"val_accuracy={trial.value:.6g}" in line and "| best " in line


def test_write_hparams_is_read_back_by_tensorboard(searched, tmp_path):
    folder = searched.write_hparams(str(tmp_path / "hparams"))
    for trial in searched.study.trials:
        accumulator = ea.EventAccumulator(str(tmp_path / "hparams" / f"trial_{trial.number:04d}"))
        accumulator.Reload()
        content = accumulator.PluginTagToContent(metadata.PLUGIN_NAME)
        start = metadata.parse_session_start_info_plugin_data(
            content[metadata.SESSION_START_INFO_TAG]
        )
        assert start.hparams["units"].number_value == trial.params["units"]
        assert start.hparams["activation"].string_value == trial.params["activation"]
        assert "epoch_val_accuracy" in accumulator.Tags()["tensors"]
    assert folder == str(tmp_path / "hparams")


def test_plots_of_the_search(searched, tmp_path):
    history = searched.plot_optimization_history()
    scores = sorted(t.value for t in searched.study.trials)
    plotted = sorted(y for line in history.collections[:1] for _, y in line.get_offsets())
    assert plotted == pytest.approx(scores)
    importances = searched.plot_param_importances()
    assert len(importances.patches) == 3  # units, lr, activation
    curves = searched.plot_intermediate_values()
    assert len(curves.get_lines()) >= 4
    history.figure.savefig(tmp_path / "history.png")
    assert (tmp_path / "history.png").read_bytes()[:4] == b"\x89PNG"
