"""A node of a functional graph: one call of a layer on symbolic tensors."""

from __future__ import annotations

from strata.backend.keras_tensor import KerasTensor, flatten


class Node:
    """Records `layer(*args, **kwargs) -> outputs` where some arguments are KerasTensors.

    The node appends itself to `layer._inbound_nodes` and stamps each output tensor with
    `(layer, node_index, tensor_index)` so graphs can be walked back from their outputs.
    """

    def __init__(self, layer, call_args, call_kwargs, outputs):
        self.layer = layer
        self.call_args = tuple(call_args)
        self.call_kwargs = dict(call_kwargs)
        self.input_tensors = [
            t
            for t in flatten([list(self.call_args), self.call_kwargs])
            if isinstance(t, KerasTensor)
        ]
        self.outputs = outputs
        self.output_tensors = flatten(outputs)
        node_index = len(layer._inbound_nodes)
        layer._inbound_nodes.append(self)
        for tensor_index, tensor in enumerate(self.output_tensors):
            tensor._keras_history = (layer, node_index, tensor_index)
            if tensor.name is None:
                tensor.name = layer.name

    @property
    def is_input(self) -> bool:
        return not self.input_tensors
