"""Bounding-box utilities with Keras 3's semantics (`keras.utils.bounding_boxes`).

Boxes are arrays or tensors whose last axis holds 4 coordinates; results are torch tensors.
Formats (case-insensitive): `xyxy` (left, top, right, bottom), `yxyx`, `xywh` (left, top,
width, height), `center_xywh`, `center_yxhw`, and the relative `rel_xyxy`, `rel_yxyx`,
`rel_xywh`, `rel_center_xywh` (coordinates divided by the image's width and height).
"""

from __future__ import annotations

import math

import torch

from strata.backend.config import epsilon

SUPPORTED_FORMATS = (
    "xyxy",
    "yxyx",
    "xywh",
    "center_xywh",
    "center_yxhw",
    "rel_xyxy",
    "rel_yxyx",
    "rel_xywh",
    "rel_center_xywh",
)


def _tensor(values, dtype=torch.float32):
    if isinstance(values, torch.Tensor):
        return values.to(dtype)
    return torch.as_tensor(values).to(dtype)


def _split(boxes):
    return boxes.unbind(-1)


def _to_xyxy(boxes, source, height, width):
    a, b, c, d = _split(boxes)
    relative = source.startswith("rel_")
    kind = source[4:] if relative else source
    if kind == "xyxy":
        x1, y1, x2, y2 = a, b, c, d
    elif kind == "yxyx":
        y1, x1, y2, x2 = a, b, c, d
    elif kind == "xywh":
        x1, y1, x2, y2 = a, b, a + c, b + d
    elif kind == "center_xywh":
        x1, y1, x2, y2 = a - c / 2.0, b - d / 2.0, a + c / 2.0, b + d / 2.0
    else:  # center_yxhw
        x1, y1, x2, y2 = b - d / 2.0, a - c / 2.0, b + d / 2.0, a + c / 2.0
    if relative:
        x1, x2, y1, y2 = x1 * width, x2 * width, y1 * height, y2 * height
    return x1, y1, x2, y2


def _from_xyxy(x1, y1, x2, y2, target, height, width):
    relative = target.startswith("rel_")
    kind = target[4:] if relative else target
    if relative:
        x1, x2, y1, y2 = x1 / width, x2 / width, y1 / height, y2 / height
    w, h = x2 - x1, y2 - y1
    values = {
        "xyxy": (x1, y1, x2, y2),
        "yxyx": (y1, x1, y2, x2),
        "xywh": (x1, y1, w, h),
        "center_xywh": (x1 + w / 2.0, y1 + h / 2.0, w, h),
        "center_yxhw": (y1 + h / 2.0, x1 + w / 2.0, h, w),
    }[kind]
    return torch.stack(values, dim=-1)


def convert_format(boxes, source, target, height=None, width=None, dtype="float32"):
    """Convert boxes from the `source` format to the `target` format.

    Args:
        boxes: array or tensor `(..., 4)`, or a dict whose `"boxes"` entry is one (the dict is
            updated and returned, as in Keras).
        source: the boxes' format (see the module's docstring).
        target: the format wanted.
        height: image height, needed when exactly one of the formats is relative.
        width: image width, likewise.
        dtype: the result's dtype.

    Returns:
        A tensor `(..., 4)` in `target` format (or the updated dict).

    Raises:
        ValueError: unknown format, last axis not 4, or a relative conversion without size.

    Example:
        >>> convert_format([[10, 20, 30, 40]], source="xyxy", target="xywh").tolist()
        [[10.0, 20.0, 20.0, 20.0]]
    """
    if isinstance(boxes, dict):
        boxes["boxes"] = convert_format(boxes["boxes"], source, target, height, width, dtype)
        return boxes
    from strata.backend import to_torch_dtype

    boxes = _tensor(boxes, to_torch_dtype(dtype))
    if boxes.shape[-1] != 4:
        raise ValueError(
            f"convert_format expected boxes with a last axis of 4; received shape "
            f"{tuple(boxes.shape)}."
        )
    source, target = source.lower(), target.lower()
    for name, value in (("source", source), ("target", target)):
        if value not in SUPPORTED_FORMATS:
            raise ValueError(
                f"convert_format expected {name} one of {SUPPORTED_FORMATS}; received {value!r}."
            )
    if source == target:
        return boxes
    if source.startswith("rel_") and target.startswith("rel_"):
        source, target = source[4:], target[4:]
    if (source.startswith("rel_") or target.startswith("rel_")) and (
        height is None or width is None
    ):
        raise ValueError(
            f"convert_format from {source!r} to {target!r} needs the image's height and width; "
            f"received height={height}, width={width}."
        )
    return _from_xyxy(*_to_xyxy(boxes, source, height, width), target, height, width)


