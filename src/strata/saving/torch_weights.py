"""PyTorch `state_dict`s in safetensors onto strata models, and refusing pickled torch files.

A strata layer is an `nn.Module`, so a strata model has a `state_dict()` of its own, with keys
such as `hidden1.kernel` or `encoder.dense.kernel` (nested model) and tensors in torch's
layouts (a Dense kernel is `(units, in)`, like `nn.Linear.weight`). A PyTorch state_dict loads
onto those keys directly, with no transposition. Keys that differ map through `rename`; torch's
attribute names (`weight`, `bias`, `running_mean`, `running_var`) are understood as strata's
(`kernel`/`gamma`/`embeddings`, `bias`/`beta`, `moving_mean`, `moving_variance`), and a
one-layer `nn.LSTM`/`nn.GRU`'s weights map onto strata's LSTM/GRU (their two biases folded).
"""

from __future__ import annotations

import difflib
import os
import warnings
import zipfile
from collections.abc import Mapping

import torch

from strata.saving import weight_matching
from strata.saving.load_report import LoadReport, Mismatch

# torch attribute name -> strata names it may stand for, tried in order.
_ALIASES = {
    "weight": ("kernel", "gamma", "embeddings"),
    "bias": ("beta",),
    "running_mean": ("moving_mean",),
    "running_var": ("moving_variance",),
}
# Torch bookkeeping without a strata counterpart: listed as ignored, never an error.
_COUNTERS = ("num_batches_tracked",)

CONVERT_HINT = (
    "Convert it once, in an environment where you trust the file: "
    "`import torch; from safetensors.torch import save_file; "
    "save_file(torch.load(path, weights_only=True), 'model.safetensors')`, then load "
    "'model.safetensors' with strata.saving.load_torch_weights(model, 'model.safetensors')."
)


def refuse_pickled(filepath) -> None:
    """Raise before reading anything if `filepath` is a pickle or a `torch.save` zip.

    Only the first bytes and (for zips) the member names are read; nothing is unpickled.

    Raises:
        ValueError: the file is a Python pickle or a torch.save archive (`.pt`, `.pth`,
            `.bin`, ...), with the conversion to safetensors in the message.
    """
    path = os.fspath(filepath)
    if os.path.isdir(path) or not os.path.exists(path):
        return
    with open(path, "rb") as handle:
        head = handle.read(16)
    what = None
    if head[:1] == b"\x80" and len(head) > 1 and 2 <= head[1] <= 5:
        what = f"a Python pickle (protocol {head[1]}; e.g. a legacy torch.save file)"
    elif head.startswith(b"PK\x03\x04"):
        pickles = _pickle_members(path)
        if pickles:
            what = f"a torch.save archive holding pickled data ({pickles[0]})"
    if what is not None:
        raise ValueError(
            f"'{path}' is {what}. strata never unpickles: loading a pickle can run arbitrary "
            f"code. {CONVERT_HINT}"
        )


def refuse_torch_files(filepath) -> None:
    """For strata's loaders: refuse pickles, and point bare safetensors to load_torch_weights.

    Raises:
        ValueError: as `refuse_pickled`, or the file is a bare safetensors file (a PyTorch
            state_dict, most likely), which `load_torch_weights` reads.
    """
    refuse_pickled(filepath)
    path = os.fspath(filepath)
    if os.path.isfile(path):
        with open(path, "rb") as handle:
            head = handle.read(9)
        if len(head) == 9 and head[8:9] == b"{" and not head.startswith(b"PK"):
            raise ValueError(
                f"'{path}' is a bare safetensors file (a PyTorch state_dict?), not a strata "
                "file (a zip with its config). Load it with "
                "strata.saving.load_torch_weights(model, path, rename=...)."
            )


def _pickle_members(path) -> list:
    try:
        with zipfile.ZipFile(path) as archive:
            return [n for n in archive.namelist() if n.endswith(".pkl")]
    except (zipfile.BadZipFile, OSError):
        return []


