"""Before a copy into a pod starts: where it will land (models/transfer/copy_target.py has the `docker cp` rules),
what the pod has there now, and how much goes, so the user sees the final path before a byte is sent."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tui.models.transfer.copy_target import Around, CopyTarget, PodEntry, PodKind, copy_target, paths_asked
from tui.models.transfer.destination import TreeSize
from tui.models.transfer.names import shown
from tui.services.exec.stream import ExecFailed, run
from tui.services.kube.kube import KubeService
from tui.services.transfer.copy_in import files_under
from tui.services.transfer.pull import TransferFailed, tar_problem

# Each argument's kind on a line of its own: `link TO` (TO: where it points, line breaks made spaces), `dangling TO`,
# `folder`, `file` or `missing`. Busybox sh, readlink and tr are enough (without readlink: no TO).
KINDS = """
for p; do
  if [ -L "$p" ]; then
    if [ -e "$p" ]; then printf 'link '; else printf 'dangling '; fi
    readlink "$p" 2>/dev/null | tr '\\n' ' '; echo
  elif [ -d "$p" ]; then echo folder
  elif [ -e "$p" ]; then echo file
  else echo missing
  fi
done
"""
_SHOWN = 200  # characters of where a link points: the pod chooses them


@dataclass(frozen=True)
class CopyInPlan:
    local: Path
    target: CopyTarget
    size: TreeSize  # what goes


def local_size(local: Path) -> TreeSize:
    if local.is_dir():
        sizes = files_under(local)
        return TreeSize(len(sizes), sum(sizes.values()))
    return TreeSize(1, local.stat().st_size)


def parse_kinds(said: str, count: int) -> list[PodEntry]:
    """KINDS' lines as entries; TransferFailed when the pod said something else."""
    entries: list[PodEntry] = []
    for line in said.splitlines()[:count]:
        word, _, rest = line.partition(" ")
        try:
            kind = PodKind(word)
        except ValueError:
            raise TransferFailed(f"the pod's answer about the target was not understood: {shown(line)}") from None
        entries.append(PodEntry(kind, shown(rest.strip(), _SHOWN)))
    if len(entries) != count:
        raise TransferFailed("the pod did not say what is at the target (is there a shell, sh, in its image?)")
    return entries


def plan_copy_in(
    kube: KubeService, namespace: str, pod: str, container: str | None, local: Path, dest: str
) -> CopyInPlan:
    """Where `local` copied to `dest` lands in the pod and what is there now (one exec); TargetRefused (from the
    model) or TransferFailed in words."""
    local = local.expanduser().absolute()
    if not local.exists():
        raise TransferFailed(f"{local} does not exist here")
    if not local.name:
        raise TransferFailed("/ itself is not copied: name a folder in it")
    asked = paths_asked(dest, local.name)
    try:
        output, outcome = run(kube, namespace, pod, ["sh", "-c", KINDS, "sh", *asked], container)
    except ExecFailed as exc:
        raise TransferFailed(str(exc)) from exc
    if not outcome.succeeded:
        raise TransferFailed(tar_problem(outcome.message, outcome.stderr, ""))
    parent, there, inside = parse_kinds(output.decode(errors="replace"), len(asked))
    target = copy_target(dest, local.name, local.is_dir(), Around(parent, there, inside))
    return CopyInPlan(local, target, local_size(local))