def clip_to_image_size(bounding_boxes, height=None, width=None, bounding_box_format="xyxy"):
    """Clip boxes to the image; labels of boxes left with no area become -1.

    Args:
        bounding_boxes: dict with `"boxes"` `(N, 4)` or `(batch, N, 4)` and optionally
            `"labels"` `(N,)` or `(batch, N)`.
        height: image height (required for `"xyxy"`).
        width: image width (required for `"xyxy"`).
        bounding_box_format: `"xyxy"` or `"rel_xyxy"` (clipped to [0, 1]).

    Returns:
        A new dict with the clipped boxes (and labels).

    Example:
        >>> out = clip_to_image_size({"boxes": [[-5, 2, 150, 30], [200, 0, 210, 5]],
        ...                           "labels": [3, 4]}, height=100, width=120)
        >>> out["boxes"].tolist(), out["labels"].tolist()
        ([[0.0, 2.0, 120.0, 30.0], [120.0, 0.0, 120.0, 5.0]], [3, -1])
    """
    if bounding_box_format not in ("xyxy", "rel_xyxy"):
        raise NotImplementedError(
            f"clip_to_image_size supports 'xyxy' and 'rel_xyxy'; received {bounding_box_format!r}."
        )
    if bounding_box_format == "xyxy" and (height is None or width is None):
        raise ValueError("clip_to_image_size needs height and width for the 'xyxy' format.")
    boxes = _tensor(bounding_boxes["boxes"])
    high_x, high_y = (1.0, 1.0) if bounding_box_format == "rel_xyxy" else (width, height)
    x1, y1, x2, y2 = _split(boxes)
    clipped = torch.stack(
        [x1.clamp(0, high_x), y1.clamp(0, high_y), x2.clamp(0, high_x), y2.clamp(0, high_y)],
        dim=-1,
    )
    result = dict(bounding_boxes)
    result["boxes"] = clipped
    if bounding_boxes.get("labels") is not None:
        labels = torch.as_tensor(bounding_boxes["labels"])
        area = (clipped[..., 2] - clipped[..., 0]) * (clipped[..., 3] - clipped[..., 1])
        result["labels"] = torch.where(area > 0, labels, torch.full_like(labels, -1))
    return result


def _xyxy_only(name, bounding_box_format):
    if bounding_box_format != "xyxy":
        raise NotImplementedError(
            f"{name} supports the 'xyxy' format only (as Keras); received {bounding_box_format!r}."
        )


def crop(boxes, top, left, height, width, bounding_box_format="xyxy"):
    """Move `xyxy` boxes into a crop's frame (`top`, `left`) and clip them to its size.

    Example:
        >>> crop([[10, 20, 50, 60]], top=10, left=20, height=40, width=30).tolist()
        [[0.0, 10.0, 30.0, 40.0]]
    """
    _xyxy_only("crop", bounding_box_format)
    x1, y1, x2, y2 = _split(_tensor(boxes))
    return torch.stack(
        [
            (x1 - left).clamp(0, width),
            (y1 - top).clamp(0, height),
            (x2 - left).clamp(0, width),
            (y2 - top).clamp(0, height),
        ],
        dim=-1,
    )


def pad(boxes, top, left, height=None, width=None, bounding_box_format="xyxy"):
    """Shift `xyxy` boxes by the padding added above (`top`) and to the left (`left`).

    Example:
        >>> pad([[1, 2, 3, 4]], top=10, left=5).tolist()
        [[6.0, 12.0, 8.0, 14.0]]
    """
    _xyxy_only("pad", bounding_box_format)
    offset = torch.tensor([left, top, left, top], dtype=torch.float32)
    return _tensor(boxes) + offset


