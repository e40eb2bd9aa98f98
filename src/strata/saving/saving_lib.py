"""Saving and loading whole models and weights in strata's one safe file format.

A strata file is a zip (whatever its suffix: `.keras`, `.h5`, `.weights.h5` or none) of:

- `config.json`: the model's serialized form (`serialize_keras_object(model)`) plus its
  `build_config` and, when compiled, `compile_config`. Absent from weights-only files.
- `model.weights.safetensors`: every weight in `model.weights` order, in Keras's layouts, under
  keys such as `layers/dense/vars/0`; the header metadata lists the keys in order with the
  owning layer's name and the weight's attribute name.
- `optimizer.safetensors` + `optimizer.json`: the optimizer's `state_dict()`, tensors in the
  first, everything else as JSON in the second (only with `include_optimizer`).
- `metadata.json`: format name and version, strata and torch versions, the date.

Loading never unpickles and imports nothing named by the file: see `strata.saving.archive` for
the checks made before any member is read. Classes come back only when built in, registered
with `register_keras_serializable`, or given in `custom_objects`. Layers that carry Python
source (`Lambda`) are saved only with `allow_lambda_source=True` and loaded only with
`safe_mode=False`.
"""

from __future__ import annotations

import datetime
import threading
import warnings

import torch

from strata.backend import config as backend_config
from strata.saving import archive, weights_file
from strata.saving.archive import (
    CONFIG,
    FORMAT_NAME,
    METADATA,
    OPTIMIZER_STATE,
    OPTIMIZER_TENSORS,
    WEIGHTS,
)
from strata.saving.meta_build import check_declared_sizes, materialize, on_meta_device
from strata.saving.optimizer_state import decode_state, encode_state

FORMAT_VERSION = 1

_safe_mode = threading.local()


class SafeModeScope:
    """`with SafeModeScope(False):` lets configs holding Python source (Lambda) load inside.

    Layers that rebuild code from a config (the `Lambda` layer) read `in_safe_mode()` in their
    `from_config` and refuse while it is True. Safe mode is on outside any scope.
    """

    def __init__(self, safe_mode: bool = True):
        self.safe_mode = bool(safe_mode)
        self._previous = None

    def __enter__(self):
        self._previous = getattr(_safe_mode, "value", None)  # None: the global setting
        _safe_mode.value = self.safe_mode
        return self

    def __exit__(self, *exc):
        _safe_mode.value = self._previous


_global_safe_mode = {"value": True}


def set_global_safe_mode(value: bool) -> None:
    """The safe mode outside any SafeModeScope (`strata.config.enable_unsafe_deserialization`)."""
    _global_safe_mode["value"] = bool(value)


def in_safe_mode() -> bool:
    """Whether code from configs must be refused now (True unless inside SafeModeScope(False),
    or after `strata.config.enable_unsafe_deserialization()` outside any scope)."""
    value = getattr(_safe_mode, "value", None)
    return _global_safe_mode["value"] if value is None else value


# --------------------------------------------------------------------------------------- saving
def save_model(
    model,
    filepath,
    overwrite=True,
    include_optimizer=True,
    allow_lambda_source=False,
    **kwargs,
):
    """Save architecture, weights, compile settings and optimizer state in one safe zip.

    Args:
        model: a strata `Model` (Functional, Sequential or a registered subclass).
        filepath: where to write; any suffix (`.keras` is Keras's).
        overwrite: replace an existing file (False raises FileExistsError).
        include_optimizer: also store the optimizer's state, when the model has one.
        allow_lambda_source: store the Python source of `Lambda` layers. Loading such a file
            runs that source, so it needs `load_model(..., safe_mode=False)`.

    Raises:
        ValueError: the model holds a Lambda layer and `allow_lambda_source` is False, or its
            config is not JSON.

    Example:
        >>> import os, tempfile, strata
        >>> model = strata.Sequential([strata.layers.Dense(2, input_shape=(3,))])
        >>> path = os.path.join(tempfile.mkdtemp(), "model.keras")
        >>> strata.saving.save_model(model, path)
        >>> strata.saving.load_model(path).count_params()
        8
    """
    unknown = set(kwargs) - {"zipped", "save_format"}
    if unknown:
        raise TypeError(
            f"save_model got unexpected keyword argument(s) {sorted(unknown)}; expected "
            "overwrite, include_optimizer or allow_lambda_source."
        )
    # Keras's names for other formats: strata writes its one zip format whatever the suffix.
    if kwargs.get("zipped") is False or kwargs.get("save_format") not in (None, "keras", "h5"):
        raise ValueError(
            "strata saves one format, a zip (whatever the suffix); expected zipped=True and "
            f"save_format None, 'keras' or 'h5'; received {kwargs}."
        )
    _check_lambda_consent(model, allow_lambda_source)
    from strata.layers.core.lambda_layer import include_source_scope
    from strata.saving.registry import serialize_keras_object

    with include_source_scope(allow_lambda_source):
        config = dict(serialize_keras_object(model))
    build_config = model.get_build_config() if hasattr(model, "get_build_config") else None
    if build_config is not None:
        config["build_config"] = build_config
    compile_config = _compile_config(model)
    if compile_config is not None:
        config["compile_config"] = compile_config
    members = {CONFIG: archive.to_json_bytes(config, "model config")}
    members[WEIGHTS] = weights_file.weights_bytes(model)
    if include_optimizer:
        members.update(_optimizer_members(model))
    members[METADATA] = _metadata("model")
    archive.write_archive(filepath, members, overwrite=overwrite)


