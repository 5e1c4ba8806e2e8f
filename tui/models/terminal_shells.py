"""Which shell a new terminal starts where: chosen per pod, else per image; unset means bash, else sh."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

SUGGESTED_SHELLS = ["bash", "sh", "ash", "zsh", "bash -l"]


def parse_command(text: str) -> tuple[str, ...]:
    """A command line as the shell would split it; ValueError in words when there is none."""
    try:
        words = tuple(shlex.split(text))
    except ValueError as exc:
        raise ValueError(f"cannot read {text!r} as a command: {exc}") from exc
    if not words:
        raise ValueError("no command given")
    return words


@dataclass
class ShellPreferences:
    """Per pod (namespace/name) first, then per image (every pod of that image); for this run of the app."""

    by_pod: dict[str, tuple[str, ...]] = field(default_factory=dict)
    by_image: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def command_for(self, pod_key: str, image: str) -> tuple[str, ...] | None:
        return self.by_pod.get(pod_key) or self.by_image.get(image)

    def remember(self, pod_key: str, image: str, command: tuple[str, ...]) -> None:
        self.by_pod[pod_key] = command
        if image:
            self.by_image[image] = command
