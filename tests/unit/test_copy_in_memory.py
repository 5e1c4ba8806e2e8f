"""The local path last copied into each pod, kept across runs."""

from __future__ import annotations

from pathlib import Path

from tui.services.transfer.copy_in_memory import LastCopyIn


def test_the_last_path_per_pod_is_kept_and_a_broken_file_is_no_memory(tmp_path: Path) -> None:
    memory = LastCopyIn(tmp_path / "state" / "copy-in.json")
    assert memory.get("ns/exp") == ""
    memory.set("ns/exp", "/data/a")
    memory.set("ns/other", "/data/b")
    memory.set("ns/exp", "/data/c")
    assert (LastCopyIn(memory.path).get("ns/exp"), memory.get("ns/other")) == ("/data/c", "/data/b")
    memory.path.write_text('{"ns/exp": 3, "ns/x": "/ok"}')
    assert (memory.get("ns/exp"), memory.get("ns/x")) == ("", "/ok")
    memory.path.write_text("not json")
    assert memory.get("ns/x") == ""
