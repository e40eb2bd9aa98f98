"""Record Keras 3's keras.utils.bounding_boxes results for strata's comparison tests.

Run with Keras (never imported by the tests):

    KERAS_BACKEND=torch /work/kerasenv/bin/python tools/keras_fixtures/bounding_boxes.py

Inputs: random xyxy boxes in a 60x80 image (some padding boxes of -1), anchors, affine
parameters; outputs keyed by function and case, in tests/utils/fixtures/bounding_boxes.npz.
"""

import os

import keras
import numpy as np

bb = keras.utils.bounding_boxes
OUT = os.path.join(
    os.path.dirname(__file__), "..", "..", "tests", "utils", "fixtures", "bounding_boxes.npz"
)
FORMATS = [
    "xyxy",
    "yxyx",
    "xywh",
    "center_xywh",
    "center_yxhw",
    "rel_xyxy",
    "rel_yxyx",
    "rel_xywh",
    "rel_center_xywh",
]
H, W = 60, 80


def np_(x):
    return keras.ops.convert_to_numpy(x)


def main():
    rng = np.random.default_rng(0)
    corner = rng.uniform(-10, 70, size=(2, 5, 2))
    size = rng.uniform(1, 30, size=(2, 5, 2))
    boxes = np.concatenate([corner, corner + size], -1).astype("float32")
    boxes[1, 4] = -1.0  # a padding box
    other = boxes[:, ::-1] + rng.uniform(-3, 3, size=boxes.shape).astype("float32")
    anchors = np.abs(boxes[0]) + np.array([0, 0, 5, 5], "float32")
    out = {"boxes": boxes, "other": other, "anchors": anchors}
    for target in FORMATS:
        out[f"convert/xyxy/{target}"] = np_(bb.convert_format(boxes, "xyxy", target, H, W))
        out[f"convert/{target}/xyxy"] = np_(
            bb.convert_format(out[f"convert/xyxy/{target}"], target, "xyxy", H, W)
        )
    labels = np.arange(10).reshape(2, 5)
    clipped = bb.clip_to_image_size({"boxes": boxes, "labels": labels}, height=H, width=W)
    out["clip/boxes"], out["clip/labels"] = np_(clipped["boxes"]), np_(clipped["labels"])
    out["crop"] = np_(bb.crop(boxes, top=5, left=10, height=40, width=50))
    out["pad"] = np_(bb.pad(boxes, top=3, left=7))
    params = {
        "angle": np.array([15.0, -30.0], "float32"),
        "translate_x": np.array([0.1, -0.05], "float32"),
        "translate_y": np.array([-0.1, 0.2], "float32"),
        "scale": np.array([1.2, 0.8], "float32"),
        "shear_x": np.array([5.0, 0.0], "float32"),
        "shear_y": np.array([0.0, -10.0], "float32"),
    }
    for key, value in params.items():
        out[f"affine_param/{key}"] = value
    out["affine"] = np_(bb.affine_transform(boxes, **params, height=H, width=W))
    out["affine_center"] = np_(
        bb.affine_transform(boxes, **params, height=H, width=W, center_x=0.3, center_y=0.6)
    )
    out["iou"] = np_(bb.compute_iou(boxes, other, "xyxy"))
    out["iou_unbatched"] = np_(bb.compute_iou(boxes[0], other[1], "xyxy"))
    out["iou_masked"] = np_(bb.compute_iou(boxes, other, "xyxy", use_masking=True, mask_val=-7))
    out["iou_rel"] = np_(
        bb.compute_iou(boxes[0] / 100, other[0] / 100, "rel_yxyx", image_shape=(H, W, 3))
    )
    out["ciou"] = np_(bb.compute_ciou(np.abs(boxes), np.abs(other), "xyxy"))
    for encoding in ("center_yxhw", "center_xywh"):
        deltas = bb.encode_box_to_deltas(
            anchors,
            np.abs(other),
            "xyxy",
            "xyxy",
            encoding_format=encoding,
            variance=[0.1, 0.1, 0.2, 0.2],
        )
        out[f"encode/{encoding}"] = np_(deltas)
        out[f"decode/{encoding}"] = np_(
            bb.decode_deltas_to_boxes(
                anchors,
                deltas,
                "xyxy",
                "xywh",
                encoded_format=encoding,
                variance=[0.1, 0.1, 0.2, 0.2],
            )
        )
    np.savez(OUT, **out)


if __name__ == "__main__":
    main()
