"""Frozen-layer caching inside `fit` (`cache_frozen=`): the frozen prefix runs once per dataset.

When the layers that feed the trainable part of a model are frozen and deterministic in
training (see `frozen_prefix`), `fit` computes their outputs once for the training and the
validation arrays and trains the rest on those features. Nothing changes per step: the array
adapters batch (and shuffle, with the same random draws) from the feature tensors instead of
the inputs, and the engine's forward functions run the plan of the trainable part.

The cache is checked once per epoch, after the callbacks' `on_epoch_begin`: a prefix layer made
trainable, or a weight of it changed (set_weights, load_weights, any in-place write, seen by the
tensors' version counters), drops it; the prefix is then worked out again and cached anew, or
the epoch runs uncached. Features live in memory up to `strata.config.get_cache_limit()` bytes
and beyond it in a temporary memory-mapped file, removed when `fit` ends.
"""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
import tempfile

import numpy as np
import torch

from strata.backend.loss_scope import LossScope
from strata.trainers import frozen_prefix
from strata.trainers.data_adapters import ArrayAdapter

_MODES = ("auto", True, False)


@dataclasses.dataclass
class CacheReport:
    """What `fit(cache_frozen=...)` cached: `history.cache_report` after `fit`.

    Attributes:
        mode: the `cache_frozen` argument ("auto", True or False).
        layers: names of the cached (frozen) layers, in call order; empty when nothing was cached.
        train_rows, validation_rows: rows whose features were cached.
        nbytes: bytes of cached features (the last cache built).
        storage: "memory" or "memmap" (a temporary file), None when nothing was cached.
        builds: how many times the features were computed (more than once after invalidation).
        epochs_cached: epochs trained on cached features.
        reason: why nothing (or, later in the run, no longer anything) was cached.
        stopped_at: the layer that ends the cached part, when one does (e.g. a Dropout).
    """

    mode: object = "auto"
    layers: list = dataclasses.field(default_factory=list)
    train_rows: int = 0
    validation_rows: int = 0
    nbytes: int = 0
    storage: str | None = None
    builds: int = 0
    epochs_cached: int = 0
    reason: str | None = None
    stopped_at: str | None = None

    @property
    def cached(self) -> bool:
        return self.builds > 0

    def describe(self) -> str:
        """One line: what was cached and where, or why nothing was."""
        if not self.cached:
            return f"Frozen layers not cached: {self.reason}."
        names = self.layers
        shown = f"{names[0]}..{names[-1]}" if len(names) > 2 else " and ".join(names)
        noun = "layer" if len(names) == 1 else "layers"
        validation = f" and {self.validation_rows:,} validation" if self.validation_rows else ""
        where = "in memory" if self.storage == "memory" else "in a memory-mapped file"
        return (
            f"Cached the frozen {noun} {shown} for {self.train_rows:,} training{validation} rows "
            f"({self.nbytes / 1e6:,.1f} MB {where})"
        )

    def __str__(self) -> str:
        return self.describe()


class Refused(ValueError):
    """Raised with `cache_frozen=True` when the frozen layers cannot be cached."""


