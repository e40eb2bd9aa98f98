"""The stateful `Metric` base, and the `Mean`, `Sum` and `MeanMetricWrapper` reducers.

A metric's state is a handful of torch tensors. They are created on the CPU and move, once, to
the device of the first batch they see; `update_state` only does in-place tensor arithmetic
there, so the training loop never waits for a value to come back to the host.
"""

import torch

from strata import backend
from strata.backend.name_scope import join_path, name_scope
from strata.backend.naming import to_snake_case, unique_name
from strata.backend.variables import Variable
from strata.losses.loss import as_like, squeeze_or_expand_to_same_rank


class Metric:
    """Base class of stateful metrics.

    Subclasses create their state with `add_variable` (or `add_weight`) in `__init__` and
    implement `update_state(y_true, y_pred, sample_weight=None)` and `result()`. The state is
    made of `strata.Variable`s (`assign`, `assign_add`, `numpy()`, path `"<metric>/<name>"`),
    on the device of `strata.backend.device()`; they move to the device of the first batch an
    update sees when that differs.

    Args:
        name: the metric's name, which is its key in the training history (default: the class
            name in snake case, made unique).
        dtype: the dtype of the state (default: `strata.backend.floatx()`).

    Example:
        >>> import torch
        >>> class Count(Metric):
        ...     def __init__(self, name=None, dtype=None):
        ...         super().__init__(name=name, dtype=dtype)
        ...         self.count = self.add_variable(shape=(), initializer="zeros", name="count")
        ...     def update_state(self, y_true, y_pred, sample_weight=None):
        ...         self.count.assign_add(y_pred.shape[0])
        ...     def result(self):
        ...         return self.count.value
        >>> m = Count()
        >>> m.update_state(None, torch.zeros(3)); m.update_state(None, torch.zeros(2))
        >>> float(m.result())
        5.0
    """

    def __init__(self, name=None, dtype=None):
        self.name = name or unique_name(to_snake_case(type(self).__name__))
        self._dtype_arg = backend.standardize_dtype(dtype)
        self._variable_names: list[str] = []
        self._initial_values: dict[str, float] = {}
        self._variables_by_name: dict[str, Variable] = {}
        self._device = backend.device()

    @property
    def dtype(self) -> str:
        return self._dtype_arg or backend.floatx()

    @property
    def torch_dtype(self) -> torch.dtype:
        return backend.to_torch_dtype(self.dtype)

    def add_variable(self, shape=(), initializer=0.0, dtype=None, aggregation="sum", name=None):
        """Create a state variable filled with `initializer`, and return it.

        Args:
            shape: the variable's shape (Keras's first argument). A string here is taken as
                the name (strata's earlier `add_variable(name, shape)` order).
            initializer: a number or Keras's `"zeros"` / `"ones"`.
            dtype: the dtype (default: the metric's).
            aggregation: accepted for Keras compatibility: state adds up over processes in a
                data-parallel run ("sum").
            name: the variable's name; the metric keeps it as the attribute `self.<name>` too
                unless it is taken.

        Returns:
            The `strata.Variable` (not trainable) holding the state.
        """
        if isinstance(shape, str):  # strata's earlier order: add_variable(name, shape, ...)
            shape, initializer, name = initializer if initializer != 0.0 else (), 0.0, shape
        if aggregation not in ("sum", "mean", "none", None):
            raise ValueError(
                f"Metric '{self.name}' expected aggregation 'sum'; received {aggregation!r}."
            )
        name = name or f"variable_{len(self._variable_names)}"
        if name in self._variable_names:
            raise ValueError(f"Metric '{self.name}' already has a variable named '{name}'.")
        fill = _initial_value(initializer, self.name)
        dtype = backend.to_torch_dtype(dtype) if dtype is not None else self.torch_dtype
        value = torch.full(tuple(shape), fill, dtype=dtype, device=self._device)
        with name_scope(self.name, caller=self):
            path = join_path(name)
        variable = Variable.wrap(value, trainable=False, name=name, path=path)
        variable.aggregation = aggregation
        self._variable_names.append(name)
        self._variables_by_name[name] = variable
        self._initial_values[name] = fill
        if not hasattr(self, name):
            setattr(self, name, variable)
        return variable

    def add_weight(self, shape=(), initializer="zeros", dtype=None, name=None):
        """Keras's other name for `add_variable` (custom metrics written for Keras use it)."""
        return self.add_variable(shape=shape, initializer=initializer, dtype=dtype, name=name)

    @property
    def variables(self) -> list[torch.Tensor]:
        """The state variables, in creation order."""
        return [self._variables_by_name[name] for name in self._variable_names]

    def _place(self, like) -> None:
        """Move the state to `like`'s device if it lives elsewhere (the first update's)."""
        target = like.device if isinstance(like, torch.Tensor) else self._device
        if target != self._device:
            for name, variable in list(self._variables_by_name.items()):
                try:
                    variable.data = variable.data.to(target)  # in place: references stay valid
                except RuntimeError:  # devices torch cannot swap in place (meta): a new one
                    self._replace_variable(name, variable, variable.to(target))
            self._device = target

    def __setstate__(self, state):
        from strata.backend.variables import restore

        self.__dict__.update(state)
        for name, old in list(self._variables_by_name.items()):
            new = restore(old)
            if new is not old:
                self._variables_by_name[name] = new
                for attribute, value in list(vars(self).items()):
                    if value is old:
                        setattr(self, attribute, new)

    def _replace_variable(self, name, old, tensor) -> None:
        new = Variable.wrap(tensor, trainable=False, name=old.name, path=old.path)
        new.aggregation = old.aggregation
        self._variables_by_name[name] = new
        for attribute, value in list(vars(self).items()):
            if value is old:
                setattr(self, attribute, new)

    def stateless_result(self, metric_variables) -> torch.Tensor:
        """The result the metric would give with state `metric_variables` (in `variables`
        order); the metric's own state is left as it was."""
        kept = self.variables
        if len(metric_variables) != len(kept):
            raise ValueError(
                f"Metric '{self.name}' expected {len(kept)} state tensors; "
                f"received {len(metric_variables)}."
            )
        saved = [v.detach().clone() for v in kept]
        # Inference mode: state first created during evaluate() is an inference tensor, which
        # may only be written inside it (writing a normal tensor there is fine too).
        with torch.inference_mode():
            try:
                for variable, value in zip(kept, metric_variables):
                    variable.assign(value)
                result = self.result()
                # A result that is a state variable itself is read before the state comes back.
                return result.detach().clone() if isinstance(result, Variable) else result
            finally:
                for variable, value in zip(kept, saved):
                    variable.assign(value)

    def reset_state(self) -> None:
        """Return every state variable to its initial value (in place, on its device)."""
        with torch.no_grad():
            for name in self._variable_names:
                self._variables_by_name[name].fill_(self._initial_values[name])

    def update_state(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must implement update_state().")

    def result(self) -> torch.Tensor:
        raise NotImplementedError(f"{type(self).__name__} must implement result().")

    def __call__(self, *args, **kwargs) -> torch.Tensor:
        """Update with one batch and return the running result."""
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self._dtype_arg}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r}>"


