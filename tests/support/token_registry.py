"""A registry of its own for a test, with token auth (as Artifact Registry and Docker Hub do) whose token server
grants pulls only: a push is refused by the registry itself with "denied", the real way a push is denied.

Debian's docker-registry (distribution 2.8) checks tokens signed by a key whose certificate is in its
`rootcertbundle`; the tokens are JWTs signed here with openssl (RS256, the certificate in the `x5c` header).
"""

from __future__ import annotations

import base64
import contextlib
import json
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

SERVICE = "k8sx-test-registry"
ISSUER = "k8sx-test-tokens"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PullOnlyRegistry:
    """`docker-registry serve` on a free loopback port behind a token server that never grants push."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="k8sx-token-registry-"))
        self.key, self.cert = self.root / "key.pem", self.root / "cert.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={ISSUER}",
             "-keyout", str(self.key), "-out", str(self.cert)],
            check=True, capture_output=True,
        )  # fmt: skip
        der = subprocess.run(
            ["openssl", "x509", "-in", str(self.cert), "-outform", "DER"], check=True, capture_output=True
        ).stdout
        self._x5c = base64.b64encode(der).decode()
        self.token_requests: list[str] = []
        self._tokens = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        threading.Thread(target=self._tokens.serve_forever, name="token-server", daemon=True).start()
        port = _free_port()
        self.host = f"127.0.0.1:{port}"
        config = self.root / "config.yml"
        config.write_text(
            json.dumps({
                "version": 0.1,
                "log": {"level": "warn"},
                "storage": {"filesystem": {"rootdirectory": str(self.root / "data")}},
                "http": {"addr": self.host},
                "auth": {"token": {
                    "realm": f"http://127.0.0.1:{self._tokens.server_address[1]}/token",
                    "service": SERVICE, "issuer": ISSUER, "rootcertbundle": str(self.cert),
                }},
            })
        )  # fmt: skip
        self._log = (self.root / "registry.log").open("wb")
        self._process = subprocess.Popen(["docker-registry", "serve", str(config)], stdout=self._log, stderr=self._log)
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(f"http://{self.host}/v2/", timeout=2)
            except urllib.error.HTTPError:
                break  # 401: it answers
            except OSError as exc:
                if time.monotonic() > deadline or self._process.poll() is not None:
                    log = (self.root / "registry.log").read_text()
                    raise AssertionError(f"the token registry did not start: {log}") from exc
                time.sleep(0.1)

    def token(self, scope: str) -> str:
        """A token for `scope` (repository:NAME:push,pull) that grants pull only."""
        access = []
        if scope.startswith("repository:"):
            _, name, _actions = scope.split(":", 2)
            access.append({"type": "repository", "name": name, "actions": ["pull"]})
        now = int(time.time())
        header = {"typ": "JWT", "alg": "RS256", "x5c": [self._x5c]}
        claims = {"iss": ISSUER, "sub": "", "aud": SERVICE, "exp": now + 300, "nbf": now - 10, "iat": now,
                  "jti": f"{now}-{len(self.token_requests)}", "access": access}  # fmt: skip
        signing_input = f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(claims).encode())}"
        signature = subprocess.run(
            ["openssl", "dgst", "-sha256", "-sign", str(self.key)], input=signing_input.encode(), check=True,
            capture_output=True,
        ).stdout  # fmt: skip
        return f"{signing_input}.{_b64url(signature)}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        registry = self

        class Tokens(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                scope = parse_qs(urlsplit(self.path).query).get("scope", [""])[0]
                registry.token_requests.append(scope)
                token = registry.token(scope)
                body = json.dumps({"token": token, "access_token": token, "expires_in": 300}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Tokens

    def close(self) -> None:
        self._process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._process.wait(5)
        if self._process.poll() is None:
            self._process.kill()
        self._tokens.shutdown()
        self._log.close()
