"""The diagram's last picture, kept between runs so the first paint needs no scene."""

from __future__ import annotations

import zlib
from pathlib import Path

from PySide6.QtCore import qVersion
from PySide6.QtGui import QImage

from companion.core.file_cache import FileCache

_FORMAT = QImage.Format.Format_ARGB32_Premultiplied
# Drawing code that changes how the diagram looks must not reuse old pictures.
_SOURCES = ("spine_view.py", "svg_scene.py", "diagram_snapshot.py")


def _code_version() -> str | None:
    here = Path(__file__).resolve().parent
    try:
        crc = 0
        for name in _SOURCES:
            crc = zlib.crc32((here / name).read_bytes(), crc)
    except OSError:
        return None  # no source to check against (a frozen build): no cache
    return f"{qVersion()}:{crc:08x}"


def _cache(cache_dir: Path, look: str) -> FileCache | None:
    code = _code_version()
    if code is None:
        return None
    # look names everything the picture shows (view, selection, size, …): a
    # picture taken in any other state is a miss, never a wrong first frame.
    return FileCache(cache_dir, "firstpaint", f"{code}|{look}")


def load(cache_dir: Path, svg_path: Path, look: str) -> QImage | None:
    """The picture stored for this art and look, or None."""
    cache = _cache(cache_dir, look)
    if cache is None:
        return None
    try:
        data = svg_path.read_bytes()
    except OSError:
        return None
    payload = cache.get(svg_path, data)
    if payload is None or len(payload) < 12:
        return None
    width, height, ratio_milli = (
        int.from_bytes(payload[i : i + 4], "big") for i in (0, 4, 8)
    )
    try:
        pixels = zlib.decompress(payload[12:])
    except zlib.error:
        return None
    if width <= 0 or height <= 0 or len(pixels) != width * height * 4:
        return None
    image = QImage(pixels, width, height, width * 4, _FORMAT).copy()
    image.setDevicePixelRatio(ratio_milli / 1000)
    return image


def store(cache_dir: Path, svg_path: Path, look: str, image: QImage) -> None:
    """Keep image as this art's picture in this look (failing to is harmless)."""
    cache = _cache(cache_dir, look)
    if cache is None:
        return
    try:
        data = svg_path.read_bytes()
    except OSError:
        return
    image = image.convertToFormat(_FORMAT)
    width, height = image.width(), image.height()
    # Rows are packed (a width * 4 stride), so the bytes round-trip exactly.
    pixels = bytes(image.constBits())[: width * height * 4]
    if image.bytesPerLine() != width * 4:
        return
    ratio_milli = round(image.devicePixelRatio() * 1000)
    head = b"".join(v.to_bytes(4, "big") for v in (width, height, ratio_milli))
    # Mostly flat paper: level 1 keeps it small and quick to unpack.
    cache.put(svg_path, data, head + zlib.compress(pixels, 1))
