"""TorchModuleWrapper: any `torch.nn.Module` as a strata layer."""

from __future__ import annotations

import inspect

import torch

from strata.backend import config as backend_config
from strata.layers.layer import Layer

_JSON_SCALARS = (bool, int, float, str, type(None))


class TorchModuleWrapper(Layer):
    """Makes a `torch.nn.Module` a layer: its parameters are the layer's weights and train with
    the model, its buffers are non-trainable weights, and the output shape is inferred.

    The module is used as given (not copied): training the model updates it. Its train/eval
    mode follows the model's `training` flag, so dropout and batch norm inside it behave.
    Lazy modules (`torch.nn.LazyLinear`, ...) are materialized when the layer is built.

    The config describes the module without pickling it: modules of `torch.nn` (and
    `torch.nn.Sequential` of them) are rebuilt from the constructor arguments their attributes
    show; other classes come back through `custom_objects` or registration.

    Args:
        module: the `torch.nn.Module` to wrap.
        output_shape: the output shape without the batch axis; None infers it.

    Input shape:
        Whatever the module takes.

    Output shape:
        Whatever the module returns.

    Example:
        >>> import torch, strata
        >>> layer = strata.layers.TorchModuleWrapper(torch.nn.Linear(8, 3))
        >>> layer(strata.Input(shape=(8,))).shape
        (None, 3)
        >>> [tuple(w.shape) for w in layer.trainable_weights]
        [(3, 8), (3,)]
    """

    def __init__(self, module, name=None, output_shape=None, **kwargs):
        super().__init__(name=name, **kwargs)
        if not isinstance(module, torch.nn.Module):
            raise ValueError(
                f"TorchModuleWrapper expected a torch.nn.Module; received {type(module).__name__}."
            )
        if isinstance(module, Layer):
            raise ValueError(
                f"TorchModuleWrapper expected a plain torch.nn.Module; '{module.name}' is already "
                "a strata layer: use it directly."
            )
        self.module = module.to(backend_config.device())
        self.module.train(self.training)
        if not self.trainable:
            self.module.requires_grad_(False)
        self._output_shape = None if output_shape is None else tuple(output_shape)

    def build(self, input_shape):
        lazy = any(torch.nn.parameter.is_lazy(p) for p in self.module.parameters())
        if lazy:

            def sample(shape):
                sizes = [1 if d is None else d for d in shape]
                return torch.zeros(sizes, device=backend_config.device())

            shapes = input_shape if isinstance(input_shape, list) else [input_shape]
            with torch.no_grad():
                self.module(*[sample(s) for s in shapes])
        self.built = True

    def call(self, *args, training=None, **kwargs):
        if training is not None and self.module.training != bool(training):
            self.module.train(bool(training))
        return self.module(*args, **kwargs)

    def compute_output_spec(self, *args, **kwargs):
        from strata.backend.keras_tensor import KerasTensor

        if self._output_shape is None:
            return super().compute_output_spec(*args, **kwargs)
        first = args[0]
        batch = first.shape[0] if first.shape else None
        return KerasTensor((batch, *self._output_shape), first.dtype)

    def get_config(self):
        output_shape = None if self._output_shape is None else list(self._output_shape)
        return {
            **super().get_config(),
            "module": describe_module(self.module),
            "output_shape": output_shape,
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        if not isinstance(config["module"], torch.nn.Module):
            config["module"] = module_from_description(config["module"], custom_objects)
        return cls(**config)


def describe_module(module: torch.nn.Module) -> dict:
    """A JSON description of a module: its class and the constructor arguments it shows."""
    cls = type(module)
    if cls is torch.nn.Sequential:
        return {
            "class_name": "Sequential",
            "module": "torch.nn",
            "layers": [describe_module(child) for child in module],
        }
    return {"class_name": cls.__name__, "module": cls.__module__, "config": _arguments_of(module)}


def _arguments_of(module) -> dict | None:
    """Constructor arguments read back from same-named attributes; None when one is missing."""
    try:
        parameters = inspect.signature(type(module).__init__).parameters
    except (TypeError, ValueError):
        return None
    found = {}
    for name, parameter in list(parameters.items())[1:]:
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        if name in ("device", "dtype"):
            continue
        value = getattr(module, name, inspect.Parameter.empty)
        if name == "bias" and (value is None or isinstance(value, torch.Tensor)):
            value = value is not None  # torch stores the bias tensor under the flag's name
        if value is inspect.Parameter.empty or not _is_json(value):
            if parameter.default is inspect.Parameter.empty:
                return None
            continue
        found[name] = list(value) if isinstance(value, tuple) else value
    return found


def _is_json(value) -> bool:
    if isinstance(value, (list, tuple)):
        return all(_is_json(v) for v in value)
    return isinstance(value, _JSON_SCALARS)


def module_from_description(description: dict, custom_objects=None) -> torch.nn.Module:
    """A fresh module from `describe_module`'s output (fresh parameters).

    Classes come from `custom_objects`, a custom object scope or the registry by name, or from
    `torch.nn` itself for descriptions whose module is part of `torch.nn`; nothing is imported.

    Raises:
        ValueError: the class is unknown or its constructor arguments were not recoverable.
    """
    from strata.saving.registry import get_registered_object

    name = description.get("class_name")
    if name == "Sequential" and "layers" in description:
        children = [module_from_description(d, custom_objects) for d in description["layers"]]
        return torch.nn.Sequential(*children)
    found = get_registered_object(name, custom_objects)
    if isinstance(found, torch.nn.Module):
        return found
    if found is None and str(description.get("module", "")).startswith("torch.nn"):
        candidate = getattr(torch.nn, str(name), None)
        if inspect.isclass(candidate) and issubclass(candidate, torch.nn.Module):
            found = candidate
    if found is None:
        raise ValueError(
            f"TorchModuleWrapper cannot rebuild a module of class '{name}' "
            f"(from {description.get('module')!r}): expected a torch.nn class or the class (or "
            f"an instance) in custom_objects={{'{name}': ...}}; received only its name."
        )
    arguments = description.get("config")
    if arguments is None:
        raise ValueError(
            f"TorchModuleWrapper cannot rebuild '{name}': its constructor arguments could not "
            f"be read from the module's attributes; pass an instance in custom_objects="
            f"{{'{name}': module}}."
        )
    return found(**{k: tuple(v) if isinstance(v, list) else v for k, v in arguments.items()})
