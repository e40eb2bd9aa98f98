"""Lambda: wraps a Python function as a layer, without putting code in its config.

A Lambda's config names its function but holds no code, so loading a file never runs code from
it (DESIGN.md, "Safe files"). Code travels only on request: `Lambda.function_source()` gives the
function's source text, a saver may store it with the user's consent, and
`deserialize_function(source, safe_mode)` turns it back into a function only when safe mode is
off (`safe_mode=False`, or inside `safe_mode_scope(False)`).
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import inspect
import textwrap
import threading

from strata.layers.layer import Layer

_LAMBDA_NAME = "<lambda>"
_state = threading.local()


def _safe_mode_default() -> bool:
    if hasattr(_state, "safe_mode"):
        return _state.safe_mode
    from strata.saving.saving_lib import in_safe_mode

    return in_safe_mode()


@contextlib.contextmanager
def include_source_scope(include: bool = True):
    """Within the block, `Lambda.get_config()` carries the function's source (the saver opens
    it only when the user passed `allow_lambda_source=True`)."""
    previous = getattr(_state, "include_source", False)
    _state.include_source = include
    try:
        yield
    finally:
        _state.include_source = previous


@contextlib.contextmanager
def safe_mode_scope(safe_mode: bool = True):
    """Within the block, `deserialize_function(source)` follows `safe_mode` (True refuses).

    A loader given `safe_mode=False` by the user opens this scope around deserialization.

    Example:
        >>> from strata.layers.core.lambda_layer import deserialize_function, safe_mode_scope
        >>> with safe_mode_scope(False):
        ...     deserialize_function("lambda x: x + 1")(2)
        3
    """
    previous = _safe_mode_default()
    _state.safe_mode = bool(safe_mode)
    try:
        yield
    finally:
        _state.safe_mode = previous


def deserialize_function(source: str, safe_mode: bool | None = None, custom_objects=None):
    """A function from its source text (a lambda expression or a `def`), in unsafe mode only.

    Args:
        source: what `Lambda.function_source()` returned.
        safe_mode: True refuses; False runs the source; None follows `safe_mode_scope`
            (True unless a scope says otherwise).
        custom_objects: extra names the source may refer to (`torch`, `numpy as np`, `strata`
            and `keras` (strata) are always available).

    Raises:
        ValueError: safe mode is on, or the source defines no function.
    """
    if safe_mode is None:
        safe_mode = _safe_mode_default()
    if safe_mode:
        raise ValueError(
            "Refusing to deserialize a Lambda's Python source: turning it into a function would "
            "run code from the file. If you trust the file, pass safe_mode=False (e.g. "
            "load_model(path, safe_mode=False))."
        )
    import numpy
    import torch

    import strata

    namespace = {
        "__builtins__": builtins,
        "torch": torch,
        "np": numpy,
        "numpy": numpy,
        "strata": strata,
        "keras": strata,
        **(custom_objects or {}),
    }
    tree = ast.parse(textwrap.dedent(source))
    if len(tree.body) == 1 and isinstance(tree.body[0], ast.Expr):
        return eval(
            compile(ast.Expression(tree.body[0].value), "<lambda source>", "eval"), namespace
        )
    exec(compile(tree, "<lambda source>", "exec"), namespace)
    defined = [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    if not defined:
        raise ValueError(
            f"deserialize_function expected a lambda expression or a def; received {source!r}."
        )
    return namespace[defined[-1]]


class Lambda(Layer):
    """Wraps an arbitrary function of tensors as a layer (for quick, weightless operations).

    Args:
        function: a function of the input (a tensor or a list of tensors). It may take
            `mask` and `training` keyword arguments, which the layer then passes.
        output_shape: the output shape without the batch axis (a tuple), or a function of the
            full input shape; None infers it by running the function on shape-only tensors.
        mask: None (no mask), a function `(inputs, mask) -> mask`, or a fixed mask.
        arguments: extra keyword arguments for `function` (JSON values).

    The config stores the function's name, never its code, so a loaded Lambda finds its
    function through `custom_objects` (or a scope); `function_source()` gives the code for
    savers that store it with the user's consent.

    Input shape:
        Whatever `function` takes.

    Output shape:
        Whatever `function` returns (or `output_shape`).

    Example:
        >>> import strata
        >>> double = strata.layers.Lambda(lambda x: 2 * x)
        >>> double(strata.Input(shape=(3,))).shape
        (None, 3)
        >>> double.get_config()["function"]
        '<lambda>'
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise ValueError(f"Lambda expected a callable function; received {function!r}.")
        self.function = function
        self._output_shape = output_shape
        self.mask = mask
        self.arguments = dict(arguments or {})
        self.supports_masking = mask is not None
        try:
            parameters = inspect.signature(function).parameters
        except (TypeError, ValueError):
            parameters = {}
        self._fn_takes_mask = "mask" in parameters
        self._fn_takes_training = "training" in parameters

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._fn_takes_mask:
            kwargs["mask"] = mask
        if self._fn_takes_training:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_mask(self, inputs, mask=None):
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            raise NotImplementedError(
                f"Lambda '{self.name}' has no output_shape; call it on a symbolic tensor to "
                "infer one."
            )
        if callable(self._output_shape):
            return tuple(self._output_shape(input_shape))
        first = input_shape[0] if input_shape and isinstance(input_shape[0], tuple) else None
        batch = first[0] if first is not None else input_shape[0]
        return (batch, *tuple(self._output_shape))

    def compute_output_spec(self, *args, **kwargs):
        from strata.backend.keras_tensor import KerasTensor
        from strata.layers.shape_inference import infer_output_spec

        if self._output_shape is None:
            return infer_output_spec(self, args, kwargs)  # runs the function on meta tensors
        first = args[0]
        if isinstance(first, (list, tuple)):
            input_shape = [t.shape for t in first]
            dtype = first[0].dtype
        else:
            input_shape, dtype = first.shape, first.dtype
        shape = self.compute_output_shape(input_shape)
        return KerasTensor(shape, dtype, has_mask=self.mask is not None)

    def function_source(self) -> str:
        """The function's source text: the lambda expression itself where it can be isolated,
        else the dedented source lines that define it.

        Raises:
            ValueError: Python has no source for the function (defined in an interactive
                session or built from compiled code).
        """
        try:
            source = textwrap.dedent(inspect.getsource(self.function))
        except (OSError, TypeError) as error:
            raise ValueError(
                f"Lambda '{self.name}': the source of {self.function!r} is not available ({error})."
            ) from error
        if getattr(self.function, "__name__", None) == _LAMBDA_NAME:
            return _isolate_lambda(source, self.function.__code__) or source.strip()
        return source

    def get_config(self):
        config = {
            **super().get_config(),
            "function": _function_name(self.function),
            "module": getattr(self.function, "__module__", None),
            "output_shape": _shape_or_name(self._output_shape),
            "mask": _function_name(self.mask) if callable(self.mask) else None,
            "arguments": dict(self.arguments),
        }
        if getattr(_state, "include_source", False):
            config["function_source"] = self.function_source()
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None, safe_mode=None):
        """A Lambda from its config: the function is looked up by name, or rebuilt from a
        `"function_source"` entry only when safe mode is off.

        Raises:
            ValueError: the function cannot be found, or source is given in safe mode.
        """
        config = dict(config)
        source = config.pop("function_source", None)
        module = config.pop("module", None)
        function = config.get("function")
        if source is not None:
            config["function"] = deserialize_function(source, safe_mode, custom_objects)
        elif not callable(function):
            config["function"] = _resolve(function, module, custom_objects, "function")
        if isinstance(config.get("output_shape"), str):
            config["output_shape"] = _resolve(
                config["output_shape"], None, custom_objects, "output_shape"
            )
        elif config.get("output_shape") is not None:
            config["output_shape"] = tuple(config["output_shape"])
        if isinstance(config.get("mask"), str):
            config["mask"] = _resolve(config["mask"], None, custom_objects, "mask")
        return cls(**config)


