"""A small TensorBoard summary writer built on the `tensorboard` package's event file writer.

The writer produces the records that TensorBoard's own dashboards read: scalars (tensor
summaries tagged for the scalars plugin), histograms (`HistogramProto`, shown by the Histograms
and Distributions dashboards), PNG images, text (string tensors for the text plugin) and a
`GraphDef` for the Graphs dashboard. `write_projector` writes the files of the Embedding
Projector. TensorFlow is never imported.

Layout used by the `TensorBoard` callback (and expected by anyone reading its logs):

- `log_dir/train` and `log_dir/validation` each hold the event files of one run, so the two
  runs appear side by side on every chart.
- Epoch-level values use the tags `epoch_<metric>` with the metric names of the history, for
  example `epoch_loss` and `epoch_accuracy` in both runs (validation values are written under
  the same tag in the `validation` run, not as `val_loss`), and `epoch_learning_rate` in the
  `train` run. The step of an epoch-level value is the epoch index (0-based).
- Batch-level values use `batch_<metric>` (for example `batch_loss`) in the `train` run, with
  the global batch index as the step.
- Weight histograms use the weight's path as the tag (for example `dense/kernel/histogram`),
  the model graph is written once to the `train` run, and the projector's
  `projector_config.pbtxt` lies in `log_dir` itself next to one folder per embedding.
"""

from __future__ import annotations

import io
import os
import re
import time
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import torch

try:
    from google.protobuf import text_format
    from tensorboard.compat.proto import (
        attr_value_pb2,
        event_pb2,
        graph_pb2,
        node_def_pb2,
        summary_pb2,
        tensor_pb2,
        tensor_shape_pb2,
        types_pb2,
    )
    from tensorboard.plugins.projector import projector_config_pb2
    from tensorboard.plugins.scalar import plugin_data_pb2 as scalar_plugin_data_pb2
    from tensorboard.plugins.text import plugin_data_pb2 as text_plugin_data_pb2
    from tensorboard.summary.writer.event_file_writer import EventFileWriter

    _IMPORT_ERROR: ImportError | None = None
except ImportError as error:  # pragma: no cover - exercised only without tensorboard
    _IMPORT_ERROR = error

__all__ = ["SummaryWriter", "build_graph_def", "write_projector", "PROJECTOR_CONFIG_NAME"]

PROJECTOR_CONFIG_NAME = "projector_config.pbtxt"

_SCALAR_PLUGIN = "scalars"
_TEXT_PLUGIN = "text"


def _require_tensorboard() -> None:
    if _IMPORT_ERROR is not None:
        raise ImportError(
            "strata's TensorBoard support needs the `tensorboard` package "
            "(pip install tensorboard); importing it failed with: "
            f"{_IMPORT_ERROR}"
        )


def _to_numpy(values: Any) -> np.ndarray:
    """Converts a torch tensor, numpy array or nested sequence to a numpy array."""
    if isinstance(values, torch.Tensor):
        tensor = values.detach().cpu()
        # bfloat16 and other torch-only dtypes have no numpy equivalent.
        if tensor.is_floating_point() and tensor.dtype not in _NUMPY_FLOATS:
            tensor = tensor.float()
        return tensor.numpy()
    return np.asarray(values)


_NUMPY_FLOATS = (torch.float16, torch.float32, torch.float64)


