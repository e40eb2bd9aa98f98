"""`Progbar`: Keras's stand-alone progress bar (for loops written by hand), drawn with rich."""

from __future__ import annotations

import sys
import time

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Column

from strata.backend.conversion import convert_to_numpy


class Progbar:
    """A progress bar with running metric averages, as Keras's `utils.Progbar`.

    Values given to `update`/`add` are averaged over the steps since the start (weighted by
    the steps each one covers), except the names in `stateful_metrics`, shown as given.

    Args:
        target: the total number of steps, or None when unknown.
        width: the bar's width in characters.
        verbose: 0 silent, 1 a live bar, 2 one line when the target is reached.
        interval: the least seconds between two redraws.
        stateful_metrics: names whose values are shown as they come (not averaged).
        unit_name: the unit shown in the timing ("step").
        console: a `rich.console.Console` to draw on (default: standard output).

    Example:
        >>> bar = Progbar(target=2, verbose=0)
        >>> bar.update(1, values=[("loss", 1.0)])
        >>> bar.add(1, values=[("loss", 3.0)])
        >>> bar.averages()["loss"]
        2.0
    """

    def __init__(
        self,
        target,
        width=20,
        verbose=1,
        interval=0.05,
        stateful_metrics=None,
        unit_name="step",
        console=None,
    ):
        if target is not None and (not isinstance(target, int) or target < 0):
            raise ValueError(f"Progbar expected a target >= 0 or None; received {target!r}.")
        if verbose not in (0, 1, 2):
            raise ValueError(f"Progbar expected verbose 0, 1 or 2; received {verbose!r}.")
        self.target = target
        self.width = int(width)
        self.verbose = verbose
        self.interval = float(interval)
        self.stateful_metrics = set(stateful_metrics or ())
        self.unit_name = unit_name
        self._console = console
        self._sums = {}  # name -> [weighted sum, steps] (or [value, 1] for stateful names)
        self._order = []
        self._seen_so_far = 0
        self._start = time.perf_counter()
        self._last_draw = 0.0
        self._progress = None
        self._task = None
        self._finished = False

    def update(self, current, values=None, finalize=None):
        """Move the bar to step `current` and record `values` (a list of `(name, value)`).

        Args:
            current: the index of the current step.
            values: `(name, value)` pairs; values may be tensors or arrays (averaged).
            finalize: whether this is the last update (default: `current >= target`).
        """
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for name, value in values or []:
            value = float(np.mean(convert_to_numpy(value)))
            if name not in self._sums:
                self._order.append(name)
            if name in self.stateful_metrics:
                self._sums[name] = [value, 1]
                continue
            steps = max(current - self._seen_so_far, 1)
            total, count = self._sums.get(name, [0.0, 0])
            self._sums[name] = [total + value * steps, count + steps]
        self._seen_so_far = current
        now = time.perf_counter()
        if self.verbose == 1 and (finalize or now - self._last_draw >= self.interval):
            self._last_draw = now
            self._draw(current, finalize)
        elif self.verbose == 2 and finalize and not self._finished:
            self._print_line(current)
        if finalize:
            self._finished = True

    def add(self, n, values=None):
        """Advance the bar by `n` steps (see `update`)."""
        self.update(self._seen_so_far + n, values)

    def averages(self) -> dict:
        """The values shown now: averages, or the last value of stateful metrics."""
        return {name: self._sums[name][0] / max(self._sums[name][1], 1) for name in self._order}

    # ------------------------------------------------------------------------------- drawing
    @property
    def console(self) -> Console:
        if self._console is None:
            self._console = Console(file=sys.stdout, highlight=False)
        return self._console

    def _metrics_text(self) -> str:
        return " - ".join(f"{name}: {value:.4f}" for name, value in self.averages().items())

    def _timing_text(self, current) -> str:
        elapsed = time.perf_counter() - self._start
        per_unit = elapsed / max(current, 1)
        if per_unit >= 1:
            rate = f"{per_unit:.0f}s/{self.unit_name}"
        elif per_unit >= 1e-3:
            rate = f"{per_unit * 1e3:.0f}ms/{self.unit_name}"
        else:
            rate = f"{per_unit * 1e6:.0f}us/{self.unit_name}"
        return f"{int(round(elapsed))}s {rate}"

    def _draw(self, current, finalize):
        if self._progress is None:
            self._progress = Progress(
                TextColumn("{task.fields[count]}", table_column=Column(no_wrap=True)),
                BarColumn(bar_width=self.width, table_column=Column(no_wrap=True)),
                TextColumn("{task.fields[rest]}", table_column=Column(overflow="fold")),
                console=self.console,
                auto_refresh=False,
            )
            self._progress.start()
            self._task = self._progress.add_task("", total=self.target, count="", rest="")
        metrics = self._metrics_text()
        count = f"{current}/{self.target}" if self.target is not None else f"{current}"
        rest = self._timing_text(current) + (f" - {metrics}" if metrics else "")
        self._progress.update(
            self._task, completed=current, total=self.target, count=count, rest=rest
        )
        self._progress.refresh()
        if finalize:
            self._progress.stop()
            self._progress = None

    def _print_line(self, current):
        metrics = self._metrics_text()
        count = f"{current}/{self.target}" if self.target is not None else f"{current}"
        line = f"{count} - {self._timing_text(current)}" + (f" - {metrics}" if metrics else "")
        self.console.print(line)
