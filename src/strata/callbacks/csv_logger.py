"""CSVLogger: one CSV row per epoch."""

from __future__ import annotations

import csv
import io
import os

from strata.callbacks.callback import Callback
from strata.utils.file_io import atomic_write


def _cell(value):
    if isinstance(value, str):
        return value
    iterable = hasattr(value, "__len__") and not hasattr(value, "keys")
    if isinstance(value, (list, tuple)) or iterable:
        return f'"[{", ".join(str(v) for v in value)}]"'
    return value


class CSVLogger(Callback):
    """Writes the epoch index and every epoch log value to a CSV file.

    The file is rewritten atomically after each epoch (temporary file, fsync, rename), so a
    reader, or a run killed at any moment, sees whole rows only: the header and the rows of the
    epochs finished so far.

    Args:
        filename: the CSV file's path.
        separator: the column separator.
        append: True keeps an existing file's rows (and header) and adds to them; False starts
            a new file.

    Example:
        >>> import strata
        >>> callback = strata.callbacks.CSVLogger("training.log")
    """

    # Its effects are output only: in a data-parallel run the first process alone runs it.
    _chief_only = True
    _only_reports = True

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.filename = os.fspath(filename)
        self.sep = separator
        self.append = append
        self.keys = None
        self._text = ""

    def on_train_begin(self, logs=None):
        self.keys = None
        self._text = ""
        if self.append and os.path.exists(self.filename):
            with open(self.filename, encoding="utf-8", newline="") as handle:
                self._text = handle.read()
            if self._text and not self._text.endswith("\n"):
                self._text += "\n"
            header = next(csv.reader(io.StringIO(self._text), delimiter=self.sep), None)
            if header and header[0] == "epoch":
                self.keys = header[1:]
        folder = os.path.dirname(os.path.abspath(self.filename))
        os.makedirs(folder, exist_ok=True)

    def on_epoch_end(self, epoch, logs=None):
        logs = dict(logs or {})
        buffer = io.StringIO()
        if self.keys is None:
            self.keys = sorted(logs)
            fields = ["epoch"] + self.keys
            csv.writer(buffer, delimiter=self.sep, lineterminator="\n").writerow(fields)
        row = {"epoch": epoch}
        row.update({key: _cell(logs[key]) if key in logs else "NA" for key in self.keys})
        writer = csv.DictWriter(
            buffer,
            fieldnames=["epoch"] + self.keys,
            delimiter=self.sep,
            lineterminator="\n",
            extrasaction="ignore",
        )
        writer.writerow(row)
        self._text += buffer.getvalue()
        with atomic_write(self.filename, "w") as handle:
            handle.write(self._text)

    def on_train_end(self, logs=None):
        self._text = ""

    def state_dict(self):
        # The text itself: a run resumed from a backup rewrites exactly the rows it had then,
        # even if a later epoch's row reached the file before the run was killed.
        return {"keys": self.keys, "text": self._text}

    def load_state_dict(self, state):
        self.keys = state["keys"]
        self._text = state["text"]
