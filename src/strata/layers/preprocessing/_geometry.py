"""Batched resampling of images under affine and projective maps, with Keras's fill modes.

Everything works on `(batch, channels, height, width)` tensors and on pixel coordinates whose
integers are pixel centres (row `i` is at `y = i`), the convention of Keras's
`ops.image.affine_transform` and SciPy's `map_coordinates`. A transform is Keras's 8-vector
`[a0, a1, a2, b0, b1, b2, c0, c1]` mapping an output point `(x, y)` to the input point
`((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k)` with `k = c0 x + c1 y + 1`.
The sampling is index arithmetic plus `torch.gather` (four gathers for bilinear), one call for
the whole batch, so it runs the same on CPU and GPU.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

FILL_MODES = ("reflect", "wrap", "constant", "nearest")
INTERPOLATIONS = ("nearest", "bilinear")


def _fold(index, size, fill_mode):
    """Whole-number indices brought inside [0, size) the way each fill mode extends the image."""
    if fill_mode == "wrap":
        return torch.remainder(index, size)
    if fill_mode == "mirror":
        # Whole-sample symmetric: ... c b | a b c d | c b ... (period 2 * size - 2).
        period = max(2 * size - 2, 1)
        folded = torch.remainder(index, period)
        return torch.where(folded < size, folded, period - folded)
    if fill_mode == "reflect":
        # Half-sample symmetric: ... b a | a b c d | d c ... (period 2 * size).
        folded = torch.remainder(index, 2 * size)
        return torch.where(folded < size, folded, 2 * size - 1 - folded)
    return index.clamp(0, size - 1)  # nearest; constant masks the outside afterwards


# torch's grid_sample padding that gives exactly Keras's per-corner rule for each fill mode
# (with pixel edges at -0.5 and size - 0.5, i.e. align_corners=False): zeros (after shifting
# the image by the fill value), border, and reflection about the outer pixel edges.
_GRID_PADDING = {"constant": "zeros", "nearest": "border", "reflect": "reflection"}


def sample(images, y, x, interpolation="bilinear", fill_mode="constant", fill_value=0.0):
    """Images read at float positions `y`, `x` (each `(batch, H', W')`): `(batch, C, H', W')`.

    Constant, nearest and reflect fills run on torch's fused `grid_sample`; wrap and mirror,
    which it lacks, on index arithmetic with one `gather` for all corners.
    """
    if fill_mode in _GRID_PADDING:
        return _grid_sample(images, y, x, interpolation, fill_mode, fill_value)
    return _gather_sample(images, y, x, interpolation, fill_mode, fill_value)


def _grid_sample(images, y, x, interpolation, fill_mode, fill_value):
    height, width = images.shape[2:]
    if interpolation == "nearest":
        # Round here, half to even as Keras does: the normalised grid would move exact ties.
        y, x = torch.round(y), torch.round(x)
    grid = torch.stack([(2 * x + 1) / width - 1, (2 * y + 1) / height - 1], dim=-1)
    values = images if images.dtype in (torch.float32, torch.float64) else images.float()
    shift = fill_value if fill_mode == "constant" else 0.0
    out = F.grid_sample(
        values - shift if shift else values,
        grid.to(values.dtype),
        mode=interpolation,
        padding_mode=_GRID_PADDING[fill_mode],
        align_corners=False,
    )
    return (out + shift if shift else out).to(images.dtype)


def _gather_sample(images, y, x, interpolation, fill_mode, fill_value):
    """Keras's map_coordinates rule, gathering all corners at once."""
    batch, channels, height, width = images.shape
    out_shape = y.shape[1:]
    if interpolation == "nearest":
        # torch.round halves to even, as Keras's map_coordinates does.
        rows, cols, weights = torch.round(y).unsqueeze(1), torch.round(x).unsqueeze(1), None
    else:
        y0, x0 = torch.floor(y), torch.floor(x)
        dy, dx = (y - y0).unsqueeze(1), (x - x0).unsqueeze(1)
        step = torch.tensor([0.0, 0.0, 1.0, 1.0], dtype=y.dtype, device=y.device).view(1, 4, 1, 1)
        rows = y0.unsqueeze(1) + step
        cols = x0.unsqueeze(1) + step[:, [0, 2, 0, 2]]
        flip_y, flip_x = step, step[:, [0, 2, 0, 2]]
        weights = (flip_y * dy + (1 - flip_y) * (1 - dy)) * (flip_x * dx + (1 - flip_x) * (1 - dx))
    corners = rows.shape[1]
    # Whole-number floats: folding them is exact and cheaper than on int64.
    index = _fold(rows, height, fill_mode) * width + _fold(cols, width, fill_mode)
    index = index.long().reshape(batch, 1, -1).expand(batch, channels, -1)
    flat = images.reshape(batch, channels, height * width)
    values = torch.gather(flat, 2, index).reshape(batch, channels, corners, *out_shape)
    if fill_mode == "constant":
        inside = (rows >= 0) & (rows < height) & (cols >= 0) & (cols < width)
        fill = torch.tensor(fill_value, dtype=values.dtype, device=values.device)
        values = torch.where(inside.unsqueeze(1), values, fill)
    if weights is None:
        return values.squeeze(2)
    return (values * weights.unsqueeze(1).to(values.dtype)).sum(2)


