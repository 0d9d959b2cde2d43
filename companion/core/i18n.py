"""The one translation path for interface strings, read from assets/i18n/<lang>.toml."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from companion.core.toml_cache import load_toml

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


# Loaded tables by (language, folder): each strings file is read once.
_TABLES: dict[tuple[str, str], dict[str, str]] = {}


def _load(language: str, folder: str, cache_dir: Path | None = None) -> dict[str, str]:
    table = _TABLES.get((language, folder))
    if table is None:
        table = _TABLES[(language, folder)] = _read(language, folder, cache_dir)
    return table


def _read(language: str, folder: str, cache_dir: Path | None) -> dict[str, str]:
    path = Path(folder) / f"{language}.toml"
    try:
        return _flatten(load_toml(path, cache_dir))
    except FileNotFoundError:
        raise TranslationError(
            f"{path.name}: no strings file for {language!r}"
        ) from None
    # ValueError: tomllib.TOMLDecodeError (tomllib loads only on a cache miss)
    # or a file that is not UTF-8.
    except (TranslationError, ValueError) as error:
        raise TranslationError(f"{path.name}: {error}") from None


def languages(folder: Path = I18N_DIR) -> tuple[str, ...]:
    """Language codes with a strings file, English first."""
    codes = sorted(p.stem for p in folder.glob("*.toml"))
    return tuple(sorted(codes, key=lambda c: c != REFERENCE_LANGUAGE))


class Strings(NamedTuple):
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


def strings(
    language: str, folder: Path = I18N_DIR, cache_dir: Path | None = None
) -> Strings:
    """Load (once) and return the interface strings for a language.

    With cache_dir, the parsed file is kept there so the next start parses no
    TOML (see toml_cache); a language already loaded is never read again.
    """
    return Strings(language, _load(language, str(folder), cache_dir))


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
