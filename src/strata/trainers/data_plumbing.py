"""How data reach the train step: flattened in input/output order, on the device, checked."""

from __future__ import annotations

import torch

from strata.trainers import data_checks
from strata.trainers.data_adapters import (
    ArrayAdapter,
    IterableAdapter,
    check_data_source,
    check_has_rows,
    is_array,
    to_device,
    unpack_batch,
    wrap_dataset,
)
from strata.trainers.input_checks import keys_error


class DataPlumbingMixin:
    """Turns x, y and sample weights in any form Keras accepts into flat device tensors."""

    def _output_names(self):
        if getattr(self, "outputs", None):
            return list(self.output_names)
        return [t.name for t in self._targets] or ["output"]

    def _flatten_targets(self, y):
        names = self._output_names()
        if y is None:
            return []
        if isinstance(y, dict):
            unknown = sorted(set(y) - set(names))
            missing = [n for n, t in zip(names, self._targets) if t.loss is not None and n not in y]
            if unknown or missing:
                expected = f"Model '{self.name}' expected targets keyed by output names {names}"
                raise keys_error(expected, y, unknown, missing)
            return [y.get(n) for n in names]
        if isinstance(y, (list, tuple)) and len(names) > 1:
            if len(y) != len(names):
                raise ValueError(
                    f"Model '{self.name}' expected {len(names)} targets {names}; received {len(y)}."
                )
            return list(y)
        if len(names) > 1:
            raise ValueError(
                f"Model '{self.name}' has {len(names)} outputs {names}: expected a list or dict of "
                f"targets; received a single {type(y).__name__}."
            )
        return [y]

    def _flatten_x(self, x):
        from strata.trainers.input_checks import order_like_inputs

        if hasattr(self, "inputs") and self.inputs:
            return order_like_inputs(self, x)
        return [x]

    def _prepare_batch(self, batch, warn_non_finite=False):
        """Flatten, check, move to the device and shape one batch (iterables and *_on_batch).

        Shapes and lengths are checked on every batch (a few comparisons, no device read); the
        NaN/inf scan reads the device, so only the batches that ask for it get one.
        """
        x, y, weights = unpack_batch(batch)
        xs = [to_device(v) for v in self._flatten_x(x)]
        ys = [to_device(v) for v in self._flatten_targets(y)]
        weights = to_device(weights)
        xs = self._check_data(xs, ys, weights, warn_non_finite)
        if ys:
            ys = data_checks.shape_targets(self._targets, ys)
        return xs, ys, weights

    def _check_data(self, xs, ys, weights, warn_non_finite=True):
        """Checks before any step: targets present, lengths, input shapes; inputs cast to the
        dtype of their Input (Keras feeds integer arrays to float models)."""
        names = self._output_names()
        if self.compiled and not ys and any(t.loss is not None for t in self._targets):
            raise ValueError(
                f"Model '{self.name}' was compiled with a loss, so it expected targets y for "
                f"outputs {names}; received none."
            )
        data_checks.check_lengths(xs, ys, weights, self._input_names(), names)
        if hasattr(self, "inputs") and self.inputs:
            data_checks.check_inputs(self, xs)
            xs = data_checks.cast_to_input_dtypes(self, xs)
        if warn_non_finite:
            data_checks.warn_non_finite(
                [(f"Input '{n}'", v) for n, v in zip(self._input_names(), xs)]
                + [(f"Target '{n}'", v) for n, v in zip(names, ys)]
            )
        return xs

    def _array_adapter(self, x, y, sample_weight, batch_size, shuffle, class_weight, steps, check):
        xs = [to_device(v) for v in self._flatten_x(x)]
        if xs:
            check_has_rows(xs[0], f"Model '{self.name}'")
        ys = [to_device(v) for v in self._flatten_targets(y)]
        weights = to_device(sample_weight)
        if check:
            xs = self._check_data(xs, ys, weights)
        if ys and self.compiled:
            ys = data_checks.shape_targets(self._targets, ys)
        if class_weight is not None:
            weights = class_weights_for(class_weight, ys, weights)
        return ArrayAdapter(xs, ys, weights, batch_size or 32, shuffle=shuffle, steps=steps)

    def _input_names(self):
        return list(getattr(self, "input_names", None) or ["input"])

    def _make_adapter(self, x, y, sample_weight, batch_size, shuffle, class_weight, steps, check):
        if is_array(x):
            return self._array_adapter(
                x, y, sample_weight, batch_size, shuffle, class_weight, steps, check
            )
        check_data_source(x, "x")
        if y is not None:
            raise ValueError(
                "y expected None when x is a generator, Dataset or DataLoader (it yields "
                f"(x, y) batches itself); received {type(y).__name__}."
            )
        source = wrap_dataset(x, batch_size or 32, shuffle)
        scanned = []

        def prepare(batch):
            # The first batch of each run is scanned for NaN/inf too, before its step.
            first = not scanned
            scanned.append(True) if first else None
            return self._prepare_batch(batch, warn_non_finite=first)

        from torch.utils.data import Dataset, IterableDataset

        map_style = isinstance(x, Dataset) and not isinstance(x, IterableDataset)
        return IterableAdapter(
            source,
            prepare,
            steps=steps,
            dataset=x if map_style else None,
            batch_size=batch_size or 32,
            shuffle=shuffle,
        )


def class_weights_for(class_weight, ys, weights):
    if not ys:
        raise ValueError("class_weight expected targets y; received none.")
    y = ys[0]
    labels = (
        y.argmax(-1) if y.ndim > 1 and y.shape[-1] > 1 else y.reshape(y.shape[0]).round().long()
    )
    table_size = max(int(labels.max()) + 1, max(class_weight) + 1)
    table = torch.ones(table_size, device=y.device)
    for cls, value in class_weight.items():
        table[int(cls)] = float(value)
    per_row = table[labels]
    return per_row if weights is None else per_row * weights
