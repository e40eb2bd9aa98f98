"""Model: a Layer that can be trained, summarized, saved; the base of Functional and Sequential."""

from __future__ import annotations

from strata.layers.layer import Layer
from strata.trainers.trainer import Trainer

_MODEL_KWARGS = {"name", "trainable", "dtype"}
_FUNCTIONAL_SUBCLASSES = {}


def _functional_subclass(cls, functional):
    """`cls` with Functional after it in the method order (made once per class)."""
    if cls not in _FUNCTIONAL_SUBCLASSES:
        _FUNCTIONAL_SUBCLASSES[cls] = type(
            cls.__name__,
            (cls, functional),
            {"__module__": cls.__module__, "__qualname__": cls.__qualname__},
        )
    return _FUNCTIONAL_SUBCLASSES[cls]


def _is_functional_call(args, kwargs) -> bool:
    """`Model(inputs, outputs)`: symbolic tensors as the first two arguments or as keywords.

    A subclass's own positional arguments (`VAE(784, 64)`) are not a graph.
    """
    from strata.backend.keras_tensor import any_symbolic

    if "inputs" in kwargs or "outputs" in kwargs:
        return any_symbolic([kwargs.get("inputs"), kwargs.get("outputs"), *args[:2]])
    return len(args) >= 2 and any_symbolic(args[0]) and any_symbolic(args[1])


