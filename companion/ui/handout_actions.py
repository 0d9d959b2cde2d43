"""Save or print the open visit's handout: its language, paper and file, asked once.

The handout is always the open visit's (its regions, today's plan, its
follow-up date) in the patient's preferred language unless the clinician picks
another in the step that saves or prints it; what the patient screen last
showed plays no part.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QMarginsF, QObject, QStandardPaths, Signal
from PySide6.QtGui import QPageLayout, QPageSize
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from companion.core import visit_rules
from companion.core.exercise_pages import ProgrammeHandout, programme_handout
from companion.core.handout import Handout, first_name
from companion.core.i18n import strings
from companion.core.visit_handout import (
    handout_file_name,
    handout_for_visit,
    missing_parts,
)
from companion.ui.app_context import AppContext
from companion.ui.exercise_panel import library_for
from companion.ui.handout import (
    MARGIN_PT,
    PAGE_SIZE_KEY,
    PAGE_SIZES,
    HandoutLayout,
    handout_diagram,
    page_size_name,
    paint_on_device,
    write_pdf,
)
from companion.ui.patient_diagram import PatientDiagram
from companion.ui.show_name import show_name_allowed

FOLDER_KEY = "handout/folder"


@dataclass(frozen=True)
class HandoutChoice:
    """What the clinician chose in the handout step."""

    language: str
    page_size: str  # "letter" or "a4"
    path: Path | None = None  # where the PDF goes (None when printing)


class HandoutDialog(QDialog):
    """Language and paper for this handout, and what it would go home without."""

    def __init__(
        self,
        context: AppContext,
        language: str,
        page_size: str,
        missing: list[str],
        parent: QWidget | None = None,
        path: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("handoutDialog")
        self.context = context
        t = context.t
        self.setWindowTitle(t("handout.dialog_title"))
        # Saving a PDF: the file is chosen here too, so one dialog does it all.
        self.path = QLineEdit(str(path) if path else "", objectName="handoutPath")
        browse = QPushButton(t("handout.browse"), objectName="handoutBrowse")
        browse.setAutoDefault(False)  # Enter saves; it never opens the browser
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(browse)
        self.language = QComboBox(objectName="handoutLanguage")
        for code in context.state.languages:
            self.language.addItem(t(f"language.{code}"), code)
        self.language.setCurrentIndex(max(self.language.findData(language), 0))
        self.paper = QComboBox(objectName="handoutPaper")
        for code in PAGE_SIZES:
            self.paper.addItem(t(f"handout.paper_{code}"), code)
        self.paper.setCurrentIndex(max(self.paper.findData(page_size), 0))
        form = QFormLayout()
        form.addRow(t("handout.language"), self.language)
        form.addRow(t("handout.paper"), self.paper)
        if path is not None:
            form.addRow(t("handout.file"), path_row)
        else:
            self.path.hide()
            browse.hide()
        layout = QVBoxLayout(self)
        patient = context.ops.patient
        if patient is not None:
            who = QLabel(
                t("handout.for_patient", patient=patient.label), objectName="handoutFor"
            )
            layout.addWidget(who)
        layout.addLayout(form)
        self.warning = QLabel(objectName="handoutWarning", wordWrap=True)
        if missing:
            self.warning.setText(
                "⚠ " + " ".join(t(f"handout.missing_{part}") for part in missing)
            )
        self.warning.setVisible(bool(missing))
        layout.addWidget(self.warning)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(t("handout.save" if path is not None else "handout.print"))
        ok.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(max(self.sizeHint().width(), 560), self.sizeHint().height())

    def _browse(self) -> None:
        t = self.context.t
        path, _filter = QFileDialog.getSaveFileName(
            self, t("handout.save_title"), self.path.text(), t("handout.pdf_filter")
        )
        if path:
            self.path.setText(path)

    def choice(self) -> HandoutChoice:
        text = self.path.text().strip() if self.path.isVisibleTo(self) else ""
        path = None
        if text:
            path = Path(text if text.lower().endswith(".pdf") else f"{text}.pdf")
        return HandoutChoice(
            self.language.currentData(), self.paper.currentData(), path
        )


class HandoutActions(QObject):
    """Composes the open visit's handout, then saves or prints it."""

    # No visit is open: the window offers to start one.
    start_visit_requested = Signal()

    def __init__(self, context: AppContext) -> None:
        super().__init__(context)
        self.context = context
        self.last_layout: HandoutLayout | None = None
        # Tests and tools answer the handout step themselves.
        self.ask: Callable[[HandoutChoice, list[str]], HandoutChoice | None] = (
            self._ask_with_dialog
        )
        self.dialog: HandoutDialog | None = None

    # -- what goes on the page ------------------------------------------------

    def codes(self) -> list[str]:
        visit = self.context.ops.visit
        if visit is None:
            return []
        return visit_rules.visit_codes(visit.levels, visit.regions)

    def default_choice(self) -> HandoutChoice:
        """The patient's preferred language and the clinic's paper."""
        patient = self.context.ops.patient
        languages = self.context.state.languages
        language = (
            patient.preferred_language
            if patient is not None and patient.preferred_language in languages
            else self.context.state.language
        )
        return HandoutChoice(language, page_size_name(self.context.settings))

    def missing(self) -> list[str]:
        visit = self.context.ops.visit
        if visit is None:
            return []
        return missing_parts(visit)

    def compose(self, language: str | None = None) -> Handout | None:
        """The open visit's handout; None when no visit (or no level) is open."""
        ops = self.context.ops
        ops.flush_pending()  # the plan being typed goes on the page too
        visit, patient = ops.visit, ops.patient
        if visit is None or patient is None or not self.codes():
            return None
        language = language or self.default_choice().language
        settings = self.context.settings
        name = first_name(patient) if show_name_allowed(settings) else ""
        return handout_for_visit(
            self.context.state.content_for(language),
            visit,
            ops.visits(),
            strings(language),
            clinic_name=settings.get_str("clinic/name", ""),
            name=name,
        )

    def programme(self, language: str) -> ProgrammeHandout | None:
        """The open visit's exercises for page 2, in language; None without any."""
        saved = self.context.ops.current_programme()
        if saved is None or not saved.items:
            return None
        return programme_handout(library_for(language), saved.items)

    def _diagram(self, handout: Handout) -> PatientDiagram:
        content = self.context.state.content_for(handout.language)
        return handout_diagram(content, self.codes(), handout.muscles)

    # -- producing it ---------------------------------------------------------

    def _say(self, key: str, **values: object) -> None:
        self.context.status(self.context.t(key, **values), 8000)

    def _produce(
        self,
        draw: Callable[
            [Handout, PatientDiagram, ProgrammeHandout | None], HandoutLayout
        ],
        title: str,
        language: str | None,
    ) -> HandoutLayout | None:
        handout = self.compose(language)
        if handout is None:
            self._no_visit()
            return None
        diagram = self._diagram(handout)
        try:
            programme = self.programme(handout.language)
            self.last_layout = draw(handout, diagram, programme)
        except OSError as error:
            QMessageBox.warning(
                self.context.parent_widget,
                title,
                self.context.t("handout.failed", message=error),
            )
            return None
        finally:
            diagram.deleteLater()
        return self.last_layout

    def save_to(
        self, path: Path, choice: HandoutChoice | None = None
    ) -> HandoutLayout | None:
        """Write the handout PDF to path; None (and a message) when it cannot."""
        choice = choice or self.default_choice()
        title = self.context.t("handout.save_title")
        size = QPageSize(PAGE_SIZES[choice.page_size])
        layout = self._produce(
            lambda h, d, p: write_pdf(h, path, d, size, p), title, choice.language
        )
        if layout is not None:
            self._say("handout.saved", path=str(path))
        return layout

    def suggested_path(self) -> Path:
        """The last folder used (else Documents), the chart number and the date."""
        folder = self.context.settings.get_str(FOLDER_KEY, "") or (
            QStandardPaths.writableLocation(
                QStandardPaths.StandardLocation.DocumentsLocation
            )
        )
        if not folder or not Path(folder).is_dir():
            # A fresh account may have no Documents folder (or the last one
            # was on a drive now gone): the home folder, never the program's.
            folder = str(Path.home())
        patient, visit = self.context.ops.patient, self.context.ops.visit
        assert patient is not None and visit is not None
        name = handout_file_name(
            patient, visit.visit_date, self.context.t("handout.file_name")
        )
        return Path(folder) / name

    def save_pdf(self) -> None:
        """Ctrl+Shift+P: one dialog (language, paper, file), then write the PDF."""
        choice = self._choose(save=True)
        if choice is None or choice.path is None:
            return
        self.context.settings.set(FOLDER_KEY, str(choice.path.parent))
        self.save_to(choice.path, choice)

    def print_to(
        self, printer: QPrinter, choice: HandoutChoice | None = None
    ) -> HandoutLayout | None:
        """Print the handout on an already-configured printer."""
        choice = choice or self.default_choice()
        title = self.context.t("handout.menu_print").replace("&", "")
        layout = self._produce(
            lambda h, d, p: paint_on_device(printer, h, d, p), title, choice.language
        )
        if layout is not None:
            self._say("handout.printed")
        return layout

    def print(self) -> None:
        """Ask language and paper, show the print dialog, then print one page."""
        choice = self._choose()
        if choice is None:
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageSize(QPageSize(PAGE_SIZES[choice.page_size]))
        printer.setPageMargins(
            QMarginsF(MARGIN_PT, MARGIN_PT, MARGIN_PT, MARGIN_PT),
            QPageLayout.Unit.Point,
        )
        dialog = QPrintDialog(printer, self.context.parent_widget)
        if dialog.exec() == QPrintDialog.DialogCode.Accepted:
            self.print_to(printer, choice)

    def _choose(self, save: bool = False) -> HandoutChoice | None:
        # Only whether there is something to hand out: the page itself is
        # composed once, after the choice, in the language chosen.
        if self.context.ops.patient is None or not self.codes():
            self._no_visit()
            return None
        default = self.default_choice()
        if save:
            default = HandoutChoice(
                default.language, default.page_size, self.suggested_path()
            )
        choice = self.ask(default, self.missing())
        if choice is not None and choice.page_size != page_size_name(
            self.context.settings
        ):
            self.context.settings.set(PAGE_SIZE_KEY, choice.page_size)
        return choice

    def _ask_with_dialog(
        self, default: HandoutChoice, missing: list[str]
    ) -> HandoutChoice | None:
        dialog = HandoutDialog(
            self.context,
            default.language,
            default.page_size,
            missing,
            self.context.parent_widget,
            default.path,
        )
        self.dialog = dialog
        return dialog.choice() if dialog.exec() else None

    def _no_visit(self) -> None:
        ops = self.context.ops
        if ops.visit is None:
            self.start_visit_requested.emit()
        else:
            self._say("handout.no_region")
