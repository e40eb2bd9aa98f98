"""Pipeline chains layers, augments by default when called on data, and serializes them."""

import numpy as np
import pytest
import torch

import strata
from strata import layers


def test_pipeline_equals_its_layers_in_turn():
    images = torch.rand(2, 6, 5, 3)
    rescale, crop = layers.Rescaling(2.0, offset=-1.0), layers.CenterCrop(4, 3)
    pipeline = layers.Pipeline([rescale, crop])
    torch.testing.assert_close(pipeline(images), crop(rescale(images)))
    assert pipeline.layers == [rescale, crop]


def test_pipeline_augments_outside_models_and_follows_the_model_inside():
    images = torch.arange(2 * 1 * 4 * 1, dtype=torch.float32).reshape(2, 1, 4, 1).repeat(8, 1, 1, 1)
    pipeline = layers.Pipeline([layers.RandomFlip("horizontal", seed=3)])
    assert not torch.equal(pipeline(images), images)  # training by default, as in Keras
    torch.testing.assert_close(pipeline(images, training=False), images)
    inputs = strata.Input((1, 4, 1))
    model = strata.Model(inputs, pipeline(inputs))
    np.testing.assert_allclose(model.predict(images.numpy(), verbose=0), images.numpy())


def test_pipeline_of_string_layers_and_config_round_trip():
    vectorize = layers.TextVectorization(vocabulary=["cat", "dog"], output_mode="multi_hot")
    pipeline = layers.Pipeline([vectorize])
    assert pipeline(["dog bird", "cat"]).tolist() == [[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    clone = layers.Pipeline.from_config(pipeline.get_config())
    assert clone(["cat cat"]).tolist() == [[0.0, 1.0, 0.0]]


def test_pipeline_takes_layers_only():
    with pytest.raises(ValueError, match="item 1 is function"):
        layers.Pipeline([layers.Rescaling(1.0), lambda x: x])