def read_torch_file(filepath) -> dict:
    """{key: tensor} from a safetensors file, after refusing pickles."""
    if isinstance(filepath, Mapping):
        return dict(filepath)
    refuse_pickled(filepath)
    path = os.fspath(filepath)
    with open(path, "rb") as handle:
        head = handle.read(9)
    if len(head) < 9 or head[8:9] != b"{":
        raise ValueError(
            f"'{path}' is not a safetensors file (expected an 8-byte header size then a JSON "
            f"header; it starts with {head!r}). For strata or Keras files use "
            "model.load_weights(path)."
        )
    from safetensors.torch import load_file

    try:
        return load_file(path)
    except Exception as error:  # safetensors raises its own error types
        raise ValueError(f"'{path}' is not a valid safetensors file ({error}).") from None


def load_torch_weights(
    model, filepath, rename=None, layers=None, strict=True, skip_mismatch=False
) -> LoadReport:
    """Load a PyTorch `state_dict` saved with `safetensors.torch.save_file` into `model`.

    The file's keys are matched to `model.state_dict()`'s keys (`<layer>.<weight>`, in
    torch's layouts: a Dense kernel is `(units, in)` like `nn.Linear.weight`). torch's
    attribute names stand for strata's: `weight` for `kernel`, `gamma` or `embeddings`,
    `bias` for `beta`, `running_mean`/`running_var` for `moving_mean`/`moving_variance`;
    `num_batches_tracked` is ignored. A one-layer, one-direction `nn.LSTM` or `nn.GRU`
    (`weight_ih_l0`, `weight_hh_l0`, `bias_ih_l0`, `bias_hh_l0`) loads into a strata `LSTM`
    or `GRU` (reset_after) of that name. Pickled files (`torch.save`'s `.pt`, `.pth`, `.bin`)
    are refused before anything is read from them.

    Args:
        model: a built strata model (or layer).
        filepath: a `.safetensors` file, or a {key: tensor} mapping already in memory.
        rename: maps the file's keys onto the model's: a dict of key prefixes
            `{"0": "hidden1", "features.3": "conv2"}` (whole dotted components; the longest
            prefix wins) or a callable `key -> key` (None ignores the key).
        layers: only load these top-level layers: a regex (`re.fullmatch` on the layer
            name), a list of names or a callable `name -> bool`.
        strict: raise when a selected model weight is missing from the file or a file key
            matches nothing; False records them in the report and warns.
        skip_mismatch: leave layers whose shapes differ unchanged (with a warning) instead
            of raising.

    Returns:
        A LoadReport; model-side names are `<layer>/<weight>`, file-side names the file's keys.

    Raises:
        ValueError: a pickled file; a shape differs (naming the key and both shapes); with
            `strict`, missing or unexpected keys; nothing at all matches (closest names).

    Example:
        >>> import os, tempfile, torch, strata
        >>> from safetensors.torch import save_file
        >>> net = torch.nn.Sequential(torch.nn.Linear(3, 2))
        >>> path = os.path.join(tempfile.mkdtemp(), "net.safetensors")
        >>> save_file(net.state_dict(), path)
        >>> model = strata.Sequential([strata.Input((3,)), strata.layers.Dense(2, name="fc")])
        >>> strata.saving.load_torch_weights(model, path, rename={"0": "fc"}).summary()
        '2 loaded, 0 skipped, 0 missing, 0 mismatched, 0 unexpected'
    """
    tensors = read_torch_file(filepath)
    source = "<state_dict>" if isinstance(filepath, Mapping) else os.fspath(filepath)
    targets = model.state_dict(keep_vars=True)
    labels = _model_labels(model, targets)
    groups = weight_matching.group_by(targets, lambda key: key.split(".", 1)[0])
    selected = weight_matching.make_selector(layers, list(groups), model.name)
    report = LoadReport(source=source)
    renamer = _key_renamer(rename, tensors, source)
    renamed = {key: renamer(key) for key in tensors}
    tensors = _fold_recurrent(tensors, renamed, targets)
    pairs = _pair_keys(tensors, renamed, targets, selected, report)
    paired = set(pairs.values())
    for name, keys in groups.items():
        wanted = [key for key in keys if key not in paired]
        target = report.skipped if not selected(name) else report.missing
        target += [labels[key] for key in wanted]
    assignments = _check_shapes(pairs, tensors, targets, labels, skip_mismatch, source, report)
    if not assignments and targets:
        raise ValueError(_nothing_matched(tensors, targets, rename, source, report))
    _strict_check(report, strict, source)
    with torch.no_grad():
        for target_key, value in assignments:
            tensor = targets[target_key]
            tensor.copy_(value.to(device=tensor.device, dtype=tensor.dtype))
    return report


