"""Image files and arrays with Pillow (Keras's `load_img`, `img_to_array`, `array_to_img`,
`save_img`, `smart_resize`), and `image_dataset_from_directory`."""

from __future__ import annotations

import math
import os

import numpy as np

from strata.backend import image_data_format
from strata.utils import dataset_utils
from strata.utils.batch_dataset import BatchDataset
from strata.utils.file_io import atomic_write

_COLOR_MODES = {"grayscale": ("L", 1), "rgb": ("RGB", 3), "rgba": ("RGBA", 4)}


def _pil():
    try:
        from PIL import Image
    except ImportError as error:  # pragma: no cover - Pillow comes with the extras
        raise ImportError("Image helpers need Pillow: pip install pillow.") from error
    return Image


def _resample(interpolation):
    image = _pil()
    methods = {
        "nearest": image.Resampling.NEAREST,
        "bilinear": image.Resampling.BILINEAR,
        "bicubic": image.Resampling.BICUBIC,
        "hamming": image.Resampling.HAMMING,
        "box": image.Resampling.BOX,
        "lanczos": image.Resampling.LANCZOS,
    }
    if interpolation not in methods:
        raise ValueError(
            f"interpolation expected one of {sorted(methods)}; received {interpolation!r}."
        )
    return methods[interpolation]


def load_img(
    path, color_mode="rgb", target_size=None, interpolation="nearest", keep_aspect_ratio=False
):
    """Load an image file as a PIL Image.

    Args:
        path: the file (or a file object).
        color_mode: `"grayscale"`, `"rgb"` or `"rgba"`.
        target_size: `(height, width)` to resize to, or None.
        interpolation: Pillow resampling for the resize (`"nearest"`, `"bilinear"`, ...).
        keep_aspect_ratio: crop the centre to the target's aspect ratio before resizing.

    Returns:
        A `PIL.Image.Image`.
    """
    if color_mode not in _COLOR_MODES:
        raise ValueError(
            f"color_mode expected one of {sorted(_COLOR_MODES)}; received {color_mode!r}."
        )
    with _pil().open(path) as opened:
        image = opened.convert(_COLOR_MODES[color_mode][0])
    if target_size is not None:
        height, width = target_size
        if keep_aspect_ratio:
            image = image.crop(_centre_box(image.width, image.height, width, height))
        if (image.width, image.height) != (width, height):
            image = image.resize((width, height), _resample(interpolation))
    return image


def _centre_box(width, height, target_width, target_height):
    ratio = target_width / target_height
    crop_width, crop_height = min(width, round(height * ratio)), min(height, round(width / ratio))
    left, top = (width - crop_width) // 2, (height - crop_height) // 2
    return left, top, left + crop_width, top + crop_height


def img_to_array(img, data_format=None, dtype=None):
    """A PIL Image as a float32 array `(height, width, channels)` (channels first if asked)."""
    data_format = data_format or image_data_format()
    array = np.asarray(img, dtype=dtype or "float32")
    if array.ndim == 2:
        array = array[:, :, None]
    if array.ndim != 3:
        raise ValueError(f"img_to_array expected a 2-D or 3-D image; received shape {array.shape}.")
    return array.transpose(2, 0, 1) if data_format == "channels_first" else array


def array_to_img(x, data_format=None, scale=True, dtype=None):
    """A `(height, width, channels)` array (1, 3 or 4 channels) as a PIL Image.

    With `scale`, values are shifted and stretched to 0-255 (as Keras does); else they must
    already be in 0-255.
    """
    data_format = data_format or image_data_format()
    x = np.asarray(x, dtype=dtype or "float32")
    if x.ndim != 3:
        raise ValueError(f"array_to_img expected a 3-D array; received shape {x.shape}.")
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - x.min()
        peak = x.max()
        if peak != 0:
            x = x / peak
        x = x * 255
    channels = x.shape[2]
    modes = {1: "L", 3: "RGB", 4: "RGBA"}
    if channels not in modes:
        raise ValueError(f"array_to_img expected 1, 3 or 4 channels; received {channels}.")
    pixels = np.clip(x, 0, 255).astype("uint8")
    return _pil().fromarray(pixels[:, :, 0] if channels == 1 else pixels, modes[channels])


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs):
    """Save an image array to a file (written atomically); `file_format` defaults to the suffix."""
    image = array_to_img(x, data_format=data_format, scale=scale)
    if image.mode == "RGBA" and (file_format or str(path).rsplit(".", 1)[-1]).lower() in (
        "jpg",
        "jpeg",
    ):
        image = image.convert("RGB")
    fmt = file_format or _format_from_suffix(path)
    with atomic_write(os.fspath(path)) as handle:
        image.save(handle, format=fmt, **kwargs)


def _format_from_suffix(path):
    suffix = os.path.splitext(os.fspath(path))[1].lower().lstrip(".")
    known = {"jpg": "JPEG", "jpeg": "JPEG", "png": "PNG", "bmp": "BMP", "gif": "GIF"}
    if suffix not in known:
        raise ValueError(
            f"save_img expected a file_format or a suffix in {sorted(known)}; received {path!r}."
        )
    return known[suffix]


def smart_resize(
    x, size, interpolation="bilinear", data_format="channels_last", backend_module=None
):
    """Resize an image (or batch) to `size` without distortion: centre-crop to the target's
    aspect ratio, then resize (Keras's `smart_resize`). Returns a float32 array."""
    x = np.asarray(x, dtype="float32")
    batched = x.ndim == 4
    images = x if batched else x[None]
    if data_format == "channels_first":
        images = images.transpose(0, 2, 3, 1)
    height, width = size
    out = []
    for image in images:
        box = _centre_box(image.shape[1], image.shape[0], width, height)
        crop = image[box[1] : box[3], box[0] : box[2]]
        out.append(_resize_array(crop, (height, width), interpolation))
    result = np.stack(out)
    if data_format == "channels_first":
        result = result.transpose(0, 3, 1, 2)
    return result if batched else result[0]


