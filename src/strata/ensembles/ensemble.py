"""`Ensemble`: weighted combinations of strata, scikit-learn and callable members."""

from __future__ import annotations

import warnings

import numpy as np

from strata.ensembles import _combine, _members, _weights
from strata.ensembles._report import EnsembleReport, build_report


class Ensemble:
    """A weighted ensemble of already trained models.

    Members may be strata models, paths to saved strata models, fitted scikit-learn
    estimators (`predict_proba` for classifiers, `predict` for regressors) or callables
    `x -> predictions`. Their outputs must agree in shape (checked on the first prediction).

    Args:
        members: The members, in order.
        weights: One non-negative weight per member (normalized to sum to one); `None` for
            equal weights until `fit_weights` learns them.
        method: `"mean"` (weighted mean of probabilities or predictions), `"geometric"`
            (weighted mean of log-probabilities, exponentiated and renormalized) or `"vote"`
            (weighted share of the members' argmax votes per class).
        trained_on: Optional list, one entry per member, of the inputs that member was
            trained on (or `None`), so `fit_weights` can warn when weighting data overlap them.
        names: Optional report names, one per member (default: the model's `name`, the
            estimator's class name or the callable's `__name__`, made unique).

    Example:
        >>> import numpy as np
        >>> a = lambda x: np.tile([0.8, 0.2], (len(x), 1))
        >>> b = lambda x: np.tile([0.4, 0.6], (len(x), 1))
        >>> Ensemble([a, b], weights=[3, 1]).predict(np.zeros((1, 4))).round(2).tolist()
        [[0.7, 0.3]]
    """

    def __init__(self, members, weights=None, method="mean", trained_on=None, names=None):
        if isinstance(members, (str, bytes)) or not hasattr(members, "__iter__"):
            raise ValueError(
                f"members must be a list of models; received {type(members).__name__}."
            )
        members = [_members.resolve(m) for m in members]
        if not members:
            raise ValueError("An Ensemble needs at least one member; received an empty list.")
        if method not in _combine.METHODS:
            raise ValueError(f"method must be one of {_combine.METHODS}; received {method!r}.")
        self.members = members
        self.kinds = [_members.member_kind(m) for m in members]
        self.names = _members.unique_names(
            [_members.member_name(m, k) for m, k in zip(members, self.kinds)]
        )
        if names is not None:
            if len(names) != len(members) or len(set(names)) != len(names):
                raise ValueError(
                    f"names must be {len(members)} distinct strings, one per member; "
                    f"received {names!r}."
                )
            self.names = [str(n) for n in names]
        self.method = method
        self.weights_ = self._check_weights(weights)
        self.member_losses_ = None
        self.ensemble_loss_ = None
        self.equal_weight_loss_ = None
        self.task_ = None
        self._shapes_checked = False
        self._weighting_rows = None
        if trained_on is not None and len(trained_on) != len(members):
            raise ValueError(
                f"trained_on must have one entry per member ({len(members)}); "
                f"received {len(trained_on)}."
            )
        trained_on = trained_on or [None] * len(members)
        self._trained_rows = [None if x is None else _combine.row_hashes(x) for x in trained_on]

    def _check_weights(self, weights):
        count = len(self.members)
        if weights is None:
            return np.full(count, 1.0 / count)
        w = np.asarray(weights, dtype=np.float64).reshape(-1)
        if w.shape != (count,) or np.any(w < 0) or not np.isfinite(w).all() or w.sum() <= 0:
            raise ValueError(
                f"weights must be {count} non-negative numbers with a positive sum (one per "
                f"member); received {weights!r}."
            )
        return w / w.sum()

    @property
    def weights(self):
        """The current weights (equal until learned or given)."""
        return self.weights_

    def member_predictions(self, x):
        """Every member's predictions on `x`, stacked: `(members, n, *out)`."""
        outputs = [_members.predict_member(k, m, x) for k, m in zip(self.kinds, self.members)]
        if not self._shapes_checked or len({o.shape for o in outputs}) > 1:
            _members.check_shapes(outputs, self.kinds, self.names)
            self._shapes_checked = True
        return np.stack(outputs)

    def predict(self, x):
        """The combined predictions of the members on `x` (a NumPy array)."""
        return _combine.combine(self.member_predictions(x), self.weights_, self.method)

    def _task(self, y, pred, loss):
        if loss in ("crossentropy", "log_loss"):
            return "binary" if pred.ndim == 1 or pred.shape[-1] == 1 else "multiclass"
        if loss == "mse":
            return "regression"
        if loss != "auto":
            raise ValueError(f"loss must be 'auto', 'crossentropy' or 'mse'; received {loss!r}.")
        return _combine.detect_task(y, pred)

    def evaluate(self, x, y, metrics=None, loss="auto"):
        """Scores of the ensemble on `(x, y)`, as a dict like `Model.evaluate(return_dict=True)`.

        Args:
            x: Inputs.
            y: Targets: class indices or one-hot rows (classification), values (regression).
            metrics: Extra metrics: names among `"accuracy"`, `"mae"`, `"mse"`, or strata
                metric objects (`update_state`/`result`). By default `accuracy` for
                classification and `mae` for regression.
            loss: `"auto"` (classification when predictions are rows of probabilities),
                `"crossentropy"` or `"mse"`.

        Returns:
            `{"loss": ..., <metric>: ...}`; the loss is the log-loss or the mean squared error.
        """
        pred = self.predict(x)
        task = self._task(y, pred, loss)
        out = {"loss": _combine.loss_value(y, pred, task)}
        if metrics is None:
            metrics = ["mae"] if task == "regression" else ["accuracy"]
        for metric in metrics:
            if metric == "accuracy":
                out["accuracy"] = _combine.accuracy(y, pred, task)
            elif metric == "mae":
                out["mae"] = _combine.mae(y, pred)
            elif metric == "mse":
                out["mse"] = _combine.loss_value(y, pred, "regression")
            elif hasattr(metric, "update_state"):
                metric.reset_state()
                metric.update_state(np.asarray(y), pred)
                out[metric.name] = float(np.asarray(metric.result()))
            else:
                raise ValueError(
                    "metrics must be 'accuracy', 'mae', 'mse' or metric objects; "
                    f"received {metric!r}."
                )
        return out

    def fit_weights(self, x_val, y_val, loss="auto", method="nelder-mead", seed=None, **kwargs):
        """Learn the weights on validation data the members were not trained on.

        The members predict `x_val` once; the search then only recombines those predictions.

        Args:
            x_val: Validation inputs.
            y_val: Validation targets.
            loss: `"auto"`, `"crossentropy"` or `"mse"`: what the weights minimize.
            method: `"nelder-mead"` (SciPy's simplex search over softmax logits, so weights
                stay non-negative and sum to one; kept only if it beats equal weights and each
                single member), `"random"` (best of `n_trials` Dirichlet samples) or
                `"greedy"` (Caruana's ensemble selection with replacement, `n_iterations`).
            seed: Seed of the random search.
            **kwargs: `n_trials`, `alpha` (random); `n_iterations` (greedy); `maxiter` and
                SciPy options (Nelder-Mead).

        Returns:
            The ensemble itself, with `weights_`, `member_losses_` (name -> validation loss),
            `ensemble_loss_` and `equal_weight_loss_` set.
        """
        rows = _combine.row_hashes(x_val)
        for name, trained in zip(self.names, self._trained_rows):
            shared = _combine.overlap(rows, trained)
            if shared:
                warnings.warn(
                    f"fit_weights: {shared} of the {len(rows)} weighting rows were used to train "
                    f"member {name!r}; weights learned on them favour members that memorized them.",
                    stacklevel=2,
                )
        self._weighting_rows = rows
        return self._fit_on_predictions(
            self.member_predictions(x_val), y_val, loss, method, seed, **kwargs
        )

    def _fit_on_predictions(self, predictions, y, loss, method, seed, **kwargs):
        task = self._task(y, predictions[0], loss)
        self.task_ = task
        self.weights_ = _weights.search(
            method, predictions, y, self.method, task, seed=seed, **kwargs
        )
        self.member_losses_ = {
            name: _combine.loss_value(y, p, task) for name, p in zip(self.names, predictions)
        }
        self.ensemble_loss_ = _weights.ensemble_loss(
            predictions, y, self.weights_, self.method, task
        )
        equal = np.full(len(self.members), 1.0 / len(self.members))
        self.equal_weight_loss_ = _weights.ensemble_loss(predictions, y, equal, self.method, task)
        return self

    def report(self, x_test, y_test, print_table=True, loss="auto") -> EnsembleReport:
        """Scores of each member, the equal-weight mean and the weighted ensemble on test data.

        Warns when the test rows were the weighting rows. Classification shows accuracy and
        log-loss; regression mse and mae. The members' pairwise correlation of per-row errors
        (1 - p(true class), or residuals) measures their diversity: lower is more diverse.

        Returns:
            An `EnsembleReport` (`records`, `diversity`, `weights`, `text`; printed by default).
        """
        shared = _combine.overlap(_combine.row_hashes(x_test), self._weighting_rows)
        if shared:
            warnings.warn(
                f"report: {shared} of the {len(y_test)} test rows were used by fit_weights; "
                "score the ensemble on data used by neither training nor weighting.",
                stacklevel=2,
            )
        predictions = self.member_predictions(x_test)
        task = self._task(y_test, predictions[0], loss)
        result = build_report(self, predictions, y_test, task)
        if print_table:
            print(result.text)
        return result

    @classmethod
    def from_cv(
        cls,
        results,
        y,
        members=None,
        method="mean",
        x=None,
        fit_method="nelder-mead",
        **fit_weights_kwargs,
    ):
        """Stacking without leakage: weights learned on cross-validation's out-of-fold predictions.

        Args:
            results: `CVResult`s of `strata.evaluation.cross_validate`, one per candidate model
                (each with `oof_predictions` of shape `(n, *out)` or `(repeats, n, *out)`,
                `models` and `fold_indices`). Repeats are averaged.
            y: The targets the out-of-fold predictions are scored against.
            members: The members (e.g. the models refit on all the data); by default, each
                result's fold models averaged (needs `return_models=True`).
            method: The combination method.
            x: Optionally the cross-validated inputs, so `report` warns if scored on them.
            fit_method: The weight search (`fit_weights`'s `method`).
            **fit_weights_kwargs: `loss`, `seed`, and the search's options.

        Returns:
            An `Ensemble` with learned weights.
        """
        results = list(results)
        n = len(y)
        oof = [_oof_mean(getattr(r, "oof_predictions", None), n, i) for i, r in enumerate(results)]
        if members is None:
            members = []
            for index, result in enumerate(results):
                if not getattr(result, "models", None):
                    raise ValueError(
                        f"from_cv: result {index} has no fold models (run cross_validate with "
                        "return_models=True) and no members were given."
                    )
                members.append(_members.FoldAverage(result.models, name=f"cv_{index}"))
        if len(members) != len(results):
            raise ValueError(f"from_cv: {len(results)} results but {len(members)} members.")
        ensemble = cls(members, method=method)
        names, kinds = ensemble.names, ensemble.kinds
        _members.check_shapes(oof, [f"{k} (out-of-fold)" for k in kinds], names)
        if x is not None:
            ensemble._weighting_rows = _combine.row_hashes(x)
        loss = fit_weights_kwargs.pop("loss", "auto")
        seed = fit_weights_kwargs.pop("seed", None)
        return ensemble._fit_on_predictions(
            np.stack(oof), y, loss, fit_method, seed, **fit_weights_kwargs
        )

    def save(self, path):
        """Save to a folder: a JSON manifest and members in safe formats (no pickle).

        Args:
            path: The folder (created when missing). Load it with `strata.ensembles.load`.

        Raises:
            ValueError: For callable members, which have no safe format.
        """
        from strata.ensembles._io import save

        save(self, path)


def _oof_mean(oof, n, index):
    if oof is None:
        raise ValueError(f"from_cv: result {index} has no oof_predictions.")
    oof = np.asarray(oof, dtype=np.float64)
    if oof.shape[0] != n and oof.ndim >= 2 and oof.shape[1] == n:
        oof = oof.mean(axis=0)  # (repeats, n, *out): every row predicted once per repeat
    if oof.shape[0] != n:
        raise ValueError(
            f"from_cv: result {index}'s oof_predictions have shape {oof.shape}; expected "
            f"({n}, ...) or (repeats, {n}, ...) for {n} targets."
        )
    if not np.isfinite(oof).all():
        raise ValueError(f"from_cv: result {index}'s oof_predictions hold NaN or inf values.")
    return oof
