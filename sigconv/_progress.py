"""Progress reporting for long runs (benchmarks, file commands).

One entry point, :func:`progress`, used by every application layer that
works through many items (workloads, blocks of a file, slabs of a volume).
It draws a bar with the item in hand and an estimate of the time left when

- the stream it writes to (standard error by default) is a terminal, and
- ``tqdm`` or ``rich`` is installed (optional; tqdm is preferred),

and does nothing otherwise, so pipes, logs and CI stay clean. The
environment variable ``SIGCONV_PROGRESS`` overrides the terminal test:
``1`` forces a bar (when a backend is installed), ``0`` turns bars off.

Example
-------
>>> with progress(3, "blocks", enabled=False) as bar:
...     for i in range(3):
...         bar.update(1, item="block %d" % i)
>>> bar.count
3
"""
import os
import sys


def _wanted(stream, enabled):
    if enabled is not None:
        return bool(enabled)
    env = os.environ.get("SIGCONV_PROGRESS", "").strip().lower()
    if env in ("0", "false", "no", "off"):
        return False
    if env in ("1", "true", "yes", "on"):
        return True
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (ValueError, OSError):  # closed stream
        return False


class _Silent:
    """Counts updates and draws nothing."""

    backend = None

    def __init__(self, total):
        self.total = total
        self.count = 0

    def update(self, n=1, item=None):
        self.count += n

    def close(self):
        pass


class _Tqdm(_Silent):
    backend = "tqdm"

    def __init__(self, total, desc, unit, stream):
        super().__init__(total)
        from tqdm import tqdm
        self._bar = tqdm(total=total, desc=desc, unit=unit, file=stream,
                         dynamic_ncols=True, leave=False)

    def update(self, n=1, item=None):
        self.count += n
        if item is not None:
            self._bar.set_postfix_str(str(item), refresh=False)
        self._bar.update(n)

    def close(self):
        self._bar.close()


class _Rich(_Silent):
    backend = "rich"

    def __init__(self, total, desc, unit, stream):
        super().__init__(total)
        from rich.console import Console
        from rich.progress import (BarColumn, Progress, TextColumn,
                                   TimeRemainingColumn)
        self._progress = Progress(TextColumn("{task.description}"), BarColumn(),
                                  TextColumn("{task.completed}/{task.total} " + unit),
                                  TimeRemainingColumn(), TextColumn("{task.fields[item]}"),
                                  console=Console(file=stream), transient=True)
        self._progress.start()
        self._task = self._progress.add_task(desc, total=total, item="")

    def update(self, n=1, item=None):
        self.count += n
        fields = {} if item is None else {"item": str(item)}
        self._progress.update(self._task, advance=n, **fields)

    def close(self):
        self._progress.stop()


class progress:
    """Context manager giving a bar object with ``update(n=1, item=None)``.

    Parameters
    ----------
    total : int or None
        Number of items (None when unknown).
    desc : str
        What is being counted, shown before the bar.
    unit : str, optional
        Unit of one item.
    enabled : bool or None, optional
        Force the bar on or off; None decides from the stream and
        ``SIGCONV_PROGRESS``.
    stream : file, optional
        Where to draw (default ``sys.stderr``).
    """

    def __init__(self, total, desc, unit="it", enabled=None, stream=None):
        self.total, self.desc, self.unit = total, desc, unit
        self.stream = sys.stderr if stream is None else stream
        self.enabled = _wanted(self.stream, enabled)
        self.bar = None

    def __enter__(self):
        bar = None
        if self.enabled:
            for cls in (_Tqdm, _Rich):
                try:
                    bar = cls(self.total, self.desc, self.unit, self.stream)
                    break
                except ImportError:
                    continue
        self.bar = bar if bar is not None else _Silent(self.total)
        return self.bar

    def __exit__(self, *exc):
        self.bar.close()
        return False
