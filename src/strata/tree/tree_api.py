"""The functions of `strata.tree` (Keras 3's `keras.tree`)."""

from __future__ import annotations

from collections import OrderedDict, defaultdict


class MAP_TO_NONE:  # noqa: N801 - Keras's name
    """Returned by a `traverse` function to put None in place of the visited node."""


# ------------------------------------------------------------------------------ node protocol
def is_nested(structure) -> bool:
    """Whether `structure` is a list, tuple (namedtuples too) or dict.

    Example:
        >>> is_nested([1]), is_nested({}), is_nested(1), is_nested(None)
        (True, True, False, False)
    """
    return isinstance(structure, (list, tuple, dict))


def _is_namedtuple(value) -> bool:
    return isinstance(value, tuple) and hasattr(type(value), "_fields")


def _keys(node) -> list:
    """The keys of a node in visiting order: sorted for dicts, insertion for OrderedDict."""
    if isinstance(node, dict):
        if isinstance(node, OrderedDict):
            return list(node)
        try:
            return sorted(node)
        except TypeError:  # keys that do not sort (mixed types): their own order
            return list(node)
    return list(range(len(node)))


def _children(node) -> list:
    return [node[key] for key in _keys(node)]


def _rebuild(node, values, sort_keys=False):
    """A node like `node` holding `values` (given in `_keys(node)` order)."""
    if isinstance(node, dict):
        pairs = dict(zip(_keys(node), values))
        order = _keys(node) if sort_keys else list(node)
        if isinstance(node, defaultdict):
            return defaultdict(node.default_factory, [(k, pairs[k]) for k in order])
        return type(node)((k, pairs[k]) for k in order)
    if _is_namedtuple(node):
        return type(node)(*values)
    if isinstance(node, tuple):
        return tuple(values) if type(node) is tuple else type(node)(values)
    return list(values)


def _describe(value) -> str:
    return type(value).__name__


# --------------------------------------------------------------------------------- flattening
def flatten(structure) -> list:
    """The leaves of `structure`, depth first (dicts by sorted key).

    Example:
        >>> flatten({"b": [1, (2, 3)], "a": None})
        [None, 1, 2, 3]
    """
    if not is_nested(structure):
        return [structure]
    leaves = []
    for child in _children(structure):
        leaves.extend(flatten(child))
    return leaves


def flatten_with_path(structure) -> list:
    """`(path, leaf)` pairs, a path being the tuple of keys and indices leading to the leaf.

    Example:
        >>> flatten_with_path({"b": [1], "a": 2})
        [(('a',), 2), (('b', 0), 1)]
    """
    found = []

    def visit(node, path):
        if not is_nested(node):
            found.append((path, node))
            return
        for key in _keys(node):
            visit(node[key], (*path, key))

    visit(structure, ())
    return found


def pack_sequence_as(structure, flat_sequence):
    """`flat_sequence`'s items placed in the shape of `structure` (the inverse of `flatten`).

    Example:
        >>> pack_sequence_as({"b": 0, "a": [0, 0]}, [1, 2, 3])
        {'a': [1, 2], 'b': 3}
    """
    flat_sequence = list(flat_sequence)
    expected = len(flatten(structure))
    if expected != len(flat_sequence):
        raise ValueError(
            f"pack_sequence_as expected {expected} items for a structure of {expected} leaves; "
            f"received {len(flat_sequence)}."
        )
    iterator = iter(flat_sequence)

    def build(node):
        if not is_nested(node):
            return next(iterator)
        return _rebuild(node, [build(child) for child in _children(node)], sort_keys=True)

    return build(structure)


# ------------------------------------------------------------------------------- comparisons
def _mismatch(a, b, path=()):
    """Where and how two structures differ, or None."""
    if is_nested(a) != is_nested(b):
        return f"at {path or 'the top'}: {_describe(a)} vs {_describe(b)}"
    if not is_nested(a):
        return None
    if type(a) is not type(b) and not (isinstance(a, dict) and isinstance(b, dict)):
        return f"at {path or 'the top'}: a {_describe(a)} vs a {_describe(b)}"
    if isinstance(a, dict):
        if set(a) != set(b):
            return f"at {path or 'the top'}: keys {sorted(map(str, a))} vs {sorted(map(str, b))}"
    elif len(a) != len(b):
        return f"at {path or 'the top'}: {len(a)} items vs {len(b)}"
    for key in _keys(a):
        found = _mismatch(a[key], b[key], (*path, key))
        if found:
            return found
    return None


def assert_same_structure(a, b, check_types=None):
    """Raise a ValueError unless `a` and `b` nest the same way (types, lengths, dict keys).

    Args:
        a: a structure.
        b: another structure.
        check_types: accepted for Keras compatibility; node types are always compared.

    Example:
        >>> assert_same_structure([1, {"a": 2}], [3, {"a": None}])
    """
    found = _mismatch(a, b)
    if found:
        raise ValueError(f"The two structures do not match {found}.")


