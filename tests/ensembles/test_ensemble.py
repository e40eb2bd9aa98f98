"""strata.ensembles: combination, weight learning, reports, from_cv and safe saving."""

import types
import warnings

import numpy as np
import pytest

import strata
from strata import layers
from strata.ensembles import Ensemble, FoldAverage, load


def const(rows, name=None):
    """A callable member answering the given rows (tiled to the input length)."""
    rows = np.asarray(rows, dtype=np.float64)

    def member(x):
        return rows[: len(x)] if len(rows) >= len(x) else np.tile(rows, (len(x), 1))

    if name:
        member.__name__ = name
    return member


P1 = np.array([[0.7, 0.2, 0.1], [0.1, 0.6, 0.3]])
P2 = np.array([[0.2, 0.5, 0.3], [0.3, 0.3, 0.4]])
X2 = np.zeros((2, 4))


def test_mean_is_the_weighted_average():
    out = Ensemble([const(P1), const(P2)], weights=[3, 1]).predict(X2)
    np.testing.assert_allclose(out, 0.75 * P1 + 0.25 * P2)


def test_geometric_is_the_renormalized_weighted_log_mean():
    out = Ensemble([const(P1), const(P2)], weights=[0.6, 0.4], method="geometric").predict(X2)
    want = P1**0.6 * P2**0.4
    np.testing.assert_allclose(out, want / want.sum(axis=1, keepdims=True))
    assert not np.allclose(out, 0.6 * P1 + 0.4 * P2)


def test_vote_gives_weighted_vote_shares():
    p3 = np.array([[0.1, 0.8, 0.1], [0.1, 0.8, 0.1]])
    out = Ensemble(
        [const(P1), const(P2), const(p3)], weights=[0.5, 0.3, 0.2], method="vote"
    ).predict(X2)
    # Row 0 votes: class 0 (0.5), class 1 (0.3 + 0.2); row 1: class 1 (0.5 + 0.2), class 2 (0.3).
    np.testing.assert_allclose(out, [[0.5, 0.5, 0.0], [0.0, 0.7, 0.3]])


def test_binary_sigmoid_column_geometric_and_vote():
    a, b = np.array([[0.9], [0.2]]), np.array([[0.6], [0.4]])
    geo = Ensemble([const(a), const(b)], method="geometric").predict(X2)
    pos, neg = np.sqrt(a * b), np.sqrt((1 - a) * (1 - b))
    np.testing.assert_allclose(geo, pos / (pos + neg))
    vote = Ensemble([const(a), const(b)], weights=[0.7, 0.3], method="vote").predict(X2)
    np.testing.assert_allclose(vote, [[1.0], [0.0]])


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(ValueError, match="method must be one of"):
        Ensemble([const(P1)], method="median")
    with pytest.raises(ValueError, match="weights must be 2 non-negative"):
        Ensemble([const(P1), const(P2)], weights=[1, -1])
    with pytest.raises(ValueError, match="fitted scikit-learn"):
        Ensemble([3])
    with pytest.raises(ValueError, match="does not exist"):
        Ensemble(["/nonexistent/model.keras"])
    with pytest.raises(ValueError, match="names must be 2 distinct"):
        Ensemble([const(P1), const(P2)], names=["a", "a"])
    assert Ensemble([const(P1), const(P2)], names=["a", "b"]).names == ["a", "b"]


def test_shape_mismatch_names_the_member_and_both_shapes():
    ensemble = Ensemble([const(P1, "a"), const(P2, "b"), const(P1[:, :2], "narrow")])
    with pytest.raises(ValueError) as info:
        ensemble.predict(X2)
    message = str(info.value)
    assert "member 2" in message and "'narrow'" in message and "callable" in message
    assert "(2, 2)" in message and "(2, 3)" in message


def _three_class_data(n, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4))
    y = (x[:, 0] > 0).astype(int) + (x[:, 1] > 0.5).astype(int)
    return x, y


@pytest.fixture(scope="module")
def sklearn_members():
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import GaussianNB
    from sklearn.tree import DecisionTreeClassifier

    x, y = _three_class_data(200, 0)
    return (
        [
            LogisticRegression(max_iter=200).fit(x, y),
            GaussianNB().fit(x, y),
            DecisionTreeClassifier(max_depth=3, random_state=0).fit(x, y),
        ],
        x,
        y,
    )


def _noisy_members(y, seed=0):
    """Three probability members on 3 classes: good, mediocre and near-random."""
    rng = np.random.default_rng(seed)
    onehot = np.eye(3)[y]
    out = []
    for noise in (1.0, 2.0, 6.0):
        logits = 2.0 * onehot + noise * rng.normal(size=onehot.shape)
        p = np.exp(logits)
        out.append(p / p.sum(axis=1, keepdims=True))
    return out