class FrozenCache:
    """The frozen-prefix cache of one `fit` run (built by the fit loop, checked per epoch).

    Args:
        model: the model being fitted.
        engine: the run's `Engine`.
        train, valid: the training and validation adapters (valid may be None).
        mode: "auto", True or False.
        verbose: print one line when features are computed.
    """

    def __init__(self, model, engine, train, valid, mode="auto", verbose=0):
        if mode not in _MODES or not isinstance(mode, (str, bool)):
            raise ValueError(
                f"fit() expected cache_frozen 'auto', True or False; received {mode!r}."
            )
        self.model, self.engine, self.mode, self.verbose = model, engine, mode, verbose
        self.train, self.valid = train, valid
        self.report = CacheReport(mode=mode)
        self._originals = {id(a): a.xs for a in (train, valid) if isinstance(a, ArrayAdapter)}
        self._fingerprint = None
        self._split = None
        self._active = False
        self._spill_dirs = []
        self._never = True  # until the checks below pass
        if mode is False:
            self.report.reason = "cache_frozen=False"
            return
        reason = self._static_reason()
        self._never = reason is not None
        if reason is None and mode is True:  # refuse before training starts, not at epoch 1
            split = self._split_or_reason()
            reason = split if isinstance(split, str) else None
        if reason is not None:
            self.report.reason = reason
            if mode is True:
                raise Refused(f"fit(cache_frozen=True) cannot cache the frozen layers: {reason}.")

    # ------------------------------------------------------------------------------- checks
    def _static_reason(self) -> str | None:
        """Why this run can never be cached (the data, the steps or the distribution)."""
        model, engine = self.model, self.engine
        if not isinstance(self.train, ArrayAdapter):
            return (
                f"the training data come as {type(self.train.source).__name__} batches; only "
                "arrays and tensors are cached (their rows can be read again identically)"
            )
        if not (hasattr(model, "_plan") and frozen_prefix.runs_its_plan(model)):
            return (
                f"the model is a {type(model).__name__} that does not run a layer graph (only "
                "Sequential and functional models are cached)"
            )
        if model._overridden("train_step"):
            return "the model overrides train_step, which runs its own forward pass"
        if engine.distribution is not None:
            return "a data-parallel distribution is active (each process would cache its own)"
        return None

    def _transient_reason(self) -> str | None:
        """Why this epoch cannot train on cached features though the model allows it."""
        if self.engine.observes_inputs:
            return "a callback observes the training inputs (add_input_observer)"
        if frozen_prefix.has_hooks(self.model, self._split.layers if self._split else ()):
            return "forward hooks are registered on the model or a frozen layer"
        return None

    def _split_or_reason(self):
        split = frozen_prefix.split_model(self.model)
        if isinstance(split, str):
            return split
        if self.mode == "auto" and not split.weighted:
            return "the frozen layers hold no weights (nothing to gain from caching)"
        return split

    # ------------------------------------------------------------------------------ per epoch
    def before_epoch(self) -> None:
        """Check the cache (after on_epoch_begin); build, rebuild or drop it as needed."""
        if self._never:
            return
        fingerprint = self._current_fingerprint()
        if fingerprint == self._fingerprint:
            if self._active:
                self.report.epochs_cached += 1
            return
        self._drop()
        split = self._split_or_reason()
        self._split = None if isinstance(split, str) else split
        # Taken with the new prefix's weights, so the next epochs compare like with like.
        self._fingerprint = self._current_fingerprint()
        if isinstance(split, str):
            self.report.reason = split
            return
        reason = self._transient_reason()
        if reason is not None:
            self.report.reason = reason
            return
        try:
            self._build(split)
        except _NotCacheable as error:
            self._drop()
            self.report.reason = str(error)
            if self.mode is True and self.report.builds == 0:
                message = f"fit(cache_frozen=True) cannot cache the frozen layers: {error}."
                raise Refused(message) from None
            return
        self.report.epochs_cached += 1

    def _current_fingerprint(self):
        """Cheap, per epoch: trainable flags, hooks, observers and the prefix's weight versions."""
        model = self.model
        flags = tuple(getattr(m, "trainable", None) for m in model.modules())
        grads = tuple(p.requires_grad for p in model.parameters())
        versions = ()
        if self._split is not None:
            versions = tuple(
                (id(t), t.data_ptr(), t._version)
                for layer in self._split.layers
                for t in (*layer.parameters(), *layer.buffers())
            )
        hooks = frozen_prefix.has_hooks(model, self._split.layers if self._split else ())
        return (id(model._plan), flags, grads, versions, hooks, self.engine.observes_inputs)

    # ------------------------------------------------------------------------------ building
    def _build(self, split) -> None:
        limit = _cache_limit()
        used = 0
        train_features, used = self._features(split, self.train, True, limit, used)
        valid_features = None
        if self._caches_validation():
            valid_features, used = self._features(split, self.valid, False, limit, used)
        self.train.xs = _cut_inputs(split, self._originals[id(self.train)], train_features)
        if valid_features is not None:
            self.valid.xs = _cut_inputs(split, self._originals[id(self.valid)], valid_features)
        suffix = split.suffix

        def suffix_forward(xs, training, logits=False):
            return suffix.run(xs, training)

        self.engine.forward = suffix_forward
        if valid_features is not None:
            self.engine.eval_forward = suffix_forward
        self._active = True
        report = self.report
        report.layers = [layer.name for layer in split.layers]
        report.train_rows = int(self.train.size)
        report.validation_rows = int(self.valid.size) if valid_features is not None else 0
        report.nbytes = used
        report.storage = "memmap" if self._spill_dirs else "memory"
        report.builds += 1
        report.reason = None
        report.stopped_at = split.stopped_at
        if self.verbose:
            from strata.distribution import is_chief

            if is_chief():
                print(report.describe())

    def _caches_validation(self) -> bool:
        return isinstance(self.valid, ArrayAdapter) and not self.model._overridden("test_step")

    def _features(self, split, adapter, training, limit, used):
        """The prefix's outputs for every row of `adapter`'s inputs, in row order."""
        xs = self._originals[id(adapter)]
        rows, chunk = int(xs[0].shape[0]), adapter.batch_size
        model, stores = self.model, None
        was_training = model.training
        model.train(training)
        try:
            with torch.no_grad(), LossScope() as scope, self.engine.autocast():
                for start in range(0, rows, chunk):
                    outputs = split.prefix.run([x[start : start + chunk] for x in xs], training)
                    if scope.losses:
                        raise _NotCacheable("a frozen layer adds a loss (add_loss) in its call")
                    if stores is None:
                        stores, used = self._allocate(outputs, rows, limit, used)
                    for store, output in zip(stores, outputs):
                        store[start : start + output.shape[0]] = output
        finally:
            model.train(was_training)
        return stores, used

    def _allocate(self, first_outputs, rows, limit, used):
        """Tensors for every row of each cut feature: in memory within the limit, else mapped."""
        shapes = [(rows, *o.shape[1:]) for o in first_outputs]
        sizes = [int(np.prod(s)) * o.element_size() for s, o in zip(shapes, first_outputs)]
        total = sum(sizes)
        if used + total <= limit:
            stores = [o.new_empty(s) for s, o in zip(shapes, first_outputs)]
            return stores, used + total
        device = first_outputs[0].device
        if device.type != "cpu":
            raise _NotCacheable(
                f"the features ({total:,} bytes) exceed the cache limit ({limit:,} bytes) and "
                f"live on {device.type}, where no memory-mapped file can hold them"
            )
        folder = tempfile.mkdtemp(prefix="strata-frozen-cache-")
        self._spill_dirs.append(folder)
        stores = [
            _mapped(f"{folder}/features{index}.bin", s, o.dtype)
            for index, (s, o) in enumerate(zip(shapes, first_outputs))
        ]
        return stores, used + total

    # ------------------------------------------------------------------------------ clean-up
    def _drop(self) -> None:
        """Back to the uncached path: the original inputs and the model's own forward pass."""
        for adapter in (self.train, self.valid):
            if isinstance(adapter, ArrayAdapter) and id(adapter) in self._originals:
                adapter.xs = self._originals[id(adapter)]
                adapter._buffers.clear()
        if self._active:
            self.engine.forward = self.model._flat_forward
            self.engine.eval_forward = self.model._flat_forward
        self._active = False
        for folder in self._spill_dirs:
            shutil.rmtree(folder, ignore_errors=True)
        self._spill_dirs = []

    def close(self) -> None:
        """End of fit (also on errors): restore the adapters and delete any mapped file."""
        self._drop()
        self._split = None

    @property
    def active(self) -> bool:
        """Whether training runs on cached features now."""
        return self._active

    @contextlib.contextmanager
    def whole_model(self):
        """Within this block the run's forward passes take raw inputs through the whole model
        (for a direct `model.train_step`/`test_step` call made by a callback)."""
        engine = self.engine
        saved = engine.forward, engine.eval_forward
        engine.forward = engine.eval_forward = self.model._flat_forward
        try:
            yield
        finally:
            engine.forward, engine.eval_forward = saved

    def unfrozen_since_built(self) -> list:
        """Cached layers that train now: they only start training at the next epoch, when
        `before_epoch` sees the change and rebuilds the cache without them."""
        if not self._active or self._split is None:
            return []
        return [layer.name for layer in self._split.layers if not frozen_prefix.is_frozen(layer)]

    @property
    def spill_folders(self) -> list:
        """The temporary folders holding mapped features (empty when all are in memory)."""
        return list(self._spill_dirs)


class _NotCacheable(Exception):
    pass


def _cut_inputs(split, originals, features):
    """The tensors the trainable part reads, in cut order: model inputs or cached features."""
    return [
        originals[index] if kind == "input" else features[index]
        for kind, index in split.cut_sources
    ]


def _mapped(path, shape, dtype):
    """A CPU tensor of `shape` backed by a memory-mapped file at `path`."""
    numpy_dtype = torch.empty(0, dtype=dtype).numpy().dtype if dtype != torch.bfloat16 else None
    if numpy_dtype is None:  # NumPy has no bfloat16: map 16-bit integers and view them
        array = np.memmap(path, dtype=np.int16, mode="w+", shape=shape)
        return torch.from_numpy(array).view(torch.bfloat16)
    array = np.memmap(path, dtype=numpy_dtype, mode="w+", shape=shape)
    return torch.from_numpy(array)


def _cache_limit() -> int:
    from strata.config import get_cache_limit

    return get_cache_limit()
