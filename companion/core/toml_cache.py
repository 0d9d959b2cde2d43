"""tomllib parsing with a cache of parsed files, so a warm start parses no TOML."""

from __future__ import annotations

import marshal
from pathlib import Path
from typing import Any

from companion.core.file_cache import FileCache


def load_toml(path: Path, cache_dir: Path | None = None) -> dict[str, Any]:
    """Parse a TOML file as tomllib.load does, from cache_dir's copy if unchanged.

    A missing, stale or damaged cache costs a parse, never an error or a wrong
    answer (see FileCache). Raises what reading the file and tomllib raise.
    """
    path = Path(path)
    data = path.read_bytes()
    cache = FileCache(cache_dir, "toml-cache", "1") if cache_dir is not None else None
    if cache is not None:
        payload = cache.get(path, data)
        if payload is not None:
            try:
                parsed = marshal.loads(payload)
            except (EOFError, ValueError, TypeError):
                parsed = None
            if isinstance(parsed, dict):
                return parsed
    # Imported only on a miss: importing tomllib costs more than a cache hit.
    import tomllib

    parsed = tomllib.loads(data.decode("utf-8"))
    if cache is not None:
        try:
            payload = marshal.dumps(parsed)
        except ValueError:
            return parsed  # a TOML date or time: marshal cannot hold one
        cache.put(path, data, payload)
    return parsed
