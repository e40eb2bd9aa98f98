"""Nested structures (lists, tuples, namedtuples, dicts) with Keras 3's `keras.tree` API.

Leaves are everything that is not a list, tuple or dict (tensors, arrays, numbers, strings,
None). Dicts are visited in sorted key order (an `OrderedDict` in its own order); results keep
the input's types. Structures that should match but do not raise a ValueError saying where.
"""

from strata.tree.tree_api import (
    MAP_TO_NONE,
    assert_same_paths,
    assert_same_structure,
    flatten,
    flatten_with_path,
    is_nested,
    lists_to_tuples,
    map_shape_structure,
    map_structure,
    map_structure_up_to,
    pack_sequence_as,
    traverse,
)

__all__ = [
    "MAP_TO_NONE",
    "assert_same_paths",
    "assert_same_structure",
    "flatten",
    "flatten_with_path",
    "is_nested",
    "lists_to_tuples",
    "map_shape_structure",
    "map_structure",
    "map_structure_up_to",
    "pack_sequence_as",
    "traverse",
]
