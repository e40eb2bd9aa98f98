"""Writes a model's inference function to a file another runtime can serve.

Two formats:
- `"onnx"`: an ONNX graph from torch's exporter (`torch.onnx.export(dynamo=True)`), which
  onnxruntime, TensorRT and most serving stacks run. Needs the `onnx` and `onnxscript` packages
  (`pip install 'strata[export]'`).
- `"torch"`: a `torch.export` program (`.pt2`), loaded with `torch.export.load` and run without
  strata. Its weights are stored by torch (pickle-based): only load files you trust.

Dimensions that are `None` in the model's inputs (the batch, a free sequence length) stay
dynamic in the exported graph. Training-only behaviour (dropout, augmentation) is off.
"""

from __future__ import annotations

import io
import os
import warnings

import numpy as np
import torch
from torch.fx.experimental.symbolic_shapes import is_concrete_int

from strata.backend.conversion import standardize_dtype
from strata.backend.keras_tensor import pack_like
from strata.utils.file_io import atomic_write

SUPPORTED_FORMATS = ("onnx", "torch")

# Example sizes for dynamic dimensions while tracing. Distinct and above 1 so torch.export
# neither specializes a dimension to 1 nor assumes two free dimensions are equal.
_EXAMPLE_SIZES = (3, 5, 7, 11, 13, 17, 19, 23)


class _InferenceFunction(torch.nn.Module):
    """The model called in inference mode on positional tensors, returning a tuple."""

    def __init__(self, model, structure):
        super().__init__()
        self.model = model
        # The model's own nesting of its inputs (a dict, a list), or None: one tensor or a list.
        self.structure = structure

    def forward(self, *tensors):
        if self.structure is not None:
            inputs = pack_like(self.structure, list(tensors))
        else:
            inputs = tensors[0] if len(tensors) == 1 else list(tensors)
        outputs = self.model(inputs, training=False)
        if isinstance(outputs, dict):
            return tuple(outputs.values())
        if isinstance(outputs, (list, tuple)):
            return tuple(outputs)
        return (outputs,)


def export_model(model, filepath, format="onnx", verbose=None, input_signature=None, **kwargs):
    """Export `model`'s inference function to `filepath`.

    Args:
        model: a strata model (built, or with `input_signature` given).
        filepath: the file to write (`.onnx` for ONNX, `.pt2` for torch is customary).
        format: `"onnx"` or `"torch"`. Keras's `"tf_saved_model"`, `"litert"` and `"openvino"`
            need TensorFlow or OpenVINO and are refused with a clear error.
        verbose: print the exporter's progress (default: quiet).
        input_signature: the inputs' shapes and dtypes when the model has no symbolic inputs (a
            subclassed model): a `KerasTensor`/`InputSpec` (anything with `.shape` and
            `.dtype`), a `(shape, dtype)` pair, a shape tuple, or a list of these, one per input.
            `None` dimensions stay dynamic. Defaults to the model's `inputs`.
        **kwargs: passed to the exporter (`opset_version=` for ONNX).

    Returns:
        The path written.

    Raises:
        ValueError: for an unknown format, or a model without inputs and no `input_signature`.

    Example:
        >>> import os, tempfile
        >>> import strata
        >>> inputs = strata.Input(shape=(4,))
        >>> model = strata.Model(inputs, strata.layers.Dense(2)(inputs))
        >>> path = os.path.join(tempfile.mkdtemp(), "model.pt2")
        >>> model.export(path, format="torch") == path
        True
    """
    format = _check_format(format)
    specs, structure = _input_specs(model, input_signature)
    examples = tuple(
        _example_tensor(shape, dtype, position) for position, (shape, dtype) in enumerate(specs)
    )
    # One entry per forward argument; forward takes `*tensors`, which torch sees as one tuple.
    dynamic_shapes = (
        tuple(_dynamic_dims(shape, position) for position, (shape, _) in enumerate(specs)),
    )
    was_training = model.training
    function = _InferenceFunction(model, structure).eval()  # puts the model in eval mode too
    names = _input_names(model, len(specs))
    try:
        with torch.no_grad():
            if format == "onnx":
                payload = _onnx_bytes(
                    function, examples, dynamic_shapes, names, model, verbose, kwargs
                )
                _verify_onnx(payload, function, specs, names)
            else:
                program = torch.export.export(
                    function, examples, dynamic_shapes=dynamic_shapes, **kwargs
                )
                _check_still_dynamic(program, specs, names)
                payload = _torch_export_bytes(program)
    finally:
        model.train(was_training)
    with atomic_write(os.fspath(filepath)) as file:
        file.write(payload)
    return filepath


