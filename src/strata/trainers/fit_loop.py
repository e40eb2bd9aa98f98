"""The loops behind fit, evaluate and predict."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import torch

from strata.backend import arguments
from strata.backend.conversion import convert_to_numpy
from strata.backend.keras_tensor import map_structure, pack_like
from strata.callbacks.callback_list import CallbackList
from strata.distribution import is_chief
from strata.trainers.data_adapters import (
    check_data_source,
    check_has_rows,
    is_array,
    python_lists_as_arrays,
    split_for_validation,
    to_device,
    unpack_batch,
)
from strata.trainers.engine import Engine
from strata.trainers.frozen_cache import FrozenCache


def _verbose(verbose) -> int:
    return 1 if verbose == "auto" else int(verbose)


def _validation_arrays(model, x, y, sample_weight, validation_split):
    if not is_array(x):
        raise ValueError(
            "validation_split expected array data (NumPy arrays or tensors); received "
            f"{type(x).__name__}. Pass validation_data instead."
        )
    xs = model._flatten_x(x)
    ys = model._flatten_targets(y)
    count = len(xs)
    (train, valid) = split_for_validation(xs + ys + [sample_weight], validation_split)
    # The flat lists follow the model's input and output order, whatever the dicts' key order.
    input_names, output_names = model._input_names(), model._output_names()
    train_x = _restructure(x, train[:count], input_names)
    valid_x = _restructure(x, valid[:count], input_names)
    train_y = _restructure(y, train[count:-1], output_names)
    valid_y = _restructure(y, valid[count:-1], output_names)
    return (train_x, train_y, train[-1]), (valid_x, valid_y, valid[-1])


def _restructure(original, flat, names):
    """`flat` (in model order) back in the form the user gave: dict by name, list, or single."""
    if isinstance(original, dict):
        return {name: part for name, part in zip(names, flat) if part is not None}
    if isinstance(original, (list, tuple)):
        return list(flat)
    return flat[0] if flat else None


def _validation_adapter(model, validation_data, batch_size, steps):
    if validation_data is None:
        return None
    check_data_source(validation_data, "fit() validation_data")
    if isinstance(validation_data, (tuple, list)) and len(validation_data) not in (2, 3):
        raise ValueError(
            "fit() expected validation_data as (x_val, y_val) or (x_val, y_val, sample_weight); "
            f"received a {type(validation_data).__name__} of {len(validation_data)} item(s)."
        )
    if (
        isinstance(validation_data, tuple)
        and len(validation_data) in (2, 3)
        and is_array(validation_data[0])
    ):
        x, y, weights = unpack_batch(validation_data)
        return model._make_adapter(x, y, weights, batch_size, False, None, steps, check=True)
    return model._make_adapter(validation_data, None, None, batch_size, False, None, steps, False)


def run_fit(
    model,
    x,
    y,
    batch_size,
    epochs,
    verbose,
    callbacks,
    validation_split,
    validation_data,
    shuffle,
    class_weight,
    sample_weight,
    initial_epoch,
    steps_per_epoch,
    validation_steps,
    validation_batch_size,
    validation_freq,
    cache_frozen="auto",
):
    _check_fit_arguments(
        batch_size,
        epochs,
        verbose,
        validation_split,
        shuffle,
        class_weight,
        initial_epoch,
        steps_per_epoch,
        validation_steps,
        validation_batch_size,
        validation_freq,
    )
    x, y = python_lists_as_arrays(x, "fit() x"), python_lists_as_arrays(y, "fit() y")
    _build_from_data(model, x)
    model._assert_compiled("fit")
    if validation_split and validation_data is None:
        (x, y, sample_weight), validation_data = _validation_arrays(
            model, x, y, sample_weight, validation_split
        )
    train = model._make_adapter(
        x, y, sample_weight, batch_size, shuffle, class_weight, steps_per_epoch, check=True
    )
    valid = _validation_adapter(
        model, validation_data, validation_batch_size or batch_size, validation_steps
    )
    _reuse_batch_buffers(train, not model._overridden("train_step"))
    _reuse_batch_buffers(valid, not model._overridden("test_step"))
    verbose = _verbose(verbose)
    callback_list = CallbackList(
        callbacks,
        model=model,
        add_history=True,
        add_progbar=verbose != 0,
        verbose=verbose,
        epochs=epochs,
        steps=train.num_batches,
    )
    callback_list.set_validation_data(validation_data)
    engine = Engine(model, training=True)
    engine.initial_epoch = engine.epoch = initial_epoch
    engine.frozen_cache = FrozenCache(model, engine, train, valid, cache_frozen, verbose)
    history = _run_epochs(model, engine, train, valid, callback_list, epochs, validation_freq)
    history.cache_report = engine.frozen_cache.report
    return history


def _run_epochs(model, engine, train, valid, callback_list, epochs, validation_freq):
    """The epoch loop of `fit`, driving `engine` and dispatching every callback event."""
    cache = engine.frozen_cache
    model._engine = engine
    engine.running = True
    callback_list.set_engine(engine)
    model.stop_training = False
    step_fn = _train_step_function(model, engine)
    custom_step = model._overridden("train_step")
    needs_batch_begin = callback_list.needs("on_train_batch_begin")
    needs_batch_end = callback_list.needs("on_train_batch_end")
    # Processes must stop at the same step: when something may ask to stop mid-epoch (a batch
    # callback, a custom train_step), a data-parallel run agrees on it after every step.
    agree_each_step = engine.distribution is not None and (
        callback_list.may_stop_mid_epoch() or model._overridden("train_step")
    )
    epoch_logs, returned = {}, None
    model.train()
    try:
        callback_list.on_train_begin()
        # A callback may move the start in on_train_begin (BackupAndRestore resuming a backup).
        for epoch in range(engine.initial_epoch, epochs):
            engine.epoch = epoch
            model.reset_metrics()
            callback_list.on_epoch_begin(epoch)
            if cache is not None:  # once per epoch: callbacks may have unfrozen layers
                cache.before_epoch()
            for step, batch in enumerate(engine.batches(train)):
                if needs_batch_begin:
                    callback_list.on_train_batch_begin(step)
                returned = step_fn(batch)
                if needs_batch_end:
                    logs = _custom_logs(returned) if custom_step else model._lazy_logs()
                    callback_list.on_train_batch_end(step, logs)
                if model.stop_training or agree_each_step:
                    if engine.agree_to_stop(model.stop_training):
                        model.stop_training = True
                        break
            if custom_step:
                epoch_logs = custom_epoch_logs(model, returned)
            else:
                epoch_logs = model._metric_results(synchronize=True)
            if valid is not None and _should_validate(epoch, validation_freq):
                val_logs = _evaluate_epoch(model, engine, valid, callback_list)
                epoch_logs.update({f"val_{k}": v for k, v in val_logs.items()})
            callback_list.on_epoch_end(epoch, epoch_logs)
            engine.epoch = epoch + 1
            if engine.agree_to_stop(model.stop_training):
                model.stop_training = True
                break
        finalize = getattr(model.optimizer, "finalize_variable_values", None)
        if finalize is not None and epochs > 0:  # as Keras: EMA weights replace the trained ones
            finalize([w for w in model.trainable_weights if w.requires_grad])
        callback_list.on_train_end(epoch_logs)
    finally:
        engine.running = False
        if cache is not None:
            cache.close()  # restores the inputs and deletes any memory-mapped features
        engine.close()
        model.eval()
    return callback_list.history


def _check_fit_arguments(
    batch_size,
    epochs,
    verbose,
    validation_split,
    shuffle,
    class_weight,
    initial_epoch,
    steps_per_epoch,
    validation_steps,
    validation_batch_size,
    validation_freq,
):
    """Every numeric argument of fit, checked before any data is touched."""
    owner = "fit()"
    arguments.integer(owner, "batch_size", batch_size, allow_none=True)
    arguments.integer(owner, "epochs", epochs, minimum=0)
    arguments.integer(owner, "initial_epoch", initial_epoch, minimum=0)
    arguments.verbosity(owner, verbose)
    arguments.integer(owner, "steps_per_epoch", steps_per_epoch, allow_none=True)
    arguments.integer(owner, "validation_steps", validation_steps, allow_none=True)
    arguments.integer(owner, "validation_batch_size", validation_batch_size, allow_none=True)
    arguments.number(owner, "validation_split", validation_split, 0.0, 1.0, high_open=True)
    if isinstance(validation_freq, (list, tuple, set, range)):
        for epoch in validation_freq:
            arguments.integer(owner, "every epoch in validation_freq", epoch)
    else:
        arguments.integer(owner, "validation_freq (an int or a list of epochs)", validation_freq)
    if not (isinstance(shuffle, bool) or shuffle == "batch"):
        raise ValueError(f"fit() expected shuffle True, False or 'batch'; received {shuffle!r}.")
    if class_weight is not None:
        if not isinstance(class_weight, dict):
            raise ValueError(
                "fit() expected class_weight as a dict of class index -> weight; received "
                f"{type(class_weight).__name__}."
            )
        for label, weight in class_weight.items():
            arguments.integer(owner, "every class_weight key (a class index)", label, minimum=0)
            arguments.number(owner, f"class_weight[{label}]", weight, low=0.0)


def _reuse_batch_buffers(adapter, allowed):
    """Array batches may share buffers when only the built-in steps see them."""
    if allowed and hasattr(adapter, "reuse_buffers"):
        adapter.reuse_buffers = True


def _should_validate(epoch, validation_freq):
    if isinstance(validation_freq, int):
        return (epoch + 1) % validation_freq == 0
    return epoch + 1 in validation_freq


def _train_step_function(model, engine):
    """The per-batch function: the engine's lean step or the user's train_step."""
    if model._overridden("train_step"):

        def user_step(batch):
            xs, ys, weights = batch
            x = xs[0] if len(xs) == 1 else xs
            y = (ys[0] if len(ys) == 1 else ys) if ys else None
            return model.train_step((x, y, weights) if weights is not None else (x, y))

        return user_step
    step = engine.train_step

    def builtin(batch):
        step(*batch)

    return builtin


def _evaluate_epoch(model, engine, adapter, callback_list):
    model.reset_metrics()
    callback_list.on_test_begin()
    needs_begin = callback_list.needs("on_test_batch_begin")
    needs_end = callback_list.needs("on_test_batch_end")
    with torch.inference_mode():
        was_training = model.training
        model.eval()
        custom_step = model._overridden("test_step")
        returned = None
        for step, batch in enumerate(engine.batches(adapter, evaluation=True)):
            if needs_begin:
                callback_list.on_test_batch_begin(step)
            returned = _test_batch(model, engine, batch)
            if needs_end:
                logs = _custom_logs(returned) if custom_step else model._lazy_logs()
                callback_list.on_test_batch_end(step, logs)
        model.train(was_training)
    if custom_step:
        logs = custom_epoch_logs(model, returned)
    else:
        logs = model._metric_results(synchronize=True)
    callback_list.on_test_end(logs)
    return logs


def _custom_logs(returned):
    from strata.trainers.logs import LazyLogs

    return LazyLogs(lambda: _python_logs(returned))


def _python_logs(logs) -> dict:
    """A step's returned logs as floats, nested dicts flattened (Keras's `_pythonify_logs`)."""
    found = {}
    for key, value in (logs or {}).items():
        if isinstance(value, Mapping):
            found.update(_python_logs(value))
        elif isinstance(value, (torch.Tensor, np.ndarray, np.generic)):
            array = np.asarray(convert_to_numpy(value))
            found[key] = float(array) if array.size == 1 else array
        else:
            found[key] = value
    return found


def custom_epoch_logs(model, returned) -> dict:
    """An epoch's logs under a custom step, by Keras's rule: every metric's result when the
    step returned exactly the metrics' names, else what the last step returned."""
    metric_logs = model.get_metrics_result()
    if isinstance(returned, Mapping) and set(returned) == set(metric_logs):
        return _python_logs(metric_logs)
    return _python_logs(dict(returned) if returned is not None else metric_logs)


