"""`strata.tree`: Keras 3's `keras.tree`.

Expected values were checked against Keras 3.15.1 (torch backend) where Keras is consistent;
one deliberate difference: Keras's torch tree leaves a dict nested in a dict in insertion
order, strata sorts every dict (Keras's documented rule, as its other backends do).
"""

import collections

import numpy as np
import pytest
import torch

from strata import tree

NT = collections.namedtuple("NT", "b a")
STRUCTURE = {"b": [1, (2, 3)], "a": None, "c": {"y": 4, "z": 5}}


def test_flatten_sorts_dict_keys_and_keeps_none_as_a_leaf():
    assert tree.flatten(STRUCTURE) == [None, 1, 2, 3, 4, 5]
    assert tree.flatten({"z": 4, "y": 5}) == [5, 4]
    assert tree.flatten({1: "a", 0: "b"}) == ["b", "a"]
    assert tree.flatten(collections.OrderedDict([("b", 1), ("a", 2)])) == [1, 2]
    assert tree.flatten(NT(1, 2)) == [1, 2]
    assert tree.flatten("ab") == ["ab"] and tree.flatten(1) == [1]
    array = np.ones(2)
    assert tree.flatten([array])[0] is array
    assert tree.is_nested([1]) and tree.is_nested({}) and not tree.is_nested(np.ones(2))
    assert not tree.is_nested(None) and not tree.is_nested(torch.ones(1))


def test_map_structure_keeps_types_and_order():
    doubled = tree.map_structure(lambda x: None if x is None else 2 * x, STRUCTURE)
    assert doubled == {"b": [2, (4, 6)], "a": None, "c": {"y": 8, "z": 10}}
    assert list(doubled) == ["b", "a", "c"]
    assert tree.map_structure(lambda x, y: x + y, [1, (2,)], [10, (20,)]) == [11, (22,)]
    assert tree.map_structure(lambda x: x, NT(1, 2)) == NT(1, 2)
    assert tree.map_structure(lambda x: 0, [None, 1], none_is_leaf=False) == [None, 0]
    with pytest.raises(ValueError, match="do not match"):
        tree.map_structure(lambda a, b: a, [1, 2], [1])
    with pytest.raises(ValueError, match="do not match"):
        tree.map_structure(lambda a, b: a, [1, 2], (3, 4))


def test_pack_sequence_as_and_flatten_with_path():
    assert tree.pack_sequence_as(STRUCTURE, list(range(6))) == {
        "a": 0,
        "b": [1, (2, 3)],
        "c": {"y": 4, "z": 5},
    }
    assert tree.pack_sequence_as(NT(0, 0), [7, 8]) == NT(7, 8)
    packed = tree.pack_sequence_as(collections.OrderedDict([("b", 1), ("a", 2)]), [7, 8])
    assert list(packed.items()) == [("b", 7), ("a", 8)]
    with pytest.raises(ValueError, match="expected 2 items"):
        tree.pack_sequence_as([1, 2], [1])
    assert tree.flatten_with_path(STRUCTURE) == [
        (("a",), None),
        (("b", 0), 1),
        (("b", 1, 0), 2),
        (("b", 1, 1), 3),
        (("c", "y"), 4),
        (("c", "z"), 5),
    ]


def test_assert_same_structure_and_paths():
    tree.assert_same_structure([1, {"a": 2}], [None, {"a": "x"}])
    for a, b in [([1, 2], [1]), ([1, [2]], (1, [2])), ({"a": 1}, {"b": 1}), ([1], [[1]])]:
        with pytest.raises(ValueError, match="do not match"):
            tree.assert_same_structure(a, b)
    tree.assert_same_paths([1, 2], (3, 4))
    with pytest.raises(ValueError, match="same paths"):
        tree.assert_same_paths({"a": 1}, {"b": 1})


def test_up_to_shapes_lists_and_traverse():
    result = tree.map_structure_up_to([1, [2, 3]], lambda a, b: (a, b), [1, [[2], 3]], [4, [5, 6]])
    assert result == [(1, 4), [([2], 5), (3, 6)]]
    with pytest.raises(ValueError, match="at least as deep"):
        tree.map_structure_up_to([1, [2]], lambda a: a, [1, 2])
    assert tree.lists_to_tuples([1, [2, {"a": [3]}]]) == (1, (2, {"a": (3,)}))
    assert tree.map_shape_structure(lambda s: s, [(1, 2), {"a": (3,)}]) == [(1, 2), {"a": (3,)}]
    assert tree.map_shape_structure(len, [(1, None), {"a": ()}]) == [2, {"a": 0}]
    assert tree.traverse(lambda x: None, [1, [2]]) == [1, [2]]
    assert tree.traverse(lambda x: 0 if x == [2] else None, [1, [2]]) == [1, 0]
    assert tree.traverse(lambda x: tree.MAP_TO_NONE if x == 2 else None, [1, [2]]) == [1, [None]]
    bottom_up = tree.traverse(
        lambda x: x * 10 if isinstance(x, int) else None, [1, [2]], top_down=False
    )
    assert bottom_up == [10, [20]]
