"""Argument builders for every op of `keras.ops.nn` (see harness.py)."""

from __future__ import annotations

import numpy as np
import scipy.special as sp
from ops.harness import Case


def f32(rng, *shape, scale=1.0):
    return (rng.normal(size=shape) * scale).astype("float32")


def unary(x_shape=(3, 4), scale=3.0, **kwargs):
    return lambda r: ((f32(r, *x_shape, scale=scale),), dict(kwargs))


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


ACTIVATIONS = {
    "relu": lambda x: np.maximum(x, 0),
    "relu6": lambda x: np.clip(x, 0, 6),
    "sigmoid": _sigmoid,
    "sparse_sigmoid": lambda x: np.clip((x + 1) / 2, 0, 1),
    "softplus": lambda x: np.logaddexp(0, x),
    "softsign": lambda x: x / (1 + np.abs(x)),
    "silu": lambda x: x * _sigmoid(x),
    "swish": lambda x: x * _sigmoid(x),
    "log_sigmoid": lambda x: -np.logaddexp(0, -x),
    "hard_sigmoid": lambda x: np.clip(x + 3, 0, 6) / 6,
    "hard_silu": lambda x: x * np.clip(x + 3, 0, 6) / 6,
    "hard_swish": lambda x: x * np.clip(x + 3, 0, 6) / 6,
    "selu": lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * (np.exp(x) - 1)),
    "hard_tanh": lambda x: np.clip(x, -1, 1),
    "tanh_shrink": lambda x: x - np.tanh(x),
    "sparse_plus": lambda x: np.where(x <= -1, 0, np.where(x >= 1, x, (x + 1) ** 2 / 4)),
}

_SPARSEMAX_WHY = (
    "Keras 3.15.1 on torch sums the cumulative sums of the support instead of taking the last "
    "one, so rows whose support has 2 or more entries come out wrong (all zeros, not summing "
    "to 1); strata follows the definition (Martins and Astudillo, 2016), checked against NumPy"
)


def _sparsemax_ref(x, axis):
    z = np.moveaxis(x.astype("float64"), axis, -1)
    ordered = -np.sort(-z, axis=-1)
    ranks = np.arange(1, z.shape[-1] + 1)
    cumulative = np.cumsum(ordered, axis=-1)
    k = (1 + ranks * ordered > cumulative).sum(axis=-1, keepdims=True)
    tau = (np.take_along_axis(cumulative, k - 1, -1) - 1) / k
    return np.moveaxis(np.maximum(z - tau, 0), -1, axis).astype("float32")


CASES = [Case(f"nn.{name}", "basic", unary(), reference=ref) for name, ref in ACTIVATIONS.items()]


def _shrink(kind):
    def ref(x, threshold=0.5):
        if kind == "hard":
            return np.where(np.abs(x) > threshold, x, 0)
        return np.where(x > threshold, x - threshold, np.where(x < -threshold, x + threshold, 0))

    return ref


CASES += [
    Case("nn.soft_shrink", "default", unary(), reference=_shrink("soft")),
    Case("nn.soft_shrink", "threshold", unary(threshold=1.0), reference=_shrink("soft")),
    Case("nn.hard_shrink", "default", unary(), reference=_shrink("hard")),
    Case("nn.hard_shrink", "threshold", unary(threshold=1.0), reference=_shrink("hard")),
    Case("nn.squareplus", "default", unary(), reference=lambda x: (x + np.sqrt(x * x + 4)) / 2),
    Case("nn.squareplus", "b", unary(b=2), reference=lambda x, b: (x + np.sqrt(x * x + b)) / 2),
    Case("nn.leaky_relu", "default", unary(), reference=lambda x: np.where(x > 0, x, 0.2 * x)),
    Case("nn.leaky_relu", "slope", unary(negative_slope=0.1)),
    Case("nn.elu", "default", unary(), reference=lambda x: np.where(x > 0, x, np.exp(x) - 1)),
    Case("nn.elu", "alpha", unary(alpha=0.5)),
    Case("nn.celu", "default", unary()),
    Case("nn.celu", "alpha", unary(alpha=2.0)),
    Case("nn.gelu", "approximate", unary()),
    Case(
        "nn.gelu",
        "exact",
        unary(approximate=False),
        reference=lambda x, approximate: x * 0.5 * (1 + sp.erf(x / np.sqrt(2))),
    ),
    Case("nn.glu", "last", unary((3, 6))),
    Case("nn.glu", "axis0", unary((4, 3), axis=0)),
    Case("nn.threshold", "basic", lambda r: ((f32(r, 3, 4), 0.5, -1.0), {})),
    Case(
        "nn.softmax",
        "last",
        unary((2, 3, 4)),
        reference=lambda x: sp.softmax(x, axis=-1),
    ),
    Case("nn.softmax", "axis0", unary((2, 3, 4), axis=0)),
    Case("nn.softmax", "none", unary((2, 3), axis=None), reference=lambda x, axis: sp.softmax(x)),
    Case(
        "nn.softmax",
        "tuple",
        unary((2, 3, 4), axis=(1, 2)),
        reference=lambda x, axis: sp.softmax(x, axis=axis),
    ),
    Case(
        "nn.log_softmax",
        "last",
        unary((2, 3, 4)),
        reference=lambda x: sp.log_softmax(x, axis=-1),
    ),
    Case("nn.log_softmax", "axis1", unary((2, 3, 4), axis=1)),
    Case(
        "nn.log_softmax",
        "tuple",
        unary((2, 3, 4), axis=(0, 2)),
        reference=lambda x, axis: sp.log_softmax(x, axis=axis),
    ),
    Case(
        "nn.sparsemax",
        "last",
        unary((3, 5)),
        fixture=False,
        reference=lambda x: _sparsemax_ref(x, -1),
        why=_SPARSEMAX_WHY,
    ),
    Case(
        "nn.sparsemax",
        "axis0",
        unary((4, 3), axis=0),
        fixture=False,
        reference=lambda x, axis: _sparsemax_ref(x, axis),
        why=_SPARSEMAX_WHY,
    ),
    Case("nn.sparsemax", "one_winner", lambda r: ((np.array([[3.0, 0.0, -1.0]], "float32"),), {})),
]


