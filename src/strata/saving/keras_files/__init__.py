"""Loading files written by Keras itself: `.keras` archives, `.weights.h5` and legacy `.h5`.

- Keras 3 `.keras`: a zip of `config.json`, `model.weights.h5` and `metadata.json`;
- Keras 3 `.weights.h5` (also what tf_keras 2.13+ writes for that suffix);
- Keras 2 / tf.keras HDF5: `model.save("m.h5")` (config and weights) and
  `save_weights("w.h5")` (weights), also written by Keras 3 for a `.h5` suffix.

HDF5 is read with h5py, numeric datasets and string attributes only (`h5.Reader`); configs are
checked and rewritten by `config.Translator` before anything is built. `strata.saving.load_model`
and `load_weights` route Keras files here by their content, not their suffix.
"""

from __future__ import annotations

import contextlib
import json
import os
import warnings
import zipfile
import zlib

from strata.saving.keras_files import keras3_weights, legacy, named
from strata.saving.keras_files.config import Translator
from strata.saving.keras_files.h5 import Reader, is_hdf5, open_file

KERAS_CONFIG = "config.json"
KERAS_METADATA = "metadata.json"
KERAS_WEIGHTS = "model.weights.h5"
_KERAS_MEMBERS = (KERAS_CONFIG, KERAS_METADATA, KERAS_WEIGHTS)
_MAX_MEMBER = 1 << 31  # 2 GiB inflated per member
_MAX_RATIO = 100

__all__ = ["is_keras_file", "load_keras_model", "load_keras_weights"]


def is_keras_file(filepath) -> bool:
    """Whether `filepath` is an HDF5 file or a Keras 3 `.keras` zip (judged by its content)."""
    try:
        path = os.fspath(filepath)
    except TypeError:
        return False
    if not os.path.isfile(path):
        return False
    if is_hdf5(path):
        return True
    if not zipfile.is_zipfile(path):
        return False
    try:
        with zipfile.ZipFile(path) as archive:
            return KERAS_WEIGHTS in archive.namelist() or "model.weights.json" in archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


def load_keras_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """A strata model from a Keras 3 `.keras` archive or a Keras 2 / tf.keras `.h5` model file.

    Args:
        filepath: the file.
        custom_objects: {name: class} for classes outside Keras (see `load_model`).
        compile: compile with the file's loss, metrics and optimizer settings when strata has
            them (the optimizer starts fresh: Keras's optimizer variables are not restored).
        safe_mode: as for strata's files; a Lambda whose function Keras saved as bytecode is
            refused whatever its value (one saved by a registered name needs that function in
            `custom_objects`).

    Returns:
        The model, with the file's weights.

    Raises:
        ValueError: the file holds weights only, a Lambda, a class from outside Keras that is
            not registered, a non-numeric dataset, or weights that do not fit the config.
    """
    label = os.fspath(filepath)
    if is_hdf5(label):
        with open_file(label, label) as file:
            reader = Reader(file, label, os.path.getsize(label))
            config_text, training_text = legacy.model_config(reader)
            if config_text is None:
                raise _weights_only(label)
            config = _parse(config_text, "model_config", label)
            model = _build(config, label, custom_objects, safe_mode, keras2=_is_keras2(reader))
            group = legacy.weights_group(reader)
            if group is None:
                raise ValueError(f"'{label}' has a model_config but no model_weights group.")
            _assign(model, *legacy.match(model, reader, group), label, prepare=_allocate(label))
        compile_config = _keras2_compile(_parse(training_text, "training_config", label))
    else:
        members = _read_zip(label)
        if KERAS_CONFIG not in members:
            raise _weights_only(label)
        config = _parse(members[KERAS_CONFIG], KERAS_CONFIG, label)
        model = _build(config, label, custom_objects, safe_mode, keras2=False)
        with open_file(members[KERAS_WEIGHTS], f"{label}:{KERAS_WEIGHTS}") as file:
            reader = Reader(file, f"{label}:{KERAS_WEIGHTS}", len(members[KERAS_WEIGHTS]))
            found = keras3_weights.match(model, keras3_weights.read_tree(reader))
            _assign(model, *found, label, prepare=_allocate(label))
        compile_config = config.get("compile_config") if isinstance(config, dict) else None
    if compile and compile_config:
        _compile(model, compile_config, label, custom_objects)
    return model


