"""Pair a model's weights with stored ones, by position or by layer name, into a LoadReport.

Stored weights come as `[(entry, array)]` in file order, each entry a dict with `key` (a path
such as `layers/inner/layers/dense/vars/0`), `layer` (the owning layer's name) and `name` (the
weight's attribute name), as `weights_file.read_weights` returns them, and optionally `source`
(where the file keeps it, for messages) and `label` (how reports name it, when not
`<layer>/<name>`); any reader that produces this list (strata files, Keras files) gets the same
matching, filters and report.

Rules:
- Matching is by top-level layer name when `by_name=True`, or when `by_name` is None (the
  default) and `layers` or `rename` is given; otherwise by position.
- Within a matched layer, weights pair in order. A layer loads whole or not at all: if any of
  its shapes (or its weight count) differs, it raises, or with `skip_mismatch` it is left
  unchanged and listed in `mismatched`.
- Nothing is assigned until every check passed, and loading nothing at all is an error.
"""

from __future__ import annotations

import difflib
import re
import warnings

from strata.saving.load_report import LoadReport, Mismatch


def top_name(entry: dict) -> str:
    """The top-level layer a stored weight belongs to ('' for the model's own weights)."""
    parts = str(entry.get("key", "")).split("/")
    if parts[0] == "layers" and len(parts) > 2:
        return parts[1]
    return "" if parts[0] in ("vars", "") else str(entry.get("layer", ""))


def label(entry: dict) -> str:
    """`<layer path>/<weight name>` for a stored or model weight entry (or the entry's own
    `label`, which readers set where the file names its weights otherwise)."""
    if entry.get("label"):
        return str(entry["label"])
    parts, path = str(entry.get("key", "")).split("/"), []
    while len(parts) > 2 and parts[0] == "layers":
        path.append(parts[1])
        parts = parts[2:]
    if not path and entry.get("layer") and not str(entry.get("key", "")).startswith("vars"):
        path = [str(entry["layer"])]
    return "/".join([*path, str(entry.get("name", parts[-1]))])


# ------------------------------------------------------------------------------------ filters
def make_selector(layers, names: list, model_name: str):
    """A `name -> bool` test from a `layers` argument, checked against the model's layer names.

    Args:
        layers: None (every layer), a regex string or compiled pattern (`re.fullmatch` on the
            name), a list/tuple/set of names, or a callable `name -> bool`.
        names: the model's top-level layer names that hold weights.
        model_name: for messages.

    Raises:
        ValueError: `layers` has another type, is a bad regex, lists a name the model lacks,
            or selects no layer (the message lists the closest names).
    """
    if layers is None:
        return lambda name: True
    if isinstance(layers, str | re.Pattern):
        try:
            pattern = re.compile(layers) if isinstance(layers, str) else layers
        except re.error as error:
            raise ValueError(
                f"layers={layers!r} is not a valid regular expression ({error})."
            ) from None
        test, shown = (lambda name: pattern.fullmatch(name) is not None), pattern.pattern
    elif isinstance(layers, list | tuple | set | frozenset):
        wanted = set(layers)
        _check_listed(wanted, names, model_name)
        test, shown = (lambda name: name in wanted), sorted(wanted)
    elif callable(layers):
        test, shown = (lambda name: bool(layers(name))), getattr(layers, "__name__", "callable")
    else:
        raise ValueError(
            "layers expected a regex string, a list of layer names or a callable(name) -> bool; "
            f"received {type(layers).__name__}."
        )
    if not any(test(name) for name in names):
        hint = closest_names(str(shown), names)
        raise ValueError(
            f"layers={shown!r} selects none of the layers with weights of model "
            f"'{model_name}' (a regex must match the whole name). {hint}"
        )
    return test


def _check_listed(wanted, names, model_name) -> None:
    unknown = sorted(name for name in wanted if name not in names)
    if unknown:
        hints = "; ".join(f"'{n}': {closest_names(n, names)}" for n in unknown)
        raise ValueError(
            f"layers lists {unknown}, which model '{model_name}' has no layer with weights "
            f"named. {hints}"
        )


