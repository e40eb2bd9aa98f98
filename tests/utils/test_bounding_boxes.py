"""strata.utils.bounding_boxes against Keras's results (tools/keras_fixtures/bounding_boxes.py)."""

from pathlib import Path

import numpy as np
import pytest
import torch

from strata.utils import bounding_boxes as bb

K = np.load(Path(__file__).parent / "fixtures" / "bounding_boxes.npz")
H, W = 60, 80
FORMATS = sorted({key.split("/")[2] for key in K.files if key.startswith("convert/xyxy/")})


def close(ours, key, atol=1e-4):
    np.testing.assert_allclose(torch.as_tensor(ours).numpy(), K[key], rtol=1e-5, atol=atol)


@pytest.mark.parametrize("target", FORMATS)
def test_convert_format_both_ways(target):
    converted = bb.convert_format(K["boxes"], "xyxy", target, height=H, width=W)
    close(converted, f"convert/xyxy/{target}")
    close(bb.convert_format(converted, target.upper(), "xyxy", H, W), f"convert/{target}/xyxy")


def test_convert_format_dict_and_errors():
    boxes = {"boxes": K["boxes"][0], "labels": np.arange(5)}
    out = bb.convert_format(boxes, "xyxy", "xywh")
    assert out is boxes
    np.testing.assert_allclose(out["boxes"].numpy(), K["convert/xyxy/xywh"][0], atol=1e-4)
    with pytest.raises(ValueError, match="height and width"):
        bb.convert_format(K["boxes"], "xyxy", "rel_xyxy")
    with pytest.raises(ValueError, match="target one of"):
        bb.convert_format(K["boxes"], "xyxy", "corners")
    with pytest.raises(ValueError, match="last axis of 4"):
        bb.convert_format(np.zeros((2, 3)), "xyxy", "xywh")


def test_clip_crop_pad():
    out = bb.clip_to_image_size(
        {"boxes": K["boxes"], "labels": np.arange(10).reshape(2, 5)}, height=H, width=W
    )
    close(out["boxes"], "clip/boxes")
    np.testing.assert_array_equal(out["labels"].numpy(), K["clip/labels"])
    assert (K["clip/labels"] == -1).any()  # the fixture exercises dropped boxes
    close(bb.crop(K["boxes"], top=5, left=10, height=40, width=50), "crop")
    close(bb.pad(K["boxes"], top=3, left=7), "pad")
    with pytest.raises(NotImplementedError):
        bb.crop(K["boxes"], 0, 0, 10, 10, bounding_box_format="xywh")


@pytest.mark.parametrize(
    "key, center", [("affine", {}), ("affine_center", {"center_x": 0.3, "center_y": 0.6})]
)
def test_affine_transform(key, center):
    params = {name.split("/")[1]: K[name] for name in K.files if name.startswith("affine_param/")}
    close(bb.affine_transform(K["boxes"], **params, height=H, width=W, **center), key, atol=1e-3)


def test_iou_variants():
    close(bb.compute_iou(K["boxes"], K["other"], "xyxy"), "iou")
    close(bb.compute_iou(K["boxes"][0], K["other"][1], "xyxy"), "iou_unbatched")
    masked = bb.compute_iou(K["boxes"], K["other"], "xyxy", use_masking=True, mask_val=-7)
    close(masked, "iou_masked")
    assert (K["iou_masked"] == -7).any()
    close(
        bb.compute_iou(K["boxes"][0] / 100, K["other"][0] / 100, "rel_yxyx", image_shape=(H, W, 3)),
        "iou_rel",
    )
    close(bb.compute_ciou(np.abs(K["boxes"]), np.abs(K["other"]), "xyxy"), "ciou")
    with pytest.raises(ValueError, match="image_shape"):
        bb.compute_iou(K["boxes"], K["other"], "rel_xyxy")


@pytest.mark.parametrize("encoding", ["center_yxhw", "center_xywh"])
def test_encode_decode_deltas(encoding):
    variance = [0.1, 0.1, 0.2, 0.2]
    deltas = bb.encode_box_to_deltas(
        K["anchors"],
        np.abs(K["other"]),
        "xyxy",
        "xyxy",
        encoding_format=encoding,
        variance=variance,
    )
    close(deltas, f"encode/{encoding}")
    decoded = bb.decode_deltas_to_boxes(
        K["anchors"], deltas, "xyxy", "xywh", encoded_format=encoding, variance=variance
    )
    close(decoded, f"decode/{encoding}", atol=1e-3)
    by_level = bb.decode_deltas_to_boxes(
        {"p3": K["anchors"]},
        {"p3": deltas},
        "xyxy",
        "xywh",
        encoded_format=encoding,
        variance=variance,
    )
    np.testing.assert_allclose(by_level["p3"].numpy(), decoded.numpy())
    with pytest.raises(ValueError, match="length 4"):
        bb.encode_box_to_deltas(K["anchors"], K["anchors"], "xyxy", "xyxy", variance=[1, 2])
