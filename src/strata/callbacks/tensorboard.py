"""TensorBoard: write scalars, histograms, images, the graph and embeddings for TensorBoard."""

from __future__ import annotations

import os
import time

import numpy as np

from strata.callbacks.callback import Callback


class TensorBoard(Callback):
    """Logs training for TensorBoard (`tensorboard --logdir log_dir`), without TensorFlow.

    Layout (see `strata.callbacks.tensorboard_writer`):

    - `log_dir/train`: `epoch_<metric>` scalars (`epoch_loss`, `epoch_acc`, ...),
      `epoch_learning_rate`, `epoch_steps_per_second` (with `write_steps_per_second`), batch
      scalars `batch_<metric>` (with `update_freq="batch"` or an integer), weight histograms,
      kernel images and the model graph.
    - `log_dir/validation`: the `val_` metrics under the same `epoch_<metric>` tags (without the
      `val_` prefix), so train and validation curves share a chart.
    - `log_dir/projector_config.pbtxt` and one folder per Embedding layer for the projector.

    Epoch scalars use the epoch index (0-based) as the step; batch scalars the number of
    training batches seen so far in this `fit` (1-based), written when it is a multiple of
    `update_freq` ("batch" means 1).

    Histograms, every `histogram_freq` epochs, are tagged `<layer>/<weight>/histogram` for the
    weights (in Keras's layouts) and `<layer>/<weight>/gradient` for their gradients. The
    gradients are those of the epoch's last training batch: the train step clears gradients at
    the start of a step, not the end, so at the end of the epoch each weight's `.grad` still
    holds the gradient the optimizer applied last (after any clipping). Reading them there
    costs nothing per step. Weights without a gradient (frozen, or a custom `train_step`
    that clears them) get no gradient histogram.

    Args:
        log_dir: the folder TensorBoard reads.
        histogram_freq: write weight and gradient histograms every this many epochs (0: never).
        write_graph: write the layer graph (the model's layers and the layers feeding each).
        write_images: write each weight as a grey image (tag `<layer>/<weight>/image`,
            values scaled to the weight's min-max range; matrices as they are, vectors as one
            row, higher ranks flattened to `(prod(leading dims), last dim)`), with histograms.
        write_steps_per_second: also log training batches per second (epoch and batch level).
        update_freq: `"epoch"`, `"batch"` or an integer number of batches between batch
            scalars.
        profile_batch: 0 (no profiling); profiling is not supported yet.
        embeddings_freq: write the projector files of every `Embedding` layer every this many
            epochs (0: never).
        embeddings_metadata: a file of labels (one per row of the vocabulary, TSV) for every
            Embedding layer, or a dict of layer name -> file. Paths are as given (relative
            paths are relative to `log_dir`, as the projector reads them).

    Example:
        >>> import strata
        >>> callback = strata.callbacks.TensorBoard(log_dir="my_log_dir", histogram_freq=1)
    """

    # Its effects are output only: in a data-parallel run the first process alone runs it.
    _chief_only = True
    _only_reports = True

    def __init__(
        self,
        log_dir="logs",
        histogram_freq=0,
        write_graph=True,
        write_images=False,
        write_steps_per_second=False,
        update_freq="epoch",
        profile_batch=0,
        embeddings_freq=0,
        embeddings_metadata=None,
    ):
        super().__init__()
        if update_freq not in ("epoch", "batch") and (
            not isinstance(update_freq, int) or isinstance(update_freq, bool) or update_freq < 1
        ):
            raise ValueError(
                "TensorBoard expected update_freq 'epoch', 'batch' or a positive integer; "
                f"received {update_freq!r}."
            )
        if profile_batch not in (0, None, (0, 0), [0, 0]):
            raise NotImplementedError(
                "TensorBoard(profile_batch=...) is not supported by strata yet; received "
                f"profile_batch={profile_batch!r}. Use profile_batch=0, or torch.profiler "
                "around fit for a trace."
            )
        for name, value in (
            ("histogram_freq", histogram_freq),
            ("embeddings_freq", embeddings_freq),
        ):
            if not isinstance(value, int) or value < 0:
                raise ValueError(
                    f"TensorBoard expected {name} a non-negative integer; received {value!r}."
                )
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = histogram_freq
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = 1 if update_freq == "batch" else update_freq
        self.profile_batch = profile_batch
        self.embeddings_freq = embeddings_freq
        self.embeddings_metadata = embeddings_metadata
        self._writers = {}
        self._global_batch = 0

    # --------------------------------------------------------------------------- writers
    def _writer(self, run):
        if run not in self._writers:
            from strata.callbacks.tensorboard_writer import SummaryWriter

            self._writers[run] = SummaryWriter(os.path.join(self.log_dir, run))
        return self._writers[run]

    def _close_writers(self):
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

    # ----------------------------------------------------------------------------- hooks
    def on_train_begin(self, logs=None):
        self._global_batch = 0
        if self.embeddings_freq and not _embedding_layers(self.model):
            raise ValueError(
                "TensorBoard(embeddings_freq=...) expected the model to hold an Embedding "
                f"layer; model '{self.model.name}' has none."
            )
        if self.write_graph:
            self._writer("train").graph(_graph_of(self.model))
            self._writer("train").flush()

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_start = time.perf_counter()
        self._epoch_batches = 0
        self._batch_start = self._epoch_start

    def on_train_batch_end(self, batch, logs=None):
        self._global_batch += 1
        self._epoch_batches += 1
        if self.update_freq == "epoch" or self._global_batch % self.update_freq:
            return
        writer = self._writer("train")
        for key, value in (logs or {}).items():
            writer.scalar(f"batch_{key}", float(value), step=self._global_batch)
        if self.write_steps_per_second:
            now = time.perf_counter()
            rate = self.update_freq / max(now - self._batch_start, 1e-12)
            writer.scalar("batch_steps_per_second", rate, step=self._global_batch)
            self._batch_start = now

    def on_epoch_end(self, epoch, logs=None):
        logs = dict(logs or {})
        train = {k: v for k, v in logs.items() if not k.startswith("val_")}
        validation = {k[4:]: v for k, v in logs.items() if k.startswith("val_")}
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None and "learning_rate" not in train:
            train["learning_rate"] = float(optimizer.learning_rate)
        if self.write_steps_per_second:
            elapsed = max(time.perf_counter() - self._epoch_start, 1e-12)
            train["steps_per_second"] = self._epoch_batches / elapsed
        writer = self._writer("train")
        for key, value in train.items():
            writer.scalar(f"epoch_{key}", float(value), step=epoch)
        if validation:
            val_writer = self._writer("validation")
            for key, value in validation.items():
                val_writer.scalar(f"epoch_{key}", float(value), step=epoch)
            val_writer.flush()
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)
        if self.embeddings_freq and epoch % self.embeddings_freq == 0:
            self._log_embeddings(epoch)
        writer.flush()

    def on_train_end(self, logs=None):
        self._close_writers()

    # ------------------------------------------------------------------ weights and more
    def _log_weights(self, epoch):
        from strata.layers.layer import _to_keras

        writer = self._writer("train")
        for owner, name, tensor, layout in self.model._weight_records():
            tag = f"{owner.name}/{name}"
            weight = _to_keras(tensor.detach(), layout)
            writer.histogram(f"{tag}/histogram", weight, step=epoch)
            grad = getattr(tensor, "grad", None)
            if grad is not None:
                writer.histogram(f"{tag}/gradient", _to_keras(grad.detach(), layout), step=epoch)
            if self.write_images:
                writer.image(f"{tag}/image", _as_image(weight), step=epoch)

    def _log_embeddings(self, epoch):
        from google.protobuf import text_format
        from tensorboard.plugins.projector import projector_config_pb2

        from strata.callbacks.tensorboard_writer import _atomic_write, write_projector

        layers = _embedding_layers(self.model)
        items = [(f"{layer.name}/embeddings", layer.get_weights()[0], None) for layer in layers]
        config_path = write_projector(self.log_dir, items)
        metadata = self.embeddings_metadata
        if metadata is None:
            return
        if isinstance(metadata, dict):
            unknown = sorted(set(metadata) - {layer.name for layer in layers})
            if unknown:
                raise ValueError(
                    "TensorBoard embeddings_metadata expected Embedding layer names among "
                    f"{sorted(layer.name for layer in layers)}; received {unknown}."
                )
        config = projector_config_pb2.ProjectorConfig()
        with open(config_path, encoding="utf-8") as handle:
            text_format.Parse(handle.read(), config)
        for layer, embedding in zip(layers, config.embeddings, strict=True):
            path = metadata.get(layer.name) if isinstance(metadata, dict) else metadata
            if path is not None:
                embedding.metadata_path = os.fspath(path)
        _atomic_write(config_path, text_format.MessageToString(config).encode("utf-8"))


