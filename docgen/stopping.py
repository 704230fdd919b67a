"""Stopping a run from outside: Ctrl-C, SIGTERM (a scheduler, ``systemctl stop``) or SIGHUP
(the terminal closed) all become a KeyboardInterrupt, so every step stops as it does for
Ctrl-C: the pool is shut down, temporary files are swept and nothing is half-written.

A face module (the command line, the web page) wraps a run in :func:`signals_stop_the_run`
and maps :class:`Stopped` to its own message; the library underneath only ever sees
KeyboardInterrupt. Kept apart from ``docgen.cli`` so that face stays about options and output.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# The signals that stop a run cleanly; the first one only (the run is then stopping).
SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


class Stopped(KeyboardInterrupt):
    """Stopped by a signal other than SIGINT; ``signum`` says which (exit code 128 + signum)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def signal_number(err: KeyboardInterrupt) -> int:
    """The signal behind a KeyboardInterrupt: SIGINT unless it was :class:`Stopped`."""
    return err.signum if isinstance(err, Stopped) else int(signal.SIGINT)


def describe(signum: int) -> str:
    """``Interrupted`` for Ctrl-C, else ``Stopped by SIGTERM`` (or the signal's name)."""
    return "Interrupted" if signum == signal.SIGINT else f"Stopped by {signal.Signals(signum).name}"


def _stop(signum: int, frame: object) -> None:
    for s in SIGNALS:
        signal.signal(s, signal.SIG_IGN)
    raise KeyboardInterrupt if signum == signal.SIGINT else Stopped(signum)


@contextmanager
def signals_stop_the_run() -> Iterator[None]:
    """Within the block, the first stopping signal raises KeyboardInterrupt (or
    :class:`Stopped`) and later ones are ignored while the run winds down; the previous
    handlers come back afterwards. Only the main thread can set handlers, so elsewhere
    (a test runner's thread, a web server's worker) the block runs as it is."""
    handlers = {}
    if threading.current_thread() is threading.main_thread():
        handlers = {s: signal.signal(s, _stop) for s in SIGNALS}
    try:
        yield
    finally:
        for s, handler in handlers.items():
            signal.signal(s, handler)