def affine_transform(
    boxes,
    angle,
    translate_x,
    translate_y,
    scale,
    shear_x,
    shear_y,
    height,
    width,
    center_x=None,
    center_y=None,
    bounding_box_format="xyxy",
):
    """Boxes after an affine image transform (as `RandomAffine`-style layers apply it).

    Each box's 4 corners are mapped and the result is their enclosing `xyxy` box.

    Args:
        boxes: `(batch, N, 4)` in `xyxy`.
        angle: rotation in degrees, one per image `(batch,)`.
        translate_x: horizontal translation as a fraction of the width, `(batch,)`.
        translate_y: vertical translation as a fraction of the height, `(batch,)`.
        scale: zoom factor, `(batch,)`.
        shear_x: horizontal shear in degrees, `(batch,)`.
        shear_y: vertical shear in degrees, `(batch,)`.
        height: image height.
        width: image width.
        center_x: transform centre as a fraction of the width (default 0.5).
        center_y: likewise for the height.
        bounding_box_format: `"xyxy"` only.

    Returns:
        The transformed boxes, `(batch, N, 4)`.
    """
    _xyxy_only("affine_transform", bounding_box_format)
    boxes = _tensor(boxes)
    params = [_tensor(v).reshape(-1) for v in (angle, translate_x, translate_y, scale)]
    params += [_tensor(v).reshape(-1) for v in (shear_x, shear_y)]
    matrix = _inverse_affine_matrix(
        0.5 if center_x is None else center_x,
        0.5 if center_y is None else center_y,
        *params,
        height,
        width,
    )
    x1, y1, x2, y2 = _split(boxes)
    corners = torch.stack([x1, y1, x2, y1, x2, y2, x1, y2], dim=-1)
    corners = corners.reshape(*boxes.shape[:-1], 4, 2)
    corners = torch.cat([corners, torch.ones_like(corners[..., :1])], dim=-1)
    moved = torch.einsum("bnkc,bdc->bnkd", corners, matrix[:, :2, :])
    return torch.cat([moved.amin(dim=2), moved.amax(dim=2)], dim=-1)


def _inverse_affine_matrix(
    center_x, center_y, angle, translate_x, translate_y, scale, shear_x, shear_y, height, width
):
    """The 3x3 matrices (one per image) that Keras's box transform multiplies corners by."""
    degrees = math.pi / 180.0
    cx, cy = center_x * (width - 1), center_y * (height - 1)
    rot = -angle * degrees
    tx, ty = -translate_x * (width - 1), -translate_y * (height - 1)
    sx, sy = -shear_x * degrees, -shear_y * degrees
    a = torch.cos(rot - sy) / torch.cos(sy)
    b = a * torch.tan(sx) + torch.sin(rot)
    c = -torch.sin(rot - sy) / torch.cos(sy)
    d = torch.cos(rot) - c * torch.tan(sx)
    a0, a1, b0, b1 = d * scale, -b * scale, -c * scale, a * scale
    a2 = cx - a0 * (cx + tx) - a1 * (cy + ty)
    b2 = cy - b0 * (cx + tx) - b1 * (cy + ty)
    zeros, ones = torch.zeros_like(a0), torch.ones_like(a0)
    rows = [a0, a1, a2, b0, b1, b2, zeros, zeros, ones]
    return torch.stack(rows, dim=-1).reshape(-1, 3, 3)


def _size(image_shape):
    return (None, None) if image_shape is None else tuple(image_shape[:2])


