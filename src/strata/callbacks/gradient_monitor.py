"""GradientMonitor: per-layer gradient and weight norms, dead ReLUs, and warnings that say why.

The gradient norms come from tensor hooks registered once on every trainable weight in
`on_train_begin`: during the monitored epochs each hook adds the squared norm of its weight's
gradient to a running sum kept on the weight's device (one small reduction per weight and step,
no host synchronisation); the sums are read once, at the epoch's end, giving each layer's
root-mean-square gradient norm over the epoch's batches. Dead ReLUs are counted by one probe
forward pass at the epoch's end (in inference mode) on validation data or on the first
training batches, which are captured once, by reference, at the start of training.
"""

from __future__ import annotations

import math
import warnings

import torch

from strata.backend import arguments
from strata.callbacks.activation_stats import layer_outputs, leaf_layers, model_input_tensors
from strata.callbacks.callback import Callback

_REMEDIES = {
    "vanishing": (
        "Remedies (Géron, ch. 11): He initialization (kernel_initializer='he_normal') for "
        "ReLU-family layers, a non-saturating activation such as leaky ReLU, ELU or SELU "
        "instead of sigmoid/tanh, BatchNormalization between layers, or residual connections."
    ),
    "exploding": (
        "Remedies (Géron, ch. 11): gradient clipping (clipnorm=1.0 or clipvalue on the "
        "optimizer), a smaller learning rate, He or Glorot initialization instead of large "
        "random weights, and BatchNormalization."
    ),
    "dead": (
        "Remedies (Géron, ch. 11): a non-saturating activation such as leaky ReLU, ELU or SELU, "
        "He initialization with zero biases, a smaller learning rate, or BatchNormalization "
        "before the activation."
    ),
}


class TrainingHealthWarning(UserWarning):
    """Training looks unhealthy: vanishing or exploding gradients, or dead ReLU units."""


def is_relu_layer(layer) -> bool:
    """Whether `layer` outputs plain ReLUs (a layer with activation="relu" or a ReLU layer)."""
    from strata import activations

    activation = getattr(layer, "activation", None)
    if activation is not None and callable(activation):
        try:
            if activations.serialize(activation) == "relu":
                return True
        except (ValueError, TypeError):
            pass
    if type(layer).__name__ == "ReLU":
        slope = getattr(layer, "negative_slope", 0.0) or 0.0
        threshold = getattr(layer, "threshold", 0.0) or 0.0
        return float(slope) == 0.0 and float(threshold) >= 0.0
    return False


