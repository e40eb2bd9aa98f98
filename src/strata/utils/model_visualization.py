"""`plot_model` and `model_to_dot`: a model's graph of layers drawn by Graphviz.

The graph is read from the model's nodes (each call of a layer on symbolic tensors), so a layer
shared by two branches appears once with an edge from each input it was called on, and a model
used as a layer is either one box or, with `expand_nested=True`, a dashed cluster holding its own
layers, wired to the layers around it.
"""

from __future__ import annotations

import html
import os
import shutil
from pathlib import Path

from strata.utils.summary_utils import format_shape

_RANKDIRS = ("TB", "LR", "BT", "RL")
_FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf", ".dot": "dot", ".gv": "dot"}
_INSTALL_HINT = (
    "Install the Graphviz programs (Debian/Ubuntu: `apt-get install graphviz`; macOS: "
    "`brew install graphviz`; conda: `conda install graphviz`) and the pydot package "
    "(`pip install pydot`)."
)
_FROZEN_FILL = "#e8e8e8"
_LAYER_FILL = "#ffffff"
_INPUT_FILL = "#eef4fb"


def _import_pydot():
    try:
        import pydot
    except ImportError as error:
        raise ImportError(
            f"plot_model and model_to_dot need the pydot package, which is missing. {_INSTALL_HINT}"
        ) from error
    return pydot


def _find_dot() -> str | None:
    """The path of Graphviz's `dot` program, or None when it is not on PATH."""
    return shutil.which("dot")


def _require_dot() -> None:
    if _find_dot() is None:
        raise OSError(
            "plot_model needs Graphviz's `dot` program to render PNG, SVG or PDF files, and "
            f"`dot` was not found on PATH. {_INSTALL_HINT} To get the graph without Graphviz, "
            "write a `.dot` file instead."
        )


def model_to_dot(
    model,
    show_shapes=False,
    show_dtype=False,
    show_layer_names=True,
    rankdir="TB",
    expand_nested=False,
    dpi=200,
    subgraph=False,
    show_layer_activations=False,
    show_trainable=False,
    **kwargs,
):
    """Converts a functional or Sequential model into a `pydot.Dot` graph of its layers.

    Args:
        model: A built functional or Sequential model.
        show_shapes: Whether each box shows its layer's input and output shapes.
        show_dtype: Whether each box shows its layer's dtype.
        show_layer_names: Whether each box shows the layer's name (the class is always shown).
        rankdir: Graphviz's direction of the layout: `"TB"` (top to bottom), `"LR"`, `"BT"` or
            `"RL"`.
        expand_nested: Whether models used as layers are drawn as clusters of their own layers
            (True) or as single boxes (False).
        dpi: Resolution of rendered images, in dots per inch.
        subgraph: Whether to return a `pydot.Cluster` (for drawing inside another graph)
            instead of a `pydot.Dot`.
        show_layer_activations: Whether layers that have an `activation` show its name.
        show_trainable: Whether layers that own weights show if they are trainable; frozen
            layers are also filled grey.
        **kwargs: Unused; accepted for compatibility with older Keras arguments.

    Returns:
        A `pydot.Dot` (or `pydot.Cluster` when `subgraph=True`).

    Raises:
        ImportError: pydot is not installed.
        ValueError: The model is not built, is not a graph of layers (a subclassed model), or
            `rankdir` is not one of the four directions.

    Example:
        >>> import strata
        >>> from strata import layers
        >>> inputs = strata.Input(shape=(8,), name="features")
        >>> outputs = layers.Dense(1, name="score")(inputs)
        >>> dot = model_to_dot(strata.Model(inputs, outputs))
        >>> sorted(e.get_source() + "->" + e.get_destination() for e in dot.get_edges())
        ['features->score']
    """
    pydot = _import_pydot()
    if rankdir not in _RANKDIRS:
        raise ValueError(f"rankdir expected one of {list(_RANKDIRS)}; received {rankdir!r}.")
    _check_plottable(model)
    options = {
        "show_shapes": show_shapes,
        "show_dtype": show_dtype,
        "show_layer_names": show_layer_names,
        "expand_nested": expand_nested,
        "show_layer_activations": show_layer_activations,
        "show_trainable": show_trainable,
    }
    if subgraph:
        graph = pydot.Cluster(_cluster_name(model.name), label=_title(model), style="dashed")
    else:
        graph = pydot.Dot(graph_type="digraph")
        graph.set("rankdir", rankdir)
        graph.set("dpi", str(dpi))
    graph.set_node_defaults(shape="plaintext", fontname="Helvetica")
    _GraphDrawer(pydot, options).draw_model(graph, model, scope="")
    return graph


