"""ImageNet helpers shared by the applications: input preprocessing and prediction decoding.

`preprocess_input` implements Keras's three modes:

- `"tf"`: scale pixels from [0, 255] to [-1, 1] (Xception, InceptionV3, MobileNets, ResNetV2).
- `"caffe"`: RGB to BGR, then subtract the ImageNet channel means (103.939, 116.779, 123.68)
  in BGR order, no scaling (ResNet, VGG16).
- `"torch"`: scale to [0, 1], then normalize each channel with the ImageNet mean
  (0.485, 0.456, 0.406) and standard deviation (0.229, 0.224, 0.225).

`decode_predictions` needs the ImageNet class index (Keras's `imagenet_class_index.json`). No
file is downloaded: pass `class_index_path=` or set the `STRATA_IMAGENET_CLASS_INDEX`
environment variable. Without either, the class id (`"0"` ... `"999"`) takes the place of the
WordNet id and the description is `"n/a"`, with a warning; no class name is ever made up.
"""

from __future__ import annotations

import json
import os
import warnings

import numpy as np
import torch

from strata.backend import config as backend_config

CLASS_INDEX_ENV = "STRATA_IMAGENET_CLASS_INDEX"
UNKNOWN_DESCRIPTION = "n/a"
NUM_IMAGENET_CLASSES = 1000

_CAFFE_MEAN_BGR = (103.939, 116.779, 123.68)
_TORCH_MEAN = (0.485, 0.456, 0.406)
_TORCH_STD = (0.229, 0.224, 0.225)
_MODES = ("caffe", "tf", "torch")


def preprocess_input(x, data_format=None, mode="caffe"):
    """Prepare a batch of images (pixel values in [0, 255], RGB) for an ImageNet model.

    Args:
        x: a NumPy array or `torch.Tensor` of rank 3 (one image) or 4 (a batch) with 3
            channels; anything else array-like is converted with `np.asarray`.
        data_format: `"channels_last"` or `"channels_first"`; None means
            `strata.backend.image_data_format()`.
        mode: `"caffe"`, `"tf"` or `"torch"` (see the module docstring).

    Returns:
        The preprocessed images, of the input's kind (NumPy array or tensor); integer inputs
        become floatx. Unlike Keras, a float NumPy input is never modified in place.

    Raises:
        ValueError: an unknown `mode` or `data_format`.

    Example:
        >>> import numpy as np
        >>> from strata.applications import imagenet_utils
        >>> imagenet_utils.preprocess_input(np.array([[0.0, 127.5, 255.0]]), mode="tf")
        array([[-1.,  0.,  1.]])
    """
    if mode not in _MODES:
        raise ValueError(f"preprocess_input expected mode in {_MODES}; received {mode!r}.")
    data_format = _data_format(data_format)
    if isinstance(x, torch.Tensor):
        if not x.is_floating_point():
            x = x.to(backend_config.floatx())
        return _preprocess(x, data_format, mode, torch.flip, lambda v, like: like.new_tensor(v))
    x = np.asarray(x)
    x = x.astype(backend_config.floatx()) if not np.issubdtype(x.dtype, np.floating) else x
    return _preprocess(x, data_format, mode, np.flip, lambda v, like: np.asarray(v, like.dtype))


def _data_format(data_format):
    data_format = data_format or backend_config.image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(
            "preprocess_input expected data_format 'channels_last' or 'channels_first'; "
            f"received {data_format!r}."
        )
    return data_format


def _preprocess(x, data_format, mode, flip, constant):
    """The arithmetic of every mode, written once for NumPy and torch (`flip`, `constant`)."""
    if mode == "tf":
        return x / 127.5 - 1.0
    if data_format == "channels_last":
        axis = x.ndim - 1
    else:
        axis = 0 if x.ndim == 3 else 1
    if x.shape[axis] != 3:
        raise ValueError(
            f"preprocess_input (mode {mode!r}) expected 3 channels on axis {axis} "
            f"({data_format}); received shape {tuple(x.shape)}."
        )
    broadcast = [1] * x.ndim
    broadcast[axis] = 3
    if mode == "torch":
        mean = constant(_TORCH_MEAN, x).reshape(broadcast)
        std = constant(_TORCH_STD, x).reshape(broadcast)
        return (x / 255.0 - mean) / std
    bgr = flip(x, (axis,))
    return bgr - constant(_CAFFE_MEAN_BGR, x).reshape(broadcast)


