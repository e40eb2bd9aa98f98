"""Logs that read metric values from the device only when someone looks at them."""

from collections.abc import Mapping


class LazyLogs(Mapping):
    """A read-only mapping of metric name -> float, computed on first access.

    Batch hooks receive one of these, so a run whose callbacks never read batch logs never waits
    for the device.
    """

    def __init__(self, compute):
        self._compute = compute
        self._values = None

    def _resolved(self) -> dict:
        if self._values is None:
            self._values = self._compute()
        return self._values

    def __getitem__(self, key):
        return self._resolved()[key]

    def __iter__(self):
        return iter(self._resolved())

    def __len__(self):
        return len(self._resolved())

    def copy(self) -> dict:
        return dict(self._resolved())

    def __repr__(self):
        return f"LazyLogs({self._resolved()!r})"