def _test_batch(model, engine, batch):
    if model._overridden("test_step"):
        xs, ys, weights = batch
        x = xs[0] if len(xs) == 1 else xs
        y = (ys[0] if len(ys) == 1 else ys) if ys else None
        return model.test_step((x, y, weights) if weights is not None else (x, y))
    return engine.test_step(*batch)


def run_evaluate(model, x, y, batch_size, verbose, sample_weight, steps, callbacks, return_dict):
    _check_inference_arguments("evaluate()", batch_size, verbose, steps)
    x, y = python_lists_as_arrays(x, "evaluate() x"), python_lists_as_arrays(y, "evaluate() y")
    _build_from_data(model, x)
    model._assert_compiled("evaluate")
    adapter = model._make_adapter(x, y, sample_weight, batch_size, False, None, steps, check=True)
    callback_list = CallbackList(callbacks, model=model, verbose=_verbose(verbose), steps=steps)
    engine = Engine(model, training=False)
    callback_list.set_engine(engine)
    logs = _evaluate_epoch(model, engine, adapter, callback_list)
    if _verbose(verbose) and is_chief():
        from strata.callbacks.progbar_logger import format_logs

        print(f"{adapter.num_batches}/{adapter.num_batches} - {format_logs(logs)}")
    from strata.trainers.trainer import _format_result

    return _format_result(model, logs, return_dict)


