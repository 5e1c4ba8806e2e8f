"""What the user types for a forward: `REMOTE`, `LOCAL:REMOTE` or `ADDRESS:LOCAL:REMOTE` (kubectl's order), and a
container's declared ports as choices. Errors are ValueError in words."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass


@dataclass(frozen=True)
class PortChoice:
    """A declared container port (or a typed one: name and container empty)."""

    port: int
    name: str = ""
    protocol: str = "TCP"
    container: str = ""

    @property
    def label(self) -> str:
        named = f" {self.name}" if self.name else ""
        inside = f" ({self.container})" if self.container else ""
        return f"{self.port}{named}/{self.protocol}{inside}"


@dataclass(frozen=True)
class PortRequest:
    remote: int
    local: int | None  # None: the same number, or the next free one
    address: str


def port_number(text: str, what: str) -> int:
    if not text.strip().isdigit():
        raise ValueError(f"{what} '{text.strip()}' is not a port number")
    number = int(text)
    if not 1 <= number <= 65535:
        raise ValueError(f"{what} {number} is outside 1-65535")
    return number


def parse_request(text: str, default_address: str = "127.0.0.1") -> PortRequest:
    """'6006' | '16006:6006' | '0.0.0.0:16006:6006' | '[::1]:16006:6006'; a choice's label ('6006 tb/TCP') too."""
    text = text.strip().split(" ", 1)[0]
    if not text:
        raise ValueError("type a port (REMOTE, LOCAL:REMOTE or ADDRESS:LOCAL:REMOTE)")
    address = default_address
    if text.startswith("["):
        closing = text.find("]")
        if closing < 0:
            raise ValueError(f"'{text}': an IPv6 address needs its closing ]")
        address, text = text[1:closing], text[closing + 1 :].lstrip(":")
    parts = text.rsplit(":", 2)
    if len(parts) == 3:
        address = parts.pop(0)
    if address != default_address:
        try:
            ipaddress.ip_address(address)
        except ValueError:
            raise ValueError(f"'{address}' is not an IP address to listen on") from None
    if len(parts) == 2:
        return PortRequest(port_number(parts[1], "remote port"), port_number(parts[0], "local port"), address)
    return PortRequest(port_number(parts[0], "port"), None, address)


def declared_ports(pod_spec: dict[str, object]) -> list[PortChoice]:
    """The containers' declared ports, from a pod's spec as the API returns it (JSON); hostile values skipped."""
    found: list[PortChoice] = []
    containers = pod_spec.get("containers")
    for container in containers if isinstance(containers, list) else []:
        if not isinstance(container, dict):
            continue
        ports = container.get("ports")
        for port in ports if isinstance(ports, list) else []:
            number = port.get("containerPort") if isinstance(port, dict) else None
            if isinstance(number, int) and 1 <= number <= 65535:
                name, protocol = str(port.get("name") or ""), str(port.get("protocol") or "TCP")
                found.append(PortChoice(number, name[:63], protocol[:8], str(container.get("name") or "")[:63]))
    return found
