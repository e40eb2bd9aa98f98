"""Augmentation layers against torch's own resampling (`affine_grid` + `grid_sample`).

Workloads: RandomRotation, RandomZoom and RandomTranslation in training mode on a batch of
channels-first images, each against a hand-written torch equivalent that draws the same kind of
per-image parameters and resamples with `F.grid_sample` (bilinear, reflection padding:
the closest torch has to Keras's default fill mode). Colour and blur layers are timed alone.
Alternated in one process, ratio of medians (strata / torch).

Usage: python benchmarks/bench_augmentation.py [--device cuda] [--batch 128] [--size 224]
    [--rounds 5]
"""

from __future__ import annotations

import argparse
import math
import statistics

import torch
import torch.nn.functional as F
from timing import alternate, report, timed

from strata import layers


def torch_rotation(images, max_turn):
    batch = images.shape[0]
    angle = (torch.rand(batch, device=images.device) * 2 - 1) * max_turn * 2 * math.pi
    cos, sin = torch.cos(angle), torch.sin(angle)
    zeros = torch.zeros_like(cos)
    theta = torch.stack([cos, -sin, zeros, sin, cos, zeros], 1).view(batch, 2, 3)
    return _resample(images, theta)


def torch_zoom(images, max_zoom):
    batch = images.shape[0]
    zoom = 1 + (torch.rand(batch, device=images.device) * 2 - 1) * max_zoom
    zeros = torch.zeros_like(zoom)
    theta = torch.stack([zoom, zeros, zeros, zeros, zoom, zeros], 1).view(batch, 2, 3)
    return _resample(images, theta)


def torch_translation(images, max_shift):
    batch = images.shape[0]
    shift = (torch.rand(batch, 2, device=images.device) * 2 - 1) * max_shift * 2
    ones, zeros = torch.ones(batch, device=images.device), torch.zeros(batch, device=images.device)
    theta = torch.stack([ones, zeros, shift[:, 0], zeros, ones, shift[:, 1]], 1).view(batch, 2, 3)
    return _resample(images, theta)


def _resample(images, theta):
    grid = F.affine_grid(theta, images.shape, align_corners=True)
    return F.grid_sample(images, grid, padding_mode="reflection", align_corners=True)


def synchronised(fn, device):
    def run():
        fn()
        if device.type == "cuda":
            torch.cuda.synchronize()

    return run


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args(argv)
    device = torch.device(args.device)
    images = torch.rand(args.batch, 3, args.size, args.size, device=device) * 255
    print(f"batch {tuple(images.shape)} on {device}")
    pairs = {
        "RandomRotation(0.1)": (
            layers.RandomRotation(0.1, data_format="channels_first"),
            lambda: torch_rotation(images, 0.1),
        ),
        "RandomZoom(0.2)": (
            layers.RandomZoom(0.2, data_format="channels_first"),
            lambda: torch_zoom(images, 0.2),
        ),
        "RandomTranslation(0.1, 0.1)": (
            layers.RandomTranslation(0.1, 0.1, data_format="channels_first"),
            lambda: torch_translation(images, 0.1),
        ),
    }
    for label, (layer, by_hand) in pairs.items():

        def ours(_, layer=layer):
            return synchronised(
                lambda: [layer(images, training=True) for _ in range(args.repeats)], device
            )

        def theirs(_, by_hand=by_hand):
            return synchronised(lambda: [by_hand() for _ in range(args.repeats)], device)

        report(label, *alternate(ours, theirs, args.rounds))
    alone = [
        layers.RandomContrast(0.3, data_format="channels_first"),
        layers.RandomHue(0.2, data_format="channels_first"),
        layers.RandomGaussianBlur(kernel_size=5, data_format="channels_first"),
        layers.RandAugment(data_format="channels_first"),
    ]
    for layer in alone:
        run = synchronised(
            lambda layer=layer: [layer(images, training=True) for _ in range(args.repeats)],
            device,
        )
        run()
        times = [timed(run) for _ in range(args.rounds)]
        print(f"{type(layer).__name__:<32} strata {statistics.median(times) * 1e3:9.1f} ms")


if __name__ == "__main__":
    main()
