"""Every augmentation layer: seeds repeat, dtypes are kept, single images work, configs hold."""

import copy
import inspect

import pytest
import torch
from common.specs.augmentation import SPECS

from strata import layers

RANDOM = [spec for spec in SPECS if spec.random_in_training]


def _images(spec, dtype=torch.float32):
    generator = torch.Generator().manual_seed(0)
    low, high = spec.init_kwargs.get("value_range", (0, 255))
    values = torch.rand(spec.input_shape, generator=generator, dtype=torch.float64)
    return (low + (high - low) * values).to(dtype)


@pytest.mark.parametrize("spec", RANDOM, ids=lambda s: s.name)
def test_a_fixed_seed_repeats_the_sequence_of_batches(spec):
    assert "seed" in inspect.signature(spec.layer_cls).parameters
    kwargs = {**copy.deepcopy(spec.init_kwargs), "seed": 11}
    first, second = spec.layer_cls(**kwargs), spec.layer_cls(**kwargs)
    images = _images(spec)
    for _ in range(2):
        torch.testing.assert_close(first(images, training=True), second(images, training=True))


@pytest.mark.parametrize("dtype", ["float64", "bfloat16"])
@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_the_layer_dtype_is_the_output_dtype(spec, dtype):
    layer = spec.layer_cls(**copy.deepcopy(spec.init_kwargs), dtype=dtype)
    images = _images(spec, getattr(torch, dtype))
    for training in (False, True):
        out = layer(images, training=training)
        assert out.dtype == getattr(torch, dtype)
        assert bool(torch.isfinite(out.float()).all())


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_single_images_and_integer_images(spec):
    layer = spec.layer_cls(**copy.deepcopy(spec.init_kwargs))
    image = _images(spec)[0]
    out = layer(image, training=True)
    assert out.dim() == 3 and out.dtype == torch.float32
    if spec.layer_cls is not layers.MaxNumBoundingBoxes:  # images pass through it untouched
        whole = _images(spec).round().to(torch.int32)
        assert layer(whole, training=True).dtype == torch.float32


def test_every_augmentation_layer_is_exported_and_specified():
    # The package also holds the non-augmentation preprocessing layers (their own specs).
    not_augmentation = {
        "Rescaling", "RandomFlip", "Resizing", "CenterCrop", "Normalization", "Discretization",
        "CategoryEncoding", "Hashing", "HashedCrossing", "IntegerLookup", "StringLookup",
        "TextVectorization", "Pipeline",
    }  # fmt: skip
    names = set(layers.preprocessing.__all__) - not_augmentation
    assert {spec.layer_cls.__name__ for spec in SPECS} == names
    assert len(names) == 28