def _initial_value(initializer, metric_name) -> float:
    if isinstance(initializer, str) and initializer in ("zeros", "ones"):
        return 0.0 if initializer == "zeros" else 1.0
    if isinstance(initializer, (int, float)) and not isinstance(initializer, bool):
        return float(initializer)
    raise ValueError(
        f"Metric '{metric_name}' expected an initializer 'zeros', 'ones' or a number; received "
        f"{initializer!r}."
    )


def _to_tensor(values, dtype) -> torch.Tensor:
    if not isinstance(values, torch.Tensor):
        return backend.convert_to_tensor(values, dtype=backend.standardize_dtype(dtype))
    values = values.detach()  # a loss given to a Mean must not tie the state to its graph
    return values if values.dtype == dtype else values.to(dtype)


def reduce_to_samplewise(values, sample_weight, reduce_fn):
    """Per-sample values and weights, as Keras's `Mean` sees them.

    Values are reduced with `reduce_fn` over the axes the weights do not have, weighted, then
    reduced to one value per sample; weights are broadcast and summed per sample alike.
    """
    if sample_weight is not None:
        sample_weight = as_like(sample_weight, values)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        weight_ndim = sample_weight.dim()
        if values.dim() > weight_ndim:
            values = reduce_fn(values, dim=tuple(range(weight_ndim, values.dim())))
        sample_weight = torch.broadcast_to(sample_weight, values.shape)
        values = values * sample_weight
        if weight_ndim > 1:
            sample_weight = sample_weight.sum(dim=tuple(range(1, weight_ndim)))
    if values.dim() > 1:
        values = reduce_fn(values, dim=tuple(range(1, values.dim())))
    return values, sample_weight


class Mean(Metric):
    """The (weighted) mean of the values it is given.

    Example:
        >>> m = Mean()
        >>> m.update_state([1.0, 3.0]); m.update_state([5.0], sample_weight=[2.0])
        >>> float(m.result())
        3.5
    """

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable("total", ())
        self.count = self.add_variable("count", ())

    def update_state(self, values, sample_weight=None):
        values = _to_tensor(values, self.torch_dtype)
        self._place(values)
        values, sample_weight = reduce_to_samplewise(values, sample_weight, torch.mean)
        self.total.add_(values.sum())
        if sample_weight is not None:
            self.count.add_(sample_weight.sum())
        else:
            self.count.add_(values.shape[0] if values.dim() >= 1 else 1)

    def result(self):
        return torch.where(self.count != 0, self.total / self.count, torch.zeros_like(self.total))


class Sum(Metric):
    """The (weighted) sum of the values it is given."""

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable("total", ())

    def update_state(self, values, sample_weight=None):
        values = _to_tensor(values, self.torch_dtype)
        self._place(values)
        values, _ = reduce_to_samplewise(values, sample_weight, torch.sum)
        self.total.add_(values.sum())

    def result(self):
        return self.total.clone()


class MeanMetricWrapper(Mean):
    """The running mean of `fn(y_true, y_pred, **kwargs)`, a function of per-sample values.

    Args:
        fn: the function; it returns one value per sample (or per entry).
        name: the metric's name (default: the function's name).
        dtype: see `Metric`.
        **kwargs: keyword arguments passed to `fn`.

    Example:
        >>> from strata.losses import mean_absolute_error
        >>> m = MeanMetricWrapper(mean_absolute_error)
        >>> m.update_state([[0.0], [0.0]], [[1.0], [3.0]])
        >>> m.name, float(m.result())
        ('mean_absolute_error', 2.0)
    """

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(
            name=name or getattr(fn, "__name__", None) or "mean_metric_wrapper", dtype=dtype
        )
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        super().update_state(values, sample_weight=sample_weight)

    def get_config(self):
        config = super().get_config()
        if type(self) is MeanMetricWrapper:
            from strata.saving.registry import serialize_keras_object

            config["fn"] = serialize_keras_object(self._fn)
        return {**config, **self._fn_kwargs}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if cls is MeanMetricWrapper:
            fn = config.pop("fn")
            if isinstance(fn, str):
                from strata.metrics import deserialize_function

                fn = deserialize_function(fn)
            return cls(fn, **config)
        return cls(**config)