def _function_name(function) -> str:
    from strata.saving.registry import get_registered_name

    return get_registered_name(function)


def _shape_or_name(output_shape):
    if output_shape is None:
        return None
    if callable(output_shape):
        return _function_name(output_shape)
    return list(output_shape)


def _resolve(name, module, custom_objects, what):
    """A function by name: custom objects, a scope, the registry, then strata's activations."""
    from strata.saving.registry import get_registered_object

    found = get_registered_object(name, custom_objects)
    if found is None and module and module.startswith("strata."):
        from strata import activations

        try:
            found = activations.get(name)
        except ValueError:
            found = None
    if found is None:
        raise ValueError(
            f"Lambda cannot restore its {what} '{name}': a Lambda's config names its function "
            "but holds no code. Expected the function in custom_objects (e.g. "
            f"load_model(path, custom_objects={{'{name}': fn}})), registered, or saved with its "
            f"source and loaded with safe_mode=False; received only the name '{name}'."
        )
    return found


def _isolate_lambda(source: str, code) -> str | None:
    """The text of the lambda expression in `source` that compiles like `code`.

    Free variables compile as globals in isolation, so the comparison uses the argument names
    and the names the body refers to rather than the bytecode.
    """
    wanted = (code.co_varnames[: code.co_argcount], set(code.co_names) | set(code.co_freevars))
    candidates = []
    for start in (i for i in range(len(source)) if source.startswith("lambda", i)):
        for end in range(len(source), start, -1):
            text = source[start:end].strip()
            try:
                tree = ast.parse(text, mode="eval")
            except SyntaxError:
                continue
            if isinstance(tree.body, ast.Lambda):
                inner = next(
                    c for c in compile(tree, "<lambda>", "eval").co_consts if inspect.iscode(c)
                )
                found = (inner.co_varnames[: inner.co_argcount], set(inner.co_names))
                candidates.append((text, found == wanted))
                break  # the longest lambda from this start is the whole expression
    matching = [text for text, matches in candidates if matches]
    if len(matching) == 1:
        return matching[0]
    return candidates[0][0] if len(candidates) == 1 else None
