"""A throwaway PostgreSQL 15 cluster (TLS, loopback only): tests, bench, trials."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

BIN = Path("/usr/lib/postgresql/15/bin")
ADMIN = "hubadmin"


def available() -> bool:
    """True when the PostgreSQL 15 server binaries are installed."""
    return (BIN / "initdb").exists() and (BIN / "pg_ctl").exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_server_user(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    # initdb and postgres refuse to run as root: use the Debian postgres user.
    if os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--", *args]
    return subprocess.run(args, check=True, capture_output=True, text=True, **kwargs)


def make_certificate(folder: Path, name: str) -> tuple[Path, Path]:
    """A self-signed certificate and its key (a server's, or a stranger's)."""
    cert, key = folder / f"{name}.crt", folder / f"{name}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec",
         "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
         "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@dataclass
class Server:
    """A running test cluster; admin_dsn reaches it over its private socket."""

    root: Path
    port: int

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def admin_dsn(self) -> str:
        return f"host={self.root} port={self.port} user={ADMIN} dbname=postgres"

    def url(self, role: str, database: str) -> str:
        return f"postgresql://{role}@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        _as_server_user(
            [str(BIN / "pg_ctl"), "-D", str(self.data), "-l",
             str(self.root / "log"), "-w", "-t", "30", "start"]
        )  # fmt: skip

    def stop(self) -> None:
        _as_server_user([str(BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast",
                         "-w", "stop"])  # fmt: skip

    def running(self) -> bool:
        result = subprocess.run(
            [str(BIN / "pg_ctl"), "-D", str(self.data), "status"],
            capture_output=True,
        )
        return result.returncode == 0 or (
            os.geteuid() == 0
            and subprocess.run(
                ["runuser", "-u", "postgres", "--", str(BIN / "pg_ctl"), "-D",
                 str(self.data), "status"], capture_output=True,
            ).returncode == 0
        )  # fmt: skip


def create_server() -> Server:
    """initdb a cluster in a temp folder with TLS required on 127.0.0.1; start it."""
    root = Path(tempfile.mkdtemp(prefix="companion-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    server = Server(root, _free_port())
    cert, key = make_certificate(root, "server")
    if os.geteuid() == 0:
        for path in (cert, key):
            shutil.chown(path, "postgres", "postgres")
    os.chmod(key, 0o600)
    _as_server_user(
        [str(BIN / "initdb"), "-D", str(server.data), "-U", ADMIN,
         "--auth-local=trust", "--auth-host=reject", "-E", "UTF8", "--no-sync"]
    )  # fmt: skip
    # The admin comes in over the private socket; rooms only over TLS.
    (server.data / "pg_hba.conf").write_text(
        "local all all trust\n"
        "hostssl all all 127.0.0.1/32 scram-sha-256\n"
        "host all all 127.0.0.1/32 reject\n",
        encoding="utf-8",
    )
    with open(server.data / "postgresql.conf", "a", encoding="utf-8") as conf:
        conf.write(
            f"listen_addresses = '127.0.0.1'\nport = {server.port}\n"
            f"unix_socket_directories = '{root}'\n"
            f"ssl = on\nssl_cert_file = '{cert}'\nssl_key_file = '{key}'\n"
            # Test clusters are thrown away: durability costs only time here.
            "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
            "max_connections = 60\nshared_buffers = 32MB\n"
        )
    server.start()
    return server


def destroy(server: Server) -> None:
    """Stop the cluster (if running) and delete its folder."""
    with contextlib.suppress(subprocess.CalledProcessError):
        server.stop()
    shutil.rmtree(server.root, ignore_errors=True)
