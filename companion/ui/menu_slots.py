"""Named places in the menus where features put their actions, in a stable order."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu


class MenuSlots:
    """Named places in the menus where features put their actions, in order."""

    def __init__(self) -> None:
        self._slots: dict[str, tuple[QMenu, QAction]] = {}

    def define(self, name: str, menu: QMenu, before: QAction | None = None) -> None:
        """A slot in menu, above before (at the end when None)."""
        marker = QAction(menu)
        marker.setVisible(False)  # a place holder: it keeps the order stable
        if before is None:
            menu.addAction(marker)
        else:
            menu.insertAction(before, marker)
        self._slots[name] = (menu, marker)

    def add(self, name: str, *actions: QAction, separator: bool = False) -> None:
        """Put actions in the slot, after what is there already."""
        menu, marker = self._slots[name]
        menu.insertActions(marker, list(actions))
        if separator:
            menu.insertSeparator(marker)

    def names(self) -> list[str]:
        return list(self._slots)
