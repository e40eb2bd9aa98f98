"""channels_last stacks run on permuted views: no layout copies between layers (DESIGN.md)."""

import torch
from torch.profiler import ProfilerActivity, profile

import strata
from strata import layers

BATCH = 5  # differs from every channel count below, so activation copies are recognisable

_COPIES = {"aten::contiguous", "aten::clone", "aten::copy_"}


def _stack():
    return [
        layers.Conv2D(8, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(3, strides=2, padding="same"),
        layers.Conv2D(4, 3, strides=2, padding="same"),
        layers.AveragePooling2D(2, padding="same"),  # asymmetric: torch's ceil_mode, no pad
        layers.DepthwiseConv2D(1, depth_multiplier=2),
        layers.Conv2DTranspose(6, 2, strides=2),
    ]


def _run(stack, x):
    for layer in stack:
        x = layer(x)
    return x


def _is_channels_last_view(y):
    return y.dim() == 4 and y.permute(0, 3, 1, 2).is_contiguous(memory_format=torch.channels_last)


def test_conv_pool_conv_output_is_a_channels_last_view():
    x = torch.randn(BATCH, 9, 9, 3)
    y = _run(_stack()[:3], x)
    assert tuple(y.shape) == (BATCH, 3, 3, 4)
    assert y._base is not None, "the output should be a permuted view of torch's result"
    assert _is_channels_last_view(y)
    assert y.is_contiguous()  # the NHWC tensor a user sees is ordinary contiguous memory


def test_stack_makes_no_activation_copies():
    stack = _stack()
    x = torch.randn(BATCH, 9, 9, 3)
    _run(stack, x)
    with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
        y = _run(stack, x)
    assert _is_channels_last_view(y)
    copies = [
        (event.name, event.input_shapes)
        for event in prof.events()
        if event.name in _COPIES
        and event.input_shapes
        and event.input_shapes[0]
        and event.input_shapes[0][0] == BATCH
    ]
    assert copies == [], f"layout copies of activations: {copies}"


def test_every_layer_output_keeps_the_channels_last_memory_format():
    x = torch.randn(BATCH, 10, 10, 3)  # even sizes: strided "same" conv pads at the end
    for layer, cropped in [
        (layers.Conv2D(4, 3, strides=2, padding="same"), False),
        (layers.MaxPooling2D(2, strides=1, padding="same"), False),  # explicit -inf pad
        (layers.AveragePooling2D(2, strides=1, padding="same"), False),
        (layers.SeparableConv2D(4, 3, padding="same"), False),
        (layers.Conv2DTranspose(4, 3, strides=2, padding="same"), True),  # cropped at the end
    ]:
        y = layer(x)
        name = type(layer).__name__
        assert y.stride(-1) == 1, f"{name}: channels are not the innermost dimension"
        if not cropped:
            assert _is_channels_last_view(y), name


def test_channels_first_inputs_are_used_as_they_are():
    layer = layers.Conv2D(4, 3, data_format="channels_first")
    x = torch.randn(2, 3, 6, 6)
    y = layer(x)
    assert y.is_contiguous() and tuple(y.shape) == (2, 4, 4, 4)
    assert strata.backend.image_data_format() == "channels_last"
