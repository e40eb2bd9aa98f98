"""strata.visualization: drawn pixels, Keras's mask colours (fixture), galleries saved as PNG."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402

from strata import visualization  # noqa: E402

KERAS = np.load(Path(__file__).parent / "fixtures" / "segmentation.npz")


def test_segmentation_masks_match_keras():
    blended = visualization.draw_segmentation_masks(
        KERAS["images"], KERAS["masks"], num_classes=4, alpha=0.6
    )
    assert blended.dtype == np.uint8
    # Keras truncates float to uint8 as NumPy does; allow one step for float rounding.
    assert np.abs(blended.astype(int) - KERAS["blended"].astype(int)).max() <= 1
    plain = visualization.draw_segmentation_masks(
        KERAS["images"], KERAS["masks"], num_classes=4, blend=False
    )
    np.testing.assert_allclose(plain, KERAS["plain"], atol=1e-4)


def test_segmentation_masks_channels_first_and_default_classes():
    images = torch.zeros(1, 3, 2, 2)
    masks = torch.tensor([[[[0, 2], [1, -1]]]])
    out = visualization.draw_segmentation_masks(
        images, masks, alpha=1.0, data_format="channels_first"
    )
    assert out.shape == (1, 2, 2, 3)
    # Class 2 (the largest) is coloured too; -1 stays as the image.
    assert out[0, 0, 1].any() and not out[0, 1, 1].any()
    with pytest.raises(TypeError, match="integer masks"):
        visualization.draw_segmentation_masks(np.zeros((1, 2, 2, 3)), np.zeros((1, 2, 2, 1)))


def test_draw_bounding_boxes_outline_skip_and_caption():
    images = np.zeros((2, 20, 20, 3), "float32")
    boxes = {
        "boxes": np.array(
            [[[2, 2, 10, 10], [12, 12, 18, 18]], [[0.1, 0.1, 0.5, 0.5], [0, 0, 1, 1]]]
        ),
        "labels": np.array([[1, -1], [0, -1]]),
    }
    out = visualization.draw_bounding_boxes(
        images[:1],
        {k: v[:1] for k, v in boxes.items()},
        "xyxy",
        color=(0, 255, 0),
        line_thickness=1,
    )
    assert out.dtype == np.uint8 and out.shape == (1, 20, 20, 3)
    assert out[0, 2, 6].tolist() == [0, 255, 0]  # top edge
    assert out[0, 6, 6].tolist() == [0, 0, 0]  # inside
    assert not out[0, 12:, 12:].any()  # the padding box (label -1) is not drawn
    rel = visualization.draw_bounding_boxes(
        images[1:],
        {k: v[1:] for k, v in boxes.items()},
        "rel_xyxy",
        color=(255, 0, 0),
        line_thickness=1,
    )
    assert rel[0, 2, 5].tolist() == [255, 0, 0]
    plain = visualization.draw_bounding_boxes(
        np.zeros((1, 40, 60, 3)),
        {"boxes": [[[5, 20, 50, 35]]], "labels": [[1]]},
        "xyxy",
        line_thickness=1,
    )
    captioned = visualization.draw_bounding_boxes(
        np.zeros((1, 40, 60, 3)),
        {"boxes": [[[5, 20, 50, 35]]], "labels": [[1]]},
        "xyxy",
        class_mapping={1: "cat"},
        line_thickness=1,
    )
    assert captioned[0, :20].sum() > plain[0, :20].sum()  # the caption sits above the box
    with pytest.raises(ValueError, match="'boxes' and 'labels'"):
        visualization.draw_bounding_boxes(images, {"boxes": boxes["boxes"]}, "xyxy")
    with pytest.raises(ValueError, match="rank 4"):
        visualization.draw_bounding_boxes(images[0], boxes, "xyxy")


def test_galleries_write_pngs(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.uniform(0, 1, size=(4, 16, 16, 3)).astype("float32")
    path = tmp_path / "images.png"
    fig = visualization.plot_image_gallery(
        images,
        y_true=np.array([0, 1, 0, 1]),
        label_map={0: "a", 1: "b"},
        value_range=(0, 1),
        path=str(path),
    )
    assert Image.open(path).size[0] > 0
    assert [ax.get_title() for ax in fig.axes] == ["Label: a", "Label: b", "Label: a", "Label: b"]

    boxes = {"boxes": np.array([[[2, 2, 12, 12]]] * 4), "labels": np.array([[0]] * 4)}
    fig = visualization.plot_bounding_box_gallery(
        images,
        "xyxy",
        y_true=boxes,
        y_pred=boxes,
        value_range=(0, 1),
        legend=True,
        class_mapping={0: "x"},
        path=str(tmp_path / "boxes.png"),
    )
    assert len(fig.legends) == 1 and (tmp_path / "boxes.png").stat().st_size > 0

    masks = rng.integers(0, 3, size=(2, 16, 16, 1))
    fig = visualization.plot_segmentation_mask_gallery(
        images[:2] * 255,
        num_classes=3,
        y_true=masks,
        y_pred=masks,
        path=str(tmp_path / "masks.png"),
    )
    assert len(fig.axes) == 6  # 2 rows x (image, truth, prediction)
    with pytest.raises(ValueError, match="label_map"):
        visualization.plot_image_gallery(images, y_true=[0, 1, 0, 1], path=str(path))