class SummaryWriter:
    """Writes TensorBoard summaries for one run into an event file in `log_dir`.

    Each writer opens a new event file in `log_dir` (created if missing); records are queued
    and written by a background thread, and reach the disk on `flush()`, `close()` or at the
    latest after `flush_secs` seconds.

    Args:
        log_dir: Folder of the run, for example `logs/train`.
        max_queue: Number of records held in memory before a write is forced.
        flush_secs: Longest time, in seconds, that a record waits before reaching the disk.
        filename_suffix: Suffix added to the event file's name.

    Example:
        >>> import tempfile
        >>> import numpy as np
        >>> writer = SummaryWriter(tempfile.mkdtemp())
        >>> writer.scalar("epoch_loss", 0.5, step=0)
        >>> writer.histogram("dense/kernel", np.arange(10.0), step=0, bins=5)
        >>> writer.text("notes", "first run", step=0)
        >>> writer.close()
    """

    def __init__(
        self,
        log_dir: str | os.PathLike,
        max_queue: int = 10,
        flush_secs: float = 120,
        filename_suffix: str = "",
    ):
        _require_tensorboard()
        self.log_dir = os.fspath(log_dir)
        self._writer = EventFileWriter(
            self.log_dir,
            max_queue_size=max_queue,
            flush_secs=flush_secs,
            filename_suffix=filename_suffix,
        )
        # TensorBoard reads a tag's plugin metadata from its first record; later records of
        # the same tag only need the data.
        self._tags_with_metadata: set[str] = set()
        self._closed = False

    # -- records -------------------------------------------------------------------------

    def _add_summary(self, value: summary_pb2.Summary.Value, step: int) -> None:
        if self._closed:
            raise RuntimeError(
                f"SummaryWriter for '{self.log_dir}' is closed; expected an open writer when "
                f"writing tag '{value.tag}'."
            )
        event = event_pb2.Event(
            wall_time=time.time(), step=int(step), summary=summary_pb2.Summary(value=[value])
        )
        self._writer.add_event(event)

    def _metadata_once(self, tag: str, plugin_name: str, content: bytes):
        if tag in self._tags_with_metadata:
            return None
        self._tags_with_metadata.add(tag)
        return summary_pb2.SummaryMetadata(
            plugin_data=summary_pb2.SummaryMetadata.PluginData(
                plugin_name=plugin_name, content=content
            )
        )

    def scalar(self, tag: str, value: Any, step: int) -> None:
        """Writes one scalar, shown by the Scalars dashboard.

        Args:
            tag: Name of the series, for example `epoch_loss`.
            value: A Python number, numpy scalar or one-element tensor.
            step: Position on the x axis (epoch or batch index).
        """
        array = _to_numpy(value)
        if array.size != 1:
            raise ValueError(
                f"scalar '{tag}' expected a single value; received shape {tuple(array.shape)}."
            )
        tensor = tensor_pb2.TensorProto(
            dtype=types_pb2.DT_FLOAT,
            tensor_shape=tensor_shape_pb2.TensorShapeProto(),
            float_val=[float(array.reshape(()))],
        )
        content = scalar_plugin_data_pb2.ScalarPluginData(version=0).SerializeToString()
        metadata = self._metadata_once(tag, _SCALAR_PLUGIN, content)
        value_proto = summary_pb2.Summary.Value(tag=tag, tensor=tensor)
        if metadata is not None:
            value_proto.metadata.CopyFrom(metadata)
        self._add_summary(value_proto, step)

    def summary_value(self, value: summary_pb2.Summary.Value, step: int = 0) -> None:
        """Writes a prepared `Summary.Value`, for plugins this writer has no helper for.

        The HParams dashboard, for example, reads values whose `metadata` names the `hparams`
        plugin (see `strata.tuning.hparams_board`). The value is written as given: unlike
        `scalar` and `text`, no plugin metadata is added.

        Args:
            value: A `tensorboard.compat.proto.summary_pb2.Summary.Value` proto.
            step: Position on the step axis.
        """
        if not isinstance(value, summary_pb2.Summary.Value):
            raise TypeError(
                f"summary_value expected a Summary.Value proto; received {type(value).__name__}."
            )
        self._add_summary(value, step)

    def histogram(self, tag: str, values: Any, step: int, bins: int = 30) -> None:
        """Writes the distribution of `values`, shown by the Histograms and Distributions tabs.

        The buckets split `[min, max]` into `bins` equal widths. Non-finite values (NaN, inf)
        are left out of the buckets and of the statistics.

        Args:
            tag: Name of the series, for example `dense/kernel/histogram`.
            values: A numpy array or torch tensor of any shape.
            step: Position on the step axis.
            bins: Number of equal-width buckets; at least 1.
        """
        if int(bins) < 1:
            raise ValueError(f"histogram '{tag}' expected bins >= 1; received {bins}.")
        self._add_summary(
            summary_pb2.Summary.Value(tag=tag, histo=histogram_proto(values, bins)), step
        )

    def image(self, tag: str, image: Any, step: int) -> None:
        """Writes one image as PNG, shown by the Images dashboard.

        Args:
            tag: Name of the image series.
            image: Array of shape `(height, width, channels)` with 1 (grey), 3 (RGB) or 4
                (RGBA) channels, or `(height, width)` for grey; `uint8` in `[0, 255]` or
                floats in `[0, 1]` (values outside are clipped).
            step: Position on the step slider.
        """
        array = _to_numpy(image)
        if array.ndim == 2:
            array = array[:, :, None]
        if array.ndim != 3 or array.shape[2] not in (1, 3, 4):
            raise ValueError(
                f"image '{tag}' expected shape (height, width, channels) with 1, 3 or 4 "
                f"channels; received shape {tuple(array.shape)}."
            )
        if array.dtype != np.uint8:
            if not np.issubdtype(array.dtype, np.floating):
                raise ValueError(
                    f"image '{tag}' expected uint8 or float values; received dtype {array.dtype}."
                )
            array = np.round(np.clip(array.astype(np.float64), 0.0, 1.0) * 255.0)
            array = array.astype(np.uint8)
        height, width, channels = array.shape
        image_proto = summary_pb2.Summary.Image(
            height=height,
            width=width,
            colorspace=channels,
            encoded_image_string=_encode_png(array),
        )
        self._add_summary(summary_pb2.Summary.Value(tag=tag, image=image_proto), step)

    def text(self, tag: str, text: str, step: int) -> None:
        """Writes a (Markdown) string, shown by the Text dashboard.

        Args:
            tag: Name of the text series.
            text: The string.
            step: Position on the step axis.
        """
        tensor = tensor_pb2.TensorProto(
            dtype=types_pb2.DT_STRING,
            tensor_shape=tensor_shape_pb2.TensorShapeProto(),
            string_val=[str(text).encode("utf-8")],
        )
        content = text_plugin_data_pb2.TextPluginData(version=0).SerializeToString()
        metadata = self._metadata_once(tag, _TEXT_PLUGIN, content)
        value_proto = summary_pb2.Summary.Value(tag=tag, tensor=tensor)
        if metadata is not None:
            value_proto.metadata.CopyFrom(metadata)
        self._add_summary(value_proto, step)

    def graph(self, graph_def: Any) -> None:
        """Writes the run's graph, shown by the Graphs dashboard.

        Args:
            graph_def: A `GraphDef` proto (see `build_graph_def`) or its serialized bytes.
        """
        if self._closed:
            raise RuntimeError(f"SummaryWriter for '{self.log_dir}' is closed.")
        if isinstance(graph_def, bytes):
            data = graph_def
        elif isinstance(graph_def, graph_pb2.GraphDef):
            data = graph_def.SerializeToString()
        else:
            raise TypeError(
                f"graph expected a GraphDef or its bytes; received {type(graph_def).__name__}."
            )
        self._writer.add_event(event_pb2.Event(wall_time=time.time(), graph_def=data))

    # -- lifecycle -----------------------------------------------------------------------

    def flush(self) -> None:
        """Writes every queued record to the disk."""
        if not self._closed:
            self._writer.flush()

    def close(self) -> None:
        """Flushes and closes the event file; closing twice is harmless."""
        if not self._closed:
            self._closed = True
            self._writer.close()

    @property
    def closed(self) -> bool:
        """Whether `close()` was called."""
        return self._closed

    def __enter__(self) -> SummaryWriter:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def histogram_proto(values: Any, bins: int = 30) -> summary_pb2.HistogramProto:
    """Builds the `HistogramProto` of `values` with `bins` equal-width buckets.

    Bucket `i` counts the values in `(bucket_limit[i - 1], bucket_limit[i]]` (the first bucket
    starts at `min`, and holds it); the last limit is `max`. Non-finite values are ignored.

    Args:
        values: A numpy array or torch tensor of any shape.
        bins: Number of buckets.

    Returns:
        The filled `HistogramProto`.
    """
    _require_tensorboard()
    array = _to_numpy(values).astype(np.float64, copy=False).ravel()
    array = array[np.isfinite(array)]
    if array.size == 0:
        return summary_pb2.HistogramProto(min=0.0, max=0.0, num=0.0, sum=0.0, sum_squares=0.0)
    low, high = float(array.min()), float(array.max())
    if low == high:
        limits, counts = [high], [float(array.size)]
    else:
        edges = np.linspace(low, high, int(bins) + 1)
        # Right-closed buckets: a value on an inner edge belongs to the bucket on its left.
        index = np.searchsorted(edges[1:-1], array, side="left")
        counts = np.bincount(index, minlength=int(bins)).astype(np.float64).tolist()
        limits = edges[1:].tolist()
        limits[-1] = high
    return summary_pb2.HistogramProto(
        min=low,
        max=high,
        num=float(array.size),
        sum=float(array.sum()),
        sum_squares=float(np.dot(array, array)),
        bucket_limit=limits,
        bucket=counts,
    )


