"""Ensemble.from_cv on real CVResults of strata.evaluation.cross_validate (no stand-ins)."""

import numpy as np

import strata
from strata import layers
from strata.ensembles import Ensemble
from strata.evaluation import cross_validate


def _build(units):
    def build():
        model = strata.Sequential(
            [
                strata.Input((6,)),
                layers.Dense(units, activation="relu"),
                layers.Dense(3, activation="softmax"),
            ]
        )
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        return model

    return build


def test_weights_learned_on_out_of_fold_predictions_of_two_cross_validated_models():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(90, 6)).astype("float32")
    y = (x[:, 0] > 0).astype("int64") + (x[:, 1] > 0.5)
    results = [
        cross_validate(
            _build(u),
            x,
            y,
            cv=3,
            repeats=2,
            seed=u,
            epochs=3,
            batch_size=16,
            verbose=0,
            return_models=True,
        )
        for u in (4, 16)
    ]
    ensemble = Ensemble.from_cv(results, y, seed=0)
    weights = np.asarray(ensemble.weights_)
    assert weights.shape == (2,) and np.all(weights >= 0) and np.isclose(weights.sum(), 1.0)
    # The weights were fitted on the out-of-fold predictions: the learned combination of those
    # predictions is no worse than either model's alone (log-loss over both repeats' mean).
    oof = [r.oof_predictions.mean(axis=0) for r in results]
    assert oof[0].shape == (90, 3)

    def log_loss(p):
        return float(-np.mean(np.log(np.clip(p[np.arange(90), y], 1e-7, 1.0))))

    combined = weights[0] * oof[0] + weights[1] * oof[1]
    assert log_loss(combined) <= min(log_loss(p) for p in oof) + 1e-6
    # Members default to each result's fold models averaged: 3 folds x 2 repeats each.
    predictions = ensemble.predict(x[:5])
    assert predictions.shape == (5, 3)
    np.testing.assert_allclose(predictions.sum(axis=1), 1.0, atol=1e-5)
