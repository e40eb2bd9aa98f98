"""Specs of the image augmentation layers (random in training, no weights)."""

from strata import layers
from strata.testing import LayerSpec


def _spec(cls, kwargs, shape, out=None, id=None, random=True, **extra):
    return LayerSpec(
        cls,
        kwargs,
        shape,
        out or shape,
        expected_trainable=0,
        expected_non_trainable=0,
        random_in_training=random,
        id=id,
        **extra,
    )


SPECS = [
    _spec(layers.RandomRotation, {"factor": 0.2, "seed": 1}, (2, 5, 6, 3)),
    _spec(
        layers.RandomRotation,
        {"factor": (-0.1, 0.3), "fill_mode": "constant", "data_format": "channels_first"},
        (2, 3, 5, 6),
        id="RandomRotation-constant-channels-first",
    ),
    _spec(layers.RandomZoom, {"height_factor": 0.2, "width_factor": (-0.1, 0.3)}, (2, 5, 6, 3)),
    _spec(
        layers.RandomTranslation,
        {"height_factor": 0.2, "width_factor": 0.1, "fill_mode": "wrap", "seed": 2},
        (2, 5, 6, 3),
    ),
    _spec(layers.RandomShear, {"x_factor": 0.2, "y_factor": (0.1, 0.3)}, (2, 5, 6, 3)),
    _spec(layers.RandomCrop, {"height": 3, "width": 4, "seed": 0}, (2, 5, 6, 3), (2, 3, 4, 3)),
    _spec(
        layers.RandomCrop,
        {"height": 3, "width": 4, "data_format": "channels_first"},
        (2, 2, 5, 6),
        (2, 2, 3, 4),
        id="RandomCrop-channels-first",
    ),
    _spec(layers.RandomContrast, {"factor": 0.5, "seed": 3}, (2, 5, 6, 3)),
    _spec(layers.RandomBrightness, {"factor": 0.2, "value_range": (-1, 1)}, (2, 5, 6, 3)),
    _spec(layers.RandomGrayscale, {"factor": 0.5, "seed": 1}, (2, 4, 5, 3)),
    _spec(
        layers.RandomHue,
        {"factor": 0.3, "value_range": (-3, 3), "data_format": "channels_first"},
        (2, 3, 4, 5),
    ),
    _spec(layers.RandomSaturation, {"factor": (0.2, 0.8), "value_range": (-3, 3)}, (2, 4, 5, 3)),
    _spec(layers.RandomColorDegeneration, {"factor": 0.5, "value_range": (-3, 3)}, (2, 4, 5, 3)),
    _spec(
        layers.RandomColorJitter,
        {
            "value_range": (-3, 3),
            "brightness_factor": 0.1,
            "contrast_factor": 0.2,
            "saturation_factor": 0.6,
            "hue_factor": 0.1,
            "seed": 5,
        },
        (2, 4, 5, 3),
    ),
    _spec(layers.RandomSharpness, {"factor": 0.8, "value_range": (-3, 3)}, (2, 4, 5, 3)),
    _spec(layers.RandomPosterization, {"factor": 4, "value_range": (-3, 3)}, (2, 4, 5, 3)),
    _spec(layers.RandomInvert, {"factor": 0.5, "value_range": (-3, 3)}, (2, 4, 5, 3)),
    _spec(
        layers.Solarization,
        {"addition_factor": 0.1, "threshold_factor": (0.4, 0.6), "value_range": (-3, 3)},
        (2, 4, 5, 3),
    ),
    _spec(layers.AutoContrast, {"value_range": (-1, 1)}, (2, 4, 5, 3), random=False),
    _spec(
        layers.Equalization,
        {"value_range": (-3, 3), "bins": 16, "data_format": "channels_first"},
        (2, 3, 4, 5),
        random=False,
    ),
    _spec(layers.RandomErasing, {"value_range": (-3, 3), "seed": 1}, (2, 6, 7, 3)),
    _spec(
        layers.RandomErasing,
        {"factor": (0.5, 1.0), "fill_value": 0.5, "data_format": "channels_first"},
        (2, 3, 6, 7),
        id="RandomErasing-fill-channels-first",
    ),
    _spec(
        layers.RandomGaussianBlur,
        {"kernel_size": (3, 5), "sigma": (0.3, 1.5), "value_range": (-3, 3)},
        (2, 6, 7, 3),
    ),
    _spec(layers.RandomPerspective, {"scale": 0.5, "seed": 2}, (2, 6, 7, 3)),
    _spec(
        layers.RandomElasticTransform,
        {"scale": (0.5, 1.0), "fill_mode": "mirror", "value_range": (-3, 3)},
        (2, 8, 9, 3),
    ),
    _spec(layers.MixUp, {"alpha": 0.4, "seed": 1}, (3, 5, 6, 3)),
    _spec(layers.CutMix, {"factor": 0.8, "data_format": "channels_first"}, (3, 3, 5, 6)),
    _spec(layers.RandAugment, {"value_range": (-3, 3), "num_ops": 3, "seed": 2}, (2, 6, 7, 3)),
    _spec(
        layers.AugMix,
        {"value_range": (-3, 3), "num_chains": 2, "chain_depth": 2, "seed": 2},
        (2, 6, 7, 3),
    ),
    _spec(
        layers.ContrastLimitedAdaptiveHistogramEqualization,
        {"value_range": (-3, 3), "clip_limit": 2.0, "tile_grid_size": (2, 3)},
        (2, 7, 8, 3),
        random=False,
    ),
    LayerSpec(
        layers.MaxNumBoundingBoxes,
        {"max_number": 4},
        (2, 5, 6, 3),
        (2, 5, 6, 3),
        expected_trainable=0,
        expected_non_trainable=0,
    ),
]