@pytest.mark.parametrize("search", ["nelder-mead", "random", "greedy"])
def test_fit_weights_beats_members_and_equal_weights_on_validation(search):
    y = np.random.default_rng(1).integers(0, 3, 300)
    preds = _noisy_members(y)
    x = np.arange(300.0).reshape(-1, 1)
    members = [lambda x, p=p: p[x[:, 0].astype(int)] for p in preds]
    ensemble = Ensemble(members).fit_weights(x, y, method=search, seed=0)
    w = ensemble.weights_
    assert w.shape == (3,) and np.all(w >= 0) and w.sum() == pytest.approx(1.0)
    best_member = min(ensemble.member_losses_.values())
    assert ensemble.ensemble_loss_ <= best_member + 1e-12
    assert ensemble.ensemble_loss_ <= ensemble.equal_weight_loss_ + 1e-12
    # The near-random member drags equal weights down: learned weights must do strictly better.
    assert ensemble.ensemble_loss_ < ensemble.equal_weight_loss_ - 1e-3
    assert w[2] < w[0]
    assert ensemble.evaluate(x, y)["loss"] == pytest.approx(ensemble.ensemble_loss_)


def test_nelder_mead_finds_the_optimum_of_a_two_member_case():
    y = np.random.default_rng(1).integers(0, 3, 300)
    preds = _noisy_members(y)[:2]
    x = np.arange(300.0).reshape(-1, 1)
    ensemble = Ensemble([lambda x, p=p: p[x[:, 0].astype(int)] for p in preds])
    ensemble.fit_weights(x, y)
    grid = np.linspace(0, 1, 2001)
    losses = [Ensemble(ensemble.members, weights=[g, 1 - g]).evaluate(x, y)["loss"] for g in grid]
    assert ensemble.weights_[0] == pytest.approx(grid[int(np.argmin(losses))], abs=2e-3)


def test_greedy_selects_with_replacement_and_random_is_reproducible():
    y = np.random.default_rng(2).integers(0, 3, 300)
    preds = _noisy_members(y, seed=3)
    x = np.arange(300.0).reshape(-1, 1)
    members = [lambda x, p=p: p[x[:, 0].astype(int)] for p in preds]
    greedy = Ensemble(members).fit_weights(x, y, method="greedy", n_iterations=30)
    # Weights are counts over a bag of at most 30 picks.
    w = greedy.weights_
    assert any(np.allclose(w * n, np.round(w * n)) for n in range(1, 31))
    # With replacement: 2 = (2 * 2.5 + 1 * 1.0) / 3, so the best bag repeats the first member.
    xr = np.linspace(-1, 1, 40).reshape(-1, 1)
    over, under = (lambda x: 2.5 * x[:, 0]), (lambda x: 1.0 * x[:, 0])
    bag = Ensemble([over, under]).fit_weights(xr, 2 * xr[:, 0], method="greedy", n_iterations=6)
    np.testing.assert_allclose(bag.weights_, [2 / 3, 1 / 3])
    assert bag.ensemble_loss_ == pytest.approx(0.0, abs=1e-20)
    # Random search with an interior optimum (2/3, 1/3): the seed decides the sample kept.
    random = [
        Ensemble([over, under])
        .fit_weights(xr, 2 * xr[:, 0], method="random", seed=seed, n_trials=50)
        .weights_
        for seed in (7, 7, 8)
    ]
    a, b, c = random
    assert abs(a[0] - 2 / 3) < 0.05
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    with pytest.raises(ValueError, match="fit_weights method must be one of"):
        Ensemble(members).fit_weights(x, y, method="bayes")


def test_member_predictions_are_computed_once_per_fit_weights():
    calls = []

    def member(x):
        calls.append(len(x))
        return np.tile([0.5, 0.5], (len(x), 1))

    y = np.array([0, 1, 1, 0])
    Ensemble([member, const([[0.9, 0.1]])]).fit_weights(np.zeros((4, 2)), y, method="greedy")
    assert calls == [4]


def test_regression_members_and_evaluate():
    x = np.linspace(-1, 1, 50).reshape(-1, 1)
    y = 2 * x[:, 0]
    over, under = (lambda x: 2.5 * x[:, 0]), (lambda x: 1.0 * x[:, 0])
    ensemble = Ensemble([over, under]).fit_weights(x, y)
    assert ensemble.task_ == "regression"
    # 2 = w * 2.5 + (1 - w) * 1.0 exactly at w = 2/3.
    np.testing.assert_allclose(ensemble.weights_, [2 / 3, 1 / 3], atol=1e-3)
    scores = ensemble.evaluate(x, y, metrics=["mae", "mse"])
    assert set(scores) == {"loss", "mae", "mse"} and scores["loss"] < 1e-5
    x_test = np.linspace(-2, 2, 7).reshape(-1, 1)
    report = ensemble.report(x_test, 2 * x_test[:, 0], print_table=False)
    assert {"mse", "mae"} <= set(report.records[0])