def load_keras_weights(
    model, filepath, skip_mismatch=False, by_name=None, layers=None, rename=None
):
    """Load a Keras `.weights.h5`, legacy `.h5` or `.keras` file's weights into `model`.

    A whole-model load (no `layers`, `rename` or `by_name=True`) matches weights the way Keras
    does: Keras 3 files by the path of each layer (per-class numbering of the model's layers,
    then sublayer attributes), Keras 2 files layer by layer in order. Loads by name (`layers`
    or `rename` given, or `by_name=True`) pair the model's top-level layers with the names
    the file records, exactly as for strata's files (`strata.saving.weight_matching`);
    `by_name=False` with `layers` keeps Keras's pairing and loads only the selected layers.

    Args:
        model: the model to load into.
        filepath: the Keras file.
        skip_mismatch, by_name, layers, rename: as in `strata.saving.load_weights`.

    Returns:
        The `LoadReport`.

    Raises:
        ValueError: a whole-model load finds weights missing from the file or file weights
            the model lacks (unless `skip_mismatch`); a shape differs; a load by name on a
            Keras 3 file that records no layer names; nothing at all matches; a dataset is
            not numeric.
    """
    from strata.saving import weight_matching, weights_file

    names = weight_matching.by_names(by_name, layers, rename)
    label = os.fspath(filepath)
    with _weights_source(label) as (reader, group):
        tree = keras3_weights.read_tree(reader) if group is None else None
        if names:
            if group is not None:
                saved = named.legacy_entries(model, reader, group, rename, label)
            else:
                saved = named.keras3_entries(model, tree, rename, label)
            return weights_file.assign(
                model,
                saved,
                label,
                skip_mismatch=skip_mismatch,
                by_name=True,
                layers=layers,
                rename=rename,
            )
        if group is not None:
            found = legacy.match(model, reader, group, strict=layers is None)
        else:
            found = keras3_weights.match(model, tree)
    return _assign(model, *found, label, skip_mismatch, layers=layers)


@contextlib.contextmanager
def _weights_source(label):
    """(Reader, Keras 2 weights group or None for Keras 3's layout) of a weights file, or of
    the `model.weights.h5` inside a `.keras` archive."""
    if is_hdf5(label):
        with open_file(label, label) as file:
            reader = Reader(file, label, os.path.getsize(label))
            yield reader, legacy.weights_group(reader)
        return
    members = _read_zip(label)
    inner = f"{label}:{KERAS_WEIGHTS}"
    with open_file(members[KERAS_WEIGHTS], inner) as file:
        yield Reader(file, inner, len(members[KERAS_WEIGHTS])), None


# --------------------------------------------------------------------------------- helpers
def _assign(model, found, unexpected, label, skip_mismatch=False, prepare=None, layers=None):
    """Hand the weights Keras's pairing found to `weights_file.assign`, after saying what did
    not match.

    A whole-model load raises (or with `skip_mismatch` warns) when a model weight is missing
    from the file or a file weight is left over; with a `layers` filter those only go to the
    report. `prepare(model, saved)` runs first when given (`load_keras_model` allocates the
    weights of its meta-device model there, once their sizes are checked against the file's).
    """
    from strata.saving import weights_file

    keys = weights_file._weight_keys(model)
    missing = [keys[i][0] for i in range(len(keys)) if i not in found]
    if (missing or unexpected) and layers is None:
        if not skip_mismatch:
            raise ValueError(
                f"'{label}' does not fit model '{model.name}': weights missing from the file "
                f"{missing[:10]}{' ...' if len(missing) > 10 else ''}; weights in the file the "
                f"model lacks {unexpected[:10]}{' ...' if len(unexpected) > 10 else ''}. "
                "Expected a file saved from the same architecture; pass skip_mismatch=True to "
                "load what matches, or layers=/by_name=True to load layers by name."
            )
        warnings.warn(
            f"'{label}': {len(missing)} weight(s) of model '{model.name}' are not in the file "
            f"and {len(unexpected)} saved weight(s) were not used; loading the rest."
        )
    # Keyed by the model's own weights (the pairing is Keras's), named by the file in reports.
    saved = [
        (dict(zip(("key", "layer", "name"), keys[i]), source=where, label=where), array)
        for i in sorted(found)
        for where, array in [found[i]]
    ]
    if prepare is not None:
        prepare(model, saved)
    # By name, the entries pair each weight with the array Keras's matching chose and leave
    # the model weights it found none for alone.
    report = weights_file.assign(
        model,
        saved,
        label,
        skip_mismatch=skip_mismatch,
        by_name=bool(missing) or layers is not None,
        layers=layers,
    )
    report.unexpected += unexpected
    return report


def _allocate(label):
    """`prepare` for a meta-built model: storage once every declared shape matched the file's."""
    from strata.backend import config as backend_config
    from strata.saving.meta_build import check_declared_sizes, materialize

    def prepare(model, saved):
        check_declared_sizes(model, saved, label)
        materialize(model, backend_config.device())

    return prepare


