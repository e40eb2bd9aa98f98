"""scikit-learn estimators that build, fit and query a strata model.

The model is given either as a compiled strata `Model` (cloned, with its compile settings, at
each fit unless `warm_start`) or as a function `model(X=..., y=..., **model_kwargs)` that
returns a compiled model sized for the data it sees. All constructor arguments are stored
unchanged, so `sklearn.base.clone`, `get_params`/`set_params`, grid searches, pipelines and
`cross_val_score` work as with any scikit-learn estimator.
"""

from __future__ import annotations

import copy
import os
import tempfile

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, TransformerMixin
from sklearn.preprocessing import OneHotEncoder
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data


class SKLBase(BaseEstimator):
    """What the three wrappers share: model construction, fit and predict.

    Args:
        model: a compiled strata `Model`, or a callable returning one. A callable is called as
            `model(X=X, y=y, **model_kwargs)` with the validated (and, for classifiers,
            one-hot encoded) training data.
        warm_start: when True, a second `fit` keeps training the model of the first one
            instead of starting from a fresh model.
        model_kwargs: keyword arguments for `model` when it is a callable.
        fit_kwargs: keyword arguments for `Model.fit` (`epochs`, `batch_size`, ...); keyword
            arguments given to `fit` itself take precedence.
    """

    def __init__(self, model, warm_start=False, model_kwargs=None, fit_kwargs=None):
        self.model = model
        self.warm_start = warm_start
        self.model_kwargs = model_kwargs
        self.fit_kwargs = fit_kwargs

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Weight initialization and batch shuffling make two fits differ.
        tags.non_deterministic = True
        return tags

    def __sklearn_clone__(self):
        # A model instance is copied so that clones never train the same weights; a function
        # is shared as it is.
        model = self.model if _is_builder(self.model) else copy.deepcopy(self.model)
        params = self.get_params(deep=False)
        params["model"] = model
        return type(self)(**params)

    def __getstate__(self):
        # Pickling (joblib's n_jobs, sklearn's checks) goes through strata's own file format:
        # the fitted model travels as the bytes of a saved model, never as pickled modules.
        state = dict(self.__dict__)
        if "model_" in state:
            state["model_"] = _ModelBytes(state["model_"])
        if state.get("history_") is not None:
            # Only the record travels; the callback's links to the model and run do not.
            from strata.callbacks import History

            history = History()
            history.load_state_dict(state["history_"].state_dict())
            state["history_"] = history
        if isinstance(state.get("model"), _model_class()):
            state["model"] = _ModelBytes(state["model"])
        return state

    def __setstate__(self, state):
        for key in ("model_", "model"):
            if isinstance(state.get(key), _ModelBytes):
                state[key] = state[key].load()
        self.__dict__.update(state)

    @property
    def epoch_(self):
        """The number of epochs the last `fit` ran (0 before any)."""
        history = getattr(self, "history_", None)
        return len(history.epoch) if history is not None else 0

    def fit(self, X, y, **kwargs):
        """Build (or, with `warm_start`, reuse) the model and train it on `X`, `y`.

        Args:
            X: array-like of shape `(n_samples, n_features)`.
            y: array-like of shape `(n_samples,)` or `(n_samples, n_outputs)`.
            **kwargs: passed to `Model.fit` (e.g. `epochs`, `sample_weight`), overriding
                `fit_kwargs`.

        Returns:
            self.
        """
        X, y = self._validate_xy(X, y)
        X = X.astype("float32", copy=False)
        y = self._encode_target(y, reset=True)
        if self.warm_start and hasattr(self, "model_"):
            model = self.model_
        else:
            model = self._build_model(X, y)
        _check_compiled(model)
        fit_kwargs = dict(self.fit_kwargs or {})
        fit_kwargs.update(kwargs)
        fit_kwargs.setdefault("verbose", 0)
        self.history_ = model.fit(X, y, **fit_kwargs)
        self.model_ = model
        return self

    def _raw_predict(self, X):
        check_is_fitted(self, "model_")
        X = validate_data(self, X, reset=False).astype("float32", copy=False)
        return np.asarray(self.model_.predict(X, verbose=0))

    def predict(self, X):
        """The model's predictions for `X`, decoded to the target's form.

        Args:
            X: array-like of shape `(n_samples, n_features)`.

        Returns:
            An array shaped like the `y` given to `fit` (classifiers: class labels).
        """
        return self._decode_target(self._raw_predict(X))

    def _build_model(self, X, y):
        from strata.models import Model, clone_model

        if isinstance(self.model, Model):
            model = clone_model(self.model)
            if self.model.compiled:
                model.compile_from_config(self.model.get_compile_config())
            return model
        if not callable(self.model):
            raise ValueError(
                f"{type(self).__name__} expected `model` to be a strata Model or a callable "
                f"returning one; received {type(self.model).__name__}."
            )
        return self.model(X=X, y=y, **(self.model_kwargs or {}))

    def _validate_xy(self, X, y):
        return validate_data(self, X, y, multi_output=True, y_numeric=True)

    def _encode_target(self, y, reset=False):
        if type_of_target(y) == "unknown":
            raise ValueError(f"Unknown label type for y: {y!r}")
        if reset:
            self._y_ndim = y.ndim
        return np.asarray(y, dtype="float32").reshape(len(y), -1)

    def _decode_target(self, y_pred):
        if self._y_ndim == 1 and y_pred.ndim == 2 and y_pred.shape[1] == 1:
            return y_pred[:, 0]
        return y_pred