def _model_labels(model, targets) -> dict:
    """state_dict key -> `<layer path>/<weight>`, the report's name for model weights."""
    from strata.saving.weights_file import _weight_keys

    by_id = {}
    keys = _weight_keys(model) if callable(getattr(model, "_weight_records", None)) else []
    for (key, layer, name), record in zip(keys, model._weight_records() if keys else []):
        by_id[id(record[2])] = weight_matching.label({"key": key, "layer": layer, "name": name})
    return {key: by_id.get(id(t), key.replace(".", "/")) for key, t in targets.items()}


def _key_renamer(rename, tensors, source):
    if rename is None:
        return lambda key: key
    if callable(rename) and not isinstance(rename, Mapping):
        return rename
    if not isinstance(rename, Mapping):
        raise ValueError(
            "rename expected a dict {file key prefix: model key prefix} or a callable(key) -> "
            f"key; received {type(rename).__name__}."
        )
    unused = [old for old in rename if not any(_has_prefix(key, old) for key in tensors)]
    if unused:
        prefixes = sorted({key.rsplit(".", 1)[0] for key in tensors})
        hints = "; ".join(f"'{n}': {weight_matching.closest_names(n, prefixes)}" for n in unused)
        raise ValueError(f"rename maps {unused}, which no key of '{source}' starts with. {hints}")
    order = sorted(rename, key=len, reverse=True)

    def renamer(key):
        for old in order:
            if _has_prefix(key, old):
                return rename[old] + key[len(old) :]
        return key

    return renamer


def _has_prefix(key: str, prefix: str) -> bool:
    return key == prefix or key.startswith(prefix + ".")


def _resolve(key, targets):
    """The model key a (renamed) file key stands for, trying torch's attribute names."""
    if key in targets:
        return key
    prefix, _, attribute = key.rpartition(".")
    for alias in _ALIASES.get(attribute, ()):
        candidate = f"{prefix}.{alias}" if prefix else alias
        if candidate in targets:
            return candidate
    return None


def _fold_recurrent(tensors, renamed, targets) -> dict:
    """Map one-layer `nn.LSTM` / `nn.GRU` weights onto strata's LSTM / GRU cells.

    torch keeps two biases (`bias_ih_l0`, `bias_hh_l0`); strata's LSTM keeps their sum and its
    GRU (reset_after) both, stacked. Kernels are torch's (same gate order) and map as they are.
    `renamed` is updated in place; the returned dict replaces each bias pair by one entry
    keyed `'<bias_ih key>+<bias_hh key>'`.
    """
    folded = dict(tensors)
    for key, new in list(renamed.items()):
        prefix = (new or "").removesuffix(".weight_ih_l0")
        if prefix == (new or "") or f"{prefix}.cell.kernel" not in targets:
            continue
        base = key.removesuffix("weight_ih_l0")
        renamed[key] = f"{prefix}.cell.kernel"
        if base + "weight_hh_l0" in renamed:
            renamed[base + "weight_hh_l0"] = f"{prefix}.cell.recurrent_kernel"
        ih, hh = base + "bias_ih_l0", base + "bias_hh_l0"
        bias = targets.get(f"{prefix}.cell.bias")
        if ih in folded and hh in folded and bias is not None:
            pair = (folded.pop(ih), folded.pop(hh))
            combined = torch.stack(pair) if bias.ndim == 2 else pair[0] + pair[1]
            folded[f"{ih}+{hh}"] = combined
            renamed[f"{ih}+{hh}"] = f"{prefix}.cell.bias"
    return folded