def _encode_png(array: np.ndarray) -> bytes:
    from PIL import Image

    mode = {1: "L", 3: "RGB", 4: "RGBA"}[array.shape[2]]
    pixels = array[:, :, 0] if array.shape[2] == 1 else array
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels), mode=mode).save(buffer, format="PNG")
    return buffer.getvalue()


def build_graph_def(nodes: Iterable[Sequence[Any]]) -> graph_pb2.GraphDef:
    """Builds a `GraphDef` for the Graphs dashboard from a list of nodes.

    Args:
        nodes: Items `(name, op_type, input_names, attrs)`: the node's unique name, its type
            (shown as the op, for example the layer's class name), the names of the nodes
            feeding it, and a dict of string attributes (for example `{"output_shape":
            "(None, 10)"}`); `attrs` may be omitted or `None`.

    Returns:
        The `GraphDef` proto, ready for `SummaryWriter.graph`.

    Raises:
        ValueError: If a name repeats or an input names no node of the list.

    Example:
        >>> graph = build_graph_def([
        ...     ("input", "InputLayer", [], {"output_shape": "(None, 4)"}),
        ...     ("dense", "Dense", ["input"], {"output_shape": "(None, 2)"}),
        ... ])
        >>> [node.name for node in graph.node]
        ['input', 'dense']
    """
    _require_tensorboard()
    items = [tuple(item) for item in nodes]
    names: set[str] = set()
    for item in items:
        if len(item) not in (3, 4):
            raise ValueError(
                "build_graph_def expected items (name, op_type, input_names, attrs); "
                f"received {item!r}."
            )
        if item[0] in names:
            raise ValueError(f"build_graph_def expected unique node names; '{item[0]}' repeats.")
        names.add(item[0])
    graph = graph_pb2.GraphDef()
    for item in items:
        name, op_type, inputs = str(item[0]), str(item[1]), [str(x) for x in item[2]]
        attrs = item[3] if len(item) == 4 and item[3] is not None else {}
        unknown = [x for x in inputs if x not in names]
        if unknown:
            raise ValueError(
                f"Node '{name}' expected inputs among the nodes {sorted(names)}; "
                f"received unknown inputs {unknown}."
            )
        node = node_def_pb2.NodeDef(name=name, op=op_type, input=inputs)
        for key, value in attrs.items():
            node.attr[str(key)].CopyFrom(attr_value_pb2.AttrValue(s=str(value).encode("utf-8")))
        graph.node.append(node)
    return graph