def save_weights(model, filepath, overwrite=True):
    """Save the weights alone: the same zip as `save_model`, without `config.json`.

    Args:
        model: any strata layer or model.
        filepath: where to write (`.weights.h5` is Keras's suffix; any works).
        overwrite: replace an existing file (False raises FileExistsError).
    """
    members = {WEIGHTS: weights_file.weights_bytes(model), METADATA: _metadata("weights")}
    archive.write_archive(filepath, members, overwrite=overwrite)


def _metadata(kind: str) -> bytes:
    import strata

    return archive.to_json_bytes(
        {
            "format": FORMAT_NAME,
            "format_version": FORMAT_VERSION,
            "kind": kind,
            "strata_version": strata.__version__,
            "torch_version": torch.__version__,
            "date_saved": datetime.datetime.now(datetime.timezone.utc).isoformat(),
        },
        "metadata",
    )


def _compile_config(model):
    getter = getattr(model, "get_compile_config", None)
    if not callable(getter) or not getattr(model, "compiled", False):
        return None
    return getter()


def _check_lambda_consent(model, allowed: bool) -> None:
    holders = []
    for module in model.modules():
        source = getattr(module, "function_source", None)
        if callable(source) and source() is not None:
            holders.append(getattr(module, "name", type(module).__name__))
    if holders and not allowed:
        raise ValueError(
            f"Model '{model.name}' holds Lambda layer(s) {holders}, whose Python source would be "
            "stored in the file; loading that file later runs the source. Expected "
            "allow_lambda_source=True (model.save(path, allow_lambda_source=True)) to store it, "
            "or a registered custom layer instead of the Lambda; received "
            "allow_lambda_source=False."
        )


def _optimizer_members(model) -> dict:
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not callable(getattr(optimizer, "state_dict", None)):
        return {}
    try:
        state = optimizer.state_dict()
    except ValueError:  # not built yet: no state to keep
        return {}
    from safetensors.torch import save

    tensors = {}
    encoded = encode_state(state, tensors)
    return {
        OPTIMIZER_TENSORS: save(tensors, metadata={"format": FORMAT_NAME}),
        OPTIMIZER_STATE: archive.to_json_bytes(encoded, "optimizer state"),
    }