def encode_box_to_deltas(
    anchors,
    boxes,
    anchor_format,
    box_format,
    encoding_format="center_yxhw",
    variance=None,
    image_shape=None,
):
    """Regression targets of `boxes` relative to `anchors` (SSD/RetinaNet deltas).

    In `encoding_format` (centre first, then size): the centre offset divided by the anchor's
    size, then the log of the size ratio; divided by `variance` when given.

    Args:
        anchors: `(N, 4)` in `anchor_format`.
        boxes: `(N, 4)` or `(batch, N, 4)` in `box_format`.
        anchor_format: format of `anchors`.
        box_format: format of `boxes`.
        encoding_format: `"center_yxhw"` or `"center_xywh"`.
        variance: 4 factors dividing the deltas.
        image_shape: `(height, width, channels)`, for relative formats.

    Returns:
        The deltas, shaped like `boxes`.

    Example:
        >>> encode_box_to_deltas([[0, 0, 10, 10]], [[0, 0, 10, 20]], "xyxy", "xyxy").tolist()
        [[0.5, 0.0, 0.6931471824645996, 0.0]]
    """
    variance = _check_encoding(variance, encoding_format, "encoding_format")
    height, width = _size(image_shape)
    anchors = convert_format(anchors, anchor_format, encoding_format, height, width)
    boxes = convert_format(boxes, box_format, encoding_format, height, width)
    anchor_size = anchors[..., 2:].clamp(min=epsilon())
    box_size = boxes[..., 2:].clamp(min=epsilon())
    deltas = torch.cat(
        [(boxes[..., :2] - anchors[..., :2]) / anchor_size, torch.log(box_size / anchor_size)],
        dim=-1,
    )
    return deltas if variance is None else deltas / variance


def decode_deltas_to_boxes(
    anchors,
    boxes_delta,
    anchor_format,
    box_format,
    encoded_format="center_yxhw",
    variance=None,
    image_shape=None,
):
    """Boxes in `box_format` from deltas relative to anchors (the inverse of the encoding).

    Args:
        anchors: `(N, 4)` in `anchor_format`, or a dict of them by feature level.
        boxes_delta: `(N, 4)` or `(batch, N, 4)`, or a dict keyed like `anchors`.
        anchor_format: format of `anchors`.
        box_format: format of the result.
        encoded_format: `"center_yxhw"` or `"center_xywh"`.
        variance: 4 factors multiplying the deltas.
        image_shape: `(height, width, channels)`, for relative formats.

    Returns:
        The boxes (a dict by level when given dicts).

    Example:
        >>> decode_deltas_to_boxes([[0, 0, 10, 10]], [[0.5, 0.0, 0.6931472, 0.0]], "xyxy",
        ...                        "xyxy").round().tolist()
        [[0.0, 0.0, 10.0, 20.0]]
    """
    variance = _check_encoding(variance, encoded_format, "encoded_format")
    height, width = _size(image_shape)

    def decode(anchor, delta):
        anchor = convert_format(anchor, anchor_format, encoded_format, height, width)
        delta = _tensor(delta)
        if variance is not None:
            delta = delta * variance
        centre = delta[..., :2] * anchor[..., 2:] + anchor[..., :2]
        size = torch.exp(delta[..., 2:]) * anchor[..., 2:]
        box = torch.cat([centre, size], dim=-1)
        return convert_format(box, encoded_format, box_format, height, width)

    if isinstance(anchors, dict) and isinstance(boxes_delta, dict):
        return {level: decode(anchor, boxes_delta[level]) for level, anchor in anchors.items()}
    return decode(anchors, boxes_delta)


def _check_encoding(variance, encoding, name):
    if encoding not in ("center_xywh", "center_yxhw"):
        raise ValueError(f"Expected {name} 'center_xywh' or 'center_yxhw'; received {encoding!r}.")
    if variance is None:
        return None
    variance = _tensor(variance)
    if variance.shape[-1:] != (4,):
        raise ValueError(f"Expected variance of length 4; received {variance.tolist()}.")
    return variance


