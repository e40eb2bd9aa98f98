"""The scikit-learn wrappers under scikit-learn's own machinery (real estimators, no mocks)."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import check_estimator

import strata
from strata.wrappers import SKLearnClassifier, SKLearnRegressor, SKLearnTransformer


def build(X, y, loss="mse", activation=None, units=8):
    model = strata.Sequential(
        [
            strata.Input((X.shape[1],)),
            strata.layers.Dense(units, activation="relu"),
            strata.layers.Dense(y.shape[1], activation=activation),
        ]
    )
    model.compile(loss=loss, optimizer=strata.optimizers.Adam(learning_rate=0.02))
    return model


CLASSIFIER_KWARGS = {"loss": "categorical_crossentropy", "activation": "softmax"}

# Checks that need two fits to agree, or a decision_function in scikit-learn's binary form
# (Keras's decision_function returns the model's outputs, one column per class).
NON_DETERMINISTIC = {
    "check_fit_idempotent": "two fits start from different random weights",
    "check_regressor_data_not_an_array": "two fits start from different random weights",
    "check_classifier_data_not_an_array": "two fits start from different random weights",
    "check_regressors_int": "two fits start from different random weights",
    "check_supervised_y_2d": "two fits start from different random weights",
}
KERAS_DECISION = {
    "check_classifiers_classes": "decision_function is the model's per-class output",
    "check_classifiers_train": "decision_function is the model's per-class output",
    "check_decision_proba_consistency": "decision_function is the model's per-class output",
    "check_classifiers_one_label_sample_weights": "zero sample weights still leave 2 classes",
}


@pytest.mark.parametrize(
    "estimator, allowed",
    [
        (SKLearnRegressor(build), NON_DETERMINISTIC),
        (SKLearnTransformer(build), NON_DETERMINISTIC),
        (
            SKLearnClassifier(build, model_kwargs=CLASSIFIER_KWARGS),
            {**NON_DETERMINISTIC, **KERAS_DECISION},
        ),
    ],
    ids=["regressor", "transformer", "classifier"],
)
def test_scikit_learn_estimator_checks(estimator, allowed):
    results = check_estimator(estimator, on_fail=None)
    failed = {r["check_name"]: r["exception"] for r in results if r["status"] == "failed"}
    unexpected = {name: str(exc)[:300] for name, exc in failed.items() if name not in allowed}
    assert not unexpected
    passed = [r for r in results if r["status"] == "passed"]
    assert len(passed) >= 35


def _blobs(n=60, seed=0):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 3
    X = rng.normal(size=(n, 4)) + 4.0 * np.eye(3, 4)[y]
    return X, np.array(["a", "b", "c"])[y]


def test_classifier_learns_string_labels_and_scores():
    strata.set_random_seed(0)
    X, y = _blobs()
    clf = SKLearnClassifier(build, model_kwargs=CLASSIFIER_KWARGS, fit_kwargs={"epochs": 60})
    clf.fit(X, y)
    assert list(clf.classes_) == ["a", "b", "c"]
    assert set(clf.predict(X)) <= {"a", "b", "c"}
    proba = clf.predict_proba(X)
    assert proba.shape == (60, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    assert clf.score(X, y) > 0.9
    assert clf.epoch_ == 60
    assert len(clf.history_.history["loss"]) == 60


def test_cross_val_score_and_pipeline():
    strata.set_random_seed(1)
    X, y = _blobs(90)
    pipe = make_pipeline(
        StandardScaler(),
        SKLearnClassifier(build, model_kwargs=CLASSIFIER_KWARGS, fit_kwargs={"epochs": 40}),
    )
    scores = cross_val_score(pipe, X, y, cv=KFold(3, shuffle=True, random_state=0))
    assert scores.shape == (3,)
    assert scores.min() > 0.8


def test_grid_search_sets_nested_params():
    X, y = _blobs(30)
    search = GridSearchCV(
        SKLearnClassifier(build, model_kwargs=CLASSIFIER_KWARGS, fit_kwargs={"epochs": 2}),
        {"model_kwargs": [{**CLASSIFIER_KWARGS, "units": 4}, {**CLASSIFIER_KWARGS, "units": 6}]},
        cv=2,
    )
    search.fit(X, y)
    assert search.best_params_["model_kwargs"]["units"] in (4, 6)
    hidden = search.best_estimator_.model_.layers[0]
    assert hidden.units == search.best_params_["model_kwargs"]["units"]


def test_clone_get_set_params():
    est = SKLearnRegressor(build, model_kwargs={"units": 3}, fit_kwargs={"epochs": 2})
    params = est.get_params()
    assert params == {
        "model": build,
        "warm_start": False,
        "model_kwargs": {"units": 3},
        "fit_kwargs": {"epochs": 2},
    }
    copy = clone(est)
    assert copy is not est and copy.get_params() == params
    copy.set_params(warm_start=True)
    assert copy.warm_start and not est.warm_start


def test_model_instance_is_cloned_with_its_compile_settings():
    model = strata.Sequential([strata.Input((3,)), strata.layers.Dense(1)])
    model.compile(loss="mse", optimizer="sgd")
    before = [w.copy() for w in model.get_weights()]
    X = np.random.rand(16, 3)
    reg = SKLearnRegressor(model).fit(X, X.sum(axis=1), epochs=2)
    assert reg.model_ is not model
    assert type(reg.model_.optimizer).__name__ == "SGD"
    for w, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(w, b)


def test_warm_start_keeps_training_the_same_model():
    X = np.random.rand(16, 3)
    y = X.sum(axis=1)
    warm = SKLearnRegressor(build, warm_start=True).fit(X, y)
    first = warm.model_
    warm.fit(X, y)
    assert warm.model_ is first
    cold = SKLearnRegressor(build).fit(X, y)
    first = cold.model_
    cold.fit(X, y)
    assert cold.model_ is not first


def test_pickle_round_trip_predicts_the_same():
    X = np.random.rand(12, 3)
    reg = SKLearnRegressor(build).fit(X, X[:, :2])
    again = pickle.loads(pickle.dumps(reg))
    np.testing.assert_array_equal(again.predict(X), reg.predict(X))
    assert again.history_.history.keys() == reg.history_.history.keys()


def test_transformer_in_a_pipeline():
    X, y = _blobs(30)
    codes = np.eye(3)[np.searchsorted(["a", "b", "c"], y)]
    embed = SKLearnTransformer(build, model_kwargs={"units": 4}).fit(X, codes)
    assert embed.transform(X).shape == (30, 3)
    assert embed.fit_transform(X, codes).shape == (30, 3)


def test_bad_models_and_targets_raise():
    X = np.random.rand(8, 3)
    with pytest.raises(RuntimeError, match="compiled"):
        SKLearnRegressor(lambda X, y: strata.Sequential([strata.layers.Dense(1)])).fit(X, X[:, 0])
    with pytest.raises(ValueError, match="strata Model"):
        SKLearnRegressor(lambda X, y: "not a model").fit(X, X[:, 0])
    with pytest.raises(ValueError, match="strata Model or a callable"):
        SKLearnRegressor(3).fit(X, X[:, 0])
    with pytest.raises(ValueError, match="1 class"):
        SKLearnClassifier(build, model_kwargs=CLASSIFIER_KWARGS).fit(X, np.zeros(8))
    with pytest.raises(ValueError, match="binary or multiclass"):
        SKLearnClassifier(build, model_kwargs=CLASSIFIER_KWARGS).fit(X, np.random.rand(8))
