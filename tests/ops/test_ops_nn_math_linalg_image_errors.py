"""Bad arguments to the nn, math, linalg and image ops raise clear errors; a few options that
the generated differential tests do not exercise (sparse outputs, symbolic dispatch)."""

import numpy as np
import pytest
import torch

from strata import ops
from strata.ops import image, linalg, nn

x4 = np.zeros((1, 4, 4, 3), "float32")

BAD_CALLS = [
    (lambda: nn.conv(x4, np.zeros((3, 3, 2, 4), "float32")), "divisible"),
    (lambda: nn.conv(np.zeros((4, 3), "float32"), np.zeros((3, 3, 4))), "rank 3, 4 or 5"),
    (lambda: nn.conv(x4, np.zeros((3, 3, 3, 4)), padding="full"), "padding"),
    (lambda: nn.conv(x4, np.zeros((3, 3, 3, 4)), strides=0), "positive"),
    (lambda: nn.conv_transpose(x4, np.zeros((3, 3, 4, 2))), "channels"),
    (lambda: nn.max_pool(x4, 2, data_format="nhwc"), "data_format"),
    (lambda: nn.depth_to_space(x4, 2), "divisible"),
    (lambda: nn.space_to_depth(np.zeros((1, 3, 4, 1)), 2), "divisible"),
    (lambda: nn.normalize(x4, order=0), "order"),
    (lambda: nn.binary_crossentropy(np.zeros(3), np.zeros(4)), "same shape"),
    (lambda: nn.sparse_categorical_crossentropy(np.zeros(3), np.zeros((2, 4))), "target"),
    (lambda: nn.ctc_decode(np.zeros((2, 3)), [3, 3]), "time"),
    (lambda: nn.ctc_decode(np.zeros((1, 3, 2)), [3], strategy="best"), "strategy"),
    (
        lambda: nn.dot_product_attention(
            np.zeros((1, 2, 3)), np.zeros((1, 2, 3)), np.zeros((1, 2, 3))
        ),
        "4-D",
    ),
    (lambda: nn.psnr(np.zeros(3), np.zeros(4), 1.0), "same shape"),
    (lambda: nn.multi_hot([[1]]), "num_classes"),
    (lambda: ops.segment_sum(np.zeros((3, 2)), [0, 1]), "segment_ids"),
    (lambda: ops.cdist(np.zeros((2, 3)), np.zeros((2, 4))), "last dimension"),
    (lambda: ops.fft(np.zeros(4)), "tuple"),
    (lambda: ops.stft(np.zeros(16, "float32"), 8, 4, 4), "fft_length"),
    (lambda: ops.stft(np.zeros(16, "float32"), 8, 4, 8, window="kaiser"), "window"),
    (lambda: ops.view_as_complex(np.zeros((2, 3))), "size 2"),
    (lambda: ops.view_as_real(np.zeros(2)), "complex"),
    (lambda: linalg.inv(np.zeros((2, 3))), "square"),
    (lambda: linalg.qr(np.eye(2), mode="r"), "mode"),
    (lambda: linalg.norm(np.zeros((2, 2, 2)), ord=2), "1-D or 2-D"),
    (lambda: image.resize(x4, (2, 2), interpolation="area"), "interpolation"),
    (
        lambda: image.resize(x4, (2, 2), crop_to_aspect_ratio=True, pad_to_aspect_ratio=True),
        "at most one",
    ),
    (lambda: image.resize(np.zeros((4, 4)), (2, 2)), "rank 3 or 4"),
    (lambda: image.crop_images(x4, 1, 1), "exactly two"),
    (lambda: image.crop_images(x4, 3, 0, target_height=3, target_width=2), "does not fit"),
    (lambda: image.pad_images(x4, 1, 1, target_height=2, target_width=6), "smaller"),
    (lambda: image.affine_transform(x4, np.zeros(6)), r"\(8,\)"),
    (lambda: image.affine_transform(x4, np.zeros(8), interpolation="bicubic"), "interpolation"),
    (lambda: image.affine_transform(x4, np.zeros(8), fill_mode="edge"), "fill_mode"),
    (lambda: image.perspective_transform(x4, np.zeros((3, 2)), np.zeros((3, 2))), r"\(4, 2\)"),
    (lambda: image.rgb_to_hsv(x4.astype("int32")), "float"),
    (lambda: image.rgb_to_grayscale(np.zeros((1, 4, 4, 2))), "1 or 3"),
    (lambda: image.ssim(x4, np.zeros((1, 4, 5, 3))), "same shape"),
    (lambda: image.scale_and_translate(x4, (1, 2, 2, 3), [1, 1], [0, 0], (1, 2), "box"), "method"),
    (lambda: image.extract_patches(x4, (1, 2, 3, 4)), "2 or 3"),
]


@pytest.mark.parametrize("call, match", BAD_CALLS, ids=[m for _, m in BAD_CALLS])
def test_bad_arguments_raise_value_errors_naming_the_problem(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_map_coordinates_above_order_one_is_not_implemented():
    with pytest.raises(NotImplementedError, match="order"):
        image.map_coordinates(np.zeros((3, 3)), np.zeros((2, 1)), order=3)


def test_one_hot_and_multi_hot_can_be_sparse():
    dense = nn.one_hot([0, 2], 3)
    sparse = nn.one_hot([0, 2], 3, sparse=True)
    assert sparse.is_sparse and torch.equal(sparse.to_dense(), dense)
    assert torch.equal(nn.multi_hot([[0, 2]], 3, sparse=True).to_dense(), nn.multi_hot([[0, 2]], 3))


def test_moments_synchronized_without_a_process_group_is_local():
    data = np.arange(6.0).reshape(2, 3)
    local = nn.moments(data, axes=[0])
    synced = nn.moments(data, axes=[0], synchronized=True)
    assert all(torch.equal(a, b) for a, b in zip(local, synced, strict=True))


def test_ops_accept_python_lists_and_keep_float64_tensors():
    assert nn.relu([[-1.0, 2.0]]).dtype == torch.float32
    assert nn.relu(torch.tensor([-1.0], dtype=torch.float64)).dtype == torch.float64
    assert linalg.det([[1, 2], [3, 4]]).dtype == torch.float32


def test_conv_channels_first_equals_transposed_channels_last():
    rng = np.random.RandomState(0)
    inputs, kernel = rng.rand(2, 7, 6, 3).astype("float32"), rng.rand(3, 2, 3, 4).astype("f4")
    last = nn.conv(inputs, kernel, strides=2, padding="same")
    first = nn.conv(
        inputs.transpose(0, 3, 1, 2),
        kernel,
        strides=2,
        padding="same",
        data_format="channels_first",
    )
    torch.testing.assert_close(first.permute(0, 2, 3, 1), last)


def test_resize_lanczos_downsampling_preserves_a_constant_image():
    out = image.resize(
        np.full((1, 9, 9, 1), 0.5, "float32"), (4, 4), interpolation="lanczos5", antialias=True
    )
    torch.testing.assert_close(out, torch.full((1, 4, 4, 1), 0.5))
