"""An OS-level lock file that keeps a second app instance off the same database."""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

from companion.store.errors import StoreLocked, StoreReadOnly


def lock_path_for(db_path: Path) -> Path:
    """The lock file beside a database: <name>.lock."""
    return db_path.with_name(db_path.name + ".lock")


class InstanceLock:
    """An exclusive, non-blocking lock the OS drops when the process dies."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.path = lock_path_for(db_path)
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock, or raise StoreLocked if another instance holds it."""
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
                raise StoreReadOnly(
                    key="folder_read_only", folder=self.db_path.parent
                ) from exc
            raise
        try:
            _lock_fd(fd)
        except OSError as exc:
            os.close(fd)
            raise StoreLocked(key="already_open", path=self.db_path) from exc
        self._fd = fd

    def release(self) -> None:
        """Drop the lock; the file stays, since deleting it would race a newcomer."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            _unlock_fd(fd)
        finally:
            os.close(fd)

    @property
    def held(self) -> bool:
        """True while this object holds the lock."""
        return self._fd is not None


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock_fd(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

    def _unlock_fd(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock_fd(fd: int) -> None:
        # flock belongs to the open file description, so even a second open in
        # this same process is refused, and a killed process loses it at once.
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock_fd(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
