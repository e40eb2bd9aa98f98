"""TorchModuleWrapper: a plain torch module trains as a layer and its shape is inferred."""

import pytest
import torch

import strata
from strata import layers


def test_linear_parameters_are_the_layers_weights_and_train():
    linear = torch.nn.Linear(3, 2)
    layer = layers.TorchModuleWrapper(linear)
    inputs = strata.Input(shape=(3,))
    out = layer(inputs)
    assert out.shape == (None, 2)
    model = strata.Model(inputs, out)
    assert {id(w) for w in layer.trainable_weights} == {id(linear.weight), id(linear.bias)}
    assert {id(w) for w in model.trainable_weights} >= {id(linear.weight), id(linear.bias)}
    assert len(layer.weights) == 2 and layer.count_params() == 8
    before = linear.weight.detach().clone()
    optimizer = torch.optim.SGD(layer.trainable_weights, lr=0.1)
    loss = model(torch.randn(8, 3), training=True).pow(2).mean()
    loss.backward()
    optimizer.step()
    assert not torch.equal(before, linear.weight.detach())


def test_output_equals_the_module():
    linear = torch.nn.Linear(4, 3)
    x = torch.randn(5, 4)
    torch.testing.assert_close(layers.TorchModuleWrapper(linear)(x), linear(x))


def test_shape_inference_with_free_dimensions_and_convolutions():
    conv = torch.nn.Conv2d(3, 8, kernel_size=3)
    out = layers.TorchModuleWrapper(conv)(strata.Input(batch_shape=(None, 3, None, 10)))
    assert out.shape == (None, 8, None, 8)


def test_freezing_and_training_mode():
    block = torch.nn.Sequential(torch.nn.Linear(3, 3), torch.nn.Dropout(0.9))
    layer = layers.TorchModuleWrapper(block)
    assert not block.training  # layers start in inference mode
    x = torch.ones(4, 3)
    torch.testing.assert_close(layer(x), block[0](x))
    layer(x, training=True)
    assert block.training
    layer.trainable = False
    assert layer.trainable_weights == [] and not block[0].weight.requires_grad


def test_lazy_modules_are_materialized_at_build():
    layer = layers.TorchModuleWrapper(torch.nn.LazyLinear(6))
    assert layer(strata.Input(shape=(4,))).shape == (None, 6)
    assert tuple(layer.module.weight.shape) == (6, 4)


def test_config_rebuilds_torch_nn_modules_without_pickle():
    block = torch.nn.Sequential(torch.nn.Conv2d(2, 4, 3, padding=1), torch.nn.ReLU())
    config = layers.TorchModuleWrapper(block).get_config()
    rebuilt = layers.TorchModuleWrapper.from_config(config)
    assert isinstance(rebuilt.module[0], torch.nn.Conv2d)
    assert rebuilt.module[0].padding == (1, 1) and rebuilt.module[0].out_channels == 4
    assert rebuilt.module[0].weight is not block[0].weight


def test_custom_modules_need_custom_objects():
    class Twice(torch.nn.Module):
        def forward(self, x):
            return 2 * x

    config = layers.TorchModuleWrapper(Twice()).get_config()
    with pytest.raises(ValueError, match="custom_objects"):
        layers.TorchModuleWrapper.from_config(config)
    rebuilt = layers.TorchModuleWrapper.from_config(config, custom_objects={"Twice": Twice})
    assert torch.equal(rebuilt(torch.ones(2)), torch.full((2,), 2.0))


def test_rejects_non_modules():
    with pytest.raises(ValueError, match="torch.nn.Module"):
        layers.TorchModuleWrapper(lambda x: x)
