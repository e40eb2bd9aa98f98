"""Grids of images with matplotlib, optionally with boxes or masks drawn on them."""

from __future__ import annotations

import math

import numpy as np

from strata.backend.config import image_data_format
from strata.visualization.drawing import (
    _check_batch,
    _numpy,
    draw_bounding_boxes,
    draw_segmentation_masks,
)


def plot_image_gallery(
    images,
    y_true=None,
    y_pred=None,
    label_map=None,
    rows=None,
    cols=None,
    value_range=(0, 255),
    scale=2,
    path=None,
    show=None,
    transparent=True,
    dpi=60,
    legend_handles=None,
    data_format=None,
):
    """Show (or save to `path`) a `rows x cols` grid of images, titled with their labels.

    Args:
        images: `(batch, height, width, channels)` (or channels first), or one image.
        y_true: labels, shown as "Label: name" through `label_map`.
        y_pred: predictions, shown as "Pred: name".
        label_map: `{label: name}`; required with `y_true` or `y_pred`.
        rows: grid rows (default: ceil(sqrt(batch))).
        cols: grid columns (default: batch // rows).
        value_range: the images' value range, mapped to [0, 255].
        scale: inches per image.
        path: save the figure there instead of showing it.
        show: show the figure (default: when no `path`).
        transparent: transparent background when saving.
        dpi: resolution when saving.
        legend_handles: matplotlib handles for a legend under the grid.
        data_format: `"channels_last"` or `"channels_first"`.

    Returns:
        The matplotlib `Figure` (closed once saved or shown).

    Example:
        >>> import numpy as np, os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "gallery.png")
        >>> fig = plot_image_gallery(np.zeros((4, 8, 8, 3)), path=path)
        >>> os.path.getsize(path) > 0, len(fig.axes)
        (True, 4)
    """
    import matplotlib

    if path is not None:
        matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    if path is not None and show:
        raise ValueError("plot_image_gallery expected either path or show=True, not both.")
    if (y_true is not None or y_pred is not None) and label_map is None:
        raise ValueError("plot_image_gallery needs label_map when y_true or y_pred is given.")
    show = path is None if show is None else show
    images = _numpy(images)
    if images.ndim == 3:
        images = images[None]
    if (data_format or image_data_format()) == "channels_first":
        images = images.transpose(0, 2, 3, 1)
    batch = images.shape[0]
    rows = rows or int(math.ceil(math.sqrt(batch)))
    cols = cols or max(batch // rows, 1)
    low, high = value_range
    images = (images.astype("float32") - low) / (high - low) * 255.0
    images = np.clip(images, 0, 255).astype("uint8")
    fig, axes = plt.subplots(
        rows, cols, figsize=(cols * scale, rows * scale), squeeze=False, frameon=False
    )
    fig.subplots_adjust(wspace=0, hspace=0)
    if legend_handles is not None:
        fig.legend(handles=legend_handles, loc="lower center")
    y_true = None if y_true is None else _numpy(y_true)
    y_pred = None if y_pred is None else _numpy(y_pred)
    for index, axis in enumerate(axes.flat):
        axis.axis("off")
        if index >= batch:
            continue
        image = images[index]
        axis.imshow(
            image[..., 0] if image.shape[-1] == 1 else image,
            cmap="gray" if image.shape[-1] == 1 else None,
        )
        title = []
        if y_true is not None and index < len(y_true):
            title.append(f"Label: {label_map.get(_key(y_true[index]), 'Unknown')}")
        if y_pred is not None and index < len(y_pred):
            title.append(f"Pred: {label_map.get(_key(y_pred[index]), 'Unknown')}")
        if title:
            axis.set_title("  ".join(title), fontsize=8)
    if path is not None:
        fig.savefig(path, pad_inches=0, bbox_inches="tight", transparent=transparent, dpi=dpi)
        plt.close(fig)
    elif show:
        plt.show()
        plt.close(fig)
    return fig


def _key(value):
    return value.item() if hasattr(value, "item") else value


def plot_bounding_box_gallery(
    images,
    bounding_box_format,
    y_true=None,
    y_pred=None,
    value_range=(0, 255),
    true_color=(0, 188, 212),
    pred_color=(255, 235, 59),
    line_thickness=2,
    font_scale=1.0,
    text_thickness=None,
    class_mapping=None,
    ground_truth_mapping=None,
    prediction_mapping=None,
    legend=False,
    legend_handles=None,
    rows=None,
    cols=None,
    data_format=None,
    **kwargs,
):
    """A gallery of images with their true and predicted boxes drawn in two colours.

    Args:
        images: `(batch, height, width, channels)` (or channels first).
        bounding_box_format: the boxes' format.
        y_true: dict of true `"boxes"` and `"labels"` (see `draw_bounding_boxes`).
        y_pred: dict of predicted boxes (may hold `"confidences"`).
        value_range: the images' value range.
        true_color: RGB colour of the true boxes.
        pred_color: RGB colour of the predictions.
        line_thickness: box line width.
        font_scale: caption size.
        text_thickness: caption thickness (kept for Keras's signature).
        class_mapping: `{class id: name}` for both sets of boxes.
        ground_truth_mapping: mapping for the true boxes (default `class_mapping`).
        prediction_mapping: mapping for the predictions (default `class_mapping`).
        legend: add a "Ground Truth" / "Prediction" legend.
        legend_handles: custom legend handles (not with `legend`).
        rows: grid rows.
        cols: grid columns.
        data_format: `"channels_last"` or `"channels_first"`.
        **kwargs: passed to `plot_image_gallery` (`path`, `show`, `scale`, ...).

    Returns:
        The matplotlib `Figure`.
    """
    images = _numpy(images)
    _check_batch(images, "plot_bounding_box_gallery")
    if (data_format or image_data_format()) == "channels_first":
        images = images.transpose(0, 2, 3, 1)
    low, high = value_range
    plotted = np.clip((images.astype("float32") - low) / (high - low) * 255.0, 0, 255)
    plotted = plotted.astype("uint8")
    common = {
        "bounding_box_format": bounding_box_format,
        "line_thickness": line_thickness,
        "text_thickness": text_thickness,
        "font_scale": font_scale,
        "data_format": "channels_last",
    }
    if y_true is not None:
        plotted = draw_bounding_boxes(
            plotted,
            y_true,
            color=true_color,
            class_mapping=ground_truth_mapping or class_mapping,
            **common,
        )
    if y_pred is not None:
        plotted = draw_bounding_boxes(
            plotted,
            y_pred,
            color=pred_color,
            class_mapping=prediction_mapping or class_mapping,
            **common,
        )
    if legend:
        if legend_handles:
            raise ValueError("plot_bounding_box_gallery takes legend or legend_handles, not both.")
        from matplotlib import patches

        legend_handles = [
            patches.Patch(color=np.array(true_color) / 255.0, label="Ground Truth"),
            patches.Patch(color=np.array(pred_color) / 255.0, label="Prediction"),
        ]
    return plot_image_gallery(
        plotted,
        value_range=(0, 255),
        legend_handles=legend_handles,
        rows=rows,
        cols=cols,
        data_format="channels_last",
        **kwargs,
    )


def plot_segmentation_mask_gallery(
    images,
    num_classes,
    value_range=(0, 255),
    y_true=None,
    y_pred=None,
    color_mapping=None,
    blend=True,
    alpha=0.8,
    ignore_index=-1,
    data_format=None,
    **kwargs,
):
    """One row per image: the image, then its true mask, then its predicted mask, coloured.

    Args:
        images: `(batch, height, width, channels)` (or channels first).
        num_classes: number of classes.
        value_range: the images' value range.
        y_true: true integer masks `(batch, height, width, 1)`.
        y_pred: predicted integer masks, likewise.
        color_mapping: `{class: (r, g, b)}`.
        blend: blend the colours with the images.
        alpha: weight of the colours.
        ignore_index: class left uncoloured.
        data_format: `"channels_last"` or `"channels_first"`.
        **kwargs: passed to `plot_image_gallery`.

    Returns:
        The matplotlib `Figure`.
    """
    images = _numpy(images)
    _check_batch(images, "plot_segmentation_mask_gallery")
    first = (data_format or image_data_format()) == "channels_first"
    if first:
        images = images.transpose(0, 2, 3, 1)
    columns = [images]
    for masks in (y_true, y_pred):
        if masks is None:
            continue
        masks = _numpy(masks).astype("int32")
        if first and masks.ndim == 4:
            masks = masks.transpose(0, 2, 3, 1)
        columns.append(
            draw_segmentation_masks(
                images,
                masks,
                num_classes=num_classes,
                color_mapping=color_mapping,
                alpha=alpha,
                blend=blend,
                ignore_index=ignore_index,
                data_format="channels_last",
            )
        )
    gallery = np.stack([c.astype("float32") for c in columns], axis=1)
    gallery = gallery.reshape(-1, *images.shape[1:])
    return plot_image_gallery(
        gallery,
        value_range=value_range,
        rows=images.shape[0],
        cols=len(columns),
        data_format="channels_last",
        **kwargs,
    )