def plot_model(
    model,
    to_file="model.png",
    show_shapes=False,
    show_dtype=False,
    show_layer_names=True,
    rankdir="TB",
    expand_nested=False,
    dpi=200,
    show_layer_activations=False,
    show_trainable=False,
    **kwargs,
):
    """Draws a model's graph of layers into a PNG, SVG, PDF or DOT file with Graphviz.

    The format follows the suffix of `to_file`: `.png`, `.svg`, `.pdf`, or `.dot`/`.gv` (the
    Graphviz source text, which needs pydot but not the `dot` program). A name without a
    suffix is written as PNG.

    Args:
        model: A built functional or Sequential model.
        to_file: Where to write the drawing; the write is atomic.
        show_shapes: Whether each box shows its layer's input and output shapes.
        show_dtype: Whether each box shows its layer's dtype.
        show_layer_names: Whether each box shows the layer's name.
        rankdir: `"TB"` (top to bottom), `"LR"`, `"BT"` or `"RL"`.
        expand_nested: Whether nested models are drawn as clusters of their layers.
        dpi: Resolution of PNG output, in dots per inch.
        show_layer_activations: Whether layers with an `activation` show its name.
        show_trainable: Whether layers with weights show if they are trainable.
        **kwargs: Unused; accepted for compatibility with older Keras arguments.

    Returns:
        In an environment where IPython is importable, an `IPython.display.Image` of a PNG
        (or `IPython.display.SVG` of an SVG) so that notebooks show it; None otherwise and for
        PDF and DOT files.

    Raises:
        ImportError: pydot is not installed (the message says how to install it).
        OSError: Graphviz's `dot` program is not on PATH (the message says how to install it).
        ValueError: The model cannot be drawn or the suffix is not a supported format.

    Example:
        >>> import os, tempfile
        >>> import strata
        >>> from strata import layers
        >>> model = strata.Sequential([layers.Dense(4, input_shape=(3,)), layers.Dense(1)])
        >>> path = os.path.join(tempfile.mkdtemp(), "model.dot")
        >>> plot_model(model, to_file=path, show_shapes=True)
        >>> "(None, 4)" in open(path).read()
        True
    """
    path = Path(os.fspath(to_file))
    suffix = path.suffix.lower()
    if suffix and suffix not in _FORMATS:
        raise ValueError(
            f"plot_model expected a file name ending in one of {sorted(_FORMATS)}; "
            f"received {os.fspath(to_file)!r}."
        )
    file_format = _FORMATS.get(suffix, "png")
    if file_format != "dot":
        _import_pydot()
        _require_dot()
    dot = model_to_dot(
        model,
        show_shapes=show_shapes,
        show_dtype=show_dtype,
        show_layer_names=show_layer_names,
        rankdir=rankdir,
        expand_nested=expand_nested,
        dpi=dpi,
        show_layer_activations=show_layer_activations,
        show_trainable=show_trainable,
    )
    from strata.utils.file_io import atomic_write

    if file_format == "dot":
        data = dot.to_string().encode("utf-8")
    else:
        data = dot.create(prog="dot", format=file_format)
    if path.parent != Path(""):
        path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path, "wb") as handle:
        handle.write(data)
    return _notebook_display(path, file_format)


def _notebook_display(path: Path, file_format: str):
    if file_format not in ("png", "svg"):
        return None
    try:
        from IPython import display
    except ImportError:
        return None
    if file_format == "svg":
        return display.SVG(filename=str(path))
    return display.Image(filename=str(path))


def _check_plottable(model) -> None:
    if not getattr(model, "built", False) or not getattr(model, "outputs", None):
        raise ValueError(
            f"plot_model expected a built functional or Sequential model; model "
            f"'{getattr(model, 'name', model)}' ({type(model).__name__}) has no graph yet. Give "
            "it an input shape (strata.Input or input_shape=) or call it on data first."
        )
    if not hasattr(model, "_nodes_between_inputs_and_outputs"):
        raise ValueError(
            f"plot_model expected a functional or Sequential model; received "
            f"{type(model).__name__} '{model.name}', whose graph is Python code in `call`."
        )


def _is_graph_model(layer) -> bool:
    return (
        hasattr(layer, "_nodes_between_inputs_and_outputs")
        and getattr(layer, "built", False)
        and bool(getattr(layer, "outputs", None))
    )


def _cluster_name(name: str) -> str:
    return "".join(c if c.isalnum() or c == "_" else "_" for c in name)


def _title(model) -> str:
    return f"{model.name} ({type(model).__name__})"


