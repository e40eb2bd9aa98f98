"""`strata.zoo`'s functions: save, list, load, load_weights, info, delete, verify, clean."""

from __future__ import annotations

import datetime
import difflib
import json
import os
import warnings

from strata.utils import file_io
from strata.zoo import store
from strata.zoo.records import (
    EntryNotFoundError,
    ZooEntry,
    ZooListing,
    check_metrics,
    check_name,
    check_tags,
)

# A load that finds its model file gone (a concurrent save replaced the entry, or a delete)
# reads the record again; each retry means another writer finished in between.
_LOAD_ATTEMPTS = 20


def save(
    model,
    name,
    description=None,
    metrics=None,
    tags=(),
    overwrite=False,
    include_optimizer=True,
    directory=None,
):
    """Save a model in the zoo under `name`, with what you want to remember about it.

    The model is written in strata's safe file format (what `model.save` writes), then the
    entry is committed at once: readers and other processes see the entry complete or not at
    all, even if this process is killed midway.

    Args:
        model: a built strata model.
        name: the entry's name: letters, digits, '.', '_' and '-' (it becomes a file name).
        description: free text, or None.
        metrics: {metric name: number}, e.g. `model.evaluate(x, y, return_dict=True)`.
        tags: a string or strings to find the entry by (`strata.zoo.list(tag=...)`).
        overwrite: replace an existing entry of that name. False (the default) raises
            FileExistsError instead, so a trained model is never lost by a reused name.
        include_optimizer: also store the optimizer's state (to continue training later).
        directory: the zoo's folder; default `$STRATA_ZOO`, else `~/.strata/zoo`.

    Returns:
        The new entry's `ZooEntry`.

    Raises:
        ValueError: a bad name, metric, tag or description, or an unbuilt model.
        FileExistsError: the name exists and `overwrite` is False.

    Example:
        >>> import tempfile, strata
        >>> zoo_dir = tempfile.mkdtemp()
        >>> model = strata.Sequential([strata.Input((4,)), strata.layers.Dense(2)])
        >>> entry = strata.zoo.save(model, "tiny", metrics={"accuracy": 0.5},
        ...                         tags=["demo"], directory=zoo_dir)
        >>> entry.params
        10
        >>> strata.zoo.list(directory=zoo_dir).names()
        ['tiny']
    """
    check_name(name)
    metrics = check_metrics(metrics)
    tags = check_tags(tags)
    if description is not None and not isinstance(description, str):
        raise ValueError(f"description expected a string or None; received {description!r}.")
    if not getattr(model, "built", False):
        raise ValueError(
            f"zoo.save expected a built model; '{getattr(model, 'name', model)}' has no weights "
            "yet (give it an Input, or call it on data first)."
        )
    root = store.zoo_directory(directory)
    store.prepare(root)
    store.remove_dead_temporaries(root)
    if not overwrite and store.record_path(root, name).exists():
        raise _exists(name)  # early, before writing a model file that would be discarded
    from strata.saving.saving_lib import save_model

    path = store.new_model_path(root, name)
    committed = False
    try:
        save_model(model, path, overwrite=False, include_optimizer=include_optimizer)
        entry = _describe(model, name, description, metrics, tags, path)
        with store.locked(root):
            if not overwrite and store.record_path(root, name).exists():
                raise _exists(name)
            previous = _read_record_or_none(root, name)
            if not path.exists():
                raise RuntimeError(
                    f"The model file of the save of '{name}' was removed before its entry was "
                    "committed (a clean() on a zoo shared between machines?); save again."
                )
            data = json.dumps(entry.to_json(), indent=1).encode("utf-8")
            file_io.write_bytes_atomically(store.record_path(root, name), data)
            committed = True
            if previous is not None and previous.file != path.name:
                store.remove_quietly(root / store.MODELS / previous.file)
            for leftover in store.leftovers(root, _referenced_files(root)):
                store.remove_quietly(leftover)
    finally:
        if not committed:
            store.remove_quietly(path)
    return entry


