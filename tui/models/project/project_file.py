"""The experiment's project file `k8sx.yaml`: which image to build and where to push it, the pod to run it in, the
namespace, and where data and results live in the pod; and the stages of the one-key loop built on it."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path

from tui.models.forward.presets import Preset

PROJECT_FILE = "k8sx.yaml"
DEFAULT_DATA_PATH = "/persistent/data"
DEFAULT_RESULTS_PATH = "/persistent/out"


class ProjectError(Exception):
    """The project file cannot be used; every problem is one line naming the file, the line and the key."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Project:
    path: Path  # the k8sx.yaml itself; relative paths in it are relative to its folder
    image: str  # the repository path under the registry: `train`, `team/train`
    registry: str  # `127.0.0.1:5000`, `REGION-docker.pkg.dev/PROJECT/REPOSITORY`
    tag: str = ""  # empty: one up from the last push of this repository (0.1 the first time)
    context: str = "."
    dockerfile: str = "Dockerfile"
    build_args: dict[str, str] = field(default_factory=dict)
    namespace: str = ""  # empty: the app's namespace
    pod_file: str = ""  # a pod YAML, or:
    template: dict[str, str] = field(default_factory=dict)  # the template form's fields
    data_path: str = DEFAULT_DATA_PATH
    results_path: str = DEFAULT_RESULTS_PATH
    code_path: str = ""  # empty: where the Dockerfile puts the code
    forwards: tuple[Preset, ...] = ()  # started by themselves once the one-key loop has the pod Running

    @property
    def folder(self) -> Path:
        return self.path.parent

    @property
    def repository(self) -> str:
        return f"{self.registry.rstrip('/')}/{self.image.strip('/')}"

    def resolve(self, relative: str) -> Path:
        path = Path(relative).expanduser()
        return path if path.is_absolute() else self.folder / path


class StageState(enum.Enum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


LOOP_STAGES = ("build", "push", "deploy", "running", "shell")


@dataclass(frozen=True)
class StageUpdate:
    """One stage of build → push → deploy → wait Running → shell: started, progressing, done or failed (the loop
    stops at the first failure, and says why)."""

    stage: str
    state: StageState
    detail: str = ""


@dataclass(frozen=True)
class LoopReady:
    """The loop's end: the pod runs; a shell is to be opened in it (the pod as the JSON the API returned)."""

    namespace: str
    pod: dict[str, object]