def test_sklearn_members_evaluate_and_report(sklearn_members, capsys):
    estimators, x, y = sklearn_members
    x_val, y_val = _three_class_data(150, 1)
    x_test, y_test = _three_class_data(150, 2)
    ensemble = Ensemble(estimators).fit_weights(x_val, y_val)
    assert ensemble.names == ["LogisticRegression", "GaussianNB", "DecisionTreeClassifier"]
    metric = strata.metrics.SparseCategoricalAccuracy()
    scores = ensemble.evaluate(x_test, y_test, metrics=["accuracy", metric])
    assert scores["sparse_categorical_accuracy"] == pytest.approx(scores["accuracy"])
    assert 0.5 < scores["accuracy"] <= 1.0 and scores["loss"] > 0
    report = ensemble.report(x_test, y_test)
    printed = capsys.readouterr().out
    for name in [*ensemble.names, "equal-weight mean", "weighted ensemble", "diversity"]:
        assert name in printed
    rows = report.as_dict()["rows"]
    want = float(np.mean(estimators[1].predict_proba(x_test).argmax(1) == y_test))
    assert rows["GaussianNB"]["accuracy"] == pytest.approx(want)
    learned = ensemble.predict(x_test)
    log_loss = -np.mean(np.log(np.clip(learned[np.arange(150), y_test], 1e-7, 1)))
    assert rows["weighted ensemble"]["log_loss"] == pytest.approx(log_loss)
    assert report.diversity.shape == (3, 3)
    np.testing.assert_allclose(np.diag(report.diversity), 1.0)
    errors = [1 - e.predict_proba(x_test)[np.arange(150), y_test] for e in estimators]
    assert report.diversity[0, 1] == pytest.approx(np.corrcoef(errors[0], errors[1])[0, 1])
    best_acc = max(rows[n]["accuracy"] for n in ensemble.names)
    gain = rows["weighted ensemble"]["accuracy"] - best_acc
    assert report.gain["accuracy"] == pytest.approx(gain)