def _embedding_layers(model):
    return [
        layer
        for layer in _all_layers(model)
        if type(layer).__name__ == "Embedding" and getattr(layer, "built", True) and layer.weights
    ]


def _all_layers(model):
    found = []
    for layer in getattr(model, "layers", []):
        found.append(layer)
        if hasattr(layer, "layers") and layer is not model:
            found.extend(_all_layers(layer))
    return found


def _as_image(weight):
    array = weight.float().cpu().numpy() if hasattr(weight, "cpu") else np.asarray(weight)
    if array.ndim == 0:
        array = array.reshape(1, 1)
    elif array.ndim == 1:
        array = array.reshape(1, -1)
    elif array.ndim > 2:
        array = array.reshape(-1, array.shape[-1])
    if array.shape[1] > array.shape[0]:
        array = array.T  # upright: TensorBoard shows tall images better than wide ones
    low, high = float(array.min()), float(array.max())
    scaled = (array - low) / (high - low) if high > low else np.zeros_like(array)
    return scaled[:, :, None]


def _shape_text(layer):
    try:
        return str(layer.output_shape)
    except Exception:  # layers without a symbolic call have no output shape to show
        return "unknown"


def _graph_of(model):
    """The model's layers as a GraphDef: one node per layer, edges from each inbound node."""
    from strata.callbacks.tensorboard_writer import build_graph_def

    layers = list(getattr(model, "layers", []))
    for tensor in getattr(model, "inputs", None) or []:
        history = getattr(tensor, "_keras_history", None)
        if history is not None and history[0] not in layers:
            layers.insert(0, history[0])
    names = {id(layer): layer.name for layer in layers}
    nodes = []
    for layer in layers:
        inputs = []
        for node in getattr(layer, "_inbound_nodes", []):
            for tensor in node.input_tensors:
                history = getattr(tensor, "_keras_history", None)
                parent = names.get(id(history[0])) if history is not None else None
                if parent is not None and parent not in inputs:
                    inputs.append(parent)
        attrs = {"output_shape": _shape_text(layer)}
        nodes.append((layer.name, type(layer).__name__, inputs, attrs))
    return build_graph_def(nodes)
