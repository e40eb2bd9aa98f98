"""write_hparams on real Optuna studies, read back with TensorBoard's reader and hparams backend."""

import doctest
import os

import numpy as np
import optuna
import pytest
from tensorboard import context
from tensorboard.backend.event_processing import data_provider, plugin_event_multiplexer
from tensorboard.backend.event_processing import event_accumulator as ea
from tensorboard.plugins import base_plugin
from tensorboard.plugins.hparams import api_pb2, backend_context, list_session_groups, metadata
from tensorboard.util import tensor_util

from strata.tuning import hparams_board
from strata.tuning.hparams_board import write_hparams

optuna.logging.set_verbosity(optuna.logging.ERROR)


def _build_study():
    """Trials 0-2 complete, 3 pruned, 4 failed; trial 1 has no 'momentum' (conditional)."""
    study = optuna.create_study(direction="maximize", study_name="search")
    for number in range(5):
        trial = study.ask()
        lr = trial.suggest_float("lr", 1e-4, 1e-1, log=True)
        units = trial.suggest_int("units", 8, 64, step=8)
        activation = trial.suggest_categorical("activation", ["relu", "tanh", "selu"])
        batchnorm = trial.suggest_categorical("batchnorm", [True, False])
        if number != 1:
            trial.suggest_float("momentum", 0.0, 0.9)
        curve = [0.5 + 0.1 * epoch + 0.01 * number for epoch in range(3)]
        for epoch, value in enumerate(curve[: 2 if number == 3 else 3]):
            trial.report(value, epoch)
        if number == 3:
            study.tell(trial, state=optuna.trial.TrialState.PRUNED)
        elif number == 4:
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
        else:
            trial.set_user_attr("epochs", 3)
            study.tell(trial, 0.9 + 0.01 * number)
        del lr, units, activation, batchnorm
    study.ask()  # a running trial: not finished, so not written
    return study


def _accumulator(path):
    acc = ea.EventAccumulator(path, size_guidance={ea.TENSORS: 0})
    acc.Reload()
    return acc


def _series(acc, tag):
    return [(e.step, float(tensor_util.make_ndarray(e.tensor_proto))) for e in acc.Tensors(tag)]


def test_experiment_lists_domains_and_metrics(tmp_path):
    study = _build_study()
    runs = write_hparams(study, tmp_path, objective_name="val_accuracy")
    assert runs == [f"trial_000{i}" for i in range(5)]
    assert sorted(p for p in os.listdir(tmp_path) if p.startswith("trial_")) == runs

    acc = _accumulator(str(tmp_path))
    content = acc.PluginTagToContent(metadata.PLUGIN_NAME)
    experiment = metadata.parse_experiment_plugin_data(content[metadata.EXPERIMENT_TAG])
    infos = {info.name: info for info in experiment.hparam_infos}
    assert set(infos) == {"lr", "units", "activation", "batchnorm", "momentum", "trial_state"}
    assert infos["lr"].type == api_pb2.DATA_TYPE_FLOAT64
    assert infos["lr"].domain_interval.min_value == pytest.approx(1e-4)
    assert infos["lr"].domain_interval.max_value == pytest.approx(1e-1)
    assert (infos["units"].domain_interval.min_value, infos["units"].domain_interval.max_value) == (
        8.0,
        64.0,
    )
    assert [v.string_value for v in infos["activation"].domain_discrete.values] == [
        "relu",
        "tanh",
        "selu",
    ]
    assert infos["batchnorm"].type == api_pb2.DATA_TYPE_BOOL
    assert [v.bool_value for v in infos["batchnorm"].domain_discrete.values] == [True, False]
    assert {v.string_value for v in infos["trial_state"].domain_discrete.values} >= {
        "COMPLETE",
        "PRUNED",
        "FAIL",
    }
    assert [m.name.tag for m in experiment.metric_infos] == ["val_accuracy", "epoch_val_accuracy"]
    assert experiment.name == "search"


def test_each_trial_has_its_values_state_score_and_curve(tmp_path):
    study = _build_study()
    write_hparams(study, tmp_path, objective_name="val_accuracy")
    statuses = {}
    for trial in study.trials[:5]:
        acc = _accumulator(str(tmp_path / f"trial_{trial.number:04d}"))
        content = acc.PluginTagToContent(metadata.PLUGIN_NAME)
        start = metadata.parse_session_start_info_plugin_data(
            content[metadata.SESSION_START_INFO_TAG]
        )
        end = metadata.parse_session_end_info_plugin_data(content[metadata.SESSION_END_INFO_TAG])
        statuses[trial.number] = end.status
        assert start.group_name == f"trial_{trial.number:04d}"
        assert start.hparams["lr"].number_value == pytest.approx(trial.params["lr"])
        assert start.hparams["units"].number_value == trial.params["units"]
        assert start.hparams["activation"].string_value == trial.params["activation"]
        assert start.hparams["batchnorm"].bool_value == trial.params["batchnorm"]
        assert ("momentum" in start.hparams) == ("momentum" in trial.params)
        assert start.hparams["trial_state"].string_value == trial.state.name
        assert start.start_time_secs == pytest.approx(trial.datetime_start.timestamp())

        curve = _series(acc, "epoch_val_accuracy")
        expected = sorted(trial.intermediate_values.items())
        assert [step for step, _ in curve] == [step for step, _ in expected]
        assert [v for _, v in curve] == pytest.approx([v for _, v in expected], rel=1e-6)
        if trial.state == optuna.trial.TrialState.FAIL:
            assert "val_accuracy" not in acc.Tags()["tensors"]
        else:
            # A pruned trial's value is Optuna's: its last intermediate value.
            assert _series(acc, "val_accuracy")[-1][1] == pytest.approx(trial.value, rel=1e-6)
    assert statuses == {
        0: api_pb2.STATUS_SUCCESS,
        1: api_pb2.STATUS_SUCCESS,
        2: api_pb2.STATUS_SUCCESS,
        3: api_pb2.STATUS_UNKNOWN,
        4: api_pb2.STATUS_FAILURE,
    }
    assert not (tmp_path / "trial_0005").exists()


