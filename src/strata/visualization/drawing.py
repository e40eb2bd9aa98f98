"""Draw boxes (with Pillow) and segmentation masks (with NumPy) onto batches of images."""

from __future__ import annotations

import numpy as np
import torch

from strata.backend.config import image_data_format


def _numpy(values):
    if isinstance(values, torch.Tensor):
        return values.detach().cpu().numpy()
    return np.asarray(values)


def _check_batch(images, name):
    if images.ndim != 4:
        raise ValueError(
            f"{name} expected a batch of images of rank 4; received shape {images.shape}."
        )


def draw_bounding_boxes(
    images,
    bounding_boxes,
    bounding_box_format,
    class_mapping=None,
    color=(128, 128, 128),
    line_thickness=2,
    text_thickness=1,
    font_scale=1.0,
    data_format=None,
):
    """Draw boxes, and the names of mapped classes, onto a batch of images.

    Boxes whose label is -1 (padding) are skipped. Float images in [0, 1] are scaled to
    [0, 255]; the result is uint8. Keras draws with OpenCV; strata with Pillow (same boxes,
    Pillow's default font for the labels).

    Args:
        images: `(batch, height, width, channels)` (or channels first).
        bounding_boxes: dict with `"boxes"` `(batch, N, 4)`, `"labels"` `(batch, N)` and
            optionally `"confidences"` `(batch, N)`.
        bounding_box_format: the boxes' format (see `strata.utils.bounding_boxes`).
        class_mapping: `{class id: name}`; mapped classes get a caption.
        color: RGB colour of boxes and captions.
        line_thickness: box line width in pixels.
        text_thickness: kept for Keras's signature (Pillow's font has one weight).
        font_scale: caption size relative to a 10-pixel font.
        data_format: `"channels_last"` or `"channels_first"`.

    Returns:
        A uint8 NumPy array shaped like `images`.

    Example:
        >>> import numpy as np
        >>> images = np.zeros((1, 8, 8, 3), "uint8")
        >>> boxes = {"boxes": np.array([[[1, 1, 6, 6]]]), "labels": np.array([[0]])}
        >>> out = draw_bounding_boxes(images, boxes, "xyxy", color=(255, 0, 0),
        ...                           line_thickness=1)
        >>> out[0, 1, 3].tolist(), out[0, 3, 3].tolist()
        ([255, 0, 0], [0, 0, 0])
    """
    from PIL import Image, ImageDraw, ImageFont

    from strata.utils.bounding_boxes import convert_format

    images = _numpy(images)
    _check_batch(images, "draw_bounding_boxes")
    if not isinstance(bounding_boxes, dict):
        raise TypeError(
            f"draw_bounding_boxes expected bounding_boxes as a dict; received "
            f"{type(bounding_boxes).__name__}."
        )
    if "boxes" not in bounding_boxes or "labels" not in bounding_boxes:
        raise ValueError(
            f"draw_bounding_boxes expected a dict with 'boxes' and 'labels'; received keys "
            f"{sorted(bounding_boxes)}."
        )
    first = (data_format or image_data_format()) == "channels_first"
    if first:
        images = images.transpose(0, 2, 3, 1)
    height, width = images.shape[1:3]
    boxes = _numpy(
        convert_format(_numpy(bounding_boxes["boxes"]), bounding_box_format, "xyxy", height, width)
    )
    labels = _numpy(bounding_boxes["labels"])
    confidences = bounding_boxes.get("confidences")
    confidences = None if confidences is None else _numpy(confidences)
    class_mapping = class_mapping or {}
    font = ImageFont.load_default(size=max(int(10 * font_scale), 1))
    drawn = []
    for i, image in enumerate(_to_uint8(images)):
        channels = image.shape[-1]
        canvas = Image.fromarray(image[..., 0] if channels == 1 else image)
        pen = ImageDraw.Draw(canvas)
        fill = tuple(color) if channels > 1 else int(np.mean(color))
        for j, box in enumerate(boxes[i]):
            label = int(labels[i][j])
            if label == -1:
                continue
            x1, y1, x2, y2 = (int(v) for v in box)
            pen.rectangle([x1, y1, x2, y2], outline=fill, width=line_thickness)
            if label in class_mapping:
                text = str(class_mapping[label])
                if confidences is not None:
                    text = f"{text} | {confidences[i][j]:.2f}"
                pen.text((x1, max(y1 - int(12 * font_scale), 0)), text, fill=fill, font=font)
        out = np.asarray(canvas)
        drawn.append(out[..., None] if channels == 1 else out)
    result = np.stack(drawn)
    return result.transpose(0, 3, 1, 2) if first else result


def _to_uint8(images):
    if images.dtype.kind == "f" and images.size:
        images = np.clip(images, 0, 1) * 255 if images.max() <= 1.0 else np.clip(images, 0, 255)
    return np.ascontiguousarray(images.astype("uint8"))


def draw_segmentation_masks(
    images,
    segmentation_masks,
    num_classes=None,
    color_mapping=None,
    alpha=0.8,
    blend=True,
    ignore_index=-1,
    data_format=None,
):
    """Colour each pixel of a batch of images by its class in `segmentation_masks`.

    Args:
        images: `(batch, height, width, channels)` (or channels first).
        segmentation_masks: integer masks `(batch, height, width, 1)` or
            `(batch, height, width)`.
        num_classes: number of classes (default: the largest class in the masks plus one).
        color_mapping: `{class: (r, g, b)}`; default Keras's generated palette.
        alpha: weight of the colour when blending.
        blend: blend the colours with the image (uint8 result); False returns the coloured
            float32 images.
        ignore_index: the class left uncoloured.
        data_format: `"channels_last"` or `"channels_first"`.

    Returns:
        A NumPy array `(batch, height, width, channels)`.

    Example:
        >>> import numpy as np
        >>> images = np.zeros((1, 2, 2, 3), "float32")
        >>> masks = np.array([[[[0], [1]], [[1], [-1]]]])
        >>> out = draw_segmentation_masks(images, masks, color_mapping={0: (10, 10, 10),
        ...                               1: (100, 0, 0)}, alpha=1.0)
        >>> out[0, 0, 1].tolist(), out[0, 1, 1].tolist()
        ([100, 0, 0], [0, 0, 0])
    """
    images = _numpy(images)
    masks = _numpy(segmentation_masks)
    _check_batch(images, "draw_segmentation_masks")
    if (data_format or image_data_format()) == "channels_first":
        images = images.transpose(0, 2, 3, 1)
        masks = masks.transpose(0, 2, 3, 1) if masks.ndim == 4 else masks
    if masks.dtype.kind not in "iu":
        raise TypeError(
            f"draw_segmentation_masks expected integer masks; received dtype {masks.dtype}."
        )
    if masks.ndim == 4:
        masks = masks[..., 0]
    if num_classes is None:
        num_classes = int(masks.max()) + 1
    if color_mapping is None:
        colors = _palette(num_classes)
    else:
        colors = [color_mapping[c] for c in range(num_classes)]
    images = images.astype("float32")
    coloured = images.copy()
    for cls, color in enumerate(colors):
        coloured[masks == cls] = np.asarray(color, "float32")
    if not blend:
        return coloured
    mixed = images * (1 - alpha) + coloured * alpha
    valid = (masks != ignore_index)[..., None]
    return np.where(valid, mixed, images).astype("uint8")


def _palette(num_classes):
    # Keras's palette: multiples of three large constants, modulo 255.
    base = np.array([2**25 - 1, 2**15 - 1, 2**21 - 1])
    return [((c * base) % 255).tolist() for c in range(num_classes)]