def _pair_keys(tensors, renamed, targets, selected, report) -> dict:
    """{file key: model key} for the selected pairs; the rest go to ignored/unexpected."""
    pairs, taken = {}, {}
    for key in tensors:
        new = renamed[key]
        target = _resolve(new, targets) if new is not None else None
        top = (target or new or "").split(".", 1)[0]
        if new is None or key.rsplit(".", 1)[-1] in _COUNTERS or not selected(top):
            report.ignored.append(key)
        elif target is None:
            report.unexpected.append(key)
        elif target in taken:
            raise ValueError(
                f"Keys '{taken[target]}' and '{key}' both map onto the model's '{target}'; "
                "expected one file key per model weight (check rename)."
            )
        else:
            taken[target] = key
            pairs[key] = target
    return pairs


def _check_shapes(pairs, tensors, targets, labels, skip_mismatch, source, report) -> list:
    # Model order, not the file's (safetensors sorts its keys).
    sources = {target: key for key, target in pairs.items()}
    ordered = [sources[target] for target in targets if target in sources]
    by_layer = weight_matching.group_by(ordered, lambda key: pairs[key].split(".", 1)[0])
    assignments = []
    for layer, keys in by_layer.items():
        bad = [k for k in keys if tuple(tensors[k].shape) != tuple(targets[pairs[k]].shape)]
        if not bad:
            report.loaded += [labels[pairs[k]] for k in keys]
            assignments += [(pairs[k], tensors[k]) for k in keys]
            continue
        key = bad[0]
        message = (
            f"'{source}': key '{key}' has shape {tuple(tensors[key].shape)}; the model's "
            f"'{pairs[key]}' (layer '{layer}') expects {tuple(targets[pairs[key]].shape)} "
            "(torch layout)."
        )
        if not skip_mismatch:
            raise ValueError(message + " Pass skip_mismatch=True to skip that layer.")
        warnings.warn(message + f" Layer '{layer}' is left unchanged.")
        report.mismatched += [
            Mismatch(labels[pairs[k]], tuple(targets[pairs[k]].shape), tuple(tensors[k].shape))
            for k in keys
        ]
    return assignments


def _strict_check(report, strict, source) -> None:
    if report.missing or report.unexpected:
        message = (
            f"'{source}': model weights missing from the file: {report.missing}; file keys "
            f"matching no model weight: {report.unexpected}."
        )
        if strict:
            raise ValueError(
                message + " Pass rename= to map the file's keys, layers= to load a subset, "
                "or strict=False to load what matches."
            )
        warnings.warn(message + " Loaded the rest (strict=False).")


def _nothing_matched(tensors, targets, rename, source, report) -> str:
    if report.mismatched:
        return (
            f"Nothing was loaded from '{source}': every paired layer's shapes differ "
            f"({report.mismatched[:3]}...)."
        )
    modules = list(dict.fromkeys(key.rpartition(".")[0] for key in tensors))
    layer_names = list(dict.fromkeys(key.split(".", 1)[0] for key in targets))
    close = {m: difflib.get_close_matches(m, layer_names, n=2, cutoff=0.5) for m in modules}
    hints = "; ".join(f"'{m}' ~ {c}" for m, c in close.items() if c) or "no close names"
    how = " after rename" if rename is not None else ""
    suggestion = ""
    if len(modules) == len(layer_names):
        # Same count: the likely intent is to map them in order; say so, ready to paste.
        suggestion = f" If they correspond in order: rename={dict(zip(modules, layer_names))}."
    return (
        f"Nothing was loaded from '{source}': none of its keys{how} matches the model's "
        f"state_dict. File modules: {modules[:10]}; model layers: {layer_names[:10]} "
        f"({hints}). Pass rename={{file module: model layer}} or a callable(key) -> key."
        + suggestion
    )
