"""`HyperModel`: builds (and optionally trains) a model from hyperparameters."""

from __future__ import annotations

from strata.tuning.hyperparameters import HyperParameters


class HyperModel:
    """A model family: `build(hp)` returns a model for the values in `hp`.

    Subclass it and override `build`; override `fit` to tune training arguments (batch size,
    epochs) or to train in a custom way. `fit` may return the `History` of `model.fit`, a dict
    of metric values, or a single number (the objective value).

    Args:
        name: an optional name.
        tunable: when False, hyperparameters first declared in `build` are not added to the
            search space: they take their default (or an already-known value).

    Example:
        >>> class Hidden(HyperModel):
        ...     def build(self, hp):
        ...         return {"units": hp.Int("units", 8, 64, step=8)}
        >>> Hidden().build(HyperParameters.from_values({"units": 16}))
        {'units': 16}
    """

    def __init__(self, name=None, tunable=True):
        self.name = name
        self.tunable = tunable
        # The instance attribute shadows the subclass's `build` so `tunable` applies to it.
        self._build = self.build
        self.build = self._build_wrapper

    def build(self, hp):
        """Builds and returns a model using the hyperparameters in `hp`.

        Args:
            hp: a `HyperParameters`.

        Returns:
            A model.
        """
        raise NotImplementedError(
            f"{type(self).__name__} must override build(self, hp) to return a model built "
            f"from the hyperparameters in hp."
        )

    def _build_wrapper(self, hp, *args, **kwargs):
        if not self.tunable:
            # A recording copy: new declarations get defaults and stay out of `hp`'s space.
            hp = HyperParameters.from_config(hp.get_config())
        return self._build(hp, *args, **kwargs)

    def declare_hyperparameters(self, hp):
        """Declares hyperparameters before `build` (nothing by default)."""

    def fit(self, hp, model, *args, **kwargs):
        """Trains `model`; by default `model.fit(*args, **kwargs)`.

        Args:
            hp: the `HyperParameters` the model was built with (declare training
                hyperparameters such as `batch_size` on it).
            model: the model `build` returned.
            *args: positional arguments for `model.fit`.
            **kwargs: keyword arguments for `model.fit`.

        Returns:
            A `History`, a dict of metric values, or the objective value.
        """
        return model.fit(*args, **kwargs)


class _FunctionHyperModel(HyperModel):
    """Wraps a `build(hp)` function."""

    def __init__(self, build, name=None, tunable=True):
        super().__init__(name=name, tunable=tunable)
        self._build = build


def get_hypermodel(hypermodel):
    """A `HyperModel` from a `HyperModel`, a `build(hp)` callable, or None.

    Args:
        hypermodel: a `HyperModel`, a callable taking `hp` and returning a model, or None.

    Returns:
        A `HyperModel`, or None for None.

    Example:
        >>> model = get_hypermodel(lambda hp: hp.Int("units", 1, 4))
        >>> model.build(HyperParameters())
        1
    """
    if hypermodel is None or isinstance(hypermodel, HyperModel):
        return hypermodel
    if not callable(hypermodel):
        raise ValueError(
            f"A hypermodel is expected as a HyperModel or a callable build(hp) returning a "
            f"model; received {hypermodel!r}."
        )
    return _FunctionHyperModel(hypermodel)
