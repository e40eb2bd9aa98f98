"""The shared frame of the image augmentation layers: layouts, dtypes, seeds, factor checks."""

from __future__ import annotations

import numbers

import torch

from strata.backend.conversion import to_torch_dtype
from strata.layers.layer import Layer
from strata.layers.preprocessing._geometry import FILL_MODES, INTERPOLATIONS, transform
from strata.layers.regularization._seed import SeedStream, check_seed
from strata.ops.conv_utils import normalize_data_format


class ImageAugmentation(Layer):
    """Base of the augmentation layers: subclasses write `augment` on `(batch, C, H, W)` floats.

    `call` casts the images to the layer's float dtype (as Keras does), adds a batch axis to a
    single image, moves channels first, and hands the batch to `augment` in training (and in
    inference too for layers with `acts_in_inference`). Random draws come from one
    `SeedStream` per layer, so a fixed `seed` repeats the same sequence of batches.
    """

    acts_in_inference = False

    def __init__(self, seed=None, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = check_seed(seed, type(self).__name__)
        self.data_format = normalize_data_format(data_format)
        self._seeds = SeedStream(self.seed)
        self.supports_masking = False

    def call(self, inputs, training=None):
        images = inputs.to(to_torch_dtype(self.dtype))
        if not (training or self.acts_in_inference):
            return images
        batch, batched = self.to_batch(images)
        return self.from_batch(self.augment(batch, bool(training)), batched)

    def to_batch(self, images):
        """`(batch, C, H, W)` view of images of either layout, and whether they were batched."""
        if images.dim() not in (3, 4):
            raise ValueError(
                f"{type(self).__name__} expected images of rank 3 (one image) or 4 (a batch); "
                f"received shape {tuple(images.shape)}."
            )
        batched = images.dim() == 4
        images = images if batched else images.unsqueeze(0)
        if self.data_format == "channels_last":
            images = images.permute(0, 3, 1, 2)
        return images, batched

    def from_batch(self, images, batched):
        """The inverse of `to_batch`."""
        if self.data_format == "channels_last":
            images = images.permute(0, 2, 3, 1)
        return images.contiguous() if batched else images.squeeze(0).contiguous()

    def augment(self, images, training):
        """`images` is a `(batch, channels, height, width)` float batch; returns the new batch."""
        raise NotImplementedError

    def uniform(self, shape, images, low=0.0, high=1.0):
        """Uniform draws in [low, high) as float32 on the images' device."""
        like = torch.empty(0, dtype=torch.float32, device=images.device)
        return low + (high - low) * self._seeds.uniform(shape, like)

    def beta(self, shape, alpha, images):
        """Beta(alpha, alpha) draws (float32, the images' device) from the layer's stream."""
        first, second = self.gamma(shape, alpha, images), self.gamma(shape, alpha, images)
        return first / (first + second).clamp_min(1e-30)

    def gamma(self, shape, alpha, images, tries=8):
        """Gamma(alpha, 1) draws by Marsaglia and Tsang's method, vectorised without a loop.

        Each draw gets `tries` candidates and keeps the first accepted one (each is accepted
        with probability above 0.95, so all failing is below 1e-10; the mean stands in then).
        Shapes below 1 use the boost `Gamma(a) = Gamma(a + 1) * U ** (1 / a)`.
        """
        like = torch.empty(0, dtype=torch.float32, device=images.device)
        alpha = torch.as_tensor(alpha, dtype=torch.float32, device=images.device).expand(shape)
        boosted = alpha < 1
        d = torch.where(boosted, alpha + 1, alpha).unsqueeze(-1) - 1.0 / 3.0
        c = 1.0 / torch.sqrt(9.0 * d)
        x = self._seeds.normal((*shape, tries), like)
        u = self._seeds.uniform((*shape, tries), like)
        v = (1 + c * x) ** 3
        safe_v = v.clamp_min(1e-30)
        accepted = (v > 0) & (torch.log(u) < 0.5 * x**2 + d - d * safe_v + d * torch.log(safe_v))
        first = accepted.to(torch.int8).argmax(-1, keepdim=True)
        value = torch.gather(d * safe_v, -1, first).squeeze(-1)
        value = torch.where(accepted.any(-1), value, d.squeeze(-1))
        boost = self._seeds.uniform(tuple(shape), like) ** (1.0 / alpha.clamp_min(1e-6))
        return torch.where(boosted, value * boost, value)

    def permutation(self, size, images):
        """A random order of `size` items (argsort of uniform draws, seedable on any device)."""
        return torch.argsort(self.uniform((size,), images))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "seed": self.seed, "data_format": self.data_format}


def is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def factor_range(factor, who, name="factor", bounds=(-1.0, 1.0), symmetric=True):
    """Keras's factor rule: a pair `(lower, upper)` (sorted), or a number `f` meaning `(-f, f)`.

    With `symmetric=False` a number `f` means `(0, f)` (factors whose range starts at 0).
    Every value must lie in `bounds`.
    """
    low, high = bounds
    if isinstance(factor, (list, tuple)) and len(factor) == 2 and all(map(is_number, factor)):
        lower, upper = sorted(float(v) for v in factor)
    elif is_number(factor) and low <= factor <= high:
        size = abs(float(factor))
        lower, upper = (-size if symmetric else 0.0), size
    else:
        lower = upper = float("nan")
    if not (low <= lower <= high and low <= upper <= high):
        raise ValueError(
            f"{who} expected `{name}` as a number or a pair of numbers in [{low}, {high}]; "
            f"received {name}={factor!r}."
        )
    return lower, upper


def check_value_range(value_range, who):
    """A `(low, high)` pair of numbers, returned sorted as a list (as Keras stores it)."""
    if (
        not isinstance(value_range, (list, tuple))
        or len(value_range) != 2
        or not all(map(is_number, value_range))
    ):
        raise ValueError(
            f"{who} expected `value_range` as a pair of numbers (low, high); "
            f"received value_range={value_range!r}."
        )
    return sorted(value_range)


def check_choice(value, choices, who, name):
    if value not in choices:
        raise ValueError(f"{who} expected `{name}` one of {list(choices)}; received {value!r}.")
    return value


class GeometricAugmentation(ImageAugmentation):
    """Augmentations that resample the image: Keras's fill and interpolation arguments."""

    def __init__(
        self,
        fill_mode="reflect",
        interpolation="bilinear",
        seed=None,
        fill_value=0.0,
        data_format=None,
        **kwargs,
    ):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        who = type(self).__name__
        self.fill_mode = check_choice(fill_mode, FILL_MODES, who, "fill_mode")
        self.interpolation = check_choice(interpolation, INTERPOLATIONS, who, "interpolation")
        if not is_number(fill_value):
            raise ValueError(f"{who} expected `fill_value` as a number; received {fill_value!r}.")
        self.fill_value = float(fill_value)

    def resample(self, images, matrices):
        return transform(images, matrices, self.interpolation, self.fill_mode, self.fill_value)

    def get_config(self):
        return {
            **super().get_config(),
            "fill_mode": self.fill_mode,
            "interpolation": self.interpolation,
            "fill_value": self.fill_value,
        }