def test_warnings_for_training_rows_and_test_equal_to_weighting(sklearn_members):
    estimators, x, y = sklearn_members
    ensemble = Ensemble(estimators, trained_on=[x, x, None])
    with pytest.warns(UserWarning, match="used to train member") as caught:
        ensemble.fit_weights(x[:50], y[:50])
    messages = [str(w.message) for w in caught]
    assert len(messages) == 2 and "'LogisticRegression'" in messages[0]
    assert "50 of the 50 weighting rows" in messages[1] and "'GaussianNB'" in messages[1]
    with pytest.warns(UserWarning, match="10 of the 30 weighting rows"):
        Ensemble(estimators[:1], trained_on=[x[:10]]).fit_weights(
            np.concatenate([x[:10], _three_class_data(20, 9)[0]]), y[:30]
        )
    x_val, y_val = _three_class_data(60, 5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ensemble.fit_weights(x_val, y_val)
    with pytest.warns(UserWarning, match="60 of the 60 test rows were used by fit_weights"):
        ensemble.report(x_val, y_val, print_table=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ensemble.report(x[:40], y[:40], print_table=False)


def test_from_cv_learns_weights_on_out_of_fold_predictions():
    y = np.random.default_rng(4).integers(0, 3, 120)
    good, mediocre, bad = _noisy_members(y, seed=5)
    folds = [(np.arange(60, 120), np.arange(60)), (np.arange(60), np.arange(60, 120))]
    fold_models = [const([[0.6, 0.3, 0.1]]), const([[0.2, 0.6, 0.2]])]
    results = [
        types.SimpleNamespace(
            oof_predictions=np.stack([good, good]), models=fold_models, fold_indices=folds
        ),
        types.SimpleNamespace(oof_predictions=bad, models=fold_models, fold_indices=folds),
        types.SimpleNamespace(oof_predictions=mediocre, models=fold_models, fold_indices=folds),
    ]
    ensemble = Ensemble.from_cv(results, y, x=np.arange(120.0).reshape(-1, 1))
    assert isinstance(ensemble.members[0], FoldAverage)
    assert ensemble.weights_[0] > ensemble.weights_[1]
    want = Ensemble([const(good), const(bad), const(mediocre)]).fit_weights(np.zeros((120, 1)), y)
    np.testing.assert_allclose(ensemble.weights_, want.weights_)
    np.testing.assert_allclose(
        ensemble.predict(np.zeros((1, 2)))[0], [0.4, 0.45, 0.15]
    )  # fold models averaged, any weights
    given = Ensemble.from_cv(
        results, y, members=[const(good), const(bad), const(mediocre)], fit_method="greedy"
    )
    assert given.weights_.sum() == pytest.approx(1.0)
    with pytest.raises(ValueError, match="no fold models"):
        Ensemble.from_cv(
            [types.SimpleNamespace(oof_predictions=good, models=None, fold_indices=folds)], y
        )
    with pytest.raises(ValueError, match="expected \\(120, ...\\)"):
        Ensemble.from_cv(
            [
                types.SimpleNamespace(
                    oof_predictions=good[:100], models=fold_models, fold_indices=folds
                )
            ],
            y,
        )


def _strata_member(x, y):
    model = strata.Sequential(
        [
            strata.Input(shape=(4,)),
            layers.Dense(8, activation="relu"),
            layers.Dense(3, activation="softmax"),
        ],
        name="mlp",
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=2, batch_size=32, verbose=0)
    return model


def test_save_and_load_round_trip_with_strata_and_sklearn_members(sklearn_members, tmp_path):
    estimators, x, y = sklearn_members
    model = _strata_member(x, y)
    path = tmp_path / "model.keras"
    model.save(path)
    ensemble = Ensemble([model, str(path), estimators[0], estimators[2]], method="geometric")
    x_val, y_val = _three_class_data(80, 6)
    ensemble.fit_weights(x_val, y_val)
    ensemble.save(tmp_path / "ens")
    loaded = load(tmp_path / "ens")
    assert loaded.names == ensemble.names and loaded.method == "geometric"
    np.testing.assert_allclose(loaded.weights_, ensemble.weights_)
    np.testing.assert_allclose(loaded.predict(x_val), ensemble.predict(x_val), atol=1e-6)
    assert loaded.member_losses_ == pytest.approx(ensemble.member_losses_)
    with pytest.raises(ValueError, match="callables have no safe file format"):
        Ensemble([model, const(P1)]).save(tmp_path / "bad")
    folds = Ensemble([FoldAverage([model, estimators[0]], name="cv_0")])
    folds.save(tmp_path / "folds")
    np.testing.assert_allclose(
        load(tmp_path / "folds").predict(x_val), folds.predict(x_val), atol=1e-6
    )


class Trap:
    """A class outside scikit-learn/NumPy/SciPy: loading it would run arbitrary code."""

    def __init__(self):
        self.value = 1


def test_skops_file_with_an_untrusted_type_is_refused(sklearn_members, tmp_path):
    import skops.io as sio
    from sklearn.preprocessing import FunctionTransformer

    estimators, x, y = sklearn_members
    Ensemble([estimators[0]]).save(tmp_path / "ens")
    # Swap the member for a transformer that would call os.system on load/use.
    import os

    sio.dump(FunctionTransformer(func=os.system), tmp_path / "ens" / "member_0.skops")
    with pytest.raises(ValueError, match="could run code") as info:
        load(tmp_path / "ens")
    assert "system" in str(info.value)
    with pytest.raises(ValueError, match="no manifest.json"):
        load(tmp_path)


def test_task_detection_one_hot_and_binary_targets():
    y = np.array([0, 1])
    by_index = Ensemble([const(P1)]).evaluate(X2, y)
    by_one_hot = Ensemble([const(P1)]).evaluate(X2, np.eye(3)[y])
    want = -np.mean(np.log([0.7, 0.6]))
    assert by_index["loss"] == pytest.approx(want) and by_one_hot == pytest.approx(by_index)
    assert by_index["accuracy"] == 1.0
    binary = Ensemble([const([[0.9], [0.4]])]).evaluate(X2, np.array([1, 1]))
    assert binary["loss"] == pytest.approx(-np.mean(np.log([0.9, 0.4])))
    assert binary["accuracy"] == 0.5
    regression = Ensemble([const([[0.9], [0.4]])]).evaluate(X2, np.array([2.0, 1.0]))
    assert regression["loss"] == pytest.approx((1.1**2 + 0.6**2) / 2) and "mae" in regression


def test_manifest_member_outside_the_folder_is_refused(sklearn_members, tmp_path):
    import json

    estimators, _, _ = sklearn_members
    Ensemble([estimators[0]]).save(tmp_path / "ens")
    manifest = json.loads((tmp_path / "ens" / "manifest.json").read_text())
    manifest["members"][0]["file"] = "../elsewhere.skops"
    (tmp_path / "ens" / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ValueError, match="outside the ensemble folder"):
        load(tmp_path / "ens")
