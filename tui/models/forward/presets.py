"""`forwards:` in k8sx.yaml: the ports a project's pod serves, forwarded by themselves when the one-key loop has
it Running.

    forwards:
      - {name: tensorboard, port: 6006}
      - {name: jupyter, port: 8888, local: 18888}

Read from the YAML as loaded (untrusted shapes): each problem in words, the good entries kept."""

from __future__ import annotations

from dataclasses import dataclass

from tui.models.forward.forward import ForwardSpec, ForwardStatus

KEYS = {"name", "port", "local"}
NAME_LIMIT = 63


@dataclass(frozen=True)
class Preset:
    name: str
    port: int
    local: int | None = None  # None: the same number, or the next free one

    def spec(self, namespace: str, pod: str, experiment: str) -> ForwardSpec:
        return ForwardSpec(namespace, pod, self.port, self.local or self.port, experiment=experiment)


def _port(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 65535 else None


def preset_from(entry: object) -> Preset | str:
    """One entry as loaded: the preset, or what is wrong with it in words."""
    if not isinstance(entry, dict):
        return "{name: ..., port: ...} is expected"
    if unknown := sorted(str(key) for key in entry if key not in KEYS):
        return f"unknown key '{unknown[0]}' (known: local, name, port)"
    port, local, name = _port(entry.get("port")), entry.get("local"), entry.get("name")
    if port is None:
        return "port must be a number 1-65535"
    if local is not None and _port(local) is None:
        return "local must be a number 1-65535"
    if name is not None and not isinstance(name, str | int):
        return "name must be a text value"
    return Preset(str(name or port)[:NAME_LIMIT], port, _port(local))


def presets_from(raw: object) -> tuple[list[Preset], list[str]]:
    if raw is None:
        return [], []
    if not isinstance(raw, list):
        return [], ["forwards: a list of {name, port} is expected"]
    presets: list[Preset] = []
    problems: list[str] = []
    for index, entry in enumerate(raw, 1):
        found = preset_from(entry)
        if isinstance(found, str):
            problems.append(f"forwards[{index}]: {found}")
        elif repeated := twice(found, presets):
            problems.append(f"forwards[{index}]: {repeated}")
        else:
            presets.append(found)
    return presets, problems


def twice(preset: Preset, earlier: list[Preset]) -> str:
    """Why `preset` cannot go beside `earlier` ones ("" when it can): one forward per port of the pod."""
    other = next((other for other in earlier if other.port == preset.port), None)
    return f"port {preset.port} is forwarded already ({other.name})" if other else ""


def forwarding_text(presets: tuple[Preset, ...], statuses: list[ForwardStatus], target: str) -> str:
    """Where each preset of the pod `target` (namespace/experiment) is reachable now: `http://127.0.0.1:6006 →
    tensorboard, …` ("" when none runs)."""
    urls = {status.spec.remote_port: status.spec.url for status in statuses if status.spec.target == target}
    return ", ".join(f"{urls[preset.port]} → {preset.name}" for preset in presets if preset.port in urls)
