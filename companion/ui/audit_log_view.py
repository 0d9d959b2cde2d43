"""Help → Audit log…: the newest audit rows, and the hash chain checked on a worker."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from companion.hub.join import joined
from companion.store import StoreError
from companion.store.audit import ChainCheck
from companion.ui.app_context import AppContext
from companion.ui.background_call import run_in_background
from companion.ui.error_text import error_text


class AuditLogDialog(QDialog):
    """Help → Audit log…: the newest audit rows and whether the chain verifies.

    The rows show at once; the whole chain is verified on a worker (about
    0.65 s per 200,000 rows), and checked(ok, first_bad_row) follows.
    """

    LIMIT = 1000
    checked = Signal(bool, object)
    # Other rooms' chains (clinic server): room id → (ok, first bad row).
    remote_checked = Signal(object)

    def __init__(self, context: AppContext) -> None:
        super().__init__(context.parent_widget, objectName="auditLogDialog")
        self.strings = context.state.strings
        t = self.strings.t
        store = context.ops.store
        self.setWindowTitle(t("security.audit_log").replace("&", "").rstrip("…"))
        self.table = QTableWidget(0, 4, objectName="auditTable")
        self.table.setHorizontalHeaderLabels(
            [
                t("security.audit_id"),
                t("security.audit_time"),
                t("security.audit_event"),
                t("security.audit_record"),
            ]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.status = QLabel(objectName="auditStatus")
        self.remote = QLabel(objectName="auditRemote")
        self.remote.setWordWrap(True)
        self.remote.setVisible(False)
        try:
            rows = store.audit_log(self.LIMIT)
            job = store.audit_chain_job()
        except StoreError as error:
            rows = []
            self.status.setText(error_text(error, self.strings))
        else:
            self.status.setText(t("security.audit_checking"))
            run_in_background(
                job.run,
                self._show_result,
                self._show_error,
                expected=(StoreError,),
                name="audit-chain-check",
            )
            self._check_remote(job, joined(store.path) is not None)
        self.table.setRowCount(len(rows))
        for r, entry in enumerate(reversed(rows)):
            stamp = entry.at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
            for c, value in enumerate(
                (str(entry.id), stamp, entry.event, entry.record_id)
            ):
                self.table.setItem(r, c, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.remote)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout.addWidget(close)
        self.resize(760, 480)

    def _show_result(self, result: tuple[bool, int | None]) -> None:
        ok, bad = result
        t = self.strings.t
        self.status.setText(
            t("security.audit_ok") if ok else t("security.audit_bad", row=bad)
        )
        self.checked.emit(ok, bad)

    def _show_error(self, error: BaseException) -> None:
        self.status.setText(error_text(error, self.strings))
        self.checked.emit(False, None)

    def _check_remote(self, job: ChainCheck, joined: bool) -> None:
        # Off the GUI thread like the local check: a clinic's rooms hold
        # every other room's chain, years of rows each.
        self._joined = joined
        if joined:
            self.remote.setText(self.strings.t("security.remote_checking"))
            self.remote.setVisible(True)
        run_in_background(
            job.run_remote,
            self._show_remote,
            self._show_remote_error,
            expected=(StoreError,),
            name="audit-chain-check-rooms",
        )

    def _show_remote(self, result: dict[str, tuple[bool, int | None]]) -> None:
        t = self.strings.t
        lines = [
            t("security.remote_ok", room=room[:6])
            if ok
            else t("security.remote_bad", room=room[:6], row=bad)
            for room, (ok, bad) in sorted(result.items())
        ]
        if not lines and self._joined:
            lines = [t("security.remote_none")]
        self.remote.setText("\n".join(lines))
        self.remote.setVisible(bool(lines))
        self.remote_checked.emit(result)

    def _show_remote_error(self, error: BaseException) -> None:
        self.remote.setText(error_text(error, self.strings))
        self.remote.setVisible(True)
        self.remote_checked.emit(None)
