"""ProgbarLogger: Keras's progress display, drawn with rich.

`verbose=1`: one bar per epoch, `12/32 ━━━━━━━━╺━━━━━━━━━━━ 1s 4ms/step - acc: 0.5000 - loss: 0.69`;
`verbose=2`: one line per epoch; `verbose=0`: nothing. Values are read from the device only when
the bar is redrawn (at most every `refresh_seconds`), so the display costs no per-step sync.
"""

from __future__ import annotations

import sys
import time

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Column

from strata.backend import arguments
from strata.callbacks.callback import Callback


def format_logs(logs) -> str:
    parts = []
    for key, value in logs.items():
        if isinstance(value, (int, float)):
            parts.append(f"{key}: {value:.4f}")
    return " - ".join(parts)


def _format_time(seconds: float) -> str:
    if seconds >= 3600:
        return f"{int(seconds // 3600)}h {int(seconds % 3600 // 60)}m"
    if seconds >= 60:
        return f"{int(seconds // 60)}m {int(seconds % 60)}s"
    return f"{int(round(seconds))}s"


def _format_per_step(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.0f}s/step"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/step"
    return f"{seconds * 1e6:.0f}us/step"


class ProgbarLogger(Callback):
    """Prints progress and metrics during fit (added automatically when `verbose` is not 0).

    Args:
        refresh_seconds: the least time between two redraws of the bar.
        console: a `rich.console.Console` to draw on (default: standard output).
    """

    # Its effects are output only: in a data-parallel run the first process alone runs it.
    _chief_only = True

    def __init__(self, refresh_seconds: float = 0.2, console: Console | None = None):
        super().__init__()
        self.refresh_seconds = arguments.number(
            "ProgbarLogger", "refresh_seconds", refresh_seconds, low=0.0
        )
        self._console = console
        self._progress = None
        self._task = None
        self._last_draw = 0.0
        self._epoch_start = 0.0
        self._seen_steps = 0

    _only_reports = True  # never stops training: a data-parallel run need not agree per step

    @property
    def verbose(self) -> int:
        return int(self.params.get("verbose", 1) or 0)

    @property
    def console(self) -> Console:
        if self._console is None:
            console = Console(file=sys.stdout, highlight=False)
            if not console.is_terminal:
                # Logs and CI: one long line per update instead of wrapping at 80 columns.
                console = Console(file=sys.stdout, highlight=False, width=200)
            self._console = console
        return self._console

    def _start_bar(self, total):
        self._progress = Progress(
            TextColumn("{task.fields[count]}", table_column=Column(no_wrap=True)),
            BarColumn(bar_width=20, table_column=Column(no_wrap=True, min_width=20)),
            TextColumn("{task.fields[timing]}", table_column=Column(no_wrap=True)),
            TextColumn("{task.fields[metrics]}", table_column=Column(overflow="fold")),
            console=self.console,
            auto_refresh=False,
            transient=False,
        )
        self._progress.start()
        self._task = self._progress.add_task("", total=total, count="", timing="", metrics="")
        self._epoch_start = time.perf_counter()
        self._last_draw = 0.0
        self._seen_steps = 0

    def _draw(self, steps_done, logs, final=False):
        if self._progress is None:
            return
        total = self.params.get("steps")
        elapsed = time.perf_counter() - self._epoch_start
        per_step = elapsed / max(steps_done, 1)
        count = f"{steps_done}/{total}" if total else f"{steps_done}"
        timing = f"{_format_time(elapsed)} {_format_per_step(per_step)}"
        metrics = format_logs(dict(logs or {}))
        self._progress.update(
            self._task,
            completed=steps_done,
            total=total or steps_done,
            count=count,
            timing=timing,
            metrics=f"- {metrics}" if metrics else "",
        )
        self._progress.refresh()
        if final:
            self._progress.stop()
            self._progress = None

    def on_epoch_begin(self, epoch, logs=None):
        if self.verbose:
            self.console.print(f"Epoch {epoch + 1}/{self.params.get('epochs')}")
        self._epoch_start = time.perf_counter()
        self._seen_steps = 0
        if self.verbose == 1:
            self._start_bar(self.params.get("steps"))

    def on_train_batch_end(self, batch, logs=None):
        self._seen_steps = batch + 1
        if self.verbose != 1:
            return
        now = time.perf_counter()
        if now - self._last_draw >= self.refresh_seconds:
            self._last_draw = now
            self._draw(batch + 1, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.verbose == 1:
            self._draw(self._seen_steps, logs, final=True)
        elif self.verbose == 2:
            elapsed = time.perf_counter() - self._epoch_start
            per_step = elapsed / max(self._seen_steps, 1)
            self.console.print(
                f"{self._seen_steps}/{self.params.get('steps') or self._seen_steps} - "
                f"{_format_time(elapsed)} - {_format_per_step(per_step)} - {format_logs(logs)}"
            )

    def on_train_end(self, logs=None):
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