def _exists(name) -> FileExistsError:
    return FileExistsError(
        f"The zoo already holds an entry named '{name}'; pass overwrite=True to replace it, "
        "or choose another name."
    )


def _describe(model, name, description, metrics, tags, path) -> ZooEntry:
    import strata

    trainable = sum(int(w.numel()) for w in model.trainable_weights)
    return ZooEntry(
        name=name,
        created=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        params=int(model.count_params()),
        trainable_params=trainable,
        metrics=metrics,
        tags=tags,
        description=description,
        class_name=type(model).__name__,
        model_name=str(model.name),
        input_shape=_shape_or_none(model, "input_shape"),
        output_shape=_shape_or_none(model, "output_shape"),
        strata_version=strata.__version__,
        file=path.name,
        sha256=file_io.file_digest(path, "sha256"),
        size_bytes=os.path.getsize(path),
    )


def _shape_or_none(model, attribute):
    try:
        shape = getattr(model, attribute)
    except Exception:  # a subclassed model may not know its shapes
        return None
    try:
        return json.loads(json.dumps(shape, default=list))
    except (TypeError, ValueError):
        return None


def _read_record(root, name) -> ZooEntry:
    """The entry's record; EntryNotFoundError when absent, ValueError when unreadable."""
    path = store.record_path(root, name)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise _not_found(root, name) from None
    try:
        entry = ZooEntry.from_json(json.loads(data.decode("utf-8")))
        if entry.name != name:
            raise ValueError(f"it names the entry '{entry.name}'")
    except (UnicodeDecodeError, json.JSONDecodeError, ValueError, TypeError) as error:
        raise ValueError(f"The zoo record '{path}' is not a valid entry: {error}.") from None
    return entry


def _read_record_or_none(root, name):
    try:
        return _read_record(root, name)
    except ValueError:  # absent (EntryNotFoundError is one) or unreadable: replaceable
        return None


def _not_found(root, name) -> EntryNotFoundError:
    names = store.record_names(root)
    close = difflib.get_close_matches(name, names, n=3)
    hint = f" Closest names: {close}." if close else ""
    return EntryNotFoundError(
        f"No zoo entry named '{name}' in '{root}' ({len(names)} entries).{hint} "
        "strata.zoo.list() shows them all."
    )


def _referenced_files(root) -> set[str]:
    files = set()
    for name in store.record_names(root):
        entry = _read_record_or_none(root, name)
        if entry is not None:
            files.add(entry.file)
    return files


def _with_entry_file(root, name, action):
    """`action(model file path, entry)` on the entry's checked file; re-read the record when a
    concurrent save or delete removed the file in between."""
    for _ in range(_LOAD_ATTEMPTS):
        entry = _read_record(root, name)
        path = root / store.MODELS / entry.file
        try:
            digest = file_io.file_digest(path, "sha256")
            if digest != entry.sha256:
                raise ValueError(
                    f"Zoo entry '{name}': its model file '{path}' has SHA-256 {digest}; the "
                    f"entry recorded {entry.sha256}. The file was changed or damaged after "
                    "saving; nothing was loaded."
                )
            return action(path, entry)
        except FileNotFoundError:
            continue
    raise RuntimeError(
        f"Zoo entry '{name}' kept changing while it was read ({_LOAD_ATTEMPTS} attempts); "
        "try again when the saves writing it have finished."
    )


