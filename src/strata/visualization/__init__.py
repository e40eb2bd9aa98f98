"""Image galleries with boxes and masks drawn on them (Keras 3's `keras.visualization`)."""

from strata.visualization.drawing import draw_bounding_boxes, draw_segmentation_masks
from strata.visualization.galleries import (
    plot_bounding_box_gallery,
    plot_image_gallery,
    plot_segmentation_mask_gallery,
)

__all__ = [
    "draw_bounding_boxes",
    "draw_segmentation_masks",
    "plot_bounding_box_gallery",
    "plot_image_gallery",
    "plot_segmentation_mask_gallery",
]
