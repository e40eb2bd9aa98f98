"""The private layers of the applications: ConvNeXt's LayerScale and StochasticDepth (Keras's
behaviour), InceptionResNetV2's CustomScaleLayer; each survives serialization."""

import pytest
import torch

from strata import Input, Model, saving
from strata.applications.convnext import LayerScale, StochasticDepth
from strata.applications.inception_resnet_v2 import CustomScaleLayer


def round_trip(layer):
    return saving.deserialize_keras_object(saving.serialize_keras_object(layer))


def test_layer_scale_multiplies_the_last_axis_by_gamma():
    layer = LayerScale(0.5, 3, name="scale")
    x = torch.arange(6, dtype=torch.float32).reshape(2, 3)
    torch.testing.assert_close(layer(x), 0.5 * x)
    assert [tuple(w.shape) for w in layer.trainable_weights] == [(3,)]
    layer.set_weights([torch.tensor([1.0, 2.0, 3.0]).numpy()])
    torch.testing.assert_close(layer(x), x * torch.tensor([1.0, 2.0, 3.0]))
    again = round_trip(layer)
    assert isinstance(again, LayerScale)
    assert (again.init_values, again.projection_dim, again.name) == (0.5, 3, "scale")


def test_layer_scale_rejects_a_bad_projection_dim():
    with pytest.raises(ValueError, match="projection_dim"):
        LayerScale(1e-6, 0)


def test_stochastic_depth_drops_whole_samples_only_while_training():
    torch.manual_seed(0)
    layer = StochasticDepth(0.5)
    x = torch.ones(2000, 2, 2, 3)
    assert layer(x, training=False) is x
    out = layer(x, training=True)
    per_sample = out.reshape(2000, -1)
    # Each sample is either dropped (all zeros) or kept and scaled by 1 / keep.
    assert set(per_sample.unique().tolist()) <= {0.0, 2.0}
    assert (per_sample == per_sample[:, :1]).all()
    kept = (per_sample[:, 0] > 0).float().mean().item()
    assert 0.45 < kept < 0.55
    assert round_trip(layer).drop_path_rate == 0.5
    with pytest.raises(ValueError, match="drop_path_rate"):
        StochasticDepth(1.0)


def test_custom_scale_layer_adds_the_scaled_branch_in_a_model():
    a, b = Input((4,)), Input((4,))
    out = CustomScaleLayer(0.17, name="sum")([a, b])
    model = Model([a, b], out)
    assert model.output_shape == (None, 4)
    x, y = torch.rand(2, 4), torch.rand(2, 4)
    torch.testing.assert_close(model([x, y]), x + 0.17 * y)
    assert round_trip(model.get_layer("sum")).scale == pytest.approx(0.17)