class Model(Trainer, Layer):
    """A trainable group of layers.

    `Model(inputs, outputs)` builds a functional model (a graph of layers); subclassing `Model`
    and defining `call` gives a model whose forward pass is any Python code. Either way the
    model is a `torch.nn.Module`.

    Example:
        >>> import strata
        >>> from strata import layers
        >>> inputs = strata.Input(shape=(64,))
        >>> x = layers.Dense(32, activation="relu")(inputs)
        >>> outputs = layers.Dense(10, activation="softmax")(x)
        >>> strata.Model(inputs, outputs).count_params()
        2410
    """

    def __new__(cls, *args, **kwargs):
        if _is_functional_call(args, kwargs):
            from strata.models.functional import Functional

            if cls is Model:
                return Functional.__new__(Functional)
            if not issubclass(cls, Functional):
                # Keras's pattern for a custom train_step on a graph: `class M(Model)` built as
                # `M(inputs, outputs)` is a functional model with M's methods on top.
                return super().__new__(_functional_subclass(cls, Functional))
        return super().__new__(cls)

    def __init__(self, *args, **kwargs):
        unknown = sorted(set(kwargs) - _MODEL_KWARGS)
        if args or unknown:
            received = [f"{len(args)} positional argument(s)"] if args else []
            received += [f"keyword argument(s) {unknown}"] if unknown else []
            raise TypeError(
                f"{type(self).__name__} (a Model) expected only the keyword arguments "
                f"{sorted(_MODEL_KWARGS)}; received {' and '.join(received)}. A subclass takes "
                "its own arguments in its __init__ and passes name=/trainable=/dtype= on."
            )
        Layer.__init__(self, **kwargs)
        Trainer.__init__(self)

    @property
    def layers(self) -> list[Layer]:
        return self._sublayers()

    def get_layer(self, name=None, index=None) -> Layer:
        """A layer by name or by index in `model.layers`."""
        if index is not None and name is not None:
            raise ValueError("get_layer expected a name or an index; received both.")
        if index is not None:
            if not -len(self.layers) <= index < len(self.layers):
                raise ValueError(
                    f"get_layer expected an index below {len(self.layers)}; received {index}."
                )
            return self.layers[index]
        if name is not None:
            for layer in self.layers:
                if layer.name == name:
                    return layer
            raise ValueError(
                f"No layer named '{name}'; the model's layers are "
                f"{[layer.name for layer in self.layers]}."
            )
        raise ValueError("get_layer expected a name or an index; received neither.")

    def freeze(self, up_to=None):
        """Freeze the layer `up_to` (a name or an index in `model.layers`) and every layer
        below it; all layers when None. Layers above are left as they are.

        A frozen BatchNormalization runs in inference mode. Returns the names of the layers
        frozen. See `strata.models.freezing.freeze`.

        Example:
            >>> import strata
            >>> from strata import layers
            >>> model = strata.Sequential([
            ...     strata.Input((4,)), layers.Dense(3, name="hidden1"),
            ...     layers.Dense(3, name="hidden2"), layers.Dense(2, name="head")])
            >>> model.freeze(up_to="hidden2")
            ['hidden1', 'hidden2']
            >>> len(model.trainable_weights)
            2
        """
        from strata.models.freezing import freeze

        return freeze(self, up_to)

    def unfreeze(self, top=None, from_=None):
        """Unfreeze the `top` topmost layers with weights, or the layer `from_` (a name or an
        index) and every layer above it; all layers with neither.

        Returns the names of the layers unfrozen. See `strata.models.freezing.unfreeze`.

        Example:
            >>> import strata
            >>> from strata import layers
            >>> model = strata.Sequential([
            ...     strata.Input((4,)), layers.Dense(3, name="hidden1"),
            ...     layers.Dense(3, name="hidden2"), layers.Dense(2, name="head")])
            >>> model.trainable = False
            >>> model.unfreeze(top=1)
            ['head']
            >>> model.unfreeze(from_="hidden2")
            ['hidden2', 'head']
        """
        from strata.models.freezing import unfreeze

        return unfreeze(self, top=top, from_=from_)

    def summary(
        self,
        line_length=None,
        positions=None,
        print_fn=None,
        expand_nested=False,
        show_trainable=False,
        layer_range=None,
    ):
        """Print a table of layers, output shapes and parameter counts, as Keras does."""
        from strata.utils.summary_utils import print_summary

        print_summary(
            self,
            line_length=line_length,
            positions=positions,
            print_fn=print_fn,
            expand_nested=expand_nested,
            show_trainable=show_trainable,
            layer_range=layer_range,
        )

    def save(self, filepath, overwrite=True, include_optimizer=True, **kwargs):
        """Save architecture, weights and compile settings in one safe zip (no pickle)."""
        from strata.saving.saving_lib import save_model

        save_model(
            self, filepath, overwrite=overwrite, include_optimizer=include_optimizer, **kwargs
        )

    def save_weights(self, filepath, overwrite=True):
        """Save the weights alone (safetensors in a zip), in Keras's layouts and order."""
        from strata.saving.saving_lib import save_weights

        save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, skip_mismatch=False, by_name=None, layers=None, rename=None):
        """Load weights saved by `save_weights` or `save`, all or some; never unpickles.

        See `strata.saving.load_weights` for the arguments. Returns a `LoadReport`.
        """
        from strata.saving.saving_lib import load_weights

        return load_weights(
            self,
            filepath,
            skip_mismatch=skip_mismatch,
            by_name=by_name,
            layers=layers,
            rename=rename,
        )

    def export(self, filepath, format="onnx", verbose=None, input_signature=None, **kwargs):
        """Export the inference function for serving: `"onnx"` (onnxruntime) or `"torch"`.

        See `strata.export.export_model` for the arguments. Keras's TensorFlow formats are
        refused with an error that names these two.
        """
        from strata.export import export_model

        return export_model(
            self,
            filepath,
            format=format,
            verbose=verbose,
            input_signature=input_signature,
            **kwargs,
        )

    def get_config(self) -> dict:
        config = {"name": self.name, "trainable": self.trainable}
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        if {"layers", "input_layers", "output_layers"} <= set(config):
            from strata.models.functional_config import functional_from_config

            return functional_from_config(cls, config, custom_objects)
        return super().from_config(config)

    def to_json(self, **kwargs) -> str:
        import json

        from strata.saving.registry import serialize_keras_object

        return json.dumps(serialize_keras_object(self), **kwargs)
