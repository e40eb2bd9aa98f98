"""`model.summary()`: the table Keras 3 prints, drawn with rich."""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table


def format_shape(shape) -> str:
    """Keras's spelling of a shape: `(None, 32)`, `(None, None, 64)`."""
    if isinstance(shape, dict):
        return "{" + ", ".join(f"{k}: {format_shape(v)}" for k, v in shape.items()) + "}"
    if isinstance(shape, list):
        return "[" + ", ".join(format_shape(s) for s in shape) + "]"
    dims = ["None" if d is None else str(d) for d in shape]
    return "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")"


def format_count(count: int) -> str:
    return f"{count:,}"


def format_size(num_bytes: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if num_bytes < 1024 or unit == "GB":
            return f"{num_bytes:.2f} {unit}"
        num_bytes /= 1024
    return f"{num_bytes:.2f} GB"


def _output_shape(layer):
    try:
        return layer.output_shape
    except AttributeError:
        nodes = getattr(layer, "_inbound_nodes", [])
        if nodes:
            return [tuple(t.shape) for t in nodes[0].output_tensors]
        return "?"


def _connected_to(layer, model) -> str:
    if not hasattr(model, "_plan"):
        return "-"
    sources = []
    for node in layer._inbound_nodes:
        if not all(model._plan.has_tensor(t) for t in node.output_tensors):
            continue
        for tensor in node.input_tensors:
            owner, node_index, tensor_index = tensor._keras_history
            sources.append(f"{owner.name}[{node_index}][{tensor_index}]")
    return "\n".join(sources) if sources else "-"


def _is_multi_input_graph(model) -> bool:
    from strata.models.sequential import Sequential

    if isinstance(model, Sequential) or not hasattr(model, "_plan"):
        return False
    if len(model.inputs) > 1:
        return True
    return any(len(n.input_tensors) > 1 for layer in model.layers for n in layer._inbound_nodes)


def _weights_bytes(weights) -> int:
    return sum(w.numel() * w.element_size() for w in weights)


# Rows of a nested model are indented under it by this much per level of nesting.
NESTED_INDENT = "  "


def _rows(model, expand_nested, depth=0):
    """(depth, layer, owning model) for each row; nested models' layers follow their model."""
    for layer in model.layers:
        yield depth, layer, model
        if expand_nested and _is_nested_model(layer):
            yield from _rows(layer, expand_nested, depth + 1)


def _is_nested_model(layer) -> bool:
    from strata.models.model import Model

    return isinstance(layer, Model) and bool(layer.layers)


def _trainable_flag(layer) -> str:
    """Y or N for layers that own weights; "-" for those with nothing to train (as Keras)."""
    if not (layer.built and layer.weights):
        return "-"
    return "Y" if layer.trainable else "N"


def print_summary(
    model,
    line_length=None,
    positions=None,
    print_fn=None,
    expand_nested=False,
    show_trainable=False,
    layer_range=None,
):
    """Print the summary table (layer, output shape, params; connections for graphs)."""
    if not model.built:
        raise ValueError(
            f"Model '{model.name}' has not been built yet: give the first layer an input shape, "
            "start with strata.Input, or call the model on data before summary()."
        )
    show_connections = _is_multi_input_graph(model)
    table = Table(box=box.HEAVY_HEAD, show_lines=True, width=line_length)
    table.add_column("Layer (type)", no_wrap=False)
    table.add_column("Output Shape")
    table.add_column("Param #", justify="right")
    if show_connections:
        table.add_column("Connected to")
    if show_trainable:
        table.add_column("Trainable", justify="center")
    for depth, layer, owner in _rows(model, expand_nested):
        params = sum(w.numel() for w in layer.weights) if layer.built else 0
        marker = NESTED_INDENT * depth + ("└ " if depth else "")
        row = [
            f"{marker}{layer.name} ({type(layer).__name__})",
            format_shape(_output_shape(layer)),
            format_count(params) if layer.built else "0 (unbuilt)",
        ]
        if show_connections:
            row.append(_connected_to(layer, owner))
        if show_trainable:
            row.append(_trainable_flag(layer))
        table.add_row(*row)
    weights = model.weights
    trainable = model.trainable_weights
    trainable_ids = {id(w) for w in trainable}
    non_trainable = [w for w in weights if id(w) not in trainable_ids]
    lines = [
        f" Total params: {format_count(sum(w.numel() for w in weights))} "
        f"({format_size(_weights_bytes(weights))})",
        f" Trainable params: {format_count(sum(w.numel() for w in trainable))} "
        f"({format_size(_weights_bytes(trainable))})",
        f" Non-trainable params: {format_count(sum(w.numel() for w in non_trainable))} "
        f"({format_size(_weights_bytes(non_trainable))})",
    ]
    console = Console(width=line_length or 98, record=True, force_terminal=False, color_system=None)
    with console.capture() as capture:
        console.print(f'Model: "{model.name}"')
        console.print(table)
        for line in lines:
            console.print(line)
    text = capture.get()
    (print_fn or print)(text.rstrip("\n"))