def load(name, custom_objects=None, compile=True, safe_mode=True, directory=None):
    """The zoo entry's model, with its weights (and compile settings when `compile`).

    Args:
        name: the entry's name.
        custom_objects: {name: class or function} for unregistered custom classes.
        compile: restore the saved compile settings and optimizer state.
        safe_mode: refuse models holding Python source (Lambda layers); see `load_model`.
        directory: the zoo's folder; default `$STRATA_ZOO`, else `~/.strata/zoo`.

    Raises:
        EntryNotFoundError: (a ValueError and KeyError) no entry of that name.
        ValueError: the model file does not match its recorded SHA-256.

    Example:
        >>> import tempfile, strata
        >>> zoo_dir = tempfile.mkdtemp()
        >>> model = strata.Sequential([strata.Input((4,)), strata.layers.Dense(2)])
        >>> _ = strata.zoo.save(model, "tiny", directory=zoo_dir)
        >>> strata.zoo.load("tiny", directory=zoo_dir).count_params()
        10
    """
    from strata.saving.saving_lib import load_model

    check_name(name)
    root = store.zoo_directory(directory)
    return _with_entry_file(
        root,
        name,
        lambda path, _: load_model(
            path, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode
        ),
    )


def load_weights(model, name, directory=None, **kwargs):
    """Load a zoo entry's weights into `model` (built with the entry's architecture).

    Args:
        model: the model to load into.
        name: the entry's name.
        directory: the zoo's folder; default `$STRATA_ZOO`, else `~/.strata/zoo`.
        **kwargs: passed to `model.load_weights` (`skip_mismatch`, `by_name`, ...).

    Returns:
        What `model.load_weights` returns.

    Raises:
        ValueError: the entry's weights do not fit `model` (the message names both models
            and the first weight that differs), or its file does not match its checksum.

    Example:
        >>> import tempfile, strata
        >>> zoo_dir = tempfile.mkdtemp()
        >>> model = strata.Sequential([strata.Input((4,)), strata.layers.Dense(2)])
        >>> _ = strata.zoo.save(model, "tiny", directory=zoo_dir)
        >>> fresh = strata.Sequential([strata.Input((4,)), strata.layers.Dense(2)])
        >>> _ = strata.zoo.load_weights(fresh, "tiny", directory=zoo_dir)
        >>> all((a == b).all() for a, b in zip(fresh.get_weights(), model.get_weights()))
        True
    """
    check_name(name)
    root = store.zoo_directory(directory)

    def assign(path, entry):
        try:
            return model.load_weights(str(path), **kwargs)
        except ValueError as error:
            raise ValueError(
                f"Zoo entry '{name}' ({entry.class_name} '{entry.model_name}', "
                f"{entry.params:,} params) does not fit model '{model.name}' "
                f"({_count(model)} params): {error}"
            ) from error

    return _with_entry_file(root, name, assign)


def _count(model) -> str:
    try:
        return f"{model.count_params():,}"
    except ValueError:
        return "unbuilt, no"


def info(name, directory=None) -> ZooEntry:
    """The `ZooEntry` of `name` (date, params, metrics, tags, description, file, checksum).

    Args:
        name: the entry's name.
        directory: the zoo's folder; default `$STRATA_ZOO`, else `~/.strata/zoo`.

    Raises:
        EntryNotFoundError: (a ValueError and KeyError) no entry of that name.

    Example:
        >>> import tempfile, strata
        >>> zoo_dir = tempfile.mkdtemp()
        >>> model = strata.Sequential([strata.Input((4,)), strata.layers.Dense(2)])
        >>> _ = strata.zoo.save(model, "tiny", tags="demo", directory=zoo_dir)
        >>> strata.zoo.info("tiny", directory=zoo_dir).tags
        ('demo',)
    """
    check_name(name)
    return _read_record(store.zoo_directory(directory), name)


def delete(name, directory=None) -> ZooEntry:
    """Remove the entry `name` and its model file; returns the removed entry.

    Args:
        name: the entry's name.
        directory: the zoo's folder; default `$STRATA_ZOO`, else `~/.strata/zoo`.

    Raises:
        EntryNotFoundError: (a ValueError and KeyError) no entry of that name.

    Example:
        >>> import tempfile, strata
        >>> zoo_dir = tempfile.mkdtemp()
        >>> model = strata.Sequential([strata.Input((4,)), strata.layers.Dense(2)])
        >>> _ = strata.zoo.save(model, "tiny", directory=zoo_dir)
        >>> strata.zoo.delete("tiny", directory=zoo_dir).name
        'tiny'
        >>> strata.zoo.list(directory=zoo_dir)
        []
    """
    check_name(name)
    root = store.zoo_directory(directory)
    if not (root / store.ENTRIES).is_dir():
        raise _not_found(root, name)
    with store.locked(root):
        entry = _read_record_or_none(root, name)
        if not store.remove_quietly(store.record_path(root, name)):
            raise _not_found(root, name)
        if entry is not None:
            store.remove_quietly(root / store.MODELS / entry.file)
    return entry