def conv_case(op, idx, x_shape, k_shape, **kwargs):
    return Case(f"nn.{op}", idx, lambda r: ((f32(r, *x_shape), f32(r, *k_shape)), kwargs))


CASES += [
    conv_case("conv", "1d_valid", (2, 7, 3), (3, 3, 4)),
    conv_case("conv", "1d_same_stride", (2, 8, 3), (3, 3, 4), strides=2, padding="same"),
    conv_case("conv", "2d_valid", (2, 5, 6, 3), (3, 3, 3, 4)),
    conv_case("conv", "2d_same_stride2", (2, 6, 7, 3), (3, 3, 3, 4), strides=2, padding="same"),
    conv_case("conv", "2d_same_even_k", (1, 6, 6, 2), (2, 2, 2, 3), padding="same"),
    conv_case("conv", "2d_dilated", (1, 7, 7, 2), (3, 3, 2, 2), dilation_rate=2, padding="same"),
    conv_case(
        "conv", "2d_channels_first", (2, 3, 5, 6), (3, 3, 3, 4), data_format="channels_first"
    ),
    conv_case("conv", "2d_grouped", (1, 5, 5, 4), (3, 3, 2, 6)),
    conv_case("conv", "3d_same", (1, 4, 5, 4, 2), (2, 3, 3, 2, 3), padding="same"),
    conv_case("depthwise_conv", "2d", (2, 5, 6, 3), (3, 3, 3, 2)),
    conv_case(
        "depthwise_conv", "2d_same_stride", (1, 6, 6, 2), (3, 3, 2, 2), strides=2, padding="same"
    ),
    conv_case("depthwise_conv", "1d", (2, 7, 3), (3, 3, 1)),
    Case(
        "nn.separable_conv",
        "2d",
        lambda r: ((f32(r, 2, 5, 6, 3), f32(r, 3, 3, 3, 2), f32(r, 1, 1, 6, 4)), {}),
    ),
    Case(
        "nn.separable_conv",
        "2d_same",
        lambda r: (
            (f32(r, 1, 6, 6, 2), f32(r, 3, 3, 2, 1), f32(r, 1, 1, 2, 3)),
            {"padding": "same", "strides": 2},
        ),
    ),
    conv_case("conv_transpose", "2d_valid", (2, 4, 5, 3), (3, 3, 4, 3)),
    conv_case(
        "conv_transpose", "2d_same_s2", (1, 4, 5, 3), (3, 3, 2, 3), strides=2, padding="same"
    ),
    conv_case(
        "conv_transpose",
        "2d_output_padding",
        (1, 3, 3, 2),
        (3, 3, 2, 2),
        strides=2,
        output_padding=1,
    ),
    conv_case("conv_transpose", "1d_same", (2, 5, 3), (4, 2, 3), strides=2, padding="same"),
    conv_case("conv_transpose", "1d_valid_big_stride", (1, 3, 2), (2, 2, 2), strides=3),
    conv_case("conv_transpose", "3d", (1, 2, 3, 3, 2), (2, 2, 2, 1, 2), strides=2),
]


