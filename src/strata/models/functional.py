"""Functional models: a directed acyclic graph of layers, run as a precomputed flat plan."""

from __future__ import annotations

import torch

from strata.backend.keras_tensor import KerasTensor, flatten, map_structure, pack_like
from strata.layers.core.input_layer import InputLayer
from strata.models.model import Model
from strata.models.plan import has_hooks


class Functional(Model):
    """A model made of the layers between symbolic `inputs` and `outputs`.

    `Model(inputs, outputs)` returns one. Inputs and outputs may each be a single tensor, a list
    or a dict. The graph is walked once, when the model is made: a flat plan of
    (layer, input slots, output slots) then runs every call with no graph walking.

    Raises:
        ValueError: an output depends on a tensor that is not among `inputs` (the graph is
            disconnected), or two layers share a name.
    """

    def __init__(self, inputs, outputs, name=None, trainable=True, **kwargs):
        super().__init__(name=name, trainable=trainable, **kwargs)
        self._init_graph(inputs, outputs)

    # ---------------------------------------------------------------------------- graph making
    def _init_graph(self, inputs, outputs) -> None:
        self._input_structure = _as_structure(inputs)
        self._output_structure = _as_structure(outputs)
        self.inputs = flatten(self._input_structure)
        self.outputs = flatten(self._output_structure)
        for tensor in self.inputs + self.outputs:
            if not isinstance(tensor, KerasTensor):
                raise ValueError(
                    "Model expected symbolic tensors (from strata.Input and layer calls) as inputs "
                    f"and outputs; received {type(tensor).__name__}."
                )
        nodes = self._nodes_between_inputs_and_outputs()
        self._graph_layers = _layers_in_keras_order(nodes)
        self._register_layers()
        self._plan = _make_plan(nodes, self.inputs, self.outputs)
        self._output_has_mask = any(t.has_mask for t in self.outputs)
        self.built = True
        self._built_input_shape = [t.shape for t in self.inputs]

    def _nodes_between_inputs_and_outputs(self):
        """Nodes in an order where every node comes after the nodes it depends on."""
        input_ids = {id(t) for t in self.inputs}
        ordered, visited, path = [], set(), set()

        def visit(tensor, output):
            if id(tensor) in input_ids:
                return
            node = tensor.node
            if id(node) in visited:
                return
            if node.is_input:
                raise ValueError(_disconnected_message(tensor, output, self.inputs))
            if id(node) in path:
                raise ValueError(f"The graph has a cycle through layer '{node.layer.name}'.")
            path.add(id(node))
            for parent in node.input_tensors:
                visit(parent, output)
            path.discard(id(node))
            visited.add(id(node))
            ordered.append(node)

        for output in self.outputs:
            if output._keras_history is None:
                raise ValueError(f"Output {output} was not produced by a layer.")
            visit(output, output)
        return ordered

    def _register_layers(self) -> None:
        names = {}
        for layer in self._graph_layers:
            if layer.name in names and names[layer.name] is not layer:
                raise ValueError(
                    f"Every layer of a model needs a unique name; '{layer.name}' is used by "
                    f"{type(names[layer.name]).__name__} and {type(layer).__name__}."
                )
            names[layer.name] = layer
        for key in [k for k, m in self._modules.items() if isinstance(m, torch.nn.Module)]:
            del self._modules[key]
        for layer in self._graph_layers:
            if not isinstance(layer, InputLayer):
                # Written into _modules directly: a layer may be named like a Model attribute
                # ("output", "input"), which add_module would refuse.
                self._modules[layer.name.replace(".", "_")] = layer

    @property
    def layers(self) -> list:
        return list(self._graph_layers)

    def _sublayers(self):
        # In Keras's order, InputLayers included (they hold no weights but follow `trainable`).
        return list(self._graph_layers)

    @property
    def input_names(self) -> list[str]:
        return [t.node.layer.name for t in self.inputs]

    @property
    def output_names(self) -> list[str]:
        if isinstance(self._output_structure, dict):
            return list(self._output_structure)
        return [t._keras_history[0].name for t in self.outputs]

    @property
    def input(self):
        return self._input_structure

    @property
    def output(self):
        return self._output_structure

    @property
    def input_shape(self):
        return map_structure(lambda t: t.shape, self._input_structure)

    @property
    def output_shape(self):
        return map_structure(lambda t: t.shape, self._output_structure)

    # --------------------------------------------------------------------------------- running
    def call(self, inputs, training=None, mask=None):
        flat = self._flatten_inputs(inputs)
        outputs = self._run_plan(flat, training=bool(training))
        return pack_like(self._output_structure, outputs)

    def _flatten_inputs(self, inputs) -> list[torch.Tensor]:
        """Inputs given as a tensor, list or dict, in the order of `self.inputs`, checked."""
        from strata.trainers.input_checks import flatten_model_inputs

        return flatten_model_inputs(self, inputs)

    def _flat_forward(self, xs, training, logits=False):
        """The plan's flat outputs; with `logits`, outputs trained from their logits stop
        before their softmax/sigmoid (the training loss needs the logits)."""
        plan = self._logits_plan() if logits else self._plan
        if has_hooks(self):
            return self._flat_forward_with_hooks(xs, training, plan)
        return plan.run(xs, training)

    def _flat_forward_with_hooks(self, xs, training, plan):
        """The model's own hooks fire as on `model(x)`; outputs trained from their logits are
        computed again without their activation (hooks see the probabilities)."""
        structured = pack_like(self._input_structure, list(xs))
        outputs = flatten(torch.nn.Module.__call__(self, structured, training=training))
        return outputs if plan is self._plan else plan.run(xs, training)

    def _logits_plan(self):
        """The plan whose softmax/sigmoid outputs stop at their logits (made once per compile)."""
        cached = getattr(self, "_cached_logits_plan", None)
        if cached is None or cached[0] is not self._plan:
            layers = {t.logits_layer for t in self._targets if t.logits_layer is not None}
            plan = self._plan
            if layers:
                from strata.models.plan import Plan

                nodes = self._nodes_between_inputs_and_outputs()
                plan = Plan(nodes, self.inputs, self.outputs, logits_layers=layers)
            cached = (self._plan, plan)
            self._cached_logits_plan = cached
        return cached[1]

    def _run_plan(self, flat_inputs, training=False):
        """Run the plan on tensors given in `self.inputs` order; returns the flat outputs."""
        return self._plan.run(flat_inputs, training)

    def compute_mask(self, inputs, mask=None):
        if not self._output_has_mask:
            return None
        raise NotImplementedError("Masks from nested models are not propagated.")

    def compute_output_spec(self, *args, **kwargs):
        from strata.layers.shape_inference import infer_output_spec

        return infer_output_spec(self, args, kwargs)

    def get_config(self) -> dict:
        from strata.models.functional_config import functional_config

        return functional_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from strata.models.functional_config import functional_from_config

        return functional_from_config(cls, config, custom_objects)


