"""What a Dockerfile build sends: the context files that .dockerignore keeps, and the registries it pulls from.

The app's own folders (where pulls land, ./results of the working directory, and a cut pull's hidden partial
folders; models/transfer/app_folders.py) are left out as if .dockerignore said so first: a `!results` line there
brings them back."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from docker.utils.build import exclude_paths

from tui.models.images.image import ImageRef
from tui.models.project.dockerfile import instructions
from tui.models.transfer.app_folders import dockerignore_patterns, results_folder
from tui.services.docker.engine_stream import ImageError

_VARIABLE = re.compile(r"\$\{(\w+)(?::-([^}]*))?\}|\$(\w+)")


@dataclass(frozen=True)
class BuildContext:
    root: Path
    paths: tuple[str, ...]  # relative to root, as .dockerignore leaves them
    dockerfile_name: str  # the Dockerfile's name inside the archive
    extra_files: dict[str, bytes]  # a Dockerfile from outside the context travels as an extra file
    base_registries: frozenset[str]  # where FROM images come from: the registries the build needs credentials for

    @classmethod
    def prepare(
        cls, context_dir: str | Path, dockerfile: str, buildargs: Mapping[str, str], results: Path | None = None
    ) -> BuildContext:
        """Check the folder and Dockerfile exist and list the files, as `docker build` does before it sends.
        `results`: where pulls land (default ./results of the working directory), left out with partial folders."""
        root = Path(context_dir).absolute()
        if not root.exists():
            raise ImageError(f"the build context {root} does not exist")
        if not root.is_dir():
            raise ImageError(f"the build context {root} is not a folder")
        dockerfile_path = Path(dockerfile) if Path(dockerfile).is_absolute() else root / dockerfile
        if not dockerfile_path.is_file():
            raise ImageError(f"no Dockerfile at {dockerfile_path}")
        dockerfile_bytes = dockerfile_path.read_bytes()
        patterns = _dockerignore_patterns(root)
        extra_files: dict[str, bytes] = {}
        if dockerfile_path.resolve().is_relative_to(root.resolve()):
            name = dockerfile_path.resolve().relative_to(root.resolve()).as_posix()
        else:
            # As docker-py does: send it under a unique name, and keep that name out of `COPY .`.
            name = f".dockerfile.{uuid.uuid4().hex[:12]}"
            extra_files[name] = dockerfile_bytes
            extra_files[".dockerignore"] = "\n".join([*(patterns or [".dockerignore"]), name]).encode()
        ours = dockerignore_patterns(root, results or results_folder(Path.cwd()))
        kept = exclude_paths(str(root), [*ours, *patterns], dockerfile=name)
        paths = tuple(sorted(path for path in kept if path not in extra_files))
        registries = base_registries(dockerfile_bytes.decode(errors="replace"), buildargs)
        return cls(root, paths, name, extra_files, registries)


def copied_paths(root: Path, results: Path | None = None) -> list[str]:
    """What an interactive build copies of a code folder: what `docker build` would send of it (its .dockerignore,
    the app's own folders left out), the folder itself first as "." (it lands as the destination)."""
    ours = dockerignore_patterns(root, results or results_folder(Path.cwd()))
    kept = exclude_paths(str(root), [*ours, *_dockerignore_patterns(root)])
    return [".", *sorted(path for path in kept if path != ".")]


def _dockerignore_patterns(root: Path) -> list[str]:
    ignore_file = root / ".dockerignore"
    if not ignore_file.is_file():
        return []
    lines = (line.strip() for line in ignore_file.read_text(errors="replace").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


@dataclass(frozen=True)
class _Stage:
    image: str  # as FROM names it, global ARGs substituted
    name: str  # its `AS` name, lower case ("" without one)


def _stages(dockerfile: str, buildargs: Mapping[str, str]) -> tuple[list[_Stage], list[str]]:
    """The stages (FROM images with global ARGs and build args substituted) and the images COPY --from names."""
    global_args: dict[str, str] = {}
    stages: list[_Stage] = []
    copied_from: list[str] = []
    for step in instructions(dockerfile):
        instruction, words = step.keyword, step.rest.split()
        if instruction == "ARG" and not stages:
            for word in words:
                name, _, default = word.partition("=")
                global_args[name] = buildargs.get(name, default.strip("\"'"))
        elif instruction == "FROM" and words:
            plain = [word for word in words if not word.startswith("--")]
            named = len(plain) >= 3 and plain[1].lower() == "as"
            stages.append(_Stage(_substitute(plain[0], global_args), plain[2].lower() if named else ""))
        elif instruction == "COPY":
            copied_from.extend(word.removeprefix("--from=") for word in words if word.startswith("--from="))
    return stages, copied_from


def base_registries(dockerfile: str, buildargs: Mapping[str, str]) -> frozenset[str]:
    """The registries of the images FROM and COPY --from name, with global ARGs and build args substituted;
    stage names, `scratch` and names that stay unresolved are skipped."""
    stages, copied_from = _stages(dockerfile, buildargs)
    names = {"scratch"} | {stage.name for stage in stages if stage.name}
    registries: set[str] = set()
    for image in [*(stage.image for stage in stages), *copied_from]:
        if image.lower() in names or image.isdigit() or "$" in image:
            continue
        try:
            registries.add(ImageRef.parse(image).registry)
        except ValueError:
            continue
    return frozenset(registries)


def final_base(dockerfile: str, buildargs: Mapping[str, str] | None = None) -> str | None:
    """The image the final stage builds on (through the earlier stages it starts from), global ARGs substituted;
    None without a FROM, for `scratch`, or when a variable stays unresolved."""
    stages, _ = _stages(dockerfile, buildargs or {})
    image = stages[-1].image if stages else ""
    for earlier in reversed(stages[:-1]):  # `FROM builder`: that stage's own base, and so on
        if earlier.name and earlier.name == image.lower():
            image = earlier.image
    if not image or image.lower() == "scratch" or "$" in image:
        return None
    return image


def dockerfile_base(folder: str | Path) -> tuple[str, Path] | None:
    """The final base of the folder's Dockerfile and that file, when it has one that names a base."""
    path = Path(folder).expanduser() / "Dockerfile"
    try:
        text = path.read_text(errors="replace")
    except OSError:  # none, or unreadable: there is no default from it
        return None
    base = final_base(text)
    return (base, path) if base else None


def _substitute(word: str, args: Mapping[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(3)
        found = args.get(name) or match.group(2)
        return found if found is not None else match.group(0)

    return _VARIABLE.sub(value, word)
