"""Turn the exceptions of the network stack into short sentences a user can act on."""

from __future__ import annotations

import errno
import os
import socket
import ssl
from collections.abc import Iterator


def causes(exc: BaseException) -> Iterator[BaseException]:
    """The exception and everything it was raised from, outermost first (urllib3 and requests nest deeply)."""
    seen: set[int] = set()
    stack: list[BaseException] = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        for nested in (current.__cause__, current.__context__, getattr(current, "reason", None)):
            if isinstance(nested, BaseException):
                stack.append(nested)
        stack.extend(arg for arg in current.args if isinstance(arg, BaseException))


# A network that cannot route to the address (the errno's own words are clear enough).
_UNROUTABLE = (errno.ENETUNREACH, errno.ENETDOWN, errno.EHOSTDOWN, errno.EADDRNOTAVAIL)


def connection_problem(exc: BaseException) -> str | None:
    """The socket-level reason behind a failed request, in words, or None when it was not a connection failure."""
    for cause in causes(exc):
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"TLS certificate not trusted ({cause.verify_message})"
        if isinstance(cause, ssl.SSLError):
            return f"TLS handshake failed ({getattr(cause, 'reason', None) or cause})"
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, FileNotFoundError):
            return "no such socket"
        if isinstance(cause, PermissionError):
            return "permission denied"
        if isinstance(cause, socket.gaierror):
            return "host name not found"
        if isinstance(cause, TimeoutError | socket.timeout) or type(cause).__name__ in (
            "ConnectTimeoutError",
            "ReadTimeoutError",
            "ConnectTimeout",
            "ReadTimeout",
        ):
            return "timed out"
        if isinstance(cause, OSError) and cause.errno == errno.EHOSTUNREACH:
            return "host unreachable"
        if isinstance(cause, OSError) and cause.errno in _UNROUTABLE:
            return os.strerror(cause.errno).lower()
        if isinstance(cause, ConnectionResetError):
            return "connection reset"
        if type(cause).__name__ in ("LocationParseError", "LocationValueError", "InvalidURL"):
            return "not a valid address"
    return None
