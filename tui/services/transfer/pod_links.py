"""Links in the pod that a copy in or a code sync refuses to go through or replace: the shell function that says
one (what it is called, whether it leads anywhere, where it points), and those words read back as a refusal.

A link on the way is refused rather than followed: what it points to is the pod's choice, and a copy through it
could land anywhere (another volume, a system folder) without the user seeing it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Defined in a pod-side script: link_said NAME LINK says the link, ending with k8sx:refused (the last line the script
# says; code sync sends it to stderr). Where it points comes from readlink (busybox and coreutils have it; without
# it: no text). POSIX, and no single quote: code sync defines it inside a script quoted with them.
LINK_SAID = """
link_said() {
  if [ -e "$2" ]; then state=leads; else state=dangling; fi
  echo "k8sx:link $state $1"
  readlink "$2" 2>/dev/null
  echo k8sx:refused
}
"""
REFUSED = b"k8sx:refused\n"
_SAID = re.compile(r"^k8sx:link (leads|dangling) ([^\n]*)\n(?:(.*?)\n)?k8sx:refused$", re.MULTILINE | re.DOTALL)
_SHOWN = 200  # characters of where a link points: the pod chooses them


@dataclass(frozen=True)
class PodLink:
    """A link in the pod that a copy refused, as link_said said it."""

    name: str  # what the script called it: "folder", "target", or a path under the synced folder
    to: str  # where it points ("" when the pod has no readlink), control characters escaped
    dangling: bool

    def refusal(self, path: str, advice: str, refused: str = "refused") -> str:
        to = f" to {self.to}" if self.to else ""
        if self.dangling:
            return f"{path} is a link{to}, which does not exist: {refused} (remove the link first)"
        return f"{path} is a link{to}: {refused} ({advice})"


def pod_link(said: str) -> PodLink | None:
    """The link link_said refused, if the pod's words say one."""
    found = _SAID.search(said)
    if found is None:
        return None
    to = "".join(c if c.isprintable() else repr(c)[1:-1] for c in (found.group(3) or "")[:_SHOWN])
    return PodLink(found.group(2), to, found.group(1) == "dangling")
