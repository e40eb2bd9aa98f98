"""Where dataset files are looked for, shared by the loaders."""

from __future__ import annotations

import os
from pathlib import Path

from strata.utils.file_io import strata_home

ENV_VAR = "STRATA_DATASETS_DIR"


def locate(name, path=None):
    """The folder to read dataset `name` from, and whether it is strata's download cache.

    Args:
        name: The dataset's sub-folder name (`"mnist"`, `"imdb"`).
        path: A folder the caller chose, used as is when given.

    Returns:
        `(folder, is_cache)`: `path`, else `$STRATA_DATASETS_DIR/<name>`, else
        `$STRATA_HOME/datasets/<name>` (default `~/.strata/datasets/<name>`), with `is_cache`
        true only for the last, the one place loaders may download into.
    """
    if path is not None:
        return Path(os.fspath(path)).expanduser(), False
    root = os.environ.get(ENV_VAR)
    if root:
        return Path(root).expanduser() / name, False
    return strata_home() / "datasets" / name, True