def closest_names(name: str, candidates) -> str:
    """A sentence naming the candidates closest to `name` (and all of them when few)."""
    close = difflib.get_close_matches(name, list(candidates), n=3, cutoff=0.4)
    found = f"Closest names: {close}." if close else "No close name."
    listing = list(candidates)
    if len(listing) <= 20:
        found += f" Available: {listing}."
    return found


def make_renamer(rename, file_names: list, filepath):
    """A `file layer name -> model layer name (or None to ignore)` function.

    Raises:
        ValueError: `rename` is neither a dict nor a callable, or its dict names a layer the
            file lacks (with the closest names).
    """
    if rename is None:
        return lambda name: name
    if isinstance(rename, dict):
        unknown = [old for old in rename if old not in file_names]
        if unknown:
            hints = "; ".join(f"'{n}': {closest_names(n, file_names)}" for n in unknown)
            raise ValueError(
                f"rename maps {unknown}, which '{filepath}' has no layer named "
                f"(rename maps the file's names to the model's). {hints}"
            )
        return lambda name: rename.get(name, name)
    if callable(rename):
        return rename
    raise ValueError(
        "rename expected a dict {file layer name: model layer name} or a callable(name) -> "
        f"name; received {type(rename).__name__}."
    )


# ----------------------------------------------------------------------------------- matching
def match(
    model_entries,
    shapes,
    saved,
    filepath,
    model_name,
    *,
    by_name=None,
    layers=None,
    rename=None,
    skip_mismatch=False,
):
    """Pair model weights with stored ones and check them.

    Args:
        model_entries: one entry dict (key, layer, name) per model weight, in weights order.
        shapes: the model weights' shapes (Keras layouts), same order.
        saved: [(entry, array)] from the file, in file order.
        filepath: for messages.
        model_name: for messages.
        by_name, layers, rename, skip_mismatch: as in `strata.saving.load_weights`.

    Returns:
        (assignments, report): [(model weight index, array)] to set, and the LoadReport.

    Raises:
        ValueError: see `strata.saving.load_weights`.
    """
    names_mode = by_names(by_name, layers, rename)
    model_groups = group_by(range(len(model_entries)), lambda i: top_name(model_entries[i]))
    selected = make_selector(layers, list(model_groups), model_name)
    report = LoadReport(source=str(filepath))
    if names_mode:
        pairs = _pairs_by_name(model_groups, saved, selected, rename, filepath, report)
    elif layers is None:
        pairs = _pairs_by_position(model_groups, saved, skip_mismatch, filepath, model_name, report)
    else:
        pairs = _pairs_by_layer_order(model_groups, saved, selected, report)
    labels = [label(entry) for entry in model_entries]
    for name, group in model_groups.items():
        if not selected(name):
            report.skipped += [labels[i] for i in group]
        elif name not in pairs:
            report.missing += [labels[i] for i in group]
    assignments = _check_pairs(pairs, labels, shapes, skip_mismatch, filepath, report)
    if not assignments and model_entries:
        raise ValueError(_nothing_loaded(model_groups, saved, selected, rename, filepath, report))
    return assignments, report


def by_names(by_name, layers, rename) -> bool:
    """Whether a load pairs layers by name: `by_name`, or when None, whether `layers` or
    `rename` is given.

    Raises:
        ValueError: `rename` with `by_name=False`.
    """
    if by_name is False and rename is not None:
        raise ValueError(
            "rename maps layer names, so it needs by_name=True (or None); received by_name=False."
        )
    return bool(by_name) if by_name is not None else (layers is not None or rename is not None)


def group_by(items, key) -> dict:
    """{key(item): [items]} in first-seen order."""
    groups = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return groups


def _pairs_by_name(model_groups, saved, selected, rename, filepath, report):
    file_groups = group_by(saved, lambda item: top_name(item[0]))
    renamer = make_renamer(rename, list(file_groups), filepath)
    pairs, sources = {}, {}
    for old, items in file_groups.items():
        new = renamer(old)
        if new is None or not selected(new):
            report.ignored += [label(entry) for entry, _ in items]
        elif new in sources:
            raise ValueError(
                f"rename maps both '{sources[new]}' and '{old}' of '{filepath}' onto layer "
                f"'{new}'; expected at most one file layer per model layer."
            )
        elif new in model_groups:
            sources[new] = old
            pairs[new] = (model_groups[new], items)
        else:
            report.unexpected += [label(entry) for entry, _ in items]
    return pairs


