"""LambdaCallback: a callback made of plain functions."""

from __future__ import annotations

from strata.callbacks.callback import Callback

_HOOKS = frozenset(
    name for name in vars(Callback) if name.startswith("on_") and callable(vars(Callback)[name])
)


class LambdaCallback(Callback):
    """Calls the given functions at the matching points of training.

    Epoch hooks receive `(epoch, logs)`, batch hooks `(batch, logs)`, train hooks `(logs)`.
    Hooks not given do nothing (and batch hooks not given cost nothing per step).

    Args:
        on_epoch_begin: called at the start of every epoch.
        on_epoch_end: called at the end of every epoch.
        on_train_begin: called at the start of `fit`.
        on_train_end: called at the end of `fit`.
        on_train_batch_begin: called before every training batch.
        on_train_batch_end: called after every training batch.
        **kwargs: any other hook by its name (`on_batch_end`, `on_test_begin`, ...).

    Example:
        >>> import strata
        >>> seen = []
        >>> callback = strata.callbacks.LambdaCallback(
        ...     on_epoch_end=lambda epoch, logs: seen.append(epoch))
    """

    def __init__(
        self,
        on_epoch_begin=None,
        on_epoch_end=None,
        on_train_begin=None,
        on_train_end=None,
        on_train_batch_begin=None,
        on_train_batch_end=None,
        **kwargs,
    ):
        super().__init__()
        hooks = dict(
            on_epoch_begin=on_epoch_begin,
            on_epoch_end=on_epoch_end,
            on_train_begin=on_train_begin,
            on_train_end=on_train_end,
            on_train_batch_begin=on_train_batch_begin,
            on_train_batch_end=on_train_batch_end,
        )
        unknown = sorted(set(kwargs) - _HOOKS)
        if unknown:
            raise TypeError(
                f"LambdaCallback expected hook names among {sorted(_HOOKS)}; received {unknown}."
            )
        hooks.update(kwargs)
        for name, function in hooks.items():
            if function is None:
                continue
            if not callable(function):
                raise TypeError(
                    f"LambdaCallback expected a callable for {name}; received "
                    f"{type(function).__name__}."
                )
            # An instance attribute shadows the no-op method; CallbackList sees it as a hook.
            setattr(self, name, function)
