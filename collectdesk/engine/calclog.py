"""``/calclog``: every step of a debtor recalculation written to a tab-separated file.

One line per step: ``step<TAB>field<TAB>value<TAB>detail``.  A recalculation starts with a
``debtor`` line naming the file number; each transaction read, skipped or counted, each
interest stretch and each total written follows.  Tabs and newlines inside a detail are
replaced by spaces so a line is always four columns.

:func:`start` turns logging on for the whole program (the ``/calclog`` startup flag): every
recalculation, one account or the batch, then writes to that file until :func:`stop`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import IO, Any

HEADER = "step\tfield\tvalue\tdetail\n"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return str(value).replace("\t", " ").replace("\r", " ").replace("\n", " ")


class CalcLog:
    """A callable ``log(step, field, value, detail="")`` appending to ``path``."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        new = not self.path.exists() or self.path.stat().st_size == 0
        self._file: IO[str] | None = self.path.open("a", encoding="utf-8", newline="\n",
                                                    buffering=1)  # readable while running
        if new:
            self._file.write(HEADER)

    def __call__(self, step: str, field: str, value: Any = None, detail: Any = "") -> None:
        if self._file is None:
            raise ValueError("calculation log is closed")
        self._file.write(f"{_text(step)}\t{_text(field)}\t{_text(value)}\t{_text(detail)}\n")

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self) -> CalcLog:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


_active: CalcLog | None = None


def start(path: str | Path = "calclog.txt") -> CalcLog:
    """Log every recalculation from now on (the ``/calclog`` startup flag)."""
    global _active
    stop()
    _active = CalcLog(path)
    return _active


def stop() -> None:
    global _active
    if _active is not None:
        _active.close()
        _active = None


def active() -> CalcLog | None:
    """The log recalculations write to when none is passed to them."""
    return _active


def read_calclog(path: str | Path) -> list[tuple[str, str, str, str]]:
    """The lines of a calculation log (without the header) as 4-tuples."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    out: list[tuple[str, str, str, str]] = []
    for line in lines[1:] if lines and lines[0] + "\n" == HEADER else lines:
        step, field, value, detail = (line.split("\t") + ["", "", "", ""])[:4]
        out.append((step, field, value, detail))
    return out
