"""ContrastLimitedAdaptiveHistogramEqualization (CLAHE): local, clipped histogram equalization."""

from __future__ import annotations

import torch

from strata.layers.preprocessing._base import ImageAugmentation, check_value_range, is_number
from strata.layers.preprocessing._color import rescale


class ContrastLimitedAdaptiveHistogramEqualization(ImageAugmentation):
    """Equalize each tile's histogram, with clipped peaks, and blend neighbouring tiles.

    Not random, and applied in inference as well as in training (as in Keras). On the 0-255
    scale, the image (its last row and column repeated to fill whole tiles) is cut into
    `tile_grid_size` tiles; each tile's 256-bin histogram is clipped at
    `clip_limit * tile_pixels / 256` with the excess spread evenly over the bins, and turned
    into a mapping by its cumulative sum. A pixel's new value blends the mappings of the four
    nearest tile centres bilinearly.

    Args:
        value_range: `(low, high)` of the pixel values.
        clip_limit: the histogram clipping factor (0 or less: no clipping).
        tile_grid_size: `(rows, cols)` of tiles.
        data_format: `"channels_last"` or `"channels_first"`; None takes the global setting.

    Input shape:
        `(batch, height, width, channels)` (or channels first), or one unbatched image.

    Output shape:
        The input's.

    Example:
        >>> import torch, strata
        >>> images = torch.randint(0, 256, (1, 16, 16, 3)).float()
        >>> clahe = strata.layers.ContrastLimitedAdaptiveHistogramEqualization(
        ...     tile_grid_size=(2, 2))
        >>> clahe(images).shape
        torch.Size([1, 16, 16, 3])
    """

    acts_in_inference = True

    def __init__(
        self,
        value_range=(0, 255),
        clip_limit=4.0,
        tile_grid_size=(8, 8),
        data_format=None,
        **kwargs,
    ):
        super().__init__(data_format=data_format, **kwargs)
        who = "ContrastLimitedAdaptiveHistogramEqualization"
        self.value_range = check_value_range(value_range, who)
        if not is_number(clip_limit):
            raise ValueError(f"{who} expected `clip_limit` as a number; received {clip_limit!r}.")
        grid = tuple(tile_grid_size) if isinstance(tile_grid_size, (list, tuple)) else ()
        if len(grid) != 2 or not all(isinstance(v, int) and v > 0 for v in grid):
            raise ValueError(
                f"{who} expected `tile_grid_size` as a pair of positive integers; received "
                f"{tile_grid_size!r}."
            )
        self.clip_limit = clip_limit
        self.tile_grid_size = grid

    def augment(self, images, training):
        batch, channels, height, width = images.shape
        grid_h, grid_w = self.tile_grid_size
        tile_h, tile_w = -(-height // grid_h), -(-width // grid_w)
        values = rescale(images.float(), self.value_range, (0, 255))
        padded = _pad_edges(values, tile_h * grid_h - height, tile_w * grid_w - width)
        pixels = padded.trunc().clamp(0, 255).long()  # Keras casts to int, then clips
        mappings = self._tile_mappings(pixels, tile_h, tile_w)
        result = _blend(mappings, pixels, tile_h, tile_w)[:, :, :height, :width]
        return rescale(result, (0, 255), self.value_range).to(images.dtype)

    def _tile_mappings(self, pixels, tile_h, tile_w):
        """(batch, channels, grid_h + 2, grid_w + 2, 256) value maps, edge tiles repeated."""
        batch, channels = pixels.shape[:2]
        grid_h, grid_w = self.tile_grid_size
        tiles = pixels.view(batch, channels, grid_h, tile_h, grid_w, tile_w)
        tiles = tiles.permute(0, 1, 2, 4, 3, 5).reshape(batch, channels, grid_h, grid_w, -1)
        area = tile_h * tile_w
        hist = torch.zeros(*tiles.shape[:4], 256, device=pixels.device)
        hist.scatter_add_(-1, tiles, torch.ones(tiles.shape, device=pixels.device))
        if self.clip_limit > 0:
            # Whole counts, as Keras's integer histograms (and OpenCV) clip.
            clipped = hist.clamp(max=float(int(self.clip_limit * area / 256.0)))
            hist = clipped + (hist - clipped).sum(-1, keepdim=True) / 256.0
        cdf = hist.cumsum(-1)
        low = cdf.amin(-1, keepdim=True)
        denominator = area - low
        denominator = torch.where(denominator == 0, torch.ones_like(denominator), denominator)
        mapping = ((cdf - low) * 255.0 / denominator).clamp(0, 255)
        mapping = torch.cat([mapping[:, :, :1], mapping, mapping[:, :, -1:]], dim=2)
        return torch.cat([mapping[:, :, :, :1], mapping, mapping[:, :, :, -1:]], dim=3)

    def get_config(self):
        config = super().get_config()
        del config["seed"]
        return {
            **config,
            "value_range": self.value_range,
            "clip_limit": self.clip_limit,
            "tile_grid_size": self.tile_grid_size,
        }


def _pad_edges(values, pad_h, pad_w):
    """Bottom/right padding that repeats the last row and column.

    Keras asks for NumPy's "symmetric" padding, which its torch backend carries out as edge
    replication; the reference outputs are that backend's, so the padding here repeats edges.
    """
    if pad_h:
        values = torch.cat([values, values[:, :, -1:].expand(-1, -1, pad_h, -1)], dim=2)
    if pad_w:
        values = torch.cat([values, values[:, :, :, -1:].expand(-1, -1, -1, pad_w)], dim=3)
    return values


def _blend(mappings, pixels, tile_h, tile_w):
    """Each pixel mapped by the four nearest tile centres' mappings, bilinearly."""
    batch, channels, rows, cols, bins = mappings.shape
    height, width = pixels.shape[2:]
    device = pixels.device
    y = (torch.arange(height, device=device) - tile_h / 2.0) / tile_h + 1.0
    x = (torch.arange(width, device=device) - tile_w / 2.0) / tile_w + 1.0
    y0, x0 = y.floor(), x.floor()
    wy, wx = (y - y0).view(1, 1, -1, 1), (x - x0).view(1, 1, 1, -1)
    y0, x0 = y0.long().clamp(0, rows - 1), x0.long().clamp(0, cols - 1)
    y1, x1 = (y0 + 1).clamp(max=rows - 1), (x0 + 1).clamp(max=cols - 1)
    flat = mappings.reshape(batch, channels, -1)

    def read(tile_rows, tile_cols):
        tile = tile_rows.view(1, 1, -1, 1) * cols + tile_cols.view(1, 1, 1, -1)
        index = (tile * bins + pixels).reshape(batch, channels, -1)
        return torch.gather(flat, 2, index).view(batch, channels, height, width)

    top = read(y0, x0) * (1 - wx) + read(y0, x1) * wx
    bottom = read(y1, x0) * (1 - wx) + read(y1, x1) * wx
    return top * (1 - wy) + bottom * wy