def _atomic_write(path: str, data: bytes) -> None:
    """Writes `data` to `path` atomically (one implementation: `strata.utils.file_io`)."""
    from strata.utils.file_io import write_bytes_atomically

    write_bytes_atomically(path, data)


def _folder_name(tensor_name: str, taken: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9_-]+", "_", tensor_name).strip("_") or "embedding"
    name, index = base, 1
    while name in taken:
        name = f"{base}_{index}"
        index += 1
    taken.add(name)
    return name


def _label(value: Any) -> str:
    # One label per line and no tab: a tab would turn the first line into a header row.
    return re.sub(r"[\t\r\n]+", " ", str(value))


def write_projector(
    log_dir: str | os.PathLike,
    embeddings: Iterable[tuple[str, Any, Sequence[Any] | None]],
) -> str:
    """Writes the files of TensorBoard's Embedding Projector into `log_dir`.

    For each embedding, `<folder>/tensors.tsv` holds the matrix (one row per line, values
    separated by tabs) and `<folder>/metadata.tsv` the labels (one per line), where `<folder>`
    is the tensor name with characters other than letters, digits, `_` and `-` replaced by
    `_`. `projector_config.pbtxt` in `log_dir` points at them with paths relative to
    `log_dir`. Every file is written atomically.

    Args:
        log_dir: Folder of the config (the `--logdir` given to TensorBoard, or a run in it).
        embeddings: Items `(tensor_name, matrix, labels)`: a name, a `(vocabulary, dim)`
            array or tensor, and a sequence of `vocabulary` labels or `None`.

    Returns:
        The path of the written `projector_config.pbtxt`.

    Raises:
        ValueError: If a matrix is not 2-D or the labels do not match its rows.
    """
    _require_tensorboard()
    log_dir = os.fspath(log_dir)
    config = projector_config_pb2.ProjectorConfig()
    taken: set[str] = set()
    for tensor_name, matrix, labels in embeddings:
        array = _to_numpy(matrix).astype(np.float32, copy=False)
        if array.ndim != 2:
            raise ValueError(
                f"Embedding '{tensor_name}' expected a 2-D (vocabulary, dim) matrix; "
                f"received shape {tuple(array.shape)}."
            )
        folder = _folder_name(str(tensor_name), taken)
        # '.9g' prints every float32 exactly enough to read the same value back.
        rows = ("\t".join(format(float(x), ".9g") for x in row) for row in array)
        _atomic_write(
            os.path.join(log_dir, folder, "tensors.tsv"),
            "".join(row + "\n" for row in rows).encode("utf-8"),
        )
        embedding = config.embeddings.add()
        embedding.tensor_name = str(tensor_name)
        embedding.tensor_path = f"{folder}/tensors.tsv"
        embedding.tensor_shape.extend([int(array.shape[0]), int(array.shape[1])])
        if labels is not None:
            labels = list(labels)
            if len(labels) != array.shape[0]:
                raise ValueError(
                    f"Embedding '{tensor_name}' expected {array.shape[0]} labels (one per "
                    f"row); received {len(labels)}."
                )
            _atomic_write(
                os.path.join(log_dir, folder, "metadata.tsv"),
                "".join(_label(x) + "\n" for x in labels).encode("utf-8"),
            )
            embedding.metadata_path = f"{folder}/metadata.tsv"
    config_path = os.path.join(log_dir, PROJECTOR_CONFIG_NAME)
    _atomic_write(config_path, text_format.MessageToString(config).encode("utf-8"))
    return config_path
