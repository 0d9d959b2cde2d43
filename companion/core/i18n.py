"""The one translation path for interface strings, read from assets/i18n/<lang>.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

I18N_DIR = Path(__file__).resolve().parents[2] / "assets" / "i18n"
REFERENCE_LANGUAGE = "en"


class TranslationError(Exception):
    """A strings file is missing, malformed or out of step with English."""


def _flatten(table: dict[str, object], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        elif isinstance(value, str):
            flat[name] = value
        else:
            raise TranslationError(
                f"{name}: expected text, found {type(value).__name__}"
            )
    return flat


@lru_cache(maxsize=8)
def _load(language: str, folder: str) -> dict[str, str]:
    path = Path(folder) / f"{language}.toml"
    try:
        with path.open("rb") as handle:
            return _flatten(tomllib.load(handle))
    except FileNotFoundError:
        raise TranslationError(
            f"{path.name}: no strings file for {language!r}"
        ) from None
    except (tomllib.TOMLDecodeError, TranslationError) as error:
        raise TranslationError(f"{path.name}: {error}") from None


def languages(folder: Path = I18N_DIR) -> tuple[str, ...]:
    """Language codes with a strings file, English first."""
    codes = sorted(p.stem for p in folder.glob("*.toml"))
    return tuple(sorted(codes, key=lambda c: c != REFERENCE_LANGUAGE))


@dataclass(frozen=True)
class Strings:
    """Interface strings of one language; `t("menu.file")` looks one up."""

    language: str
    table: dict[str, str]

    def t(self, key: str, **values: object) -> str:
        """The string for key, with {placeholders} filled from values."""
        try:
            text = self.table[key]
        except KeyError:
            raise TranslationError(
                f"{self.language}.toml: {key}: missing string"
            ) from None
        return text.format(**values) if values else text


def strings(language: str, folder: Path = I18N_DIR) -> Strings:
    """Load (once) and return the interface strings for a language."""
    return Strings(language, _load(language, str(folder)))


def check_parity(folder: Path = I18N_DIR) -> list[str]:
    """Problems where a language's keys differ from English's; empty when in step."""
    reference = set(_load(REFERENCE_LANGUAGE, str(folder)))
    problems: list[str] = []
    for code in languages(folder):
        keys = set(_load(code, str(folder)))
        problems += [
            f"{code}.toml: {k}: missing string" for k in sorted(reference - keys)
        ]
        problems += [
            f"{code}.toml: {k}: not in en.toml" for k in sorted(keys - reference)
        ]
    return problems
