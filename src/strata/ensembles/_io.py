"""Saving and loading ensembles: a folder with a JSON manifest and members in safe formats.

strata members are stored with strata's own `model.save` (a safe zip); scikit-learn members
with skops (loaded by its safe loader, trusting only scikit-learn, NumPy and SciPy types);
nothing is ever pickled. Callables cannot be stored.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

FORMAT = "strata.ensemble"
VERSION = 1
# Only types from these packages may be trusted when a skops file asks for it.
TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.")


def _skops():
    try:
        import skops.io as sio
    except ImportError as error:  # pragma: no cover - skops is in the extras
        raise ValueError(
            "Saving or loading scikit-learn ensemble members needs skops (pip install skops); "
            "strata never pickles them."
        ) from error
    return sio


def _save_member(kind, member, folder, stem):
    if kind == "strata":
        file = f"{stem}.keras"
        member.save(folder / file)
        return [file]
    if kind == "sklearn":
        file = f"{stem}.skops"
        _skops().dump(member, folder / file)
        return [file]
    if kind == "fold_average":
        files = []
        for index, model in enumerate(member.models):
            from strata.ensembles._members import member_kind

            sub = member_kind(model)
            if sub not in ("strata", "sklearn"):
                raise ValueError(f"Cannot save fold model {index} of {member.name!r}: a {sub}.")
            files += [(sub, f) for f in _save_member(sub, model, folder, f"{stem}_fold{index}")]
        return files
    raise ValueError(
        f"Cannot save ensemble member {stem!r}: callables have no safe file format; "
        "wrap the computation in a strata model or a scikit-learn estimator."
    )


def save(ensemble, path):
    """Write `ensemble` into the folder `path` (created; an existing manifest is overwritten)."""
    folder = Path(path)
    for index, (kind, name) in enumerate(zip(ensemble.kinds, ensemble.names)):
        if kind == "callable":
            raise ValueError(
                f"Cannot save ensemble member {index} ({name!r}): callables have no safe file "
                "format; wrap it in a strata model or a scikit-learn estimator."
            )
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for index, (kind, member, name) in enumerate(
        zip(ensemble.kinds, ensemble.members, ensemble.names)
    ):
        files = _save_member(kind, member, folder, f"member_{index}")
        if kind == "fold_average":
            entries.append(
                {"kind": kind, "name": name, "folds": [{"kind": k, "file": f} for k, f in files]}
            )
        else:
            entries.append({"kind": kind, "name": name, "file": files[0]})
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "method": ensemble.method,
        "weights": [float(w) for w in ensemble.weights_],
        "members": entries,
        "member_losses": ensemble.member_losses_,
        "ensemble_loss": ensemble.ensemble_loss_,
        "equal_weight_loss": ensemble.equal_weight_loss_,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))


def _load_sklearn(file):
    sio = _skops()
    untrusted = sio.get_untrusted_types(file=file)
    refused = [t for t in untrusted if not t.startswith(TRUSTED_PREFIXES)]
    if refused:
        raise ValueError(
            f"Refusing to load {os.fspath(file)!r}: it holds types outside scikit-learn, NumPy "
            f"and SciPy that could run code: {refused}."
        )
    return sio.load(file, trusted=untrusted)


def _load_file(kind, folder, file):
    target = (folder / file).resolve()
    if target.parent != folder.resolve():
        raise ValueError(f"Refusing member file {file!r}: it points outside the ensemble folder.")
    if kind == "strata":
        from strata.saving import load_model

        return load_model(target)
    if kind == "sklearn":
        return _load_sklearn(target)
    raise ValueError(f"Unknown member kind {kind!r} in the ensemble manifest.")


def load(path):
    """Load an ensemble saved by `Ensemble.save`.

    Args:
        path: The folder written by `Ensemble.save`.

    Returns:
        The `Ensemble`, with its method, weights and recorded validation losses.

    Raises:
        ValueError: For a folder without a valid manifest, a member file outside the folder,
            or a scikit-learn file holding types outside scikit-learn, NumPy and SciPy.

    Example:
        >>> from strata import ensembles
        >>> ensemble = ensembles.load("my_ensemble")  # doctest: +SKIP
    """
    from strata.ensembles._members import FoldAverage
    from strata.ensembles.ensemble import Ensemble

    folder = Path(path)
    manifest_file = folder / "manifest.json"
    if not manifest_file.is_file():
        raise ValueError(f"{os.fspath(path)!r} is not a saved ensemble (no manifest.json).")
    manifest = json.loads(manifest_file.read_text())
    if manifest.get("format") != FORMAT:
        raise ValueError(f"{os.fspath(manifest_file)!r} is not a strata ensemble manifest.")
    members = []
    for entry in manifest["members"]:
        if entry["kind"] == "fold_average":
            models = [_load_file(f["kind"], folder, f["file"]) for f in entry["folds"]]
            members.append(FoldAverage(models, name=entry["name"]))
        else:
            members.append(_load_file(entry["kind"], folder, entry["file"]))
    ensemble = Ensemble(members, weights=np.asarray(manifest["weights"]), method=manifest["method"])
    ensemble.names = [entry["name"] for entry in manifest["members"]]
    ensemble.member_losses_ = manifest.get("member_losses")
    ensemble.ensemble_loss_ = manifest.get("ensemble_loss")
    ensemble.equal_weight_loss_ = manifest.get("equal_weight_loss")
    return ensemble