def assert_same_paths(a, b):
    """Raise a ValueError unless `a` and `b` have the same leaf paths (node types may differ).

    Example:
        >>> assert_same_paths([1, 2], (3, 4))
    """
    paths_a = {path for path, _ in flatten_with_path(a)}
    paths_b = {path for path, _ in flatten_with_path(b)}
    if paths_a != paths_b:
        raise ValueError(
            "The two structures do not have the same paths: only in the first "
            f"{sorted(paths_a - paths_b, key=str)}, only in the second "
            f"{sorted(paths_b - paths_a, key=str)}."
        )


# ----------------------------------------------------------------------------------- mapping
def map_structure(func, *structures, none_is_leaf=True):
    """`func` applied to the leaves of one or more structures of the same shape.

    Args:
        func: called with one leaf of each structure.
        *structures: structures that nest the same way.
        none_is_leaf: when False, None is an empty node: `func` does not see it and it stays.

    Returns:
        A structure like the first one holding `func`'s results (dicts keep their key order).

    Example:
        >>> map_structure(lambda x, y: x + y, [1, (2,)], [10, (20,)])
        [11, (22,)]
    """
    if not structures:
        raise ValueError("map_structure expected at least one structure; received none.")
    for other in structures[1:]:
        assert_same_structure(structures[0], other)

    def apply(*nodes):
        first = nodes[0]
        if not is_nested(first):
            if first is None and not none_is_leaf:
                return None
            return func(*nodes)
        keys = _keys(first)
        values = [apply(*(node[key] for node in nodes)) for key in keys]
        return _rebuild(first, values)

    return apply(*structures)


def map_structure_up_to(shallow_structure, func, *structures):
    """Like `map_structure`, but only as deep as `shallow_structure`: deeper parts of the
    structures reach `func` whole.

    Example:
        >>> map_structure_up_to([0, 0], lambda a, b: (a, b), [[1], 2], [3, 4])
        [([1], 3), (2, 4)]
    """

    def apply(shallow, nodes):
        if not is_nested(shallow):
            return func(*nodes)
        for node in nodes:
            if not is_nested(node) or _mismatch(_top(shallow), _top(node)):
                raise ValueError(
                    "map_structure_up_to expected structures at least as deep as the shallow "
                    f"structure; a {_describe(node)} does not match a {_describe(shallow)}."
                )
        keys = _keys(shallow)
        return _rebuild(shallow, [apply(shallow[k], [n[k] for n in nodes]) for k in keys])

    return apply(shallow_structure, list(structures))


def _top(node):
    """The node with its children replaced by placeholders (compares one level only)."""
    return _rebuild(node, [0] * len(_keys(node)))


def map_shape_structure(func, structure):
    """`func` applied to every shape (a tuple or list of ints and None) in `structure`.

    Example:
        >>> map_shape_structure(len, [(1, 2), {"a": (3,)}])
        [2, {'a': 1}]
    """

    def apply(node):
        if _is_shape(node) or not is_nested(node):
            return func(node)
        return _rebuild(node, [apply(child) for child in _children(node)])

    return apply(structure)


def _is_shape(value) -> bool:
    return isinstance(value, (list, tuple)) and all(isinstance(d, int) or d is None for d in value)


def lists_to_tuples(structure):
    """The same structure with every list turned into a tuple.

    Example:
        >>> lists_to_tuples([1, [2, {"a": [3]}]])
        (1, (2, {'a': (3,)}))
    """
    if not is_nested(structure):
        return structure
    values = [lists_to_tuples(child) for child in _children(structure)]
    if isinstance(structure, list):
        return tuple(values)
    return _rebuild(structure, values)


def traverse(func, structure, top_down=True):
    """Visit every node (nested ones and leaves) with `func`.

    Top down, a non-None result replaces the node and its children are not visited (return
    `MAP_TO_NONE` to put None there). Bottom up, children are visited first and `func` sees
    the rebuilt node; a non-None result replaces it.

    Example:
        >>> traverse(lambda x: MAP_TO_NONE if x == 2 else None, [1, [2]])
        [1, [None]]
    """

    def result_or(node, value):
        if value is MAP_TO_NONE:
            return None
        return node if value is None else value

    def visit(node):
        if top_down:
            value = func(node)
            if value is not None:
                return result_or(node, value)
            if not is_nested(node):
                return node
            return _rebuild(node, [visit(child) for child in _children(node)])
        if is_nested(node):
            node = _rebuild(node, [visit(child) for child in _children(node)])
        return result_or(node, func(node))

    return visit(structure)
