"""The frame of MixUp and CutMix: layers that mix samples of a batch, labels included."""

from __future__ import annotations

from strata.backend.conversion import to_torch_dtype
from strata.layers.preprocessing._base import ImageAugmentation


class MixingAugmentation(ImageAugmentation):
    """Takes images, or a dict with `"images"` and optional `"labels"`; subclasses write `mix`.

    `mix(images)` gets a channels-first batch and returns `(mixed, order, weight)`: the partner
    of image `i` is `order[i]`, and its label becomes
    `weight[i] * y + (1 - weight[i]) * y[order[i]]`.
    """

    def call(self, inputs, training=None):
        if not isinstance(inputs, dict):
            return super().call(inputs, training=training)
        if "images" not in inputs:
            raise ValueError(
                f"{type(self).__name__} expected a dict with an 'images' entry; received keys "
                f"{sorted(inputs)}."
            )
        dtype = to_torch_dtype(self.dtype)
        outputs = dict(inputs)
        outputs["images"] = inputs["images"].to(dtype)
        if "labels" in inputs:
            outputs["labels"] = inputs["labels"].to(dtype)
        if not training or outputs["images"].dim() != 4 or len(outputs["images"]) < 2:
            return outputs
        batch, batched = self.to_batch(outputs["images"])
        mixed, order, weight = self.mix(batch)
        outputs["images"] = self.from_batch(mixed, batched)
        if "labels" in outputs:
            labels = outputs["labels"]
            w = weight.view(-1, *([1] * (labels.dim() - 1))).to(labels.dtype)
            outputs["labels"] = w * labels + (1 - w) * labels[order]
        return outputs

    def augment(self, images, training):
        # Plain images: mixed without labels (a batch of one has no partner).
        return images if images.shape[0] < 2 else self.mix(images)[0]

    def mix(self, images):
        raise NotImplementedError

    def compute_output_shape(self, input_shape):
        return input_shape

    def compute_output_spec(self, inputs, *args, **kwargs):
        if isinstance(inputs, dict):
            return dict(inputs)
        return super().compute_output_spec(inputs, *args, **kwargs)