class GradientMonitor(Callback):
    """Watches gradient health during `fit` and warns, naming the layer, when it fails.

    At the end of every `freq`-th epoch it puts into the epoch's logs (and so the History):

    - `grad_norm/<layer>`: the root-mean-square over the epoch's batches of the L2 norm of the
      layer's gradient (all its trainable weights together);
    - `weight_norm/<layer>`: the L2 norm of the layer's trainable weights;
    - `dead_relu/<layer>`: for ReLU layers, the fraction of units (last axis) that output 0 for
      every sample of the probe data.

    Layers of nested models are named by their path (`"encoder/dense"`). When `log_dir` is
    given the same values are written as TensorBoard scalars (tags as above) into
    `log_dir/train`.

    It warns with a `TrainingHealthWarning` when gradients vanish (the lowest layer's gradient
    norm, relative to its weight norm, falls below `vanishing_ratio` times the top layer's
    relative gradient norm; relative norms keep wide and narrow layers comparable), explode
    (a gradient norm above `exploding_norm`, or a non-finite gradient or weight), or when at
    least `dead_threshold` of a ReLU layer's units are dead. Each warning names the layer and
    suggests the usual remedies. A healthy network trains silently.

    Args:
        log_dir: Folder for TensorBoard event files, or None.
        freq: Check every `freq` epochs (hooks do nothing in the other epochs).
        vanishing_ratio: Ratio of the lowest to the top layer's relative gradient norm
            (gradient norm / weight norm) below which gradients vanish.
        exploding_norm: Gradient norm above which gradients explode.
        dead_threshold: Fraction of dead units (0 to 1) at which a ReLU layer is reported;
            1.0 reports only layers whose units are all dead.
        sample_batches: Number of training batches kept as probe data when `fit` has no
            validation data; with validation data, the probe takes as many samples.
        verbose: 1 to warn, 0 to only record.

    Example:
        >>> import numpy as np, strata
        >>> from strata import layers
        >>> x = np.random.default_rng(0).normal(size=(64, 8)).astype("float32")
        >>> model = strata.Sequential([
        ...     layers.Dense(16, activation="relu", kernel_initializer="he_normal",
        ...                  input_shape=(8,), name="hidden"),
        ...     layers.Dense(1, name="out")])
        >>> model.compile(optimizer="sgd", loss="mse")
        >>> history = model.fit(x, x[:, :1], epochs=1, verbose=0,
        ...                     callbacks=[GradientMonitor()])
        >>> for key in sorted(k for k in history.history if "/" in k):
        ...     print(key)
        dead_relu/hidden
        grad_norm/hidden
        grad_norm/out
        weight_norm/hidden
        weight_norm/out
    """

    # Its effects are output only: in a data-parallel run the first process alone runs it.
    _chief_only = True
    _only_reports = True

    def __init__(
        self,
        log_dir=None,
        freq=1,
        vanishing_ratio=1e-3,
        exploding_norm=1e3,
        dead_threshold=1.0,
        sample_batches=1,
        verbose=1,
    ):
        super().__init__()
        if not isinstance(freq, int) or freq < 1:
            raise ValueError(f"GradientMonitor expected freq >= 1; received {freq!r}.")
        if not 0.0 < dead_threshold <= 1.0:
            raise ValueError(
                f"GradientMonitor expected dead_threshold in (0, 1]; received {dead_threshold!r}."
            )
        if not isinstance(sample_batches, int) or sample_batches < 1:
            raise ValueError(
                f"GradientMonitor expected sample_batches >= 1; received {sample_batches!r}."
            )
        arguments.number(
            "GradientMonitor", "vanishing_ratio", vanishing_ratio, low=0.0, low_open=True
        )
        arguments.number(
            "GradientMonitor", "exploding_norm", exploding_norm, low=0.0, low_open=True
        )
        self.log_dir = log_dir
        self.freq = freq
        self.vanishing_ratio = vanishing_ratio
        self.exploding_norm = exploding_norm
        self.dead_threshold = dead_threshold
        self.sample_batches = sample_batches
        self.verbose = verbose
        self.records = []
        self._handles = []
        self._writer = None

    # -- setup and teardown
    def on_train_begin(self, logs=None):
        self._remove_hooks()
        self._active = False
        self._layers = []  # (path, layer, trainable weights)
        for path, layer in leaf_layers(self.model):
            weights = [w for w in layer.trainable_weights if w.requires_grad]
            self._layers.append((path, layer, weights))
        self._weighted = [(p, lay, ws) for p, lay, ws in self._layers if ws]
        self._relu = [(p, lay) for p, lay, _ in self._layers if is_relu_layer(lay)]
        self._sums = {}
        self._counts = {}
        for path, _, weights in self._weighted:
            for weight in weights:
                self._handles.append(weight.register_hook(self._grad_hook(path)))
        self._probe_batches = []
        if self._relu:
            self._start_capture()
        if self.log_dir is not None and self._writer is None:
            import os

            from strata.callbacks.tensorboard_writer import SummaryWriter

            self._writer = SummaryWriter(os.path.join(os.fspath(self.log_dir), "train"))

    def _grad_hook(self, path):
        def hook(grad):
            if self._active:
                squared = grad.detach().float().pow(2).sum()
                if path in self._sums:
                    self._sums[path] += squared
                else:
                    self._sums[path] = squared
                self._counts[path] = self._counts.get(path, 0) + 1

        return hook

    def _start_capture(self):
        """Keep copies of the first training batches the model sees, as probe data."""
        if self.engine is None:
            return

        def capture(flat_inputs):
            # Batches may share buffers from step to step: keep copies.
            self._probe_batches.append([x.detach().clone() for x in flat_inputs])
            if len(self._probe_batches) >= self.sample_batches:
                self._stop_capture()

        self._capture = self.engine.add_input_observer(capture)

    def _stop_capture(self):
        capture = getattr(self, "_capture", None)
        if capture is not None:
            capture.remove()
            self._capture = None

    def _remove_hooks(self):
        for handle in self._handles:
            handle.remove()
        self._handles = []

    def on_train_end(self, logs=None):
        self._remove_hooks()
        if self.model is not None:
            self._stop_capture()
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    # -- per epoch
    def on_epoch_begin(self, epoch, logs=None):
        self._active = (epoch + 1) % self.freq == 0
        self._sums, self._counts = {}, {}

    def on_epoch_end(self, epoch, logs=None):
        if not self._active:
            return
        self._active = False
        values = self._norms()
        values.update(self._dead_fractions())
        self.records.append({"epoch": epoch, **values})
        if logs is not None:
            logs.update(values)
        if self._writer is not None:
            for tag, value in values.items():
                self._writer.scalar(tag, value, step=epoch)
            self._writer.flush()
        if self.verbose:
            for message in self._diagnose(values):
                warnings.warn(f"Epoch {epoch + 1}: {message}", TrainingHealthWarning, stacklevel=2)

    def _norms(self) -> dict:
        paths, tensors = [], []
        for path, _, weights in self._weighted:
            weight_sq = torch.stack([w.detach().float().pow(2).sum() for w in weights]).sum()
            grad_sq = self._sums.get(path)
            count = self._counts.get(path, 0)
            # Each weight's hook fires once per step, so per-step means divide by the weights.
            steps = max(count / len(weights), 1.0)
            grad_mean = grad_sq / steps if grad_sq is not None else torch.full_like(weight_sq, -1)
            paths.append(path)
            tensors.append(torch.stack([grad_mean.to(weight_sq.device), weight_sq]))
        if not tensors:
            return {}
        host = torch.stack(tensors).cpu().tolist()  # the one host read of the epoch
        values = {}
        for path, (grad_sq, weight_sq) in zip(paths, host, strict=True):
            if grad_sq >= 0 or math.isnan(grad_sq):
                values[f"grad_norm/{path}"] = math.sqrt(grad_sq) if grad_sq >= 0 else grad_sq
            values[f"weight_norm/{path}"] = math.sqrt(weight_sq) if weight_sq >= 0 else weight_sq
        return values

    def _probe_inputs(self):
        count = sum(int(batch[0].shape[0]) for batch in self._probe_batches) or 256
        if self.validation_data is not None:
            x = self.validation_data[0]
            try:
                tensors = model_input_tensors(self.model, x)
            except (ValueError, TypeError):
                tensors = None
            if tensors:
                return [t[:count] for t in tensors]
        if self._probe_batches:
            return [torch.cat(parts) for parts in zip(*self._probe_batches, strict=True)]
        return None

    def _dead_fractions(self) -> dict:
        if not self._relu:
            return {}
        inputs = self._probe_inputs()
        if inputs is None:
            return {}
        outputs = layer_outputs(self.model, inputs, [layer for _, layer in self._relu])
        paths, fractions = [], []
        for path, layer in self._relu:
            tensors = outputs.get(id(layer))
            if not tensors:
                continue
            alive = None
            for tensor in tensors:
                if tensor.ndim == 0:
                    continue
                fired = (tensor > 0).reshape(-1, tensor.shape[-1]).any(dim=0)
                alive = fired if alive is None else alive | fired
            if alive is None:
                continue
            paths.append(path)
            fractions.append(1.0 - alive.float().mean())
        if not fractions:
            return {}
        host = torch.stack(fractions).cpu().tolist()
        return {f"dead_relu/{p}": f for p, f in zip(paths, host, strict=True)}

    def _diagnose(self, values) -> list[str]:
        messages = []
        grads = [
            (path, values[f"grad_norm/{path}"])
            for path, _, _ in self._weighted
            if f"grad_norm/{path}" in values
        ]
        for path, norm in grads:
            if not math.isfinite(norm):
                messages.append(
                    f"exploding gradients: layer '{path}' has a non-finite gradient norm "
                    f"({norm}). {_REMEDIES['exploding']}"
                )
            elif norm > self.exploding_norm:
                messages.append(
                    f"exploding gradients: layer '{path}' has a gradient norm of {norm:.3g}, "
                    f"above exploding_norm={self.exploding_norm:g}. {_REMEDIES['exploding']}"
                )
        for path, _, _ in self._weighted:
            weight = values.get(f"weight_norm/{path}")
            if weight is not None and not math.isfinite(weight):
                messages.append(
                    f"exploding weights: layer '{path}' has non-finite weights. "
                    f"{_REMEDIES['exploding']}"
                )
        finite = [(p, n) for p, n in grads if math.isfinite(n)]
        if len(finite) >= 2 and len(finite) == len(grads):
            # Compared relative to each layer's weight norm: the size of a layer's relative
            # update, which does not depend on how many weights the layer has.
            (low_path, low), (top_path, top) = finite[0], finite[-1]
            low_rel = low / max(values[f"weight_norm/{low_path}"], 1e-12)
            top_rel = top / max(values[f"weight_norm/{top_path}"], 1e-12)
            if top_rel > 0 and low_rel < self.vanishing_ratio * top_rel:
                messages.append(
                    f"vanishing gradients: the lowest layer '{low_path}' has a gradient norm of "
                    f"{low:.3g} ({low_rel:.2g} of its weight norm), {low_rel / top_rel:.2g} "
                    f"times the relative gradient of the top layer '{top_path}' ({top_rel:.2g}); "
                    f"below vanishing_ratio={self.vanishing_ratio:g}, the lower layers barely "
                    f"learn. {_REMEDIES['vanishing']}"
                )
        for path, _ in self._relu:
            fraction = values.get(f"dead_relu/{path}")
            if fraction is not None and fraction >= self.dead_threshold:
                messages.append(
                    f"dead ReLUs: {fraction:.0%} of the units of layer '{path}' output 0 for "
                    f"every probe sample, so no gradient flows through them. {_REMEDIES['dead']}"
                )
        return messages

    def state_dict(self) -> dict:
        return {"records": [dict(r) for r in self.records]}

    def load_state_dict(self, state: dict) -> None:
        self.records = [dict(r) for r in state.get("records", [])]