def _resize_array(image, size, interpolation):
    import torch
    import torch.nn.functional as F

    mode = {"bilinear": "bilinear", "nearest": "nearest", "bicubic": "bicubic", "area": "area"}.get(
        interpolation
    )
    if mode is None:
        raise ValueError(
            f"interpolation expected 'bilinear', 'nearest', 'bicubic' or 'area'; "
            f"received {interpolation!r}."
        )
    tensor = torch.from_numpy(np.ascontiguousarray(image)).permute(2, 0, 1)[None]
    kwargs = {"align_corners": False} if mode in ("bilinear", "bicubic") else {}
    if mode in ("bilinear", "bicubic"):
        kwargs["antialias"] = True
    resized = F.interpolate(tensor, size=size, mode=mode, **kwargs)
    return resized[0].permute(1, 2, 0).numpy()


def image_dataset_from_directory(
    directory,
    labels="inferred",
    label_mode="int",
    class_names=None,
    color_mode="rgb",
    batch_size=32,
    image_size=(256, 256),
    shuffle=True,
    seed=None,
    validation_split=None,
    subset=None,
    interpolation="bilinear",
    follow_links=False,
    crop_to_aspect_ratio=False,
    pad_to_aspect_ratio=False,
    data_format=None,
    verbose=True,
):
    """Batches of images from a folder with one sub-folder per class (Keras's function).

    Files (`.bmp .gif .jpeg .jpg .png`) are listed in alphanumeric order, shuffled with
    `seed`, split as Keras splits them (`validation_split`, `subset`), then read with Pillow
    when their batch is needed and resized to `image_size`.

    Returns:
        A `BatchDataset` of `(images, labels)` float32 batches `(batch, height, width,
        channels)` (or images alone with `labels=None`), with `class_names` and `file_paths`;
        a pair of them for `subset="both"`.

    Example:
        >>> from strata.utils import image_dataset_from_directory
        >>> train = image_dataset_from_directory("photos", validation_split=0.2,
        ...     subset="training", seed=1, image_size=(180, 180))  # doctest: +SKIP
        >>> train.class_names  # doctest: +SKIP
        ['cats', 'dogs']
    """
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("crop_to_aspect_ratio and pad_to_aspect_ratio cannot both be True.")
    if color_mode not in _COLOR_MODES:
        raise ValueError(
            f"color_mode expected one of {sorted(_COLOR_MODES)}; received {color_mode!r}."
        )
    data_format = data_format or image_data_format()
    paths, labels_array, class_names = dataset_utils.index_directory(
        directory,
        labels,
        dataset_utils.IMAGE_EXTENSIONS,
        class_names,
        shuffle,
        seed,
        follow_links,
    )
    num_classes = (
        len(class_names)
        if class_names
        else (int(labels_array.max()) + 1 if labels_array is not None and len(labels_array) else 0)
    )
    if verbose:
        print(
            f"Found {len(paths)} files"
            + (f" belonging to {num_classes} classes." if class_names else ".")
        )
    if not paths:
        raise ValueError(
            f"No images found in {directory}; expected {dataset_utils.IMAGE_EXTENSIONS}."
        )
    parts = dataset_utils.validation_subset(
        np.array(paths), labels_array, validation_split, subset, seed, shuffle
    )
    datasets = []
    for (part_paths, part_labels), name in zip(parts, _subset_names(subset)):
        if verbose and validation_split is not None:
            print(f"Using {len(part_paths)} files for {name}.")
        encoded = dataset_utils.encode_labels(
            part_labels, label_mode if labels else None, num_classes
        )
        datasets.append(
            _image_batches(
                list(part_paths),
                encoded,
                batch_size,
                image_size,
                color_mode,
                interpolation,
                crop_to_aspect_ratio,
                pad_to_aspect_ratio,
                data_format,
                class_names,
            )
        )
    return tuple(datasets) if subset == "both" else datasets[0]


def _subset_names(subset):
    return ["training", "validation"] if subset == "both" else [subset or "training"]


def _image_batches(
    paths,
    labels,
    batch_size,
    image_size,
    color_mode,
    interpolation,
    crop,
    pad,
    data_format,
    class_names,
):
    height, width = image_size
    batch_size = len(paths) if batch_size is None else batch_size

    def read(path):
        image = load_img(path, color_mode=color_mode)
        if crop:
            image = image.crop(_centre_box(image.width, image.height, width, height))
        elif pad:
            image = _pad_to_ratio(image, width / height)
        if (image.width, image.height) != (width, height):
            image = image.resize((width, height), _resample(interpolation))
        return img_to_array(image, data_format=data_format)

    def make_batch(index):
        rows = slice(index * batch_size, (index + 1) * batch_size)
        images = np.stack([read(p) for p in paths[rows]])
        return images if labels is None else (images, labels[rows])

    return BatchDataset(make_batch, math.ceil(len(paths) / batch_size), class_names, paths)


def _pad_to_ratio(image, ratio):
    width, height = image.size
    new_width, new_height = max(width, round(height * ratio)), max(height, round(width / ratio))
    canvas = _pil().new(image.mode, (new_width, new_height))
    canvas.paste(image, ((new_width - width) // 2, (new_height - height) // 2))
    return canvas