def _check_format(format) -> str:
    if format in SUPPORTED_FORMATS:
        return format
    if format in ("tf_saved_model", "litert", "openvino"):
        raise ValueError(
            f"export format {format!r} needs TensorFlow or OpenVINO, which strata does not use. "
            f"Expected one of {SUPPORTED_FORMATS}: 'onnx' serves on onnxruntime, TensorRT or "
            "Triton; 'torch' is a torch.export program."
        )
    raise ValueError(f"export expected format in {SUPPORTED_FORMATS}; received {format!r}.")


def _input_specs(model, input_signature):
    """[(shape, dtype), ...] and the nesting the model takes them in (None: plain)."""
    if input_signature is None:
        inputs = getattr(model, "inputs", None)
        if not inputs:
            raise ValueError(
                f"Model '{model.name}' has no symbolic inputs to export from (a subclassed "
                "model); pass input_signature=, e.g. [strata.InputSpec(shape=(None, 32))] or "
                "[((None, 32), 'float32')]."
            )
        specs = [(tuple(t.shape), t.dtype) for t in inputs]
        structure = getattr(model, "input", None)
        return specs, structure if isinstance(structure, (list, tuple, dict)) else None
    signature = input_signature
    if not isinstance(signature, list) or _is_shape(signature):
        signature = [signature]
    specs = [_spec(item) for item in signature]
    return specs, None


def _is_shape(value) -> bool:
    return isinstance(value, (list, tuple)) and all(d is None or isinstance(d, int) for d in value)


def _spec(item):
    if hasattr(item, "shape") and hasattr(item, "dtype"):
        shape, dtype = item.shape, item.dtype
    elif isinstance(item, tuple) and len(item) == 2 and not _is_shape(item):
        shape, dtype = item
    elif _is_shape(item):
        shape, dtype = item, "float32"
    else:
        raise ValueError(
            "input_signature expected KerasTensors/InputSpecs, (shape, dtype) pairs or shape "
            f"tuples; received {item!r}."
        )
    if shape is None:
        raise ValueError(f"input_signature needs a shape for every input; received {item!r}.")
    return tuple(None if d is None else int(d) for d in shape), standardize_dtype(
        str(dtype).replace("torch.", "")
    )


def _example_tensor(shape, dtype, position):
    sizes = _with_free_sizes(shape, position, 0)
    torch_dtype = getattr(torch, dtype)
    if torch_dtype.is_floating_point:
        return torch.rand(sizes, dtype=torch_dtype)
    return torch.zeros(sizes, dtype=torch_dtype)


def _dynamic_dims(shape, position):
    # AUTO rather than a named Dim: torch keeps the dimension dynamic where the model allows and
    # specializes it otherwise, which _check_still_dynamic then reports instead of torch failing.
    return {axis: torch.export.Dim.AUTO for axis, size in enumerate(shape) if size is None}