def compute_iou(
    boxes1, boxes2, bounding_box_format, use_masking=False, mask_val=-1, image_shape=None
):
    """Pairwise intersection over union: `(M, N)`, or `(batch, M, N)` when either is batched.

    Args:
        boxes1: `(M, 4)` or `(batch, M, 4)`.
        boxes2: `(N, 4)` or `(batch, N, 4)`.
        bounding_box_format: the boxes' format.
        use_masking: give `mask_val` to pairs where either box has all coordinates negative
            (padding boxes).
        mask_val: the value for masked pairs.
        image_shape: `(height, width, channels)`, required for relative formats.

    Returns:
        The IoU table.

    Example:
        >>> compute_iou([[0, 0, 2, 2]], [[1, 1, 3, 3], [0, 0, 2, 2]], "xyxy").tolist()
        [[0.1428571492433548, 1.0]]
    """
    boxes1, boxes2 = _tensor(boxes1), _tensor(boxes2)
    for name, boxes in (("boxes1", boxes1), ("boxes2", boxes2)):
        if boxes.ndim not in (2, 3):
            raise ValueError(
                f"compute_iou expected {name} of rank 2 (N, 4) or 3 (batch, N, 4); received "
                f"shape {tuple(boxes.shape)}."
            )
    if "rel" in bounding_box_format and image_shape is None:
        raise ValueError("compute_iou needs image_shape for relative box formats.")
    height, width = _size(image_shape)
    a = convert_format(boxes1, bounding_box_format, "xyxy", height, width)
    b = convert_format(boxes2, bounding_box_format, "xyxy", height, width)
    lower = torch.maximum(a[..., :, None, :2], b[..., None, :, :2])
    upper = torch.minimum(a[..., :, None, 2:], b[..., None, :, 2:])
    intersection = (upper - lower).clamp(min=0).prod(dim=-1)
    area_a = ((a[..., 2] - a[..., 0]) * (a[..., 3] - a[..., 1]))[..., :, None]
    area_b = ((b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1]))[..., None, :]
    iou = intersection / (area_a + area_b - intersection + epsilon())
    if not use_masking:
        return iou
    # Keras tests the maximum coordinate in its internal yxyx form: a box is padding when all
    # of its coordinates are negative.
    mask = (a.amax(dim=-1) < 0)[..., :, None] | (b.amax(dim=-1) < 0)[..., None, :]
    return torch.where(mask, torch.full_like(iou, float(mask_val)), iou)


def compute_ciou(boxes1, boxes2, bounding_box_format, image_shape=None):
    """Complete IoU of matching boxes: IoU less the centre-distance and aspect-ratio terms.

    Args:
        boxes1: `(..., 4)`.
        boxes2: `(..., 4)`, broadcastable against `boxes1`.
        bounding_box_format: the boxes' format (not relative, as in Keras).
        image_shape: unused for absolute formats (kept for Keras's signature).

    Returns:
        A tensor `(...)`, one CIoU per pair.

    Example:
        >>> round(compute_ciou([[0, 0, 2, 2]], [[0, 0, 2, 2]], "xyxy").item(), 4)
        1.0
    """
    if "rel" in bounding_box_format:
        raise ValueError("compute_ciou does not take relative box formats (as in Keras).")
    height, width = _size(image_shape)
    a = convert_format(boxes1, bounding_box_format, "xyxy", height, width)
    b = convert_format(boxes2, bounding_box_format, "xyxy", height, width)
    eps = epsilon()
    w1, h1 = a[..., 2] - a[..., 0], a[..., 3] - a[..., 1] + eps
    w2, h2 = b[..., 2] - b[..., 0], b[..., 3] - b[..., 1] + eps
    overlap_w = torch.minimum(a[..., 2], b[..., 2]) - torch.maximum(a[..., 0], b[..., 0])
    overlap_h = torch.minimum(a[..., 3], b[..., 3]) - torch.maximum(a[..., 1], b[..., 1])
    intersection = overlap_w.clamp(min=0) * overlap_h.clamp(min=0)
    union = w1 * h1 + w2 * h2 - intersection + eps
    iou = intersection / (union + eps)
    hull_w = torch.maximum(a[..., 2], b[..., 2]) - torch.minimum(a[..., 0], b[..., 0])
    hull_h = torch.maximum(a[..., 3], b[..., 3]) - torch.minimum(a[..., 1], b[..., 1])
    diagonal = hull_w**2 + hull_h**2 + eps
    centres = ((a[..., 0] + a[..., 2]) / 2 - (b[..., 0] + b[..., 2]) / 2) ** 2 + (
        (a[..., 1] + a[..., 3]) / 2 - (b[..., 1] + b[..., 3]) / 2
    ) ** 2
    v = (4 / math.pi**2) * (torch.atan(w2 / h2) - torch.atan(w1 / h1)) ** 2
    alpha = v / (v - iou + (1 + eps))
    return iou - (centres / diagonal + v * alpha)