def run_predict(model, x, batch_size, verbose, steps, callbacks):
    _check_inference_arguments("predict()", batch_size, verbose, steps)
    x = python_lists_as_arrays(x, "predict() x")
    check_data_source(x, "predict() x")
    _build_from_data(model, x)
    callback_list = CallbackList(callbacks, model=model, verbose=_verbose(verbose), steps=steps)
    callback_list.on_predict_begin()
    batches = _predict_batches(model, x, batch_size or 32, steps)
    engine = Engine(model, training=False)
    callback_list.set_engine(engine)
    collected = []
    needs_begin = callback_list.needs("on_predict_batch_begin")
    needs_end = callback_list.needs("on_predict_batch_end")
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            for step, flat_x in enumerate(batches):
                if needs_begin:
                    callback_list.on_predict_batch_begin(step)
                if model._overridden("predict_step"):
                    outputs = _flat(model.predict_step((_unflatten_x(model, flat_x),)))
                else:
                    outputs = engine.predict_step(flat_x)
                collected.append(outputs)
                if needs_end:
                    callback_list.on_predict_batch_end(step, {"outputs": outputs})
    finally:
        model.train(was_training)
    callback_list.on_predict_end()
    if not collected:
        raise ValueError("predict() received no data: expected at least one batch of inputs.")
    # One concatenation per output at the end keeps predict linear in the data size.
    merged = [convert_to_numpy(torch.cat(parts)) for parts in zip(*collected)]
    return _structure_outputs(model, merged)


