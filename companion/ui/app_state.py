"""The one shared application state: selection and language, with change signals."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from companion.core import spine
from companion.core.content import Content
from companion.core.i18n import Strings, strings


class AppState(QObject):
    """Widgets call its methods; it validates, stores, then says what changed."""

    selection_changed = Signal(object)  # str code or None
    language_changed = Signal(str)

    def __init__(
        self,
        contents: dict[str, Content],
        language: str = "en",
        cache_dir: Path | None = None,
    ) -> None:
        super().__init__()
        self._contents = contents
        self._language = language if language in contents else "en"
        self._selection: str | None = None
        self._cache_dir = cache_dir

    @property
    def cache_dir(self) -> Path | None:
        """Where parsed strings files and diagrams are kept between runs, if set."""
        return self._cache_dir

    @property
    def language(self) -> str:
        return self._language

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self._contents)

    @property
    def content(self) -> Content:
        return self._contents[self._language]

    @property
    def strings(self) -> Strings:
        return strings(self._language, cache_dir=self._cache_dir)

    @property
    def selection(self) -> str | None:
        return self._selection

    def content_for(self, language: str) -> Content:
        return self._contents[language]

    def is_known_code(self, code: str) -> bool:
        return (
            spine.is_level(code)
            or spine.is_region(code)
            or code in self.content.muscles
        )

    def select(self, code: str | None) -> None:
        """Select a level, region or muscle code; None clears, unknown is ignored."""
        if code is not None and not self.is_known_code(code):
            return
        if code != self._selection:
            self._selection = code
            self.selection_changed.emit(code)

    def set_language(self, language: str) -> None:
        if language in self._contents and language != self._language:
            self._language = language
            self.language_changed.emit(language)

    def display_names(self) -> dict[str, str]:
        """Code → name for the diagram's tooltips and labels, current language."""
        content = self.content
        names = {lv.code: lv.code for lv in spine.LEVELS}
        names.update({code: region.name for code, region in content.regions.items()})
        names.update({code: muscle.name for code, muscle in content.muscles.items()})
        return names

    def selection_name(self, code: str) -> str:
        return self.display_names().get(code, code)