class SKLearnClassifier(ClassifierMixin, SKLBase):
    """A scikit-learn classifier around a strata model.

    Labels are one-hot encoded before training (`classes_` holds them, sorted), so the model
    should end in one unit per class (softmax) and be compiled with a categorical loss.
    `predict` returns the label of the largest output, `decision_function` and `predict_proba`
    the model's outputs.

    Args:
        model: a compiled strata `Model`, or a callable `model(X=..., y=..., **model_kwargs)`
            returning one; `y` is the one-hot encoded target.
        warm_start: keep training the same model across `fit` calls.
        model_kwargs: keyword arguments for `model` when it is a callable.
        fit_kwargs: keyword arguments for `Model.fit`.

    Example:
        >>> import numpy as np, strata
        >>> from strata.wrappers import SKLearnClassifier
        >>> def build(X, y):
        ...     model = strata.Sequential([strata.Input((X.shape[1],)),
        ...                                strata.layers.Dense(y.shape[1], activation="softmax")])
        ...     model.compile(loss="categorical_crossentropy", optimizer="adam")
        ...     return model
        >>> X = np.random.rand(20, 3); y = np.arange(20) % 2
        >>> clf = SKLearnClassifier(build, fit_kwargs={"epochs": 1}).fit(X, y)
        >>> clf.classes_, clf.predict(X).shape, clf.predict_proba(X).shape
        (array([0, 1]), (20,), (20, 2))
    """

    def _validate_xy(self, X, y):
        # One label per sample: a column vector is flattened with scikit-learn's warning.
        return validate_data(self, X, y)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.poor_score = True
        return tags

    def _encode_target(self, y, reset=False):
        kind = type_of_target(y)
        if kind == "unknown":
            raise ValueError(f"Unknown label type for y: {np.asarray(y).dtype} values.")
        if kind not in ("binary", "multiclass"):
            raise ValueError(
                f"{type(self).__name__} expected a binary or multiclass target; received a "
                f"target of type {kind!r}."
            )
        column = np.asarray(y).reshape(-1, 1)
        if reset:
            self.classes_ = np.unique(y)
            if len(self.classes_) < 2:
                raise ValueError(
                    f"{type(self).__name__} needs at least 2 classes to train; received 1 "
                    f"class ({self.classes_[0]!r})."
                )
            self._encoder = OneHotEncoder(sparse_output=False).fit(column)
        return self._encoder.transform(column).astype("float32")

    def _decode_target(self, y_pred):
        return self.classes_[np.argmax(y_pred, axis=1)]

    def decision_function(self, X):
        """The model's raw outputs for `X`, one column per class of `classes_`."""
        return self._raw_predict(X)

    def predict_proba(self, X):
        """Class probabilities for `X`, one column per class of `classes_`.

        The model's outputs, which are probabilities when it ends in a softmax.
        """
        return self._raw_predict(X)