def _avg_pool_tf(x, pool_size, strides, padding):
    """TensorFlow's average pooling of (N, H, W, C) with padded positions not counted."""
    n, h, w, c = x.shape
    (ph, pw), (sh, sw) = pool_size, strides
    oh, ow = -(-h // sh), -(-w // sw)
    top = max((oh - 1) * sh + ph - h, 0) // 2
    left = max((ow - 1) * sw + pw - w, 0) // 2
    out = np.zeros((n, oh, ow, c), x.dtype)
    for i in range(oh):
        for j in range(ow):
            r0, c0 = i * sh - top, j * sw - left
            window = x[:, max(r0, 0) : r0 + ph, max(c0, 0) : c0 + pw]
            out[:, i, j] = window.mean(axis=(1, 2))
    return out


def pool_case(op, idx, shape, pool, **kwargs):
    return Case(f"nn.{op}", idx, lambda r: ((f32(r, *shape), pool), kwargs))


CASES += [
    pool_case("max_pool", "2d_valid", (2, 6, 6, 3), 2),
    pool_case("max_pool", "2d_same_symmetric", (2, 6, 6, 3), 3, strides=1, padding="same"),
    pool_case("max_pool", "2d_same_asymmetric", (1, 5, 5, 2), 2, strides=2, padding="same"),
    pool_case("max_pool", "1d_strides", (2, 9, 2), 3, strides=2),
    pool_case("max_pool", "3d", (1, 4, 4, 4, 2), 2),
    pool_case("max_pool", "channels_first", (2, 3, 6, 6), (2, 3), data_format="channels_first"),
    pool_case("average_pool", "2d_valid", (2, 6, 6, 3), 2),
    pool_case("average_pool", "2d_same_symmetric", (2, 6, 6, 3), 3, strides=1, padding="same"),
    pool_case("average_pool", "1d", (2, 8, 3), 2),
    pool_case("average_pool", "3d", (1, 4, 4, 4, 2), 2),
    Case(
        "nn.average_pool",
        "2d_same_asymmetric",
        lambda r: ((f32(r, 1, 5, 5, 2), 2), {"strides": 2, "padding": "same"}),
        fixture=False,
        reference=lambda x, p, strides, padding: _avg_pool_tf(x, (p, p), (strides,) * 2, padding),
        why="Keras on torch pads the odd extra position with copies of the edge and counts "
        "them; strata follows TensorFlow (padding never counted), checked against NumPy",
    ),
    pool_case("adaptive_average_pool", "2d", (2, 7, 5, 3), (3, 2)),
    pool_case("adaptive_average_pool", "1d", (2, 9, 2), 4),
    pool_case("adaptive_max_pool", "2d", (2, 7, 5, 3), (3, 2)),
    pool_case("adaptive_max_pool", "3d", (1, 5, 4, 6, 2), 2),
]


def _bn(r, axis_size, with_params):
    x = f32(r, 2, 3, 4)
    stats = [f32(r, axis_size), np.abs(f32(r, axis_size)) + 0.5]
    params = {"offset": f32(r, axis_size), "scale": f32(r, axis_size)} if with_params else {}
    return x, stats, params


def _layer_norm_ref(x, axis, gamma, beta):
    mean = x.mean(axis=axis, keepdims=True)
    var = x.var(axis=axis, keepdims=True)
    shape = [1] * x.ndim
    shape[axis] = -1
    out = (x - mean) / np.sqrt(var + 1e-7) * gamma.reshape(shape) + beta.reshape(shape)
    return out.astype("float32")


CASES += [
    Case(
        "nn.batch_normalization",
        "last",
        lambda r: (lambda x, s, p: ((x, *s), {"axis": -1, **p}))(*_bn(r, 4, True)),
    ),
    Case(
        "nn.batch_normalization",
        "axis1_no_params",
        lambda r: (lambda x, s, p: ((x, *s), {"axis": 1, "epsilon": 0.01}))(*_bn(r, 3, False)),
    ),
    Case(
        "nn.layer_normalization",
        "gamma_beta",
        lambda r: ((f32(r, 3, 4, 5),), {"gamma": f32(r, 5), "beta": f32(r, 5)}),
    ),
    Case("nn.layer_normalization", "axes12", unary((3, 4, 5), axis=(1, 2), epsilon=1e-3)),
    Case(
        "nn.layer_normalization",
        "axis1",
        lambda r: ((f32(r, 3, 4, 5),), {"axis": 1, "gamma": f32(r, 4), "beta": f32(r, 4)}),
        fixture=False,
        reference=_layer_norm_ref,
        why="Keras on torch fails on one non-last axis (it hands F.layer_norm the wrong "
        "shape); checked against NumPy",
    ),
    Case(
        "nn.layer_normalization",
        "rms_scaling",
        lambda r: ((f32(r, 3, 5),), {"gamma": f32(r, 5), "rms_scaling": True}),
    ),
    Case("nn.rms_normalization", "scale", lambda r: ((f32(r, 3, 5),), {"scale": f32(r, 5)})),
    Case("nn.rms_normalization", "no_scale", unary((2, 3, 4), axis=(1, 2))),
    Case("nn.moments", "axes01", unary((3, 4, 2), axes=[0, 1])),
    Case(
        "nn.moments",
        "keepdims",
        unary((3, 4), axes=[1], keepdims=True),
        reference=lambda x, axes, keepdims: (
            x.mean(axis=1, keepdims=True),
            x.var(axis=1, keepdims=True),
        ),
    ),
    Case(
        "nn.one_hot",
        "negative",
        lambda r: ((np.array([0, 2, -1, 3]), 4), {}),
        reference=lambda x, n: np.where(x[:, None] >= 0, np.eye(n)[x], 0).astype("float32"),
    ),
    Case("nn.one_hot", "axis0", lambda r: ((np.array([[0, 1], [2, 0]]), 3), {"axis": 0})),
    Case("nn.multi_hot", "batch", lambda r: ((np.array([[0, 2], [1, 1]]), 4), {})),
    Case("nn.multi_hot", "vector", lambda r: ((np.array([0, 3]),), {"num_classes": 5})),
    Case(
        "nn.normalize",
        "l2",
        unary((3, 4)),
        reference=lambda x: x / np.linalg.norm(x, axis=-1, keepdims=True),
    ),
    Case("nn.normalize", "l1_axis0", unary((3, 4), axis=0, order=1)),
    Case(
        "nn.polar",
        "basic",
        lambda r: ((np.abs(f32(r, 3)), f32(r, 3)), {}),
        reference=lambda a, t: (a * np.exp(1j * t)).astype("complex64"),
    ),
    Case(
        "nn.psnr",
        "basic",
        lambda r: (
            (r.rand(2, 4, 4, 1).astype("float32"), r.rand(2, 4, 4, 1).astype("float32"), 1.0),
            {},
        ),
    ),
]


def _probs(r, *shape):
    return sp.softmax(f32(r, *shape), axis=-1).astype("float32")


def _onehot(r, n, c):
    return np.eye(c, dtype="float32")[r.randint(0, c, n)]


CASES += [
    Case(
        "nn.binary_crossentropy",
        "probs",
        lambda r: ((r.randint(0, 2, (3, 4)).astype("float32"), r.rand(3, 4).astype("float32")), {}),
    ),
    Case(
        "nn.binary_crossentropy",
        "logits",
        lambda r: ((r.rand(3, 4).astype("float32"), f32(r, 3, 4)), {"from_logits": True}),
    ),
    Case(
        "nn.categorical_crossentropy",
        "probs",
        lambda r: ((_onehot(r, 4, 5), _probs(r, 4, 5)), {}),
    ),
    Case(
        "nn.categorical_crossentropy",
        "logits_axis0",
        lambda r: ((_onehot(r, 4, 3).T.copy(), f32(r, 3, 4)), {"from_logits": True, "axis": 0}),
    ),
    Case(
        "nn.sparse_categorical_crossentropy",
        "probs",
        lambda r: ((r.randint(0, 5, 4), _probs(r, 4, 5)), {}),
    ),
    Case(
        "nn.sparse_categorical_crossentropy",
        "logits_3d",
        lambda r: ((r.randint(0, 5, (2, 3)), f32(r, 2, 3, 5)), {"from_logits": True}),
    ),
    Case(
        "nn.sparse_categorical_crossentropy",
        "column_target",
        lambda r: ((r.randint(0, 3, (4, 1)), f32(r, 4, 3)), {"from_logits": True}),
    ),
]


def _ctc_inputs(r):
    target = np.array([[1, 2, 2], [3, 1, 0]], dtype="int32")
    return (target, f32(r, 2, 7, 5), np.array([3, 2]), np.array([7, 6])), {}


def _decode_inputs(steps, classes, **kwargs):
    return lambda r: ((f32(r, 2, steps, classes, scale=2.0), np.array([steps, steps - 1])), kwargs)


CASES += [
    Case("nn.ctc_loss", "basic", _ctc_inputs, rtol=1e-4),
    Case("nn.ctc_decode", "greedy", _decode_inputs(6, 4)),
    Case("nn.ctc_decode", "greedy_no_merge", _decode_inputs(6, 4, merge_repeated=False)),
    Case(
        "nn.ctc_decode",
        "beam",
        _decode_inputs(4, 3, strategy="beam_search", beam_width=64, top_paths=2),
        rtol=1e-4,
    ),
]


def _qkv(r, t=4, s=5, n=2, k=2, h=8):
    return f32(r, 2, t, n, h), f32(r, 2, s, k, h), f32(r, 2, s, k, h)


def _attention_reference(
    q, k, v, bias=None, mask=None, scale=None, is_causal=False, attn_logits_soft_cap=None, **_
):
    k = np.repeat(k, q.shape[2] // k.shape[2], axis=2)
    v = np.repeat(v, q.shape[2] // v.shape[2], axis=2)
    scale = 1 / np.sqrt(q.shape[-1]) if scale is None else scale
    logits = np.einsum("btnh,bsnh->bnts", q, k) * scale
    if attn_logits_soft_cap is not None:
        logits = attn_logits_soft_cap * np.tanh(logits / attn_logits_soft_cap)
    if bias is not None:
        logits = logits + bias
    allowed = np.ones(logits.shape, bool)
    if mask is not None:
        allowed &= mask
    if is_causal:
        allowed &= np.tril(np.ones(logits.shape[-2:], bool))
    logits = np.where(allowed, logits, -1e30)
    return np.einsum("bnts,bsnh->btnh", sp.softmax(logits, axis=-1), v).astype("float32")


CASES += [
    Case(
        "nn.dot_product_attention", "plain", lambda r: (_qkv(r), {}), reference=_attention_reference
    ),
    Case(
        "nn.dot_product_attention",
        "mask",
        lambda r: (_qkv(r), {"mask": r.rand(2, 1, 4, 5) > 0.3}),
        reference=_attention_reference,
    ),
    Case(
        "nn.dot_product_attention",
        "causal",
        lambda r: (_qkv(r, s=4), {"is_causal": True}),
        reference=_attention_reference,
    ),
    Case(
        "nn.dot_product_attention",
        "bias_scale",
        lambda r: (_qkv(r), {"bias": f32(r, 1, 2, 4, 5), "scale": 0.5}),
        reference=_attention_reference,
    ),
    Case(
        "nn.dot_product_attention",
        "grouped",
        lambda r: (_qkv(r, n=4, k=2), {}),
        reference=_attention_reference,
    ),
    Case(
        "nn.dot_product_attention",
        "soft_cap",
        lambda r: (_qkv(r), {"attn_logits_soft_cap": 0.5}),
        fixture=False,
        reference=_attention_reference,
        why="Keras on torch ignores attn_logits_soft_cap; checked against NumPy (JAX's rule)",
    ),
]


def _depth_to_space_ref(x, b):
    n, h, w, c = x.shape
    y = x.reshape(n, h, w, b, b, c // (b * b)).transpose(0, 1, 3, 2, 4, 5)
    return y.reshape(n, h * b, w * b, c // (b * b))


def _check_channels_first_d2s(outputs, args, kwargs):
    x = args[0].transpose(0, 2, 3, 1)
    expected = _depth_to_space_ref(x, args[1]).transpose(0, 3, 1, 2)
    np.testing.assert_allclose(outputs[0], expected)


CASES += [
    Case(
        "nn.depth_to_space",
        "channels_last",
        lambda r: ((f32(r, 2, 2, 3, 8), 2), {}),
        reference=_depth_to_space_ref,
    ),
    Case(
        "nn.depth_to_space",
        "channels_first",
        lambda r: ((f32(r, 2, 8, 2, 3), 2), {"data_format": "channels_first"}),
        fixture=False,
        check=_check_channels_first_d2s,
        why="Keras on torch orders channels_first blocks differently from its channels_last "
        "(and from TensorFlow); strata uses one order for both layouts",
    ),
    Case("nn.space_to_depth", "channels_last", lambda r: ((f32(r, 2, 4, 6, 3), 2), {})),
    Case("nn.unfold", "basic", lambda r: ((f32(r, 2, 2, 4, 4), 2), {})),
    Case(
        "nn.unfold",
        "options",
        lambda r: ((f32(r, 1, 2, 6, 6), (2, 3)), {"dilation": 1, "padding": 1, "stride": 2}),
    ),
    Case("nn.fold", "basic", lambda r: ((f32(r, 2, 12, 16), (5, 5), 2), {})),
]