def transform(images, matrices, interpolation="bilinear", fill_mode="constant", fill_value=0.0):
    """Each image resampled under its own Keras 8-vector transform (`matrices`: `(batch, 8)`)."""
    _, _, height, width = images.shape
    grid = torch.float32 if images.dtype != torch.float64 else torch.float64
    ys = torch.arange(height, dtype=grid, device=images.device).view(1, height, 1)
    xs = torch.arange(width, dtype=grid, device=images.device).view(1, 1, width)
    a0, a1, a2, b0, b1, b2, c0, c1 = matrices.to(grid).unsqueeze(-1).unsqueeze(-1).unbind(1)
    k = c0 * xs + c1 * ys + 1
    x_in = (a0 * xs + a1 * ys + a2) / k
    y_in = (b0 * xs + b1 * ys + b2) / k
    return sample(images, y_in, x_in, interpolation, fill_mode, fill_value)


def affine_matrices(
    height,
    width,
    angle=None,
    scale=None,
    shear_x=None,
    shear_y=None,
    translate_x=None,
    translate_y=None,
    like=None,
):
    """Keras's output-to-input maps for rotations/shears (degrees) about the image centre.

    Any argument left None is the identity's (angle 0, scale 1, shear 0, no translation);
    given ones are `(batch,)` float tensors.
    """
    given = next(
        v for v in (angle, scale, shear_x, shear_y, translate_x, translate_y, like) if v is not None
    )
    zeros = torch.zeros_like(given)

    def radians(value):
        return zeros if value is None else value * (math.pi / 180.0)

    theta = radians(angle)
    tan_x, tan_y = torch.tan(radians(shear_x)), torch.tan(radians(shear_y))
    scale = zeros + 1 if scale is None else scale
    cx, cy = (width - 1) / 2.0, (height - 1) / 2.0
    cos, sin = torch.cos(theta), torch.sin(theta)
    a0 = scale * (cos + tan_x * sin)
    a1 = scale * (-sin + tan_x * cos)
    b0 = scale * (tan_y * cos + sin)
    b1 = scale * (-tan_y * sin + cos)
    a2 = (zeros if translate_x is None else translate_x) + cx - cx * a0 - cy * a1
    b2 = (zeros if translate_y is None else translate_y) + cy - cx * b0 - cy * b1
    return torch.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], dim=1)


def homographies(source, target):
    """The 8-vector projective maps sending each `target` quad's corners to `source`'s.

    `source`, `target`: `(batch, 4, 2)` corner points `(x, y)`. The result maps output
    (target) points to input (source) points, the direction `transform` reads.
    """
    x, y = target[..., 0], target[..., 1]
    u, v = source[..., 0], source[..., 1]
    one, zero = torch.ones_like(x), torch.zeros_like(x)
    rows_u = torch.stack([x, y, one, zero, zero, zero, -x * u, -y * u], dim=-1)
    rows_v = torch.stack([zero, zero, zero, x, y, one, -x * v, -y * v], dim=-1)
    system = torch.cat([rows_u, rows_v], dim=1).double()
    rhs = torch.cat([u, v], dim=1).double().unsqueeze(-1)
    return torch.linalg.solve(system, rhs).squeeze(-1).to(source.dtype)


def gaussian_kernels(size, sigma):
    """Normalised 1-D Gaussian kernels of odd `size`, one per `sigma` (a `(n,)` tensor)."""
    offsets = torch.arange(size, dtype=sigma.dtype, device=sigma.device) - (size - 1) / 2
    kernels = torch.exp(-0.5 * (offsets / sigma.unsqueeze(-1)) ** 2)
    return kernels / kernels.sum(-1, keepdim=True)


def gaussian_blur(images, size, sigma_y, sigma_x):
    """Each image blurred with its own separable Gaussian (zero padding, as Keras pads).

    `size` is `(rows, cols)` (odd numbers); `sigma_y`, `sigma_x` are `(batch,)` tensors.
    """
    batch, channels, height, width = images.shape
    rows, cols = size
    ky = gaussian_kernels(rows, sigma_y.float()).to(images.dtype)
    kx = gaussian_kernels(cols, sigma_x.float()).to(images.dtype)
    # One group per (image, channel): every image gets its own kernel in a single conv call.
    grouped = images.reshape(1, batch * channels, height, width)
    ky = ky.repeat_interleave(channels, 0).view(batch * channels, 1, rows, 1)
    kx = kx.repeat_interleave(channels, 0).view(batch * channels, 1, 1, cols)
    out = F.conv2d(grouped, ky, padding=(rows // 2, 0), groups=batch * channels)
    out = F.conv2d(out, kx, padding=(0, cols // 2), groups=batch * channels)
    return out.view(batch, channels, height, width)
