"""One fold of cross-validation: build a fresh model, fit it, score the held-out rows."""

from __future__ import annotations

import numpy as np

from strata.evaluation import _data


class ModelFactory:
    """Makes every fold's model: a clone of a compiled model (fresh weights, same compile
    settings) or the result of a build function. Picklable, so worker processes build alike."""

    def __init__(self, model_or_build_fn):
        from strata.models.model import Model

        self.build_fn, self.model, self.json, self.compile_config = None, None, None, None
        if isinstance(model_or_build_fn, Model):
            if not model_or_build_fn.compiled:
                raise ValueError(
                    f"cross_validate expected a compiled model (or a function returning one); "
                    f"received the uncompiled model '{model_or_build_fn.name}'. Call compile() "
                    "first."
                )
            self.model = model_or_build_fn
            self.compile_config = model_or_build_fn.get_compile_config()
        elif callable(model_or_build_fn):
            self.build_fn = model_or_build_fn
        else:
            raise ValueError(
                "cross_validate expected a compiled strata model or a function returning one; "
                f"received {type(model_or_build_fn).__name__}."
            )

    def describe(self) -> str:
        """What builds the models, for the resume fingerprint."""
        if self.build_fn is not None:
            fn = self.build_fn
            return f"{getattr(fn, '__module__', '')}.{getattr(fn, '__qualname__', repr(fn))}"
        # Layer names are left out: they count up within a process, so the same architecture
        # built again (as a re-run script does) gets other names.
        config = _without_names(self.model.get_config())
        compiled = _without_names(self.compile_config)
        return type(self.model).__name__ + repr(config) + repr(compiled)

    def __getstate__(self):
        # Models travel to worker processes as their JSON config, never pickled.
        state = dict(self.__dict__)
        if state["model"] is not None:
            state["json"], state["model"] = state["model"].to_json(), None
        return state

    def build(self, seed: int):
        """A fresh compiled model whose initialization depends on `seed` only."""
        from strata.backend.seeding import set_random_seed
        from strata.models.cloning import clone_model
        from strata.models.serialization import model_from_json

        if self.model is None and self.json is not None:
            self.model = model_from_json(self.json)  # a template; the clone below is seeded
        set_random_seed(seed)
        if self.build_fn is not None:
            model = self.build_fn()
            if not getattr(model, "compiled", False):
                raise ValueError(
                    "cross_validate expected the build function to return a compiled model; "
                    f"received {type(model).__name__} that is not compiled."
                )
            return model
        model = clone_model(self.model)
        model.compile_from_config(self.compile_config)
        return model


def _without_names(value):
    if isinstance(value, dict):
        return {
            k: _without_names(v)
            for k, v in value.items()
            if k not in ("name", "inbound_nodes", "input_layers", "output_layers")
        }
    if isinstance(value, (list, tuple)):
        return [_without_names(v) for v in value]
    return value


def run_fold(factory, data, fold, settings):
    """Train and score one fold. Returns a dict: scores, history, predictions (a list of arrays,
    one per model output, rows in `test` order) and the model."""
    x, y, labels, weights = data["x"], data["y"], data["labels"], data.get("sample_weight")
    index, train, test = fold
    seed = settings["seed"] + index
    model = factory.build(seed)
    fit_rows, validation_rows = train, None
    if settings["validation"] == "inner":
        fit_rows, validation_rows = _data.inner_split(
            train, settings["inner_fraction"], seed, labels
        )
    elif settings["validation"] == "fold":
        validation_rows = test
    validation_data = None
    if validation_rows is not None:
        validation_data = (_data.take(x, validation_rows), _data.take(y, validation_rows))
        if weights is not None:
            validation_data += (_data.take(weights, validation_rows),)
    callbacks = settings["callbacks"]
    callbacks = callbacks(index) if callable(callbacks) else callbacks
    # fit's own shuffling draws from the generators seeded here, so every fold is reproducible
    # on its own (resumed and parallel runs give the sequential results).
    from strata.backend.seeding import set_random_seed

    set_random_seed(seed)
    history = model.fit(
        _data.take(x, fit_rows),
        _data.take(y, fit_rows),
        epochs=settings["epochs"],
        batch_size=settings["batch_size"],
        validation_data=validation_data,
        callbacks=list(callbacks or []),
        verbose=2 if settings["verbose"] >= 2 else 0,
        sample_weight=_data.take(weights, fit_rows),
        **settings["fit_kwargs"],
    )
    x_test, y_test = _data.take(x, test), _data.take(y, test)
    batch = settings["batch_size"]
    scores = model.evaluate(
        x_test,
        y_test,
        batch_size=batch,
        sample_weight=_data.take(weights, test),
        verbose=0,
        return_dict=True,
    )
    scores = {key: float(value) for key, value in scores.items()}
    predicted = model.predict(x_test, batch_size=batch, verbose=0)
    scores.update(_extra_scores(settings["scoring"], y_test, predicted))
    return {
        "scores": scores,
        "history": {k: [float(v) for v in vs] for k, vs in history.history.items()},
        "predictions": [np.asarray(p) for p in _outputs(predicted)],
        "model": model,
    }


def _outputs(predicted) -> list:
    if isinstance(predicted, dict):
        return list(predicted.values())
    if isinstance(predicted, (list, tuple)):
        return list(predicted)
    return [predicted]


def _extra_scores(scoring, y_true, y_pred) -> dict:
    if scoring is None:
        return {}
    if callable(scoring):
        scoring = {getattr(scoring, "__name__", "score"): scoring}
    if not isinstance(scoring, dict):
        raise ValueError(
            "cross_validate expected scoring to be a function (y_true, y_pred) -> float or a "
            f"dict of them; received {type(scoring).__name__}."
        )
    return {name: float(fn(y_true, y_pred)) for name, fn in scoring.items()}


# ------------------------------------------------------------------- worker processes (n_jobs)
_WORKER = {}


def init_worker(factory, data, settings):
    """Runs once in each worker process: one torch thread, the shared inputs kept in memory."""
    import torch

    torch.set_num_threads(1)
    _WORKER.update(factory=factory, data=data, settings=settings)


def run_fold_in_worker(fold):
    """`run_fold` in a worker; the model travels back as its config and weights (no pickle of
    the model object)."""
    result = run_fold(_WORKER["factory"], _WORKER["data"], fold, _WORKER["settings"])
    model = result.pop("model")
    if _WORKER["settings"]["return_models"]:
        result["model_json"] = model.to_json()
        result["model_weights"] = [np.asarray(w) for w in model.get_weights()]
        result["compile_config"] = model.get_compile_config()
    return result


def model_from_worker(result):
    """Rebuild the fold model a worker sent back (config, compile settings, weights)."""
    from strata.models.serialization import model_from_json

    model = model_from_json(result.pop("model_json"))
    config = result.pop("compile_config")
    if config is not None:
        model.compile_from_config(config)
    model.set_weights(result.pop("model_weights"))
    return model
