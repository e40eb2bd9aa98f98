import numpy as np
import pytest
import torch

from strata.utils import normalize, to_categorical


def test_to_categorical_flat_labels():
    out = to_categorical([2, 0, 1, 2])
    expected = np.array(
        [[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]],
        dtype=np.float32,
    )
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, expected)


def test_to_categorical_num_classes_wider_than_labels():
    out = to_categorical(np.array([0, 1]), num_classes=4)
    np.testing.assert_array_equal(out, [[1, 0, 0, 0], [0, 1, 0, 0]])


def test_to_categorical_trailing_one_is_squeezed():
    out = to_categorical(np.array([[1], [0], [2]]), num_classes=3)
    assert out.shape == (3, 3)
    np.testing.assert_array_equal(out, [[0, 1, 0], [1, 0, 0], [0, 0, 1]])


def test_to_categorical_keeps_other_shapes():
    labels = np.array([[0, 1], [1, 1], [2, 0]])
    out = to_categorical(labels)
    assert out.shape == (3, 2, 3)
    np.testing.assert_array_equal(out[0], [[1, 0, 0], [0, 1, 0]])
    np.testing.assert_array_equal(out[2], [[0, 0, 1], [1, 0, 0]])
    # A lone label of shape (1,) is not squeezed: there is nothing before the 1.
    assert to_categorical(np.array([1]), 2).shape == (1, 2)


def test_to_categorical_scalar_label():
    np.testing.assert_array_equal(to_categorical(1, num_classes=3), [0, 1, 0])


def test_to_categorical_whole_floats_accepted_fractions_refused():
    np.testing.assert_array_equal(to_categorical([1.0, 0.0]), [[0, 1], [1, 0]])
    with pytest.raises(ValueError, match="non-integer"):
        to_categorical([0.5, 1.0])


@pytest.mark.parametrize(
    "labels, num_classes, came",
    [([0, 3], 3, "from 0 to 3"), ([-1, 1], 3, "from -1 to 1")],
)
def test_to_categorical_out_of_range(labels, num_classes, came):
    with pytest.raises(ValueError, match=r"range \[0, 2\]") as info:
        to_categorical(labels, num_classes)
    assert came in str(info.value)


def test_to_categorical_tensor_in_tensor_out():
    out = to_categorical(torch.tensor([[1], [0]]), num_classes=2)
    assert isinstance(out, torch.Tensor)
    assert out.dtype == torch.float32
    torch.testing.assert_close(out, torch.tensor([[0.0, 1.0], [1.0, 0.0]]))


def test_normalize_l2_rows_and_zero_rows():
    x = np.array([[3.0, 4.0], [0.0, 0.0], [0.0, 2.0]])
    np.testing.assert_allclose(normalize(x), [[0.6, 0.8], [0.0, 0.0], [0.0, 1.0]])


def test_normalize_axis_and_order():
    x = np.array([[1.0, 2.0], [3.0, 2.0]])
    np.testing.assert_allclose(normalize(x, axis=0, order=1), [[0.25, 0.5], [0.75, 0.5]])


def test_normalize_tensor():
    out = normalize(torch.tensor([[3.0, 4.0], [0.0, 0.0]]))
    assert isinstance(out, torch.Tensor)
    torch.testing.assert_close(out, torch.tensor([[0.6, 0.8], [0.0, 0.0]]))
