"""`forwards:` in k8sx.yaml: the ports a project's pod serves, forwarded by themselves when it runs.

    forwards:
      - {name: tensorboard, port: 6006}
      - {name: jupyter, port: 8888, local: 18888}

Read from the YAML as loaded (untrusted shapes): each problem in words, the good entries kept."""

from __future__ import annotations

from dataclasses import dataclass

from tui.models.forward.forward import ForwardSpec

KEYS = {"name", "port", "local"}


@dataclass(frozen=True)
class Preset:
    name: str
    port: int
    local: int | None = None  # None: the same number, or the next free one

    def spec(self, namespace: str, pod: str, experiment: str) -> ForwardSpec:
        return ForwardSpec(namespace, pod, self.port, self.local or self.port, experiment=experiment)


def _port(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 65535 else None


def presets_from(raw: object) -> tuple[list[Preset], list[str]]:
    if raw is None:
        return [], []
    if not isinstance(raw, list):
        return [], ["forwards: a list of {name, port} is expected"]
    presets: list[Preset] = []
    problems: list[str] = []
    for index, entry in enumerate(raw, 1):
        where = f"forwards[{index}]"
        if not isinstance(entry, dict):
            problems.append(f"{where}: {{name: ..., port: ...}} is expected")
            continue
        if unknown := sorted(str(key) for key in entry if key not in KEYS):
            problems.append(f"{where}: unknown key '{unknown[0]}' (known: local, name, port)")
            continue
        port, local = _port(entry.get("port")), entry.get("local")
        if port is None:
            problems.append(f"{where}: port must be a number 1-65535")
            continue
        if local is not None and _port(local) is None:
            problems.append(f"{where}: local must be a number 1-65535")
            continue
        name = str(entry.get("name") or port)
        presets.append(Preset(name[:63], port, _port(local)))
    return presets, problems
