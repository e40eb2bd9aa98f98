"""Name scopes: the prefix of a variable's `path` (`"sequential/dense/kernel"`)."""

from __future__ import annotations

import threading

_local = threading.local()


def _stack() -> list[str]:
    stack = getattr(_local, "stack", None)
    if stack is None:
        stack = _local.stack = []
    return stack


class name_scope:  # noqa: N801 - Keras's spelling of a context manager class
    """Prefix the paths of the variables created inside with `name`.

    Scopes nest: variables made inside `name_scope("a")` and `name_scope("b")` get paths
    `"a/b/<name>"`. Layers open their own scope while they build, which is why a Dense layer's
    kernel is `"dense/kernel"`, or `"sequential/dense/kernel"` inside a Sequential.

    Args:
        name: the scope's name (a non-empty string without "/").
        caller: accepted for Keras compatibility (the object that opened the scope).
        deduplicate: when True (default), entering a scope named like the innermost open one
            adds nothing, as in Keras.
        override_parent: when given, this path replaces the enclosing scopes.

    Example:
        >>> import strata
        >>> with strata.name_scope("block"):
        ...     v = strata.Variable(initializer="zeros", shape=(2,), name="w")
        >>> v.path
        'block/w'
    """

    def __init__(self, name, caller=None, deduplicate=True, override_parent=None):
        if not isinstance(name, str) or not name or "/" in name:
            raise ValueError(
                f"name_scope expected a non-empty name without '/'; received {name!r}."
            )
        self.name = name
        self.caller = caller
        self.deduplicate = deduplicate
        self.override_parent = override_parent
        self._pushed = 0
        self._saved = None

    def __enter__(self):
        stack = _stack()
        if self.override_parent is not None:
            self._saved = list(stack)
            stack[:] = [p for p in self.override_parent.split("/") if p]
        if not (self.deduplicate and stack and stack[-1] == self.name):
            stack.append(self.name)
            self._pushed = 1
        return self

    def __exit__(self, *exc_info):
        stack = _stack()
        if self._pushed:
            stack.pop()
            self._pushed = 0
        if self._saved is not None:
            stack[:] = self._saved
            self._saved = None
        return False


def current_path() -> str:
    """The open scopes joined by "/" ("" outside any scope)."""
    return "/".join(_stack())


def join_path(name: str) -> str:
    """`name` under the open scopes: the path a variable made now gets."""
    prefix = current_path()
    return f"{prefix}/{name}" if prefix else name
