import numpy as np
import pytest

import strata.preprocessing.sequence as sequence_module
from strata.preprocessing import sequence
from strata.utils import pad_sequences

SEQS = [[1, 2, 3, 4], [5, 6], [], [7]]


def test_module_and_utils_export_the_same_function():
    assert sequence is sequence_module
    assert sequence.pad_sequences is pad_sequences


def test_default_pre_padding_to_longest():
    expected = np.array([[1, 2, 3, 4], [0, 0, 5, 6], [0, 0, 0, 0], [0, 0, 0, 7]])
    out = pad_sequences(SEQS)
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out, expected)


def test_post_padding():
    expected = np.array([[1, 2, 3, 4], [5, 6, 0, 0], [0, 0, 0, 0], [7, 0, 0, 0]])
    np.testing.assert_array_equal(pad_sequences(SEQS, padding="post"), expected)


def test_maxlen_truncating_pre_keeps_the_end():
    expected = np.array([[3, 4], [5, 6], [0, 0], [0, 7]])
    np.testing.assert_array_equal(pad_sequences(SEQS, maxlen=2), expected)


def test_maxlen_truncating_post_keeps_the_start():
    expected = np.array([[1, 2], [5, 6], [0, 0], [0, 7]])
    np.testing.assert_array_equal(pad_sequences(SEQS, maxlen=2, truncating="post"), expected)


def test_longer_maxlen_value_and_dtype():
    out = pad_sequences([[1.5, 2.5], [3.0]], maxlen=3, dtype="float32", value=-1.0)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [[-1.0, 1.5, 2.5], [-1.0, -1.0, 3.0]])


def test_int_dtype_truncates_float_items():
    np.testing.assert_array_equal(pad_sequences([[1.7, 2.2]]), [[1, 2]])


def test_items_with_feature_dimensions():
    seqs = [np.ones((3, 2)), np.full((1, 2), 5.0)]
    out = pad_sequences(seqs, maxlen=2, dtype="float32", padding="post")
    assert out.shape == (2, 2, 2)
    np.testing.assert_array_equal(out[1], [[5, 5], [0, 0]])


def test_string_values():
    out = pad_sequences([["a", "b"], ["c"]], dtype=object, value="<pad>")
    np.testing.assert_array_equal(out, [["a", "b"], ["<pad>", "c"]])
    with pytest.raises(ValueError, match="string padding value"):
        pad_sequences([[1]], value="x")


def test_maxlen_zero_gives_empty_rows():
    assert pad_sequences([[1, 2], [3]], maxlen=0).shape == (2, 0)


@pytest.mark.parametrize("kwargs", [{"padding": "middle"}, {"truncating": "both"}])
def test_bad_modes_raise(kwargs):
    with pytest.raises(ValueError, match="expected 'pre' or 'post'"):
        pad_sequences(SEQS, **kwargs)


def test_non_iterable_entry_raises():
    with pytest.raises(ValueError, match="entry 1 is 5"):
        pad_sequences([[1], 5])


def test_mismatched_item_shapes_raise():
    with pytest.raises(ValueError, match=r"items of shape \(2,\)"):
        pad_sequences([np.ones((2, 2)), np.ones((2, 3))], dtype="float32")
