"""A Dockerfile read as its instructions, and where the image it builds keeps the code: the last `COPY . DEST` of
the build context in the final stage (DEST against the WORKDIR then), else the last WORKDIR. Code sync starts there.

Read as Docker reads it: `\\` (or the `# escape=` directive's character) continues a line, comment lines are dropped
(inside a continued instruction too), JSON-form COPY (`COPY [".", "/app"]`) and flags (`--chown=…`) are understood,
a stage started `FROM an-earlier-stage` carries that stage's folders. ARG and ENV values are not substituted: a path
that names a variable is said, not used.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

_DIRECTIVE = re.compile(r"^#\s*(\w+)\s*=\s*(\S+)\s*$")


@dataclass(frozen=True)
class Instruction:
    keyword: str  # upper case: FROM, WORKDIR, COPY, …
    rest: str  # everything after it, continuation lines joined
    line: int  # where it starts (1-based)


def instructions(text: str) -> Iterator[Instruction]:
    """Each instruction, continuation lines joined and comments dropped."""
    escape = "\\"
    lines = text.splitlines()
    for raw in lines:  # parser directives: comments of their own kind, only before anything else
        found = _DIRECTIVE.match(raw.strip())
        if found is None:
            break
        if found.group(1).lower() == "escape" and found.group(2) in ("\\", "`"):
            escape = found.group(2)
    logical, start = "", 0
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if not logical:
            start = number
        if line.endswith(escape):
            logical += line[:-1] + " "
            continue
        yield _instruction(logical + line, start)
        logical = ""
    if logical.strip():  # a last line that ends in the escape character
        yield _instruction(logical, start)


def _instruction(logical: str, line: int) -> Instruction:
    keyword, *rest = logical.split(None, 1)
    return Instruction(keyword.upper(), rest[0].strip() if rest else "", line)


def words(rest: str) -> list[str]:
    """An instruction's arguments: its JSON array (exec form) or its words (shell form)."""
    if rest.startswith("["):
        try:
            loaded = json.loads(rest)
        except ValueError:
            loaded = None
        if isinstance(loaded, list) and all(isinstance(item, str) for item in loaded):
            return loaded
    return rest.split()


@dataclass(frozen=True)
class _Stage:
    workdir: str = ""  # "" until a WORKDIR: Docker's default is /
    workdir_said: str = ""  # the instruction as written, for the form
    copied: str = ""  # where `COPY .` put the build context
    copied_said: str = ""


@dataclass(frozen=True)
class CodePath:
    path: str  # "" when the Dockerfile does not say (or says it with a variable)
    said: str  # the instruction that says it: `WORKDIR /app`, `COPY . /app`
    problem: str = ""  # why `said` was not used


def code_path(text: str) -> CodePath:
    """Where the final stage keeps the code: the last copy of the whole build context, else the last WORKDIR."""
    stage, name, stages = _Stage(), "", dict[str, _Stage]()
    for instruction in instructions(text):
        args = words(instruction.rest)
        if instruction.keyword == "FROM" and args:
            plain = [word for word in args if not word.startswith("--")]
            stage = stages.get(plain[0].lower(), _Stage()) if plain else _Stage()  # FROM an earlier stage
            name = plain[2].lower() if len(plain) >= 3 and plain[1].lower() == "as" else ""
        elif instruction.keyword == "WORKDIR" and args:
            path = posixpath.normpath(posixpath.join(stage.workdir or "/", instruction.rest.strip("\"'")))
            stage = replace(stage, workdir=path, workdir_said=_said(instruction))
        elif instruction.keyword in ("COPY", "ADD") and (dest := _context_copy(args)) is not None:
            path = posixpath.normpath(posixpath.join(stage.workdir or "/", dest))
            stage = replace(stage, copied=path, copied_said=_said(instruction))
        if name:
            stages[name] = stage
    return _chosen(stage)


def _said(instruction: Instruction) -> str:
    """The instruction as the form shows it: on one line, spaces as one."""
    return " ".join([instruction.keyword, *instruction.rest.split()])


def _context_copy(args: list[str]) -> str | None:
    """DEST of a COPY/ADD of the whole build context (`.`, `./`), None for anything else (other sources, another
    stage's files, a heredoc)."""
    if any(word.startswith("--from") for word in args):
        return None
    plain = [word for word in args if not word.startswith("--")]
    if len(plain) != 2 or plain[0].startswith("<<"):
        return None
    source, dest = plain
    return dest if posixpath.normpath(source) == "." else None


def _chosen(stage: _Stage) -> CodePath:
    path, said = (stage.copied, stage.copied_said) if stage.copied else (stage.workdir, stage.workdir_said)
    if not path:
        return CodePath("", "", "the Dockerfile has no WORKDIR and no COPY of the build context")
    if "$" in path:
        return CodePath("", said, f"the Dockerfile's {said} names a variable, which is not resolved here")
    return CodePath(path, said)
