"""ContrastLimitedAdaptiveHistogramEqualization against Keras; MaxNumBoundingBoxes."""

from pathlib import Path

import numpy as np
import pytest
import torch

from strata import layers

FIXTURES = np.load(Path(__file__).parent / "fixtures" / "augmentation.npz")
CLAHE = layers.ContrastLimitedAdaptiveHistogramEqualization


def test_clahe_matches_keras_with_padding_to_whole_tiles():
    images = torch.from_numpy(FIXTURES["clahe_input"])
    got = CLAHE(clip_limit=2.0, tile_grid_size=(3, 4))(images).numpy()
    np.testing.assert_allclose(got, FIXTURES["clahe_padded"], rtol=1e-5, atol=1e-3)


def test_clahe_matches_keras_with_defaults_and_unclipped_in_unit_range():
    square = torch.from_numpy(FIXTURES["rgb"][:, :4, :4]).repeat(1, 4, 4, 1)
    got = CLAHE(tile_grid_size=(2, 2))(square).numpy()
    np.testing.assert_allclose(got, FIXTURES["clahe_default"], rtol=1e-5, atol=1e-3)
    unit = CLAHE(value_range=(0, 1), clip_limit=0.0, tile_grid_size=(2, 3))
    got = unit(torch.from_numpy(FIXTURES["clahe_input"]) / 255).numpy()
    np.testing.assert_allclose(got, FIXTURES["clahe_unclipped_unit"], rtol=1e-5, atol=1e-5)


def test_clahe_acts_in_inference_with_both_layouts():
    images = torch.from_numpy(FIXTURES["clahe_input"])
    last = CLAHE(tile_grid_size=(2, 2))(images)
    first = CLAHE(tile_grid_size=(2, 2), data_format="channels_first")(images.permute(0, 3, 1, 2))
    torch.testing.assert_close(first.permute(0, 2, 3, 1), last)
    assert not torch.allclose(last, images)
    assert CLAHE(dtype="float64")(images.double()).dtype == torch.float64
    with pytest.raises(ValueError, match="expected `tile_grid_size` as a pair"):
        CLAHE(tile_grid_size=4)


def test_boxes_are_padded_and_cut_and_images_pass_through():
    images = torch.rand(2, 4, 4, 3)
    boxes = torch.arange(2 * 3 * 4, dtype=torch.float32).view(2, 3, 4)
    labels = torch.tensor([[1, 2, 3], [4, 5, 6]])
    data = {"images": images, "bounding_boxes": {"boxes": boxes, "labels": labels}}
    padded = layers.MaxNumBoundingBoxes(5, fill_value=-2)(data)
    assert padded["images"] is images
    assert padded["bounding_boxes"]["boxes"].shape == (2, 5, 4)
    assert padded["bounding_boxes"]["labels"].tolist() == [[1, 2, 3, -2, -2], [4, 5, 6, -2, -2]]
    torch.testing.assert_close(padded["bounding_boxes"]["boxes"][:, :3], boxes)
    assert bool((padded["bounding_boxes"]["boxes"][:, 3:] == -2).all())
    cut = layers.MaxNumBoundingBoxes(2)(data)
    assert cut["bounding_boxes"]["labels"].tolist() == [[1, 2], [4, 5]]
    torch.testing.assert_close(layers.MaxNumBoundingBoxes(2)(images), images)
    with pytest.raises(ValueError, match="expected `bounding_boxes` with 'boxes' and 'labels'"):
        layers.MaxNumBoundingBoxes(2)(
            {"images": images, "bounding_boxes": {"boxes": boxes, "scores": labels}}
        )
    with pytest.raises(ValueError, match="expected `max_number` as a positive integer"):
        layers.MaxNumBoundingBoxes(0)