class _GraphDrawer:
    """Adds the boxes and arrows of one model (and of the models it expands) to a graph."""

    def __init__(self, pydot, options):
        self.pydot = pydot
        self.options = options
        self.edges = set()

    # -- ids: each layer box is named by its path, so nested layers never clash with outer ones
    def input_port(self, layer, scope, index):
        """The box an arrow entering input `index` of `layer` points at."""
        if self.options["expand_nested"] and _is_graph_model(layer):
            inner_scope = f"{scope}{layer.name}/"
            inner_input = layer.inputs[min(index, len(layer.inputs) - 1)]
            return self.input_port(inner_input._keras_history[0], inner_scope, 0)
        return f"{scope}{layer.name}"

    def output_port(self, layer, scope, index):
        """The box an arrow leaving output `index` of `layer` starts from."""
        if self.options["expand_nested"] and _is_graph_model(layer):
            inner_scope = f"{scope}{layer.name}/"
            inner_output = layer.outputs[min(index, len(layer.outputs) - 1)]
            inner_layer, _, inner_index = inner_output._keras_history
            return self.output_port(inner_layer, inner_scope, inner_index)
        return f"{scope}{layer.name}"

    # -- drawing
    def draw_model(self, graph, model, scope):
        nodes = model._nodes_between_inputs_and_outputs()
        layers = _layers_of(model, nodes)
        for layer in layers:
            if self.options["expand_nested"] and _is_graph_model(layer):
                cluster = self.pydot.Cluster(
                    _cluster_name(f"{scope}{layer.name}"),
                    label=html.escape(_title(layer), quote=False),
                    style="dashed",
                    fontname="Helvetica",
                )
                self.draw_model(cluster, layer, f"{scope}{layer.name}/")
                graph.add_subgraph(cluster)
            else:
                graph.add_node(self._box(layer, scope, nodes))
        for node in nodes:
            for position, tensor in enumerate(node.input_tensors):
                source, _, tensor_index = tensor._keras_history
                edge = (
                    self.output_port(source, scope, tensor_index),
                    self.input_port(node.layer, scope, position),
                )
                if edge not in self.edges:
                    self.edges.add(edge)
                    graph.add_edge(self.pydot.Edge(*edge))

    def _box(self, layer, scope, nodes):
        options = self.options
        kind = type(layer).__name__
        header = f"{layer.name} ({kind})" if options["show_layer_names"] else kind
        rows = [[f"<b>{html.escape(header)}</b>"]]
        if options["show_shapes"]:
            inputs, outputs = _shapes(layer, nodes)
            rows.append([f"Input shape: {inputs}", f"Output shape: {outputs}"])
        if options["show_dtype"]:
            rows.append([f"dtype: {layer.dtype}"])
        if options["show_layer_activations"] and hasattr(layer, "activation"):
            rows.append([f"Activation: {_activation_name(layer.activation)}"])
        has_weights = bool(layer.weights) if getattr(layer, "built", False) else False
        if options["show_trainable"] and has_weights:
            rows.append([f"Trainable: {'Y' if layer.trainable else 'N'}"])
        frozen = options["show_trainable"] and has_weights and not layer.trainable
        fill = _FROZEN_FILL if frozen else (_INPUT_FILL if _is_input(layer) else _LAYER_FILL)
        label = (
            f'<<table border="1" cellborder="0" cellspacing="0" cellpadding="4" '
            f'bgcolor="{fill}">{_table_rows(rows)}</table>>'
        )
        return self.pydot.Node(f"{scope}{layer.name}", label=label)


def _table_rows(rows) -> str:
    """HTML rows; the header is already markup, other cells are escaped text."""
    width = max(len(row) for row in rows)
    lines = []
    for index, row in enumerate(rows):
        cells = row if index == 0 else [html.escape(text) for text in row]
        if len(cells) == width:
            lines.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
        else:
            lines.append(f'<tr><td colspan="{width}">{" ".join(cells)}</td></tr>')
    return "".join(lines)


def _layers_of(model, nodes):
    """The model's layers in drawing order: its inputs, then each layer at its first call."""
    seen, layers = set(), []
    for tensor in model.inputs:
        layer = tensor._keras_history[0]
        if id(layer) not in seen:
            seen.add(id(layer))
            layers.append(layer)
    for node in nodes:
        for tensor in node.input_tensors:
            layer = tensor._keras_history[0]
            if id(layer) not in seen:
                seen.add(id(layer))
                layers.append(layer)
        if id(node.layer) not in seen:
            seen.add(id(node.layer))
            layers.append(node.layer)
    return layers


def _is_input(layer) -> bool:
    from strata.layers.core.input_layer import InputLayer

    return isinstance(layer, InputLayer)


def _shapes(layer, nodes):
    """Input and output shape text of `layer` in this model; "multiple" when calls differ."""
    if _is_input(layer):
        shape = format_shape(tuple(layer.batch_shape))
        return shape, shape
    own = [n for n in nodes if n.layer is layer]
    inputs = {_tensors_shape(n.input_tensors) for n in own}
    outputs = {_tensors_shape(n.output_tensors) for n in own}
    return (
        inputs.pop() if len(inputs) == 1 else "multiple",
        outputs.pop() if len(outputs) == 1 else "multiple",
    )


def _tensors_shape(tensors) -> str:
    shapes = [tuple(t.shape) for t in tensors]
    if len(shapes) == 1:
        return format_shape(shapes[0])
    return format_shape(shapes)


def _activation_name(activation) -> str:
    if activation is None:
        return "linear"
    from strata import activations

    try:
        name = activations.serialize(activation)
    except (ValueError, TypeError):
        name = None
    if isinstance(name, dict):
        name = name.get("class_name") or name.get("config", {}).get("name")
    if not isinstance(name, str):
        name = getattr(activation, "__name__", type(activation).__name__)
    return name