def _check_still_dynamic(exported_program, specs, names):
    """Refuse an export that fixed a dimension the model leaves free: a file that only runs at
    the tracing example's size would fail later, at serving time."""
    placeholders = [
        node
        for node in exported_program.graph.nodes
        if node.op == "placeholder" and node.name in exported_program.graph_signature.user_inputs
    ]
    for placeholder, (shape, _), name in zip(placeholders, specs, names):
        traced = placeholder.meta["val"].shape
        fixed = [
            axis
            for axis, size in enumerate(shape)
            if size is None and is_concrete_int(traced[axis])
        ]
        if fixed:
            sizes = tuple(
                int(traced[axis]) if axis in fixed else size for axis, size in enumerate(shape)
            )
            raise ValueError(
                f"Input '{name}' has free dimension(s) {fixed} (None in {shape}), but the exported "
                f"graph can only run with size(s) {[int(traced[axis]) for axis in fixed]} there "
                "(the model's code branches on that size). Pass "
                f"input_signature=[({sizes}, ...)] with the size you will serve, or None only "
                "where the model allows any size."
            )


def _input_names(model, count):
    names = list(getattr(model, "input_names", None) or [])
    return names if len(names) == count else [f"input_{i}" for i in range(count)]


def _onnx_bytes(function, examples, dynamic_shapes, input_names, model, verbose, kwargs):
    try:
        import onnxscript  # noqa: F401 - torch's ONNX exporter needs it
    except ImportError as error:
        raise ImportError(
            "format='onnx' needs the onnx and onnxscript packages: pip install 'strata[export]'."
        ) from error
    onnx_program = torch.onnx.export(
        function,
        examples,
        dynamo=True,
        dynamic_shapes=dynamic_shapes,
        input_names=input_names,
        output_names=_output_names(model),
        verbose=bool(verbose),
        **kwargs,
    )
    return onnx_program.model_proto.SerializeToString()


def _verify_onnx(payload, function, specs, names):
    """Run the file with onnxruntime at the tracing sizes and at other sizes of every free
    dimension, against the model itself. torch.onnx keeps a free dimension nominally dynamic
    even where the model's code branched on its size, which would give wrong results later."""
    try:
        import onnxruntime
    except ImportError:
        warnings.warn(
            "onnxruntime is not installed, so the exported ONNX file was not checked against "
            "the model (pip install 'strata[export]').",
            stacklevel=3,
        )
        return
    session = onnxruntime.InferenceSession(payload, providers=["CPUExecutionProvider"])
    for offset in (0, 2):
        inputs = [
            _example_tensor(_with_free_sizes(shape, position, offset), dtype, position)
            for position, (shape, dtype) in enumerate(specs)
        ]
        expected = [t.detach().cpu().numpy() for t in function(*inputs)]
        try:
            got = session.run(None, {name: t.numpy() for name, t in zip(names, inputs)})
            agree = all(_close(g, e) for g, e in zip(got, expected))
        except Exception:  # onnxruntime refuses the sizes: the graph fixed them
            agree = False
        if not agree:
            free = {
                name: [axis for axis, size in enumerate(shape) if size is None]
                for name, (shape, _) in zip(names, specs)
            }
            raise ValueError(
                "The exported ONNX graph does not reproduce the model"
                + (
                    " at the tracing sizes."
                    if offset == 0
                    else f" when the free dimensions {free} take other sizes: the model's code "
                    "branches on them. Pass input_signature= with those sizes fixed."
                )
            )


def _with_free_sizes(shape, position, offset):
    return tuple(
        _EXAMPLE_SIZES[(position + axis) % len(_EXAMPLE_SIZES)] + offset if size is None else size
        for axis, size in enumerate(shape)
    )


def _close(got, expected) -> bool:
    scale = max(1.0, float(np.abs(expected).max(initial=0.0)))
    return got.shape == expected.shape and bool(
        np.allclose(got, expected, rtol=1e-3, atol=1e-4 * scale)
    )


def _output_names(model):
    names = getattr(model, "output_names", None)
    return list(names) if names else None


def _torch_export_bytes(program) -> bytes:
    buffer = io.BytesIO()
    torch.export.save(program, buffer)
    return buffer.getvalue()
