"""A fake `docker-credential-<name>` that keeps what it is given (`store`), answers `get` with it, and records
every call with its stdin, as a local credential store (pass, osxkeychain, secretservice) would be driven."""

from __future__ import annotations

import json
import sys
from pathlib import Path

STORE = """#!{python}
import json, pathlib, sys
folder = pathlib.Path({folder!r})
action, given = sys.argv[1], sys.stdin.read()
with (folder / "calls.jsonl").open("a") as log:
    log.write(json.dumps({{"action": action, "stdin": given}}) + "\\n")
kept = folder / "kept.json"
stored = json.loads(kept.read_text()) if kept.exists() else {{}}
if action == "store":
    entry = json.loads(given)
    stored[entry["ServerURL"]] = entry
    kept.write_text(json.dumps(stored))
elif action == "get":
    if given.strip() not in stored:
        print("credentials not found in native keychain")
        sys.exit(1)
    print(json.dumps(stored[given.strip()]))
else:
    sys.exit(1)
"""


class FakeCredentialStore:
    """`docker-credential-<name>` in `bin_dir` (put it on PATH); its calls are read back with `calls()`."""

    def __init__(self, bin_dir: Path, name: str) -> None:
        self.folder = bin_dir / f"{name}-store"
        self.folder.mkdir(parents=True)
        program = bin_dir / f"docker-credential-{name}"
        program.write_text(STORE.format(python=sys.executable, folder=str(self.folder)))
        program.chmod(0o755)

    def calls(self) -> list[dict[str, str]]:
        log = self.folder / "calls.jsonl"
        return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