def _as_structure(value):
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return value


def _disconnected_message(tensor, output, inputs) -> str:
    given = [t.node.layer.name for t in inputs if t._keras_history is not None]
    return (
        f"Graph disconnected: cannot reach input '{tensor.node.layer.name}' (shape {tensor.shape}) "
        f"needed by output '{output._keras_history[0].name}' (shape {output.shape}). "
        f"Expected every input the outputs depend on among the model's inputs {given}; "
        f"'{tensor.node.layer.name}' is not one of them."
    )


def _layers_in_keras_order(nodes):
    """Layers sorted as Keras sorts them: deepest (furthest from the outputs) first."""
    depth = {}
    for node in reversed(nodes):
        depth.setdefault(id(node), 0)
        for parent in node.input_tensors:
            parent_node = parent.node
            depth[id(parent_node)] = max(depth.get(id(parent_node), 0), depth[id(node)] + 1)
    first_seen, layer_depth, layers = {}, {}, []
    all_nodes = _with_input_nodes(nodes)
    for index, node in enumerate(all_nodes):
        layer = node.layer
        if id(layer) not in first_seen:
            first_seen[id(layer)] = index
            layers.append(layer)
        layer_depth[id(layer)] = max(layer_depth.get(id(layer), 0), depth.get(id(node), 0))
    return sorted(layers, key=lambda layer: (-layer_depth[id(layer)], first_seen[id(layer)]))


def _with_input_nodes(nodes):
    """The nodes plus the InputLayer nodes feeding them, in first-use order."""
    seen, result = set(), []
    for node in nodes:
        for parent in node.input_tensors:
            parent_node = parent.node
            if parent_node.is_input and id(parent_node) not in seen:
                seen.add(id(parent_node))
                result.append(parent_node)
        if id(node) not in seen:
            seen.add(id(node))
            result.append(node)
    return result


def _make_plan(nodes, inputs, outputs):
    from strata.models.plan import Plan

    return Plan(nodes, inputs, outputs)
