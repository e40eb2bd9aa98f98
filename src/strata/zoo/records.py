"""What the zoo knows about each model: the entry record, its checks, and the listing table."""

from __future__ import annotations

import dataclasses
import math
import numbers
import re

# A name becomes a file name: letters, digits, '.', '_' and '-', starting with a letter or
# digit, so it can never climb out of the zoo ('..', '/') nor hide as a dot file.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
RECORD_VERSION = 1


class EntryNotFoundError(ValueError, KeyError):
    """No zoo entry of that name (a ValueError and a KeyError, so either `except` works)."""

    def __str__(self) -> str:  # KeyError would print the message inside quotes
        return str(self.args[0]) if self.args else ""


def check_name(name) -> str:
    """`name` when it is a valid entry name, else a ValueError saying what is allowed."""
    if not isinstance(name, str) or not _NAME.fullmatch(name) or ".." in name:
        raise ValueError(
            "A zoo entry name expected 1 to 128 characters among letters, digits, '.', '_' and "
            "'-', starting with a letter or digit and without '..' (it becomes a file name); "
            f"received {name!r}."
        )
    return name


def check_metrics(metrics) -> dict:
    """{name: float} from a dict of numbers (Python, NumPy or one-element tensors)."""
    if metrics is None:
        return {}
    if not isinstance(metrics, dict):
        raise ValueError(
            "metrics expected a dict of metric name to number, e.g. "
            "model.evaluate(x, y, return_dict=True); received "
            f"{type(metrics).__name__}."
        )
    checked = {}
    for key, value in metrics.items():
        if not isinstance(key, str) or not key:
            raise ValueError(f"metrics expected non-empty string names; received {key!r}.")
        checked[key] = _number(key, value)
    return checked


def _number(key, value) -> float:
    if hasattr(value, "numel") and callable(value.numel) and value.numel() == 1:
        value = value.item()  # a torch scalar
    elif hasattr(value, "size") and getattr(value, "size", None) == 1 and hasattr(value, "item"):
        value = value.item()  # a NumPy scalar or one-element array
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(
            f"metrics['{key}'] expected a number (the final value, not a history list); "
            f"received {type(value).__name__} {value!r}."
        )
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"metrics['{key}'] expected a finite number; received {value}.")
    return value


def check_tags(tags) -> tuple:
    """A tuple of distinct non-empty tags; a single string is one tag, not its letters."""
    if tags is None:
        return ()
    if isinstance(tags, str):
        tags = (tags,)
    try:
        tags = tuple(tags)
    except TypeError:
        raise ValueError(
            f"tags expected a string or an iterable of strings; received {tags!r}."
        ) from None
    for tag in tags:
        if not isinstance(tag, str) or not tag.strip():
            raise ValueError(f"tags expected non-empty strings; received {tag!r} in {tags!r}.")
    return tuple(dict.fromkeys(tags))


@dataclasses.dataclass(frozen=True)
class ZooEntry:
    """One model in the zoo, as its record describes it.

    Attributes:
        name: the entry's name.
        created: when it was saved, UTC, ISO 8601.
        params: the model's number of scalars in all weights.
        trainable_params: those in trainable weights.
        metrics: {metric name: value} given at saving.
        tags: the entry's tags.
        description: free text given at saving, or None.
        class_name: the model's class (`Functional`, `Sequential`, ...).
        model_name: the model's own name (`model.name`).
        input_shape: the model's input shape(s), when known.
        output_shape: its output shape(s), when known.
        strata_version: the strata that saved it.
        file: the model file's name inside the zoo's `models/` folder.
        sha256: the model file's SHA-256, checked when loading.
        size_bytes: the model file's size.
    """

    name: str
    created: str
    params: int
    trainable_params: int
    metrics: dict
    tags: tuple
    description: str | None
    class_name: str
    model_name: str
    input_shape: object
    output_shape: object
    strata_version: str
    file: str
    sha256: str
    size_bytes: int

    def to_json(self) -> dict:
        record = dataclasses.asdict(self)
        record["tags"] = list(self.tags)
        record["record_version"] = RECORD_VERSION
        return record

    @classmethod
    def from_json(cls, record) -> ZooEntry:
        """The entry from a parsed record; ValueError when a field is missing or mistyped."""
        if not isinstance(record, dict):
            raise ValueError(f"expected a JSON object; received {type(record).__name__}")
        fields = {f.name for f in dataclasses.fields(cls)}
        missing = sorted(fields - set(record))
        if missing:
            raise ValueError(f"missing fields {missing}")
        values = {key: record[key] for key in fields}
        if not isinstance(values["tags"] or [], list):
            raise ValueError(f"field 'tags' expected a list; received {values['tags']!r}")
        values["tags"] = tuple(values["tags"] or ())
        values["metrics"] = dict(values["metrics"] or {})
        for key in ("name", "file", "sha256", "created"):
            if not isinstance(values[key], str):
                raise ValueError(f"field '{key}' expected a string; received {values[key]!r}")
        for key in ("params", "trainable_params", "size_bytes"):
            if not isinstance(values[key], int) or isinstance(values[key], bool):
                raise ValueError(f"field '{key}' expected an integer; received {values[key]!r}")
        if not all(isinstance(tag, str) for tag in values["tags"]):
            raise ValueError(f"field 'tags' expected strings; received {record['tags']!r}")
        check_name(values["name"])
        # The file must be a plain name inside models/, whatever a hand-edited record says.
        if "/" in values["file"] or "\\" in values["file"] or values["file"].startswith("."):
            raise ValueError(f"field 'file' expected a file name; received {values['file']!r}")
        return cls(**values)

    def summary_row(self) -> list[str]:
        metrics = ", ".join(f"{k}={_short(v)}" for k, v in self.metrics.items())
        return [
            self.name,
            self.created[:16].replace("T", " "),
            f"{self.params:,}",
            metrics or "-",
            ", ".join(self.tags) or "-",
        ]


def _short(value: float) -> str:
    return f"{value:.4g}"


class ZooListing(list):
    """The entries `strata.zoo.list()` found: a list of `ZooEntry` that prints as a table.

    Example:
        >>> print(ZooListing([]))
        (the zoo is empty)
    """

    def names(self) -> list[str]:
        """The entries' names, in listing order."""
        return [entry.name for entry in self]

    def __str__(self) -> str:
        if not self:
            return "(the zoo is empty)"
        from rich import box
        from rich.console import Console
        from rich.table import Table

        table = Table(box=box.SIMPLE_HEAD, show_edge=False)
        for column, justify in (
            ("Name", "left"),
            ("Date (UTC)", "left"),
            ("Params", "right"),
            ("Metrics", "left"),
            ("Tags", "left"),
        ):
            table.add_column(column, justify=justify)
        for entry in self:
            table.add_row(*entry.summary_row())
        console = Console(width=120, record=True, force_terminal=False, color_system=None)
        with console.capture() as capture:
            console.print(table)
        return "\n".join(line.rstrip() for line in capture.get().splitlines())

    def _repr_pretty_(self, printer, cycle):  # IPython shows the table
        printer.text(str(self))