def _pairs_by_position(model_groups, saved, skip_mismatch, filepath, model_name, report):
    total = sum(len(group) for group in model_groups.values())
    if len(saved) != total:
        message = (
            f"Model '{model_name}' expected {total} weights; '{filepath}' holds {len(saved)} "
            "(saved from another architecture?)."
        )
        if not skip_mismatch:
            raise ValueError(
                message + " Pass skip_mismatch=True to load what matches, or by_name=True / "
                "layers=... to load layers by name."
            )
        warnings.warn(message + " Loading the weights that match by position and shape.")
    report.unexpected += [label(entry) for entry, _ in saved[total:]]
    pairs, start = {}, 0
    for name, group in model_groups.items():
        items = saved[start : start + len(group)]
        start += len(group)
        if items:
            pairs[name] = (group, items)
    return pairs


def _pairs_by_layer_order(model_groups, saved, selected, report):
    """by_name=False with a filter: the k-th model layer with weights takes the file's k-th."""
    file_groups = list(group_by(saved, lambda item: top_name(item[0])).values())
    pairs = {}
    for index, (name, group) in enumerate(model_groups.items()):
        if index >= len(file_groups):
            break
        if selected(name):
            pairs[name] = (group, file_groups[index])
        else:
            report.ignored += [label(entry) for entry, _ in file_groups[index]]
    for items in file_groups[len(model_groups) :]:
        report.unexpected += [label(entry) for entry, _ in items]
    return pairs


def _check_pairs(pairs, labels, shapes, skip_mismatch, filepath, report):
    assignments = []
    for name, (group, items) in pairs.items():
        bad = _layer_mismatches(name, group, items, labels, shapes)
        if not bad:
            report.loaded += [labels[i] for i in group]
            assignments += [(i, array) for i, (_, array) in zip(group, items, strict=True)]
            continue
        message = _mismatch_message(name, group, items, labels, shapes, filepath)
        if not skip_mismatch:
            raise ValueError(message + " Pass skip_mismatch=True to skip it.")
        warnings.warn(message + f" Layer '{name}' is left unchanged.")
        report.mismatched += bad
    return assignments


def _layer_mismatches(name, group, items, labels, shapes) -> list:
    file_shapes = [tuple(array.shape) for _, array in items]
    model_shapes = [tuple(shapes[i]) for i in group]
    if len(file_shapes) != len(model_shapes):
        return [Mismatch(name, tuple(model_shapes), tuple(file_shapes))]
    if model_shapes == file_shapes:
        return []
    return [Mismatch(labels[i], m, f) for i, m, f in zip(group, model_shapes, file_shapes)]


def _mismatch_message(name, group, items, labels, shapes, filepath) -> str:
    if len(group) != len(items):
        return (
            f"Layer '{name or '(model)'}' expected {len(group)} weights; '{filepath}' holds "
            f"{len(items)} for it."
        )
    for i, (entry, array) in zip(group, items):
        if tuple(array.shape) != tuple(shapes[i]):
            weight = labels[i].rsplit("/", 1)[-1]
            return (
                f"Layer '{name}' weight '{weight}' expected shape {tuple(shapes[i])}; "
                f"'{filepath}' holds shape {tuple(array.shape)} (saved as "
                f"'{entry.get('source', entry.get('key'))}')."
            )
    return ""


def _nothing_loaded(model_groups, saved, selected, rename, filepath, report) -> str:
    if report.mismatched:
        return (
            f"Nothing was loaded from '{filepath}': every paired layer's shapes differ "
            f"({report.mismatched[:3]}...). Expected at least one matching layer."
        )
    if not saved:
        return f"Nothing was loaded: '{filepath}' holds no weights."
    file_names = list(group_by(saved, lambda item: top_name(item[0])))
    wanted = [name for name in model_groups if selected(name)]
    hints = "; ".join(f"'{n}': {closest_names(n, file_names)}" for n in wanted[:5])
    how = " (after rename)" if rename is not None else ""
    return (
        f"Nothing was loaded from '{filepath}': none of the model's selected layers {wanted} "
        f"matches a layer name in the file{how}. {hints} Pass rename={{file name: model name}} "
        "for layers whose names changed."
    )
