"""Sequential: a linear stack of layers, built as a functional graph once its input is known."""

from __future__ import annotations

from strata.backend.keras_tensor import KerasTensor
from strata.backend.name_scope import name_scope
from strata.layers.core.input_layer import InputLayer
from strata.layers.layer import Layer
from strata.models.functional import Functional
from strata.models.model import Model


class Sequential(Functional):
    """A stack of layers, each feeding the next.

    The input shape comes from an `InputLayer`/`Input` first entry, from `input_shape=` on the
    first layer (Keras 2 style), or from the first data the model sees.

    Example:
        >>> import strata
        >>> from strata import layers
        >>> model = strata.Sequential()
        >>> model.add(layers.Dense(32, activation="relu", input_shape=(64,)))
        >>> model.add(layers.Dense(10, activation="softmax"))
        >>> model.count_params()
        2410
    """

    def __init__(self, layers=None, trainable=True, name=None, **kwargs):
        Model.__init__(self, name=name, trainable=trainable, **kwargs)
        self._stack: list[Layer] = []
        # Kept out of torch's module registry: the graph re-registers the model's layers.
        self.__dict__["_input_layer"] = None
        self._graph_layers = []
        self.inputs, self.outputs = [], []
        self.built = False
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._maybe_rebuild()

    def add(self, layer, rebuild=True) -> None:
        """Append a layer (or an `Input` tensor / InputLayer, which sets the input shape)."""
        if isinstance(layer, KerasTensor) and layer._keras_history is not None:
            layer = layer._keras_history[0]
        if isinstance(layer, InputLayer):
            if self._input_layer is not None or self._stack:
                raise ValueError(
                    "Sequential expected its InputLayer first; received one after "
                    f"{len(self._stack)} layer(s)."
                )
            self.__dict__["_input_layer"] = layer
        elif isinstance(layer, Layer):
            if any(existing.name == layer.name for existing in self._stack):
                raise ValueError(
                    f"Every layer of a model needs a unique name; '{layer.name}' is already in "
                    f"Sequential '{self.name}'."
                )
            self._stack.append(layer)
            self._modules[layer.name.replace(".", "_")] = layer
        else:
            raise ValueError(
                f"Sequential.add expected a strata Layer; received {type(layer).__name__}. "
                "Wrap plain torch modules in strata.layers.TorchModuleWrapper."
            )
        if rebuild:
            self._maybe_rebuild()

    def pop(self, rebuild=True) -> Layer:
        """Remove and return the last layer."""
        if not self._stack:
            raise TypeError("There are no layers in this Sequential model to pop.")
        layer = self._stack.pop()
        del self._modules[layer.name.replace(".", "_")]
        self.built = False
        if rebuild:
            self._maybe_rebuild()
        return layer

    def _input_batch_shape(self):
        if self._input_layer is not None:
            return self._input_layer.batch_shape, self._input_layer.dtype
        if self._stack and self._stack[0]._batch_input_shape is not None:
            first = self._stack[0]
            return first._batch_input_shape, first._dtype_name
        return None, None

    def _maybe_rebuild(self) -> None:
        batch_shape, dtype = self._input_batch_shape()
        if batch_shape is None or not self._stack:
            return
        self._build_graph(batch_shape, dtype)

    def _build_graph(self, batch_shape, dtype) -> None:
        self._forget_previous_graph()
        if self._input_layer is None:
            inputs = InputLayer(batch_shape=batch_shape, dtype=dtype)._input_tensor
        else:
            inputs = self._input_layer._input_tensor
        x = inputs
        with name_scope(self.name, caller=self):  # weight paths "sequential/dense/kernel"
            for layer in self._stack:
                x = layer(x)
        self._init_graph(inputs, x)
        self._built_input_shape = tuple(self.inputs[0].shape)
        self._graph_nodes = [(layer, layer._inbound_nodes[-1]) for layer in self._stack]

    def _forget_previous_graph(self) -> None:
        """Drop the nodes of the graph an earlier add() built, so `layer.output` is current."""
        for layer, node in getattr(self, "_graph_nodes", []):
            if layer._inbound_nodes and layer._inbound_nodes[-1] is node:
                layer._inbound_nodes.pop()
        self._graph_nodes = []

    def build(self, input_shape=None):
        if input_shape is None:
            batch_shape, dtype = self._input_batch_shape()
            if batch_shape is None:
                raise ValueError(
                    "Sequential.build expected an input shape (or a model with an input); "
                    "received none."
                )
            input_shape = batch_shape
        self._build_graph(tuple(input_shape), None)

    def _build_for(self, input_shape):
        # Called on first use with data: Keras builds from the data's shape with a free batch.
        shape = (None, *tuple(input_shape)[1:])
        self._build_graph(shape, None)
        self._built_input_shape = shape

    @property
    def layers(self) -> list[Layer]:
        return list(self._stack)

    def _sublayers(self):
        return list(self._stack)

    def call(self, inputs, training=None, mask=None):
        if not self.built:
            self._build_for(tuple(inputs.shape))
        return super().call(inputs, training=training, mask=mask)

    def compute_output_spec(self, *args, **kwargs):
        if not self.built:
            self._build_graph((None, *args[0].shape[1:]), args[0].dtype)
        return super().compute_output_spec(*args, **kwargs)

    def get_config(self):
        from strata.saving.registry import serialize_keras_object

        layers = []
        if self._input_layer is not None:
            layers.append(serialize_keras_object(self._input_layer))
        layers += [serialize_keras_object(layer) for layer in self._stack]
        config = {"name": self.name, "trainable": self.trainable, "layers": layers}
        if self.built and self._input_layer is None:
            config["build_input_shape"] = list(self.inputs[0].shape)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from strata.layers import deserialize as deserialize_layer

        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        for layer_config in config["layers"]:
            model.add(deserialize_layer(layer_config, custom_objects=custom_objects), rebuild=False)
        if config.get("build_input_shape") and model._input_layer is None:
            model._build_graph(tuple(config["build_input_shape"]), None)
        else:
            model._maybe_rebuild()
        return model
