"""The clinician's side of the patient screen and the handout: actions and menus.

The screen itself is built on first use (``screen``), and the handout's
machinery (``handout``: printing, the page layout) too, so that records open
without importing them (≈25–30 ms; the window warms them up right after).
Both show the open visit; with none open, F5 and the handout say so and
offer to start one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import QMessageBox

from companion.ui.app_context import AppContext
from companion.ui.show_name import SHOW_NAME_KEY, show_name_allowed

if TYPE_CHECKING:
    from companion.ui.handout_actions import HandoutActions
    from companion.ui.patient_screen import PatientScreen


class PatientScreenControls(QObject):
    """F5 and its companions, the handout's save and print, in the menus."""

    start_visit_requested = Signal()

    def __init__(self, context: AppContext) -> None:
        super().__init__(context)
        self.context = context
        self._screen: PatientScreen | None = None
        new = context.new_action
        self.show_action = new(self.present, "F5")
        self.language_action = new(self.toggle_language, "Ctrl+Shift+L")
        self.next_action = new(self.next_page, "F6")
        self.previous_action = new(self.previous_page, "Shift+F6")
        self.show_name_action = new(self.set_show_name, None, True)
        self.show_name_action.setChecked(show_name_allowed(context.settings))
        self._handout: HandoutActions | None = None
        self.pdf_action = new(lambda *_: self.handout.save_pdf(), "Ctrl+Shift+P")
        self.print_action = new(lambda *_: self.handout.print(), "Ctrl+Shift+R")
        context.menus.add("file.handout", self.pdf_action, self.print_action)
        context.menus.add(
            "view.patient_screen",
            self.show_action,
            self.next_action,
            self.previous_action,
            self.language_action,
            self.show_name_action,
        )
        context.state.language_changed.connect(lambda _lang: self.retranslate())
        context.window.installEventFilter(self)
        self.retranslate()

    @property
    def handout(self) -> HandoutActions:
        """The handout's save and print, made on first use."""
        if self._handout is None:
            from companion.ui.handout_actions import HandoutActions

            self._handout = HandoutActions(self.context)
            self._handout.start_visit_requested.connect(self.offer_visit)
        return self._handout

    @property
    def screen(self) -> PatientScreen:
        """The patient screen, built (hidden) on first use."""
        if self._screen is None:
            from companion.ui.patient_screen import PatientScreen

            ctx = self.context
            self._screen = PatientScreen(
                ctx.state,
                ctx.ops,
                ctx.settings,
                ctx.window,
                self.handout.default_choice().language,
            )
        return self._screen

    def built_screen(self) -> PatientScreen | None:
        """The patient screen if it has been built, without building it."""
        return self._screen

    @property
    def language(self) -> str:
        """The language the patient screen shows (the patient's, until L)."""
        if self._screen is not None:
            return self._screen.language
        return self.handout.default_choice().language

    def present(self) -> None:
        """F5: the open visit on the patient's screen, or why it cannot be shown."""
        if self.context.ops.visit is None:
            self.offer_visit()
            return
        self.screen.present()

    def offer_visit(self) -> None:
        """No visit is open: say so, and offer to start one for the open patient."""
        t = self.context.t
        patient = self.context.ops.patient
        parent = self.context.parent_widget
        if patient is None:
            box = QMessageBox(
                QMessageBox.Icon.Information,
                t("patient_screen.no_visit_title"),
                t("patient_screen.no_patient_text"),
                QMessageBox.StandardButton.Ok,
                parent,
            )
            box.setObjectName("noVisitMessage")
            box.open()
            self.no_visit_box = box
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            t("patient_screen.no_visit_title"),
            t("patient_screen.no_visit_text", patient=patient.label),
            QMessageBox.StandardButton.Cancel,
            parent,
        )
        box.setObjectName("noVisitMessage")
        start = box.addButton(
            t("patient_screen.start_visit"), QMessageBox.ButtonRole.AcceptRole
        )
        box.setDefaultButton(start)
        start.clicked.connect(self.start_visit_requested)
        box.open()
        self.no_visit_box = box

    def next_page(self) -> None:
        self.screen.next_page()

    def previous_page(self) -> None:
        self.screen.previous_page()

    def toggle_language(self) -> None:
        t = self.context.t
        if self.screen.toggle_language():
            name = t(f"language.{self.screen.language}")
            self.context.status(t("patient_screen.language_now", language=name), 4000)
        else:
            self.context.status(t("patient_screen.no_other_language"), 4000)

    def set_show_name(self, on: bool) -> None:
        self.context.settings.set(SHOW_NAME_KEY, "true" if on else "false")
        if self._screen is not None:
            self._screen.refresh_name()

    def retranslate(self) -> None:
        t = self.context.t
        for act, key in (
            (self.show_action, "patient_screen.menu_show"),
            (self.language_action, "patient_screen.menu_language"),
            (self.next_action, "patient_screen.menu_next"),
            (self.previous_action, "patient_screen.menu_previous"),
            (self.show_name_action, "patient_screen.menu_show_name"),
            (self.pdf_action, "handout.menu_pdf"),
            (self.print_action, "handout.menu_print"),
        ):
            act.setText(t(key))
            shortcut = act.shortcut().toString()
            tip = t(key).replace("&", "")
            act.setToolTip(f"{tip} ({shortcut})" if shortcut else tip)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Closing the clinician's window ends the day: the patient screen goes too,
        # or it would keep the application running.
        if (
            watched is self.context.window
            and event.type() == QEvent.Type.Close
            and self._screen is not None
        ):
            self._screen.hide()
        return False
