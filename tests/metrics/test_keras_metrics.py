"""The metrics Keras 3.15 added over strata's first set, against values recorded from Keras.

Fixture: tests/metrics/fixtures/keras_metrics.npz, written by
tools/keras_fixtures/metrics_losses.py on the same inputs. Each case streams three uneven
batches (with sample weights where recorded), then resets and updates once more.
"""

import re
from pathlib import Path

import numpy as np
import pytest
import torch
from keras_values import KerasValues

import strata
from strata import metrics

DATA = KerasValues(Path(__file__).parent / "fixtures" / "keras_metrics.npz")
CLASS_CASES = [c for c in DATA.cases if "class" in c]
FUNCTION_CASES = [c for c in DATA.cases if "function" in c]


def _batches(case):
    key = case["id"]
    y_true, y_pred = DATA[f"{key}/y_true"], DATA[f"{key}/y_pred"]
    weight = DATA.get(f"{key}/sample_weight")
    cuts = case["cuts"]
    for a, b in zip(cuts[:-1], cuts[1:]):
        w = None if weight is None else torch.from_numpy(weight[a:b].copy())
        yield torch.from_numpy(y_true[a:b].copy()), torch.from_numpy(y_pred[a:b].copy()), w


def _build(case):
    return getattr(metrics, case["class"])(**case["kwargs"])


def _close(actual, expected):
    np.testing.assert_allclose(
        np.asarray(actual, dtype="float64"), expected, rtol=2e-5, atol=2e-6, equal_nan=True
    )


def _base(name):
    return re.sub(r"_\d+$", "", name)


@pytest.mark.filterwarnings("ignore:R2Score. more independent predictors")
@pytest.mark.parametrize("case", CLASS_CASES, ids=lambda c: c["id"])
def test_streaming_and_reset_equal_keras(case):
    metric = _build(case)
    expected = DATA[f"{case['id']}/results"]
    batches = list(_batches(case))
    with pytest.warns(UserWarning) if _warns_on_weights(case) else _no_context():
        for step, (t, p, w) in enumerate(batches):
            metric.update_state(t, p, sample_weight=w)
            _close(metric.result().detach(), expected[step])
        metric.reset_state()
        t, p, w = batches[-1]
        metric.update_state(t, p, sample_weight=w)
    _close(metric.result().detach(), DATA[f"{case['id']}/after_reset"])


def _warns_on_weights(case):
    # Keras's IoU metrics count in int32 unless told otherwise, and warn on float weights.
    iou = "IoU" in case["class"] and "dtype" not in case["kwargs"]
    return iou and f"{case['id']}/sample_weight" in DATA


class _no_context:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.mark.parametrize("case", CLASS_CASES, ids=lambda c: c["id"])
def test_names_and_config_match_keras(case):
    metric = _build(case)
    assert _base(metric.name) == _base(case["name"])
    config = metric.get_config()
    for key, value in case["keras_config"].items():
        if key == "dtype":
            assert config[key] in (None, value)
        elif key == "name":
            assert _base(config[key]) == _base(value)
        else:
            assert key in config and config[key] == value, key
    again = type(metric).from_config(config)
    assert again.get_config() == config
    rebuilt = metrics.deserialize(metrics.serialize(metric))
    assert type(rebuilt) is type(metric) and rebuilt.get_config() == config


@pytest.mark.parametrize("case", FUNCTION_CASES, ids=lambda c: c["id"])
def test_functions_equal_keras(case):
    fn = getattr(metrics, case["function"])
    key = case["id"]
    value = fn(DATA[f"{key}/y_true"], DATA[f"{key}/y_pred"], **case["kwargs"])
    _close(value, DATA[f"{key}/value"])


@pytest.mark.filterwarnings("ignore:R2Score. more independent predictors")
@pytest.mark.parametrize("case", CLASS_CASES, ids=lambda c: c["id"])
def test_states_add_up_like_processes(case):
    """What DataParallel does: sum the state of two workers and ask `stateless_result`."""
    batches = list(_batches(case))
    first, second, whole = _build(case), _build(case), _build(case)
    with pytest.warns(UserWarning) if _warns_on_weights(case) else _no_context():
        for t, p, w in batches[:2]:
            first.update_state(t, p, sample_weight=w)
            whole.update_state(t, p, sample_weight=w)
        second.update_state(*batches[2][:2], sample_weight=batches[2][2])
        whole.update_state(*batches[2][:2], sample_weight=batches[2][2])
    summed = [a + b for a, b in zip(first.variables, second.variables)]
    kept = [v.clone() for v in first.variables]
    _close(first.stateless_result(summed).detach(), whole.result().detach().numpy())
    for before, after in zip(kept, first.variables):
        assert torch.equal(before, after)