def verify(directory=None) -> list[str]:
    """Check every entry: a readable record, its model file present, the checksum equal.

    Args:
        directory: the zoo's folder; default `$STRATA_ZOO`, else `~/.strata/zoo`.

    Returns:
        One line per problem found; empty when the zoo is sound.

    Example:
        >>> import tempfile, strata
        >>> zoo_dir = tempfile.mkdtemp()
        >>> model = strata.Sequential([strata.Input((4,)), strata.layers.Dense(2)])
        >>> _ = strata.zoo.save(model, "tiny", directory=zoo_dir)
        >>> strata.zoo.verify(directory=zoo_dir)
        []
    """
    root = store.zoo_directory(directory)
    problems = []
    for name in store.record_names(root):
        try:
            entry = _read_record(root, name)
        except EntryNotFoundError:
            continue  # deleted meanwhile
        except ValueError as error:
            problems.append(str(error))
            continue
        path = root / store.MODELS / entry.file
        if not path.is_file():
            problems.append(f"Zoo entry '{name}': its model file '{path}' is missing.")
        elif file_io.file_digest(path, "sha256") != entry.sha256:
            problems.append(f"Zoo entry '{name}': its model file '{path}' fails its checksum.")
    return problems


def clean(directory=None) -> list[str]:
    """Remove what interrupted saves left: temporary files of processes that died, and model
    files that no entry names. Entries and saves in progress are untouched.

    Args:
        directory: the zoo's folder; default `$STRATA_ZOO`, else `~/.strata/zoo`.

    Returns:
        The removed paths.

    Example:
        >>> import tempfile, strata
        >>> strata.zoo.clean(directory=tempfile.mkdtemp())
        []
    """
    root = store.zoo_directory(directory)
    if not (root / store.MODELS).is_dir():
        return []
    removed = store.remove_dead_temporaries(root)
    with store.locked(root):
        for leftover in store.leftovers(root, _referenced_files(root)):
            if store.remove_quietly(leftover):
                removed.append(str(leftover))
    return removed


def list(tag=None, directory=None) -> ZooListing:  # noqa: A001 - Keras-style module function
    """The zoo's entries, sorted by name; printing the result shows a table
    (name, date, params, metrics, tags).

    Args:
        tag: keep only the entries carrying this tag.
        directory: the zoo's folder; default `$STRATA_ZOO`, else `~/.strata/zoo`.

    Returns:
        A `ZooListing` (a list of `ZooEntry`). A record that cannot be read is left out with
        a warning; `strata.zoo.verify()` reports it.

    Example:
        >>> import tempfile, strata
        >>> zoo_dir = tempfile.mkdtemp()
        >>> model = strata.Sequential([strata.Input((4,)), strata.layers.Dense(2)])
        >>> _ = strata.zoo.save(model, "tiny", tags="demo", directory=zoo_dir)
        >>> strata.zoo.list(tag="demo", directory=zoo_dir).names()
        ['tiny']
    """
    if tag is not None and not isinstance(tag, str):
        raise ValueError(f"tag expected a string or None; received {tag!r}.")
    root = store.zoo_directory(directory)
    entries = ZooListing()
    for name in store.record_names(root):
        try:
            entry = _read_record(root, name)
        except EntryNotFoundError:
            continue  # deleted between the listing and the read
        except ValueError as error:
            warnings.warn(f"{error} Left out of the listing.")
            continue
        if tag is None or tag in entry.tags:
            entries.append(entry)
    return entries