def _check_inference_arguments(owner, batch_size, verbose, steps):
    arguments.integer(owner, "batch_size", batch_size, allow_none=True)
    arguments.verbosity(owner, verbose)
    arguments.integer(owner, "steps", steps, allow_none=True)


def _flat(outputs):
    from strata.backend.keras_tensor import flatten

    return flatten(outputs)


def _unflatten_x(model, flat_x):
    if hasattr(model, "_input_structure") and isinstance(model._input_structure, (list, dict)):
        return pack_like(model._input_structure, flat_x)
    return flat_x[0] if len(flat_x) == 1 else flat_x


def _structure_outputs(model, merged):
    structure = getattr(model, "_output_structure", None)
    if structure is not None:
        if isinstance(structure, (list, dict)):
            return pack_like(structure, merged)
    return merged[0] if len(merged) == 1 else merged


def _predict_batches(model, x, batch_size, steps):
    if is_array(x):
        from strata.trainers.input_checks import flatten_model_inputs

        if hasattr(model, "inputs") and model.inputs:
            xs = flatten_model_inputs(model, x)
        else:
            xs = [to_device(x)]
        check_has_rows(xs[0], "predict()")
        size = int(xs[0].shape[0])
        for start in range(0, size, batch_size):
            yield [t[start : start + batch_size] for t in xs]
        return
    from strata.trainers.data_adapters import wrap_dataset

    source = wrap_dataset(x, batch_size, False)
    for index, batch in enumerate(source):
        if steps is not None and index >= steps:
            return
        x_part, _, _ = unpack_batch(batch)
        yield [to_device(v) for v in model._flatten_x(x_part)]


def _build_from_data(model, x):
    """Models that do not know their input yet are built from the first data they see.

    A Sequential without an input shape builds its graph; a subclassed model is called once on
    two rows (no gradient), which builds its layers and tells its output shapes.
    """
    if hasattr(model, "_plan") or hasattr(model, "_stack"):  # functional or Sequential
        if getattr(model, "built", True):
            return
        sample = _first_array(x)
        if sample is not None:
            model._build_for(tuple(np.shape(sample)))
        return
    if getattr(model, "_probe_output_shapes", None) is not None:
        return
    sample = _first_rows(model, x)
    if sample is None:
        return
    with torch.no_grad():
        was_training = model.training
        model.eval()
        outputs = _flat(model(sample, training=False))
        model.train(was_training)
    model._probe_output_shapes = [(None, *tuple(o.shape)[1:]) for o in outputs]


def _first_array(x):
    if not is_array(x):
        return None
    if isinstance(x, (list, tuple)):
        x = x[0]
    if isinstance(x, dict):
        x = next(iter(x.values()))
    return x


def _first_rows(model, x):
    """Two rows of x in its own structure, as tensors on the device (arrays or a batch)."""
    if not is_array(x):
        return None
    return map_structure(lambda a: to_device(a[:2]), x)
