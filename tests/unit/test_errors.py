"""Network failures become sentences, however deeply the client libraries wrap them."""

import socket
import ssl

from tui.services.errors import connection_problem


class WrappedError(Exception):
    """Stands in for urllib3's MaxRetryError: the real cause sits in `.reason`."""

    def __init__(self, message: str, reason: BaseException) -> None:
        super().__init__(message)
        self.reason = reason


def _raised_from(inner: BaseException) -> Exception:
    try:
        try:
            raise inner
        except BaseException as exc:
            raise RuntimeError("request failed") from exc
    except RuntimeError as outer:
        return outer


def test_refused_connection_behind_two_wrappers() -> None:
    exc = WrappedError("max retries", _raised_from(ConnectionRefusedError(111, "Connection refused")))
    assert connection_problem(exc) == "connection refused"


def test_missing_socket_permission_and_dns() -> None:
    assert connection_problem(_raised_from(FileNotFoundError(2, "No such file"))) == "no such socket"
    assert connection_problem(_raised_from(PermissionError(13, "Permission denied"))) == "permission denied"
    assert connection_problem(_raised_from(socket.gaierror(-2, "Name or service not known"))) == "host name not found"


def test_timeouts_and_tls() -> None:
    assert connection_problem(_raised_from(TimeoutError())) == "timed out"
    assert connection_problem(_raised_from(ssl.SSLError(1, "bad handshake"))).startswith("TLS handshake failed")


def test_other_errors_are_not_connection_problems() -> None:
    assert connection_problem(ValueError("bad value")) is None
