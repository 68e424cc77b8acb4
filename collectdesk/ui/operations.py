"""Long operations off the GUI thread, with progress (STYLE 5).

``run_in_background(window, title, work)`` runs ``work(progress)`` in a QThread;
``progress(done, total)`` may be called from that thread, and the result or the
error comes back to the GUI thread through queued signals.  With ``cancel`` (a
threading.Event the work checks) the progress dialog has a Cancel button that sets it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import QProgressDialog

from . import dialogs

Work = Callable[[Callable[[int, int], None]], str]


class _Worker(QObject):
    progressed = Signal(int, int)
    done = Signal(str)
    failed = Signal(str)

    def __init__(self, work: Work) -> None:
        super().__init__()
        self.work = work

    def run(self) -> None:
        try:
            message = self.work(lambda d, t: self.progressed.emit(int(d), int(t)))
        except Exception as exc:  # noqa: BLE001 - reported to the operator, never lost
            self.failed.emit(f"{exc.__class__.__name__}: {exc}")
        else:
            self.done.emit(message or "Done.")


class _Receiver(QObject):
    """Lives on the GUI thread: the worker's signals are delivered here, queued."""

    def __init__(self, window: Any, title: str, thread: QThread, worker: _Worker,
                 on_done: Callable[[str], None] | None, cancel: threading.Event | None) -> None:
        super().__init__(window)
        self.window_ = window
        self.title = title
        self.thread_ = thread
        self.worker = worker
        self.on_done = on_done
        self.dialog = QProgressDialog(title, "", 0, 0, window)
        self.dialog.setWindowTitle(title)
        if cancel is None:
            self.dialog.setCancelButton(None)
        else:
            self.dialog.setCancelButtonText("&Cancel")
            # Cancel asks the work to stop at its next check; the dialog stays until it has.
            self.dialog.canceled.disconnect()
            self.dialog.canceled.connect(cancel.set)
            self.dialog.canceled.connect(lambda: self.dialog.setLabelText(f"{title}: stopping…"))
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(300)

    @Slot(int, int)
    def progressed(self, done: int, total: int) -> None:
        self.dialog.setMaximum(max(total, 1))
        self.dialog.setValue(done)

    @Slot(str)
    def done(self, message: str) -> None:
        self._finish()
        self.window_.statusBar().showMessage(message, 8000)
        if self.on_done is not None:
            self.on_done(message)

    @Slot(str)
    def failed(self, message: str) -> None:
        self._finish()
        dialogs.tell(self.window_, self.title, message, warning=True)

    def _finish(self) -> None:
        self.dialog.close()
        self.thread_.quit()
        self.thread_.wait()
        self.worker.deleteLater()
        self.deleteLater()


def run_in_background(window: Any, title: str, work: Work,
                      on_done: Callable[[str], None] | None = None,
                      cancel: threading.Event | None = None) -> QThread:
    thread = QThread(window)
    worker = _Worker(work)
    worker.moveToThread(thread)
    receiver = _Receiver(window, title, thread, worker, on_done, cancel)
    thread.started.connect(worker.run)
    worker.progressed.connect(receiver.progressed, Qt.ConnectionType.QueuedConnection)
    worker.done.connect(receiver.done, Qt.ConnectionType.QueuedConnection)
    worker.failed.connect(receiver.failed, Qt.ConnectionType.QueuedConnection)
    thread.start()
    return thread
