"""The tests' PostgreSQL: the throwaway cluster of companion.hub.scratch_server."""

from companion.hub.scratch_server import (  # noqa: F401
    Server,
    available,
    create_server,
    destroy,
    make_certificate,
)
