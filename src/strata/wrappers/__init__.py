"""scikit-learn estimators around strata models (Keras 3's `keras.wrappers`).

scikit-learn is imported on first use of a wrapper, so `import strata` stays fast.
"""

__all__ = ["SKLearnClassifier", "SKLearnRegressor", "SKLearnTransformer"]


def __getattr__(name):
    if name in __all__:
        from strata.wrappers import sklearn_wrapper

        return getattr(sklearn_wrapper, name)
    raise AttributeError(f"module 'strata.wrappers' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