def decode_predictions(preds, top=5, class_index_path=None):
    """The `top` most likely ImageNet classes of each prediction.

    Args:
        preds: predictions of shape `(samples, 1000)` (NumPy array or tensor).
        top: how many classes to return per sample.
        class_index_path: a local copy of Keras's `imagenet_class_index.json`
            (`{"0": ["n01440764", "tench"], ...}`); None reads the path from the
            `STRATA_IMAGENET_CLASS_INDEX` environment variable. Nothing is downloaded.

    Returns:
        One list per sample of `(wordnet_id, description, score)` tuples, highest score first.
        Without a class index, `wordnet_id` is the class id as a string (`"207"`) and
        `description` is `"n/a"` (a `UserWarning` says so).

    Raises:
        ValueError: `preds` is not of shape `(samples, 1000)`, or the class index file is not
            a mapping of the 1000 ids to `[wordnet_id, description]`.

    Example:
        >>> import numpy as np
        >>> from strata.applications import imagenet_utils
        >>> preds = np.zeros((1, 1000)); preds[0, 207] = 0.9
        >>> imagenet_utils.decode_predictions(preds, top=1)[0][0][:2]  # doctest: +SKIP
        ('207', 'n/a')
    """
    if isinstance(preds, torch.Tensor):
        preds = preds.detach().cpu().numpy()
    preds = np.asarray(preds)
    if preds.ndim != 2 or preds.shape[1] != NUM_IMAGENET_CLASSES:
        raise ValueError(
            "decode_predictions expected a batch of predictions of shape (samples, 1000); "
            f"received shape {preds.shape}."
        )
    if not isinstance(top, int) or isinstance(top, bool) or top < 1:
        raise ValueError(f"decode_predictions expected a positive integer `top`; received {top!r}.")
    index = load_class_index(class_index_path)
    if index is None:
        warnings.warn(
            "decode_predictions has no ImageNet class index (pass class_index_path= or set "
            f"{CLASS_INDEX_ENV}); returning class ids with the description 'n/a'.",
            UserWarning,
            stacklevel=2,
        )
    results = []
    for row in preds:
        order = np.argsort(-row, kind="stable")[:top]
        entries = []
        for i in order:
            wnid, description = index[int(i)] if index else (str(int(i)), UNKNOWN_DESCRIPTION)
            entries.append((wnid, description, row[i]))
        results.append(entries)
    return results


def load_class_index(path=None):
    """The class index as a list of `(wordnet_id, description)`, or None when no file is set.

    Args:
        path: a JSON file in Keras's `imagenet_class_index.json` format; None reads
            `STRATA_IMAGENET_CLASS_INDEX` (unset or empty: None is returned).
    """
    path = path if path is not None else os.environ.get(CLASS_INDEX_ENV) or None
    if path is None:
        return None
    with open(path, encoding="utf-8") as handle:
        try:
            raw = json.load(handle)
        except json.JSONDecodeError as error:
            raise ValueError(f"ImageNet class index '{path}' is not valid JSON: {error}") from None
    expected = "a JSON object mapping '0' ... '999' to [wordnet_id, description]"
    if not isinstance(raw, dict) or set(raw) != {str(i) for i in range(NUM_IMAGENET_CLASSES)}:
        received = f"{len(raw)} keys" if isinstance(raw, dict) else type(raw).__name__
        raise ValueError(f"ImageNet class index '{path}' expected {expected}; received {received}.")
    index = []
    for i in range(NUM_IMAGENET_CLASSES):
        entry = raw[str(i)]
        valid = isinstance(entry, list) and len(entry) == 2
        if not (valid and all(isinstance(e, str) for e in entry)):
            raise ValueError(
                f"ImageNet class index '{path}' expected {expected}; received {entry!r} for '{i}'."
            )
        index.append(tuple(entry))
    return index