def test_hparams_backend_lists_the_experiment_and_sessions(tmp_path):
    study = _build_study()
    write_hparams(study, tmp_path, objective_name="val_accuracy")
    write_hparams(study, tmp_path, objective_name="val_accuracy")  # replaces, no duplicates
    assert len([p for p in os.listdir(tmp_path) if p.startswith("events.")]) == 1

    multiplexer = plugin_event_multiplexer.EventMultiplexer()
    multiplexer.AddRunsFromDirectory(str(tmp_path))
    multiplexer.Reload()
    provider = data_provider.MultiplexerDataProvider(multiplexer, str(tmp_path))
    tb_context = base_plugin.TBContext(
        logdir=str(tmp_path), data_provider=provider, multiplexer=multiplexer
    )
    backend = backend_context.Context(tb_context)
    request_context = context.RequestContext()
    content = backend.hparams_metadata(request_context, "")
    experiment = backend.experiment_from_metadata(
        request_context,
        "",
        True,
        content,
        backend.hparams_from_data_provider(request_context, "", None),
    )
    assert "lr" in [info.name for info in experiment.hparam_infos]

    request = api_pb2.ListSessionGroupsRequest(
        experiment_name="",
        allowed_statuses=[
            api_pb2.STATUS_SUCCESS,
            api_pb2.STATUS_UNKNOWN,
            api_pb2.STATUS_FAILURE,
            api_pb2.STATUS_RUNNING,
        ],
        start_index=0,
        slice_size=100,
    )
    response = list_session_groups.Handler(request_context, backend, "", request).run()
    groups = {group.name: group for group in response.session_groups}
    assert sorted(groups) == [f"trial_000{i}" for i in range(5)]
    best = study.best_trial
    group = groups[f"trial_{best.number:04d}"]
    scores = {mv.name.tag: mv.value for mv in group.metric_values}
    assert scores["val_accuracy"] == pytest.approx(best.value, rel=1e-6)
    assert scores["epoch_val_accuracy"] == pytest.approx(best.intermediate_values[2], rel=1e-6)
    assert group.hparams["activation"].string_value == best.params["activation"]


def test_default_names_multi_objective_and_mixed_choices(tmp_path):
    study = optuna.create_study(directions=["maximize", "minimize"])
    study.optimize(
        lambda t: (
            t.suggest_float("x", 0, 1),
            float(t.suggest_categorical("c", [None, 1, "a"]) == 1),
        ),
        n_trials=3,
    )
    write_hparams(study, tmp_path)
    acc = _accumulator(str(tmp_path))
    experiment = metadata.parse_experiment_plugin_data(
        acc.PluginTagToContent(metadata.PLUGIN_NAME)[metadata.EXPERIMENT_TAG]
    )
    assert [m.name.tag for m in experiment.metric_infos] == ["objective_0", "objective_1"]
    choice = {info.name: info for info in experiment.hparam_infos}["c"]
    assert [v.string_value for v in choice.domain_discrete.values] == ["None", "1", "a"]
    trial_acc = _accumulator(str(tmp_path / "trial_0002"))
    assert _series(trial_acc, "objective_1")[-1][1] == study.trials[2].values[1]

    with pytest.raises(ValueError, match="2 non-empty name"):
        write_hparams(study, tmp_path, objective_name="score")


def test_metric_names_of_the_study_are_the_default(tmp_path):
    study = optuna.create_study()
    with pytest.warns(optuna.exceptions.ExperimentalWarning):
        study.set_metric_names(["val_loss"])
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    write_hparams(study, tmp_path)
    acc = _accumulator(str(tmp_path / "trial_0000"))
    assert "val_loss" in acc.Tags()["tensors"]


def test_docstring_examples_run():
    outcome = doctest.testmod(hparams_board, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert outcome.attempted > 0 and outcome.failed == 0


def test_cross_validation_fold_scores_and_their_spread(tmp_path):
    study = optuna.create_study(direction="maximize")
    folds = [[0.80, 0.84, 0.82], [0.70, 0.90, 0.80]]
    for scores in folds:
        trial = study.ask()
        trial.suggest_int("units", 8, 32)
        trial.set_user_attr("fold_scores", scores)
        study.tell(trial, sum(scores) / len(scores))
    write_hparams(study, tmp_path, objective_name="val_accuracy")
    experiment = metadata.parse_experiment_plugin_data(
        _accumulator(str(tmp_path)).PluginTagToContent(metadata.PLUGIN_NAME)[
            metadata.EXPERIMENT_TAG
        ]
    )
    assert "val_accuracy_fold_std" in [m.name.tag for m in experiment.metric_infos]
    for number, scores in enumerate(folds):
        acc = _accumulator(str(tmp_path / f"trial_{number:04d}"))
        assert _series(acc, "fold_val_accuracy") == [
            (i, pytest.approx(s, rel=1e-6)) for i, s in enumerate(scores)
        ]
        std = _series(acc, "val_accuracy_fold_std")[-1][1]
        assert std == pytest.approx(float(np.std(scores)), rel=1e-5)


def test_summary_value_rejects_other_objects(tmp_path):
    from strata.callbacks.tensorboard_writer import SummaryWriter

    with SummaryWriter(tmp_path) as writer, pytest.raises(TypeError, match="Summary.Value"):
        writer.summary_value("_hparams_/experiment")