def _multi_output_tags(tags):
    tags.target_tags.multi_output = True
    return tags


class SKLearnRegressor(RegressorMixin, SKLBase):
    """A scikit-learn regressor around a strata model.

    Args:
        model: a compiled strata `Model`, or a callable `model(X=..., y=..., **model_kwargs)`
            returning one; `y` is the target as 2D float32 (one column per output).
        warm_start: keep training the same model across `fit` calls.
        model_kwargs: keyword arguments for `model` when it is a callable.
        fit_kwargs: keyword arguments for `Model.fit`.

    Example:
        >>> import numpy as np, strata
        >>> from strata.wrappers import SKLearnRegressor
        >>> def build(X, y):
        ...     model = strata.Sequential([strata.Input((X.shape[1],)),
        ...                                strata.layers.Dense(y.shape[1])])
        ...     model.compile(loss="mse", optimizer="adam")
        ...     return model
        >>> X = np.random.rand(20, 3); y = X.sum(axis=1)
        >>> SKLearnRegressor(build).fit(X, y).predict(X).shape
        (20,)
    """

    def predict(self, X):
        """Predicted values for `X` (float64, scikit-learn's precision for regressors).

        Args:
            X: array-like of shape `(n_samples, n_features)`.

        Returns:
            An array shaped like the `y` given to `fit`.
        """
        return super().predict(X).astype("float64")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.regressor_tags.poor_score = True
        return _multi_output_tags(tags)


class SKLearnTransformer(TransformerMixin, SKLBase):
    """A scikit-learn transformer whose `transform` is the model's `predict`.

    A transformer in scikit-learn's sense (a pipeline step), for instance an embedding model
    feeding a classifier. `fit` trains the model on `X`, `y` as the other wrappers do.

    Args:
        model: a compiled strata `Model`, or a callable `model(X=..., y=..., **model_kwargs)`
            returning one.
        warm_start: keep training the same model across `fit` calls.
        model_kwargs: keyword arguments for `model` when it is a callable.
        fit_kwargs: keyword arguments for `Model.fit`.

    Example:
        >>> import numpy as np, strata
        >>> from strata.wrappers import SKLearnTransformer
        >>> def build(X, y):
        ...     model = strata.Sequential([strata.Input((X.shape[1],)),
        ...                                strata.layers.Dense(y.shape[1])])
        ...     model.compile(loss="mse", optimizer="adam")
        ...     return model
        >>> X = np.random.rand(20, 3); y = X[:, :2]
        >>> SKLearnTransformer(build).fit(X, y).transform(X).shape
        (20, 2)
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = []
        return _multi_output_tags(tags)

    def transform(self, X):
        """The model's outputs for `X`.

        Args:
            X: array-like of shape `(n_samples, n_features)`.

        Returns:
            A numpy array of the model's outputs.
        """
        return self._raw_predict(X)


def _model_class():
    from strata.models import Model

    return Model


def _is_builder(model):
    return callable(model) and not isinstance(model, _model_class())


class _ModelBytes:
    """A model as the bytes of strata's saved-model file (what a pickle of a wrapper holds)."""

    def __init__(self, model):
        from strata.saving import save_model

        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "model.keras")
            save_model(model, path)
            with open(path, "rb") as file:
                self.data = file.read()

    def load(self):
        from strata.saving import load_model

        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "model.keras")
            with open(path, "wb") as file:
                file.write(self.data)
            return load_model(path)


def _check_compiled(model):
    from strata.models import Model

    if not isinstance(model, Model):
        raise ValueError(
            f"The wrapper's model function expected to return a strata Model; received "
            f"{type(model).__name__}."
        )
    if not model.compiled or model.optimizer is None:
        raise RuntimeError(
            "The wrapper's model must be compiled with a loss and an optimizer before fit; "
            "received an uncompiled model."
        )
