"""MaxNumBoundingBoxes: bounding-box lists padded or cut to a fixed length."""

from __future__ import annotations

import torch

from strata.layers.layer import Layer


class MaxNumBoundingBoxes(Layer):
    """Pad or truncate the boxes of `{"images", "bounding_boxes"}` inputs to `max_number`.

    `bounding_boxes` is a dict with `"boxes"` `(batch, n, 4)` and `"labels"` `(batch, n)`;
    both get exactly `max_number` entries per image, extra ones dropped and missing ones filled
    with `fill_value`. Images (and anything else in the dict) pass through; a plain image
    tensor is returned as it is. Active in training and inference.

    Args:
        max_number: the number of boxes per image.
        fill_value: the value of padding boxes and labels.

    Input shape:
        A dict with `"images"` and `"bounding_boxes"`, or images.

    Output shape:
        The input's, with `max_number` boxes.

    Example:
        >>> import torch, strata
        >>> boxes = {"boxes": torch.ones(1, 3, 4), "labels": torch.tensor([[1, 2, 3]])}
        >>> data = {"images": torch.zeros(1, 8, 8, 3), "bounding_boxes": boxes}
        >>> out = strata.layers.MaxNumBoundingBoxes(5)(data)
        >>> out["bounding_boxes"]["labels"].tolist()
        [[1, 2, 3, -1, -1]]
    """

    def __init__(self, max_number, fill_value=-1, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(max_number, int) or isinstance(max_number, bool) or max_number < 1:
            raise ValueError(
                "MaxNumBoundingBoxes expected `max_number` as a positive integer; received "
                f"{max_number!r}."
            )
        self.max_number = max_number
        self.fill_value = int(fill_value)

    def call(self, inputs):
        if not isinstance(inputs, dict) or "bounding_boxes" not in inputs:
            return inputs
        boxes = dict(inputs["bounding_boxes"])
        extra = set(boxes) - {"boxes", "labels"}
        if extra:
            raise ValueError(
                "MaxNumBoundingBoxes expected `bounding_boxes` with 'boxes' and 'labels' only; "
                f"received extra keys {sorted(extra)}."
            )
        boxes["boxes"] = self._fit(boxes["boxes"])
        if "labels" in boxes:
            boxes["labels"] = self._fit(boxes["labels"])
        return {**inputs, "bounding_boxes": boxes}

    def _fit(self, values):
        """`values[:, :max_number]`, padded along axis 1 with `fill_value`."""
        values = values[:, : self.max_number]
        missing = self.max_number - values.shape[1]
        if missing <= 0:
            return values
        pad = torch.full(
            (values.shape[0], missing, *values.shape[2:]),
            self.fill_value,
            dtype=values.dtype,
            device=values.device,
        )
        return torch.cat([values, pad], dim=1)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "max_number": self.max_number,
            "fill_value": self.fill_value,
        }