# -------------------------------------------------------------------------------------- loading
def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Load a model saved by `save_model` / `model.save`; never unpickles.

    Args:
        filepath: the file (any suffix). Files written by Keras itself (a Keras 3 `.keras`,
            a Keras 2 / tf.keras `.h5`) are read too: see `strata.saving.keras_files`.
        custom_objects: {name: class or function} for user classes not registered with
            `register_keras_serializable`.
        compile: compile the model with the saved compile settings (when there are any and
            the model supports `compile_from_config`) and restore the optimizer state.
        safe_mode: refuse configs that hold Python source (Lambda layers). Set False only for
            files you trust: their code runs.

    Returns:
        The model, with the saved weights.

    Raises:
        ValueError: the file is not a strata model file (pickle, torch.save, HDF5, a zip with
            other members, a zip bomb), holds weights only, names an unregistered class,
            or holds Lambda source while `safe_mode` is True.
    """
    from strata.saving.torch_weights import refuse_torch_files

    refuse_torch_files(filepath)

    from strata.saving import keras_files

    if keras_files.is_keras_file(filepath):  # by content: an HDF5 file or a Keras 3 zip
        return keras_files.load_keras_model(filepath, custom_objects, compile, safe_mode)
    members = _read(filepath)
    if CONFIG not in members:
        raise ValueError(
            f"'{filepath}' holds weights only (saved by save_weights); expected a whole model "
            "saved by model.save. Build the model in code, then call model.load_weights(path)."
        )
    config = archive.parse_json(members[CONFIG], CONFIG, filepath)
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            f"'{filepath}': config.json expected a serialized model (a dict with 'class_name'); "
            f"received {type(config).__name__}."
        )
    if safe_mode:
        _refuse_code(config, filepath)
    from strata.layers import deserialize as deserialize_layer
    from strata.saving.registry import custom_object_scope

    model_part = {
        k: config[k] for k in ("module", "class_name", "config", "registered_name") if k in config
    }
    # The scope carries custom_objects into nested from_config calls too (Sequential inside a
    # functional model), which the registry calls without them.
    # Built on the meta device: the declared sizes are checked against the file's weights
    # before a byte is allocated for them (a 2 KB file may declare Dense(units=10**10)).
    with SafeModeScope(safe_mode), custom_object_scope(custom_objects or {}), on_meta_device():
        try:
            model = deserialize_layer(model_part, custom_objects=custom_objects)
            if not model.built and config.get("build_config"):
                model.build_from_config(config["build_config"])
        except ValueError as error:
            if str(filepath) in str(error):
                raise
            raise ValueError(f"'{filepath}': config.json: {error}") from error
        except (TypeError, KeyError, IndexError, AttributeError) as error:
            # A config of the wrong shape (a list where a name or dict belongs, a missing key):
            # say so, naming the file, instead of a Python error from deep inside.
            raise ValueError(
                f"'{filepath}': config.json does not describe a valid model: "
                f"{type(error).__name__}: {error}"
            ) from None
    saved = weights_file.read_weights(members[WEIGHTS], filepath)
    if len(model._weight_records()) < len(saved) and config.get("build_config"):
        with on_meta_device():
            _materialize(model, config["build_config"]["input_shape"])
    check_declared_sizes(model, saved, filepath)
    materialize(model, backend_config.device())
    weights_file.assign(model, saved, filepath)
    if compile and config.get("compile_config") is not None:
        _restore_compile(model, config["compile_config"], members, filepath, custom_objects)
    return model


def _materialize(model, input_shape) -> None:
    """Create a subclassed model's weights by calling it once on zeros of its build shape.

    `build()` of a subclassed model often creates nothing: its sublayers make their weights
    on the first call, as in Keras, so one call on placeholder data creates them.
    """

    def zeros(shape):
        if isinstance(shape, dict):
            return {key: zeros(value) for key, value in shape.items()}
        if shape and isinstance(shape[0], list):
            return [zeros(item) for item in shape]
        size = [1 if dim is None else int(dim) for dim in shape]
        return torch.zeros(size, dtype=getattr(torch, backend_config.floatx()))

    try:
        with torch.no_grad():
            model(zeros(input_shape))
    except Exception as error:  # the message says what to implement instead
        raise ValueError(
            f"Model '{model.name}' ({type(model).__name__}) has no weights after "
            f"build_from_config({input_shape}) and calling it on zeros failed ({error}). "
            "Expected build(input_shape) to create the weights; implement it to load this file."
        ) from error


def load_weights(model, filepath, skip_mismatch=False, by_name=None, layers=None, rename=None):
    """Load weights from a file saved by `save_weights` or `save_model`; never unpickles.

    By default every weight loads by position and the architecture must match. `layers`,
    `rename` and `by_name=True` load by top-level layer name instead (see
    docs/partial-restore.md), so a model that shares only some layers with the saved one can
    take those: `load_weights(model, path, layers="hidden[123]")`. Keras's own files work
    the same way, by the layer names the file records.

    Args:
        model: the model (or layer) to load into, built.
        filepath: the file: strata's, or Keras's own `.weights.h5`, `.h5` or `.keras`
            (see `strata.saving.keras_files`).
        skip_mismatch: leave layers whose shapes or weight counts differ unchanged (with a
            warning, listed in `report.mismatched`) instead of raising.
        by_name: True pairs top-level layers by name, False by position; None (the
            default) by name when `layers` or `rename` is given, else by position.
        layers: load only these top-level layers of the model: a regex string
            (`re.fullmatch` on the layer name), a list of names, or a callable
            `name -> bool`. The others are left unchanged and listed as `skipped`.
        rename: maps the file's layer names onto the model's: a dict `{file name: model
            name}` or a callable `file name -> model name` (None ignores that layer).

    Returns:
        A `LoadReport` listing the weights loaded, skipped, missing, mismatched and
        unexpected; `print(report)` shows it as a table.

    Raises:
        ValueError: the file is neither a strata file nor a Keras one (pickled `.pt` files
            are refused with the way to convert them); a weight's shape or the number of
            weights differs (naming the layer, the weight and both shapes); `layers` selects
            nothing; nothing at all matches (naming the closest names); or a load by name
            from a Keras 3 file that records no layer names.

    Example:
        >>> import os, tempfile, strata
        >>> from strata import layers
        >>> old = strata.Sequential([strata.Input((3,)), layers.Dense(4, name="hidden1"),
        ...                          layers.Dense(2, name="out")])
        >>> path = os.path.join(tempfile.mkdtemp(), "old.weights.h5")
        >>> old.save_weights(path)
        >>> new = strata.Sequential([strata.Input((3,)), layers.Dense(4, name="hidden1"),
        ...                          layers.Dense(5, name="new_out")])
        >>> strata.saving.load_weights(new, path, layers="hidden1").summary()
        '2 loaded, 2 skipped, 0 missing, 0 mismatched, 0 unexpected, 2 ignored'
    """
    from strata.saving.torch_weights import refuse_torch_files

    refuse_torch_files(filepath)

    from strata.saving import keras_files

    if keras_files.is_keras_file(filepath):  # Keras's .weights.h5, legacy .h5 or .keras
        return keras_files.load_keras_weights(
            model, filepath, skip_mismatch, by_name, layers=layers, rename=rename
        )
    members = _read(filepath)
    return weights_file.assign(
        model,
        weights_file.read_weights(members[WEIGHTS], filepath),
        filepath,
        skip_mismatch=skip_mismatch,
        by_name=by_name,
        layers=layers,
        rename=rename,
    )


def _read(filepath) -> dict:
    members = archive.read_archive(filepath)
    for required in (METADATA, WEIGHTS):
        if required not in members:
            raise ValueError(
                f"'{filepath}' is not a complete strata file: expected members {METADATA} and "
                f"{WEIGHTS}; received {sorted(members)}."
            )
    metadata = archive.parse_json(members[METADATA], METADATA, filepath)
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT_NAME:
        raise ValueError(
            f"'{filepath}': metadata.json expected format '{FORMAT_NAME}'; received "
            f"{metadata.get('format') if isinstance(metadata, dict) else metadata!r}."
        )
    version = metadata.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ValueError(
            f"'{filepath}' uses strata file format version {version!r}; this strata reads "
            f"versions up to {FORMAT_VERSION}. Upgrade strata to load it."
        )
    return members


def _refuse_code(config, filepath) -> None:
    """Refuse, before building anything, a config with Lambda layers carrying code."""
    found = []

    def walk(value):
        if isinstance(value, dict):
            inner = value.get("config")
            if value.get("class_name") == "Lambda" and isinstance(inner, dict):
                # Only a function saved by its registered name is code-free; source (or any
                # structure in place of a name, or a function-valued output_shape/mask) is not.
                code = not isinstance(inner.get("function"), str) or any(
                    isinstance(inner.get(key), dict) for key in ("output_shape", "mask")
                )
                if code:
                    found.append(inner.get("name", "?"))
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(config)
    if found:
        raise ValueError(
            f"'{filepath}' holds Lambda layer(s) {found} with Python source, which would run on "
            "loading. Expected safe_mode=True to refuse it (the default); pass "
            "load_model(..., safe_mode=False) only for a file you trust completely."
        )


def _restore_compile(model, compile_config, members, filepath, custom_objects) -> None:
    restore = getattr(model, "compile_from_config", None)
    if not callable(restore):
        warnings.warn(
            f"'{filepath}' holds compile settings, but this model cannot compile from a config; "
            "the model is returned uncompiled."
        )
        return
    from strata.saving.registry import custom_object_scope

    with custom_object_scope(custom_objects or {}):
        restore(compile_config)
    if OPTIMIZER_STATE not in members or OPTIMIZER_TENSORS not in members:
        return
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not callable(getattr(optimizer, "load_state_dict", None)):
        return
    from safetensors.torch import load

    state = archive.parse_json(members[OPTIMIZER_STATE], OPTIMIZER_STATE, filepath)
    try:
        tensors = load(members[OPTIMIZER_TENSORS])
    except Exception as error:
        raise ValueError(f"'{filepath}': {OPTIMIZER_TENSORS} is not valid ({error}).") from None
    saved_state = decode_state(state, tensors)
    # Built now, on the loaded weights, so a state that does not fit fails here and names the
    # file, not at the first fit.
    if callable(getattr(optimizer, "build", None)):
        optimizer.build([w for w in model.trainable_weights if w.requires_grad])
    try:
        optimizer.load_state_dict(saved_state)
    except (ValueError, KeyError, TypeError, RuntimeError) as error:
        raise ValueError(
            f"'{filepath}': the saved optimizer state does not fit this model's optimizer: "
            f"{error} Load with compile=False to skip it."
        ) from None