def test_fit_history_equals_keras():
    """A new loss and new metrics in compile/fit: Keras's history keys and values."""
    case = DATA.case("fit")
    x, y = DATA["fit/x"], DATA["fit/y"]
    model = strata.Sequential([strata.Input((5,)), strata.layers.Dense(3, activation="softmax")])
    model.set_weights([DATA["fit/weight/0"], DATA["fit/weight/1"]])
    model.compile(
        optimizer=strata.optimizers.SGD(learning_rate=0.5),
        loss=strata.losses.CategoricalFocalCrossentropy(),
        metrics=[metrics.F1Score(average="macro"), "r2_score"],
    )
    history = model.fit(
        x, y, batch_size=16, epochs=3, shuffle=False, verbose=0, validation_data=(x, y)
    )
    assert sorted(history.history) == case["history_keys"]
    for key in case["history_keys"]:
        np.testing.assert_allclose(history.history[key], DATA[f"fit/history/{key}"], rtol=1e-4)


STRING_CLASSES = {
    "f1_score": metrics.F1Score,
    "f_beta_score": metrics.FBetaScore,
    "r2_score": metrics.R2Score,
    "pearson_correlation": metrics.PearsonCorrelation,
    "concordance_correlation": metrics.ConcordanceCorrelation,
    "cosine_similarity": metrics.CosineSimilarity,
    "log_cosh_error": metrics.LogCoshError,
    "kl_divergence": metrics.KLDivergence,
    "poisson": metrics.Poisson,
    "hinge": metrics.Hinge,
    "squared_hinge": metrics.SquaredHinge,
    "categorical_hinge": metrics.CategoricalHinge,
    "F1Score": metrics.F1Score,
    "R2Score": metrics.R2Score,
}


@pytest.mark.parametrize("name", sorted(STRING_CLASSES))
def test_strings_name_classes_as_in_keras(name):
    metric = metrics.get(name)
    assert type(metric) is STRING_CLASSES[name] and metric.name == name


def test_cosine_similarity_string_is_the_positive_metric():
    metric = metrics.get("cosine_similarity")
    metric.update_state([[1.0, 0.0]], [[2.0, 0.0]])
    assert float(metric.result()) == pytest.approx(1.0)


@pytest.mark.parametrize(
    "name", ["mean_io_u", "io_u", "one_hot_io_u", "precision_at_recall", "IoU"]
)
def test_strings_of_classes_needing_arguments_raise(name):
    with pytest.raises(ValueError, match="needs the argument"):
        metrics.get(name)


@pytest.mark.parametrize(
    "build, match",
    [
        (lambda: metrics.FBetaScore(beta=2), "Python float"),
        (lambda: metrics.FBetaScore(beta=-1.0), "beta > 0"),
        (lambda: metrics.F1Score(threshold=1.5), "threshold"),
        (lambda: metrics.F1Score(average="mean"), "average"),
        (lambda: metrics.R2Score(class_aggregation="sum"), "class_aggregation"),
        (lambda: metrics.R2Score(num_regressors=-1), "num_regressors"),
        (lambda: metrics.IoU(num_classes=2, target_class_ids=[2]), "target_class_ids"),
        (lambda: metrics.MeanIoU(num_classes=0), "num_classes"),
        (lambda: metrics.SensitivityAtSpecificity(1.5), "specificity"),
        (lambda: metrics.PrecisionAtRecall(0.5, num_thresholds=0), "num_thresholds"),
    ],
)
def test_bad_arguments_raise_value_errors(build, match):
    with pytest.raises(ValueError, match=match):
        build()


def test_shape_errors_name_the_shapes():
    with pytest.raises(ValueError, match=r"2D inputs.*\(4,\)"):
        metrics.F1Score().update_state(torch.ones(4), torch.ones(4))
    with pytest.raises(ValueError, match="2D inputs"):
        metrics.R2Score().update_state(torch.ones(2, 2, 2), torch.ones(2, 2, 2))
    with pytest.raises(ValueError, match="before its first update"):
        metrics.R2Score().result()


def test_state_stays_on_the_device_of_the_data():
    device = torch.device("meta")
    y_true = torch.zeros(4, 3, device=device)
    y_pred = torch.zeros(4, 3, device=device)
    for metric in [
        metrics.F1Score(),
        metrics.R2Score(),
        metrics.PearsonCorrelation(),
        metrics.SpecificityAtSensitivity(0.5),
        metrics.OneHotMeanIoU(num_classes=3),
    ]:
        metric.update_state(y_true, y_pred)
        assert all(v.device.type == "meta" for v in metric.variables), metric.name


@pytest.mark.parametrize("case", CLASS_CASES, ids=lambda c: c["id"])
def test_configs_written_by_keras_load(case):
    """`keras.saving.serialize_keras_object(metric)` (module "keras.metrics") loads as the
    same metric, through `metrics.deserialize` and through a saved compile config."""
    serialized = case["keras_serialized"]
    metric = metrics.deserialize(serialized)
    assert type(metric).__name__ == case["class"]
    # What Keras wrote comes back (Keras's CosineSimilarity leaves its axis out of the file).
    config = metric.get_config()
    for key, value in serialized["config"].items():
        if key != "dtype":
            assert config[key] == value, key
    model = strata.Sequential([strata.Input((3,)), strata.layers.Dense(3)])
    model.compile_from_config(
        {
            "optimizer": strata.optimizers.serialize(strata.optimizers.SGD()),
            "loss": "mse",
            "metrics": [serialized],
        }
    )
    model.build((None, 3))
    compiled = model.get_compile_config()["metrics"][0]
    assert compiled["class_name"] == case["class"]
    assert compiled["module"].startswith("strata.metrics")
