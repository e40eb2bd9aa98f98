"""Geometric image ops: coordinate mapping, affine and perspective warps, elastic deformation,
and scale-and-translate resampling (the antialiased kernels of JAX's `scale_and_translate`).

Coordinates follow SciPy's `map_coordinates`: pixel centres are at integer positions; fill modes
say what lies outside the image (`constant`: `fill_value`; `nearest`: the edge pixel; `wrap`:
periodic; `mirror`: reflected about the edge pixel centres; `reflect`: reflected about the
edges).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import torch

from strata.ops._image_common import to_batched_nhwc, working_float
from strata.ops._symbolic import keras_op
from strata.ops._tensors import like, tensor

__all__ = [
    "affine_transform",
    "elastic_transform",
    "map_coordinates",
    "perspective_transform",
    "scale_and_translate",
]

_ORDERS = {"nearest": 0, "bilinear": 1}
_FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")


def _fix_index(index, size, fill_mode):
    """Bring integer positions inside `[0, size)` the way `fill_mode` extends the image."""
    if fill_mode in ("constant", "nearest"):
        return index.clamp(0, size - 1)
    if fill_mode == "wrap":
        return torch.remainder(index, size)
    if fill_mode == "mirror":
        if size == 1:
            return torch.zeros_like(index)
        period = 2 * (size - 1)
        r = torch.remainder(index, period)
        return torch.where(r >= size, period - r, r)
    period = 2 * size  # reflect: the edge pixel is repeated
    r = torch.remainder(index, period)
    return torch.where(r >= size, period - 1 - r, r)


def _nodes(coordinate, size, order, fill_mode):
    """Interpolation taps along one axis: a list of `(index, valid, weight)`."""
    if order == 0:
        # Integer coordinates are used as they are; floats round half to even (as NumPy).
        rounded = coordinate if not coordinate.is_floating_point() else torch.round(coordinate)
        taps = [(rounded.long(), None)]
    else:
        lower = torch.floor(coordinate)
        upper_weight = coordinate - lower
        taps = [(lower.long(), 1 - upper_weight), (lower.long() + 1, upper_weight)]
    nodes = []
    for index, weight in taps:
        valid = (index >= 0) & (index < size) if fill_mode == "constant" else None
        nodes.append((_fix_index(index, size, fill_mode), valid, weight))
    return nodes


def _check_modes(order, fill_mode, op):
    if order not in (0, 1):
        raise NotImplementedError(
            f"{op} supports order 0 (nearest) and 1 (linear), as Keras does; received "
            f"order={order!r}."
        )
    if fill_mode not in _FILL_MODES:
        raise ValueError(f"{op} expected fill_mode in {_FILL_MODES}; received {fill_mode!r}.")


def _interpolate(gather, coordinates, sizes, order, fill_mode, fill_value, dtype):
    """Sum over the interpolation corners of `gather(indices)` times the corner weights."""
    per_axis = [_nodes(c, n, order, fill_mode) for c, n in zip(coordinates, sizes, strict=True)]
    result = None
    for corner in itertools.product(*per_axis):
        indices = [node[0] for node in corner]
        values = gather(indices)
        valid = [node[1] for node in corner if node[1] is not None]
        if valid:
            ok = valid[0]
            for v in valid[1:]:
                ok = ok & v
            ok = ok.reshape(ok.shape + (1,) * (values.dim() - ok.dim()))
            fill = torch.as_tensor(fill_value, dtype=dtype, device=values.device)
            values = torch.where(ok, values, fill)
        weights = [node[2] for node in corner if node[2] is not None]
        for w in weights:
            values = values * w.reshape(w.shape + (1,) * (values.dim() - w.dim()))
        result = values if result is None else result + values
    return result


@keras_op
def map_coordinates(inputs, coordinates, order, fill_mode="constant", fill_value=0):
    """Sample `inputs` at fractional `coordinates` (SciPy's `map_coordinates`, orders 0 and 1).

    Args:
        inputs: an N-D array.
        coordinates: N arrays (or an array `(N, *out_shape)`) of positions, one per axis.
        order: 0 (nearest) or 1 (linear).
        fill_mode: `"constant"`, `"nearest"`, `"wrap"`, `"mirror"` or `"reflect"`.
        fill_value: the value outside the input in `"constant"` mode.

    Returns:
        `out_shape` samples with `inputs`' dtype.

    Example:
        >>> map_coordinates([[0.0, 1.0], [2.0, 3.0]], [[0.5], [0.5]], order=1).tolist()
        [1.5]
    """
    x = tensor(inputs)
    coords = [like(c, torch.empty(0, dtype=torch.float64, device=x.device)) for c in coordinates]
    if len(coords) != x.dim():
        raise ValueError(
            f"map_coordinates expected {x.dim()} coordinate arrays (the rank of inputs); "
            f"received {len(coords)}."
        )
    _check_modes(order, fill_mode, "map_coordinates")
    work, back = working_float(x)
    work = work.to(torch.float64) if work.dtype != torch.float64 else work
    flat = work.reshape(-1)
    strides = [math.prod(x.shape[i + 1 :]) for i in range(x.dim())]

    def gather(indices):
        position = sum(i * s for i, s in zip(indices, strides, strict=True))
        return flat[position]

    out = _interpolate(gather, coords, x.shape, order, fill_mode, fill_value, work.dtype)
    return back(out).to(x.dtype)


def _sample_nhwc(x, y_in, x_in, order, fill_mode, fill_value):
    """Sample `(N, H, W, C)` images at `(N, H', W')` positions; returns `(N, H', W', C)`."""
    work, back = working_float(x)
    n, h, w, c = work.shape
    flat = work.reshape(n * h * w, c)
    base = (torch.arange(n, device=x.device) * (h * w)).reshape(n, 1, 1)

    def gather(indices):
        rows, cols = indices
        return flat[base + rows * w + cols]

    coords = [y_in.to(work.dtype), x_in.to(work.dtype)]
    return back(_interpolate(gather, coords, (h, w), order, fill_mode, fill_value, work.dtype))


def _projective_sample(images, transforms, interpolation, fill_mode, fill_value, restore):
    """Warp `(N, H, W, C)` images: output pixel (x, y) reads input pixel
    `((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k)` with `k = c0 x + c1 y + 1`."""
    n, h, w, _ = images.shape
    t = transforms.to(device=images.device, dtype=torch.float64)
    if t.shape[0] == 1 and n > 1:
        t = t.expand(n, 8)
    ys, xs = torch.meshgrid(
        torch.arange(h, dtype=torch.float64, device=images.device),
        torch.arange(w, dtype=torch.float64, device=images.device),
        indexing="ij",
    )
    a0, a1, a2, b0, b1, b2, c0, c1 = (t[:, i].reshape(n, 1, 1) for i in range(8))
    k = c0 * xs + c1 * ys + 1.0
    x_in = (a0 * xs + a1 * ys + a2) / k
    y_in = (b0 * xs + b1 * ys + b2) / k
    order = _ORDERS.get(interpolation)
    if order is None:
        raise ValueError(
            f"expected interpolation 'nearest' or 'bilinear'; received {interpolation!r}."
        )
    _check_modes(order, fill_mode, "image transform")
    return restore(_sample_nhwc(images, y_in, x_in, order, fill_mode, fill_value))


@keras_op
def affine_transform(
    images,
    transform,
    interpolation="bilinear",
    fill_mode="constant",
    fill_value=0,
    data_format=None,
):
    """Warp images with projective transforms `[a0, a1, a2, b0, b1, b2, c0, c1]`.

    Each output pixel `(x, y)` takes the input at `((a0 x + a1 y + a2) / k,
    (b0 x + b1 y + b2) / k)` with `k = c0 x + c1 y + 1` (TensorFlow's convention).

    Args:
        images: `(H, W, C)` or `(N, H, W, C)` (or channels_first).
        transform: `(8,)` or `(N, 8)`.
        interpolation: `"nearest"` or `"bilinear"`.
        fill_mode: `"constant"`, `"nearest"`, `"wrap"`, `"mirror"` or `"reflect"`.
        fill_value: the value outside the image in `"constant"` mode.
        data_format: `"channels_last"` or `"channels_first"`.

    Returns:
        The warped images.

    Example:
        >>> shift = [1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0]  # read one pixel to the right
        >>> affine_transform(torch.arange(3.0).reshape(1, 3, 1), shift)[0, :, 0].tolist()
        [1.0, 2.0, 0.0]
    """
    x, restore = to_batched_nhwc(images, data_format, "affine_transform")
    t = tensor(transform)
    if t.dim() == 1:
        t = t.unsqueeze(0)
    if t.dim() != 2 or t.shape[1] != 8:
        raise ValueError(
            f"affine_transform expected transforms of shape (8,) or (batch, 8); received "
            f"{tuple(t.shape)}."
        )
    return _projective_sample(x, t, interpolation, fill_mode, fill_value, restore)


def _homography(start, end):
    """The 8 projective coefficients that map each end point to its start point."""
    rows, target = [], []
    for i in range(4):
        xs, ys = start[:, i, 0], start[:, i, 1]
        xe, ye = end[:, i, 0], end[:, i, 1]
        one, zero = torch.ones_like(xe), torch.zeros_like(xe)
        rows.append(torch.stack([xe, ye, one, zero, zero, zero, -xs * xe, -xs * ye], -1))
        rows.append(torch.stack([zero, zero, zero, xe, ye, one, -ys * xe, -ys * ye], -1))
        target += [xs, ys]
    matrix = torch.stack(rows, dim=1)
    return torch.linalg.solve(matrix, torch.stack(target, dim=1))


@keras_op
def perspective_transform(
    images,
    start_points,
    end_points,
    interpolation="bilinear",
    fill_value=0,
    data_format=None,
):
    """Warp images so that the four `start_points` move to the four `end_points`.

    Args:
        images: `(H, W, C)` or `(N, H, W, C)` (or channels_first).
        start_points, end_points: `(4, 2)` or `(N, 4, 2)` `(x, y)` corner positions.
        interpolation: `"nearest"` or `"bilinear"`.
        fill_value: the value outside the image.
        data_format: `"channels_last"` or `"channels_first"`.

    Returns:
        The warped images.

    Example:
        >>> corners = [[0, 0], [2, 0], [0, 2], [2, 2]]
        >>> img = torch.arange(9.0).reshape(3, 3, 1)
        >>> bool(torch.allclose(perspective_transform(img, corners, corners), img))
        True
    """
    x, restore = to_batched_nhwc(images, data_format, "perspective_transform")
    start = tensor(start_points).to(torch.float64)
    end = tensor(end_points).to(torch.float64)
    start = start.unsqueeze(0) if start.dim() == 2 else start
    end = end.unsqueeze(0) if end.dim() == 2 else end
    if start.shape[-2:] != (4, 2) or end.shape[-2:] != (4, 2):
        raise ValueError(
            "perspective_transform expected start_points and end_points of shape (4, 2) or "
            f"(batch, 4, 2); received {tuple(start.shape)} and {tuple(end.shape)}."
        )
    transforms = _homography(start, end)
    return _projective_sample(x, transforms, interpolation, "constant", fill_value, restore)


@keras_op
def elastic_transform(
    images,
    alpha=20.0,
    sigma=5.0,
    interpolation="bilinear",
    fill_mode="reflect",
    fill_value=0.0,
    seed=None,
    data_format=None,
):
    """Elastic deformation: random displacement fields smoothed by a Gaussian, times `alpha`.

    Args:
        images: `(H, W, C)` or `(N, H, W, C)` (or channels_first).
        alpha: displacement strength in pixels.
        sigma: standard deviation of the smoothing Gaussian (the kernel spans `6 sigma`).
        interpolation: `"nearest"` or `"bilinear"`.
        fill_mode, fill_value: as in `affine_transform`.
        seed: an integer, a `strata.random.SeedGenerator` or None.
        data_format: `"channels_last"` or `"channels_first"`.

    Returns:
        Deformed images with the input's shape and dtype.

    Example:
        >>> img = torch.rand(1, 8, 8, 1)
        >>> bool(torch.allclose(elastic_transform(img, alpha=0.0, seed=1), img))
        True
    """
    from strata import random as _random
    from strata.ops._image_filters import gaussian_blur

    x, restore = to_batched_nhwc(images, data_format, "elastic_transform")
    n, h, w, _ = x.shape
    sigma = float(sigma)
    size = int(6 * sigma) | 1
    dtype = x.dtype if x.is_floating_point() else torch.float32
    noise = _random.normal((2, n, h, w, 1), stddev=sigma, dtype=dtype, seed=seed).to(x.device)
    smooth = gaussian_blur.eager(
        noise.reshape(2 * n, h, w, 1), (size, size), (sigma, sigma), "channels_last"
    )
    dx, dy = (float(alpha) * smooth.reshape(2, n, h, w)).unbind(0)
    ys, xs = torch.meshgrid(
        torch.arange(h, dtype=dtype, device=x.device),
        torch.arange(w, dtype=dtype, device=x.device),
        indexing="ij",
    )
    order = _ORDERS.get(interpolation)
    if order is None:
        raise ValueError(
            f"elastic_transform expected interpolation 'nearest' or 'bilinear'; received "
            f"{interpolation!r}."
        )
    _check_modes(order, fill_mode, "elastic_transform")
    return restore(_sample_nhwc(x, ys + dy, xs + dx, order, fill_mode, fill_value))


def _triangle(x):
    return torch.clamp(1 - x.abs(), min=0)


def _keys_cubic(x):
    x = x.abs()
    near = ((1.5 * x - 2.5) * x) * x + 1.0
    far = ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0
    return torch.where(x >= 2.0, 0.0, torch.where(x >= 1.0, far, near))


def _lanczos(radius):
    def kernel(x):
        x = x.abs()
        safe = torch.where(x > 1e-3, x, 1.0)
        value = radius * torch.sin(np.pi * safe) * torch.sin(np.pi * safe / radius)
        value = torch.where(x > 1e-3, value / (np.pi**2 * safe**2), 1.0)
        return torch.where(x > radius, 0.0, value)

    return kernel


_KERNELS = {
    "linear": _triangle,
    "bilinear": _triangle,
    "trilinear": _triangle,
    "cubic": _keys_cubic,
    "bicubic": _keys_cubic,
    "tricubic": _keys_cubic,
    "lanczos3": _lanczos(3.0),
    "lanczos5": _lanczos(5.0),
}


def _weights(in_size, out_size, scale, translation, kernel, antialias, dtype, device):
    """`(in_size, out_size)` resampling weights of one axis (JAX's formulation)."""
    inv = 1.0 / scale
    kernel_scale = max(inv, 1.0) if antialias else 1.0
    centres = (torch.arange(out_size, dtype=dtype, device=device) + 0.5) * inv
    centres = centres - translation * inv - 0.5
    distance = centres[None, :] - torch.arange(in_size, dtype=dtype, device=device)[:, None]
    weights = kernel(distance.abs() / kernel_scale)
    total = weights.sum(dim=0, keepdim=True)
    usable = total.abs() > 1000.0 * float(np.finfo(np.float32).eps)
    weights = torch.where(usable, weights / torch.where(total != 0, total, 1.0), 0.0)
    inside = (centres >= -0.5) & (centres <= in_size - 0.5)
    return torch.where(inside[None, :], weights, 0.0)


@keras_op
def scale_and_translate(
    images,
    output_shape,
    scale,
    translation,
    spatial_dims,
    method,
    antialias=True,
):
    """Resample `images` along `spatial_dims` with a scale and a translation per dimension.

    Output position `o` reads input position `(o + 0.5 - translation) / scale - 0.5` through
    the `method` kernel (widened by `1 / scale` when downsampling with `antialias`).

    Args:
        images: a tensor of any rank.
        output_shape: the full output shape.
        scale, translation: one value per spatial dimension.
        spatial_dims: the axes to resample.
        method: `"linear"`/`"bilinear"`/`"trilinear"`, `"cubic"`/`"bicubic"`/`"tricubic"`,
            `"lanczos3"` or `"lanczos5"`.
        antialias: widen the kernel when downsampling.

    Returns:
        A tensor of `output_shape`.

    Example:
        >>> scale_and_translate(torch.ones(4), (2,), [0.5], [0.0], (0,), "linear").tolist()
        [1.0, 1.0]
    """
    if method not in _KERNELS:
        raise ValueError(
            f"scale_and_translate expected method in {sorted(_KERNELS)}; received {method!r}."
        )
    x = tensor(images)
    work, back = working_float(x)
    scale = [float(s) for s in tensor(scale, "float64").reshape(-1).tolist()]
    translation = [float(t) for t in tensor(translation, "float64").reshape(-1).tolist()]
    out = work
    for i, axis in enumerate(spatial_dims):
        axis = axis % x.dim()
        w = _weights(
            x.shape[axis],
            int(output_shape[axis]),
            scale[i],
            translation[i],
            _KERNELS[method],
            antialias,
            work.dtype,
            x.device,
        )
        out = torch.tensordot(out, w, dims=([axis], [0])).movedim(-1, axis)
    return back(out)
