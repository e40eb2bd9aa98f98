"""LoadReport: what a weight load did, weight by weight.

Model-side entries (`loaded`, `skipped`, `missing`, `mismatched`) name a model weight as its
layer path and attribute, `"<layer>/<weight>"` (`"hidden1/kernel"`, and `"encoder/dense/kernel"`
for a layer inside the nested model `encoder`). File-side entries (`unexpected`, `ignored`) name
a stored weight as the file does: `"<layer>/<weight>"` for strata and Keras 2 / tf.keras files,
`"<layer>/vars/<index>"` (`"<layer>/<sublayer>/vars/<index>"`) for Keras 3 files, which record
layer names but not weight names, the HDF5 path and layer name (`"layers/dense_5/vars/0 (layer
'output')"`) where Keras's own pairing was used, the `state_dict` key (`"0.weight"`) for PyTorch
files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple


class Mismatch(NamedTuple):
    """A model weight and the file's weight paired with it, whose shapes differ.

    For a layer whose weight count differs from the file's, `name` is the layer's name and the
    shapes are tuples of every weight's shape on each side.
    """

    name: str
    model_shape: tuple
    file_shape: tuple


_CATEGORIES = (
    ("loaded", "set from the file"),
    ("skipped", "left unchanged: excluded by `layers`"),
    ("missing", "left unchanged: not in the file"),
    ("mismatched", "left unchanged: shapes differ"),
    ("unexpected", "in the file, matching no model weight"),
    ("ignored", "in the file, excluded by `layers` or `rename`"),
)


@dataclass
class LoadReport:
    """What `load_weights` / `load_torch_weights` did, weight by weight.

    Attributes:
        loaded: model weights set from the file.
        skipped: model weights the `layers` filter excluded (left unchanged).
        missing: model weights (among those selected) that the file lacks (left unchanged).
        mismatched: `Mismatch(name, model_shape, file_shape)` for weights left unchanged
            because their layer's shapes differ from the file's (only with `skip_mismatch`).
            A layer loads whole or not at all, so every weight of such a layer is listed.
        unexpected: file weights (among those selected) that no model weight matches.
        ignored: file weights excluded by the `layers` filter, by a `rename` callable that
            returned None, or (PyTorch files) counters such as `num_batches_tracked`.
        source: the file read, for the summary.

    Example:
        >>> from strata.saving import LoadReport
        >>> report = LoadReport(loaded=["dense/kernel", "dense/bias"], missing=["head/kernel"])
        >>> report.summary()
        '2 loaded, 0 skipped, 1 missing, 0 mismatched, 0 unexpected'
        >>> report.ok
        False
    """

    loaded: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    missing: list = field(default_factory=list)
    mismatched: list = field(default_factory=list)
    unexpected: list = field(default_factory=list)
    ignored: list = field(default_factory=list)
    source: str = ""

    @property
    def ok(self) -> bool:
        """True when nothing was missing, mismatched or unexpected."""
        return not (self.missing or self.mismatched or self.unexpected)

    @property
    def loaded_layers(self) -> list:
        """The top-level layers that received weights, in load order."""
        return _top_names(self.loaded)

    def summary(self) -> str:
        """One line: the count in each category (`ignored` only when there are some)."""
        names = [name for name, _ in _CATEGORIES if name != "ignored" or self.ignored]
        return ", ".join(f"{len(getattr(self, name))} {name}" for name in names)

    def table(self) -> str:
        """Every entry as a plain-text table: category, weight, model shape, file shape."""
        rows = []
        for category, _ in _CATEGORIES:
            for entry in getattr(self, category):
                if isinstance(entry, Mismatch):
                    rows.append(
                        (category, entry.name, _shape(entry.model_shape), _shape(entry.file_shape))
                    )
                else:
                    rows.append((category, str(entry), "", ""))
        header = ("status", "weight", "model shape", "file shape")
        if not any(row[2] for row in rows):
            header, rows = header[:2], [row[:2] for row in rows]
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        lines = [
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip()
            for row in [header, *rows]
        ]
        lines.insert(1, "  ".join("-" * width for width in widths))
        return "\n".join(lines)

    def __str__(self) -> str:
        source = f" from '{self.source}'" if self.source else ""
        return f"LoadReport{source}: {self.summary()}\n{self.table()}"

    __repr__ = __str__


def _shape(shape) -> str:
    return str(tuple(shape)) if shape is not None else "-"


def _top_names(labels) -> list:
    seen = []
    for label in labels:
        top = str(label).split("/", 1)[0]
        if top not in seen:
            seen.append(top)
    return seen
