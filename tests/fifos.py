"""A FIFO consumer for output tests: reads in a thread, as a process at the other end of a pipe would."""

from __future__ import annotations

import os
import threading
from pathlib import Path


class FifoReader:
    """Reads a FIFO to EOF in a thread, as a consumer process would.

    A second hard link keeps the FIFO reachable, so a test that fails (the FIFO renamed over)
    can still wake the blocked reader instead of leaving a thread hanging.
    """

    def __init__(self, fifo: Path) -> None:
        self.handle = fifo.with_name(fifo.name + ".handle")
        os.link(fifo, self.handle)
        self.data = b""
        self.thread = threading.Thread(target=self._read, args=(fifo,), daemon=True)
        self.thread.start()

    def _read(self, fifo: Path) -> None:
        with open(fifo, "rb") as stream:
            self.data = stream.read()

    def finish(self, timeout: float = 10.0) -> bytes:
        self.thread.join(timeout)
        if self.thread.is_alive():
            # Nothing opened the FIFO for writing: open and close it so the reader gets EOF.
            os.close(os.open(self.handle, os.O_WRONLY | os.O_NONBLOCK))
            self.thread.join(timeout)
            raise AssertionError("nothing was written to the FIFO")
        return self.data