def _build(config, label, custom_objects, safe_mode, keras2):
    from strata.layers import deserialize as deserialize_layer
    from strata.saving.meta_build import on_meta_device
    from strata.saving.registry import custom_object_scope
    from strata.saving.saving_lib import SafeModeScope

    translated = Translator(label, custom_objects, keras2=keras2).model(config)
    part = {k: translated.get(k) for k in ("module", "class_name", "config", "registered_name")}
    part = {k: v for k, v in part.items() if v is not None or k == "config"}
    # Built on the meta device: declared sizes are checked against the file's weights before
    # any memory is allocated (see strata.saving.meta_build).
    scopes = SafeModeScope(safe_mode), custom_object_scope(custom_objects or {}), on_meta_device()
    with scopes[0], scopes[1], scopes[2]:
        try:
            model = deserialize_layer(part, custom_objects=custom_objects)
            build_config = translated.get("build_config")
            if not model.built and build_config:
                model.build_from_config(build_config)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError) as error:
            raise ValueError(
                f"'{label}': the Keras model config could not be rebuilt in strata "
                f"({type(error).__name__}: {error})"
            ) from error
    return model


def _is_keras2(reader) -> bool:
    version = reader.attr(reader.file, "keras_version") or ""
    return not str(version).startswith("3.")


def _compile(model, compile_config, label, custom_objects) -> None:
    from strata.saving.registry import custom_object_scope

    restore = getattr(model, "compile_from_config", None)
    try:
        config = Translator(label, custom_objects).obj(compile_config)
        optimizer = config.get("optimizer")
        if isinstance(optimizer, dict):
            options = optimizer.get("config") or {}
            dropped = ("is_legacy_optimizer", "jit_compile", "name")
            kept = {k: v for k, v in options.items() if k not in dropped and v is not None}
            config["optimizer"] = {**optimizer, "config": kept}
        with custom_object_scope(custom_objects or {}):
            restore(config)
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        warnings.warn(
            f"'{label}': the Keras compile settings could not be restored ({error}); the "
            "model is returned uncompiled. Call model.compile(...) before training it."
        )


def _keras2_compile(training) -> dict | None:
    """Keras 2's `training_config` in Keras 3's `compile_config` form."""
    if not isinstance(training, dict):
        return None
    optimizer = training.get("optimizer_config")
    if isinstance(optimizer, dict):
        name = str(optimizer.get("class_name", "")).split(">")[-1]
        optimizer = {"class_name": name, "config": optimizer.get("config") or {}}

    def metric(value):
        if isinstance(value, list):
            return [metric(v) for v in value]
        if isinstance(value, dict) and value.get("class_name") == "MeanMetricWrapper":
            return (value.get("config") or {}).get("name")
        return value

    metrics = metric(training.get("metrics"))
    if isinstance(metrics, list) and len(metrics) == 1 and isinstance(metrics[0], list):
        metrics = metrics[0]  # one output's list
    return {
        "optimizer": optimizer,
        "loss": training.get("loss"),
        "loss_weights": training.get("loss_weights"),
        "metrics": metrics,
        "weighted_metrics": metric(training.get("weighted_metrics")),
    }


def _parse(data, member, label):
    if data is None:
        return None
    try:
        return json.loads(data if isinstance(data, str) else data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise ValueError(f"'{label}': {member} is not UTF-8 JSON ({error}).") from None


def _weights_only(label) -> ValueError:
    return ValueError(
        f"'{label}' holds Keras weights only (no model config); expected a whole model saved "
        "by model.save. Build the model in code, then call model.load_weights(path)."
    )


def _read_zip(label) -> dict:
    """The members of a Keras 3 `.keras` zip, after checks on names, sizes and compression."""
    try:
        with zipfile.ZipFile(label) as archive:
            infos = archive.infolist()
            names = [info.filename for info in infos]
            if "model.weights.json" in names:
                raise ValueError(
                    f"'{label}' is a sharded Keras archive (model.weights.json); strata reads "
                    "single-file .keras archives only."
                )
            other = [n for n in names if n not in _KERAS_MEMBERS]
            if other or KERAS_WEIGHTS not in names or len(set(names)) != len(names):
                raise ValueError(
                    f"'{label}': expected a Keras archive holding {list(_KERAS_MEMBERS)} once "
                    f"each; received members {names}. Assets (e.g. lookup vocabularies) and "
                    "other members are not read."
                )
            for info in infos:
                _check_member(label, info)
            return {info.filename: archive.read(info) for info in infos}
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as error:
        raise ValueError(f"'{label}' is a damaged or unsupported zip archive ({error}).") from None


def _check_member(label, info) -> None:
    if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise ValueError(f"'{label}': member '{info.filename}' is encrypted or oddly compressed.")
    if info.file_size > _MAX_MEMBER and info.file_size > _MAX_RATIO * max(info.compress_size, 1):
        raise ValueError(
            f"Refusing to load '{label}': member '{info.filename}' would inflate from "
            f"{info.compress_size} to {info.file_size} bytes (a zip bomb?)."
        )
