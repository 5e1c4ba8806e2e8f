"""A pod that sends hostile archives, through the real API server: its `tar` is a script that sends what the test
built (kwok runs the pod's commands on this machine), while its hasher sums the files really in the pod. Links are
judged where the result finally lives, a short archive never passes for complete, and one entry that cannot be
written here does not sink the pull."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import tarfile
from pathlib import Path

import pytest

from tests.support.files import digests
from tests.support.pods import kwok_pod, wait_pod_phase
from tests.support.stack import StackEnv, apply
from tui.services.kube.kube import KubeService
from tui.services.transfer.pull import PodFileTransfer, TransferFailed, pull_source
from tui.services.transfer.pull_resume import resume_offer

# What the pull's scripts run in the pod besides tar (the estimate, the hasher, a resume's listing and xargs).
TOOLS = ("find", "du", "wc", "cat", "stat", "xargs")
DEEP = "out/" + "d/" * 5000 + "deep.txt"


@pytest.fixture
def transfer(stack: StackEnv) -> PodFileTransfer:
    return PodFileTransfer(KubeService(stack.kubeconfig))


def archive(*entries: tarfile.TarInfo | tuple[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for entry in entries:
            if isinstance(entry, tuple):
                info = tarfile.TarInfo(entry[0])
                info.size = len(entry[1])
                tar.addfile(info, io.BytesIO(entry[1]))
            else:
                tar.addfile(entry)
    return buffer.getvalue()


def folder(name: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.mode = tarfile.DIRTYPE, 0o755
    return info


def link(name: str, target: str) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = tarfile.SYMTYPE, target
    return info


def pod_sending(
    stack: StackEnv, namespace: str, tmp_path: Path, sent: bytes, files: dict[str, bytes], more_sums: str = ""
) -> Path:
    """A kwok pod "exp" whose folder out holds `files` (what its hasher sums, then prints `more_sums`) and whose
    tar, whatever it is asked, sends `sent`. Returns the pod's out folder."""
    out = tmp_path / "pod" / "out"
    out.mkdir(parents=True)
    for name, data in files.items():
        (out / name).write_bytes(data)
    tools = tmp_path / "bin"
    tools.mkdir()
    for tool in TOOLS:
        (tools / tool).symlink_to(shutil.which(tool) or f"/usr/bin/{tool}")
    (tools / "real-sha256sum").symlink_to(shutil.which("sha256sum") or "/usr/bin/sha256sum")
    (tmp_path / "sent.tar").write_bytes(sent)
    (tmp_path / "more-sums").write_text(more_sums)
    scripts = {
        "tar": f"exec cat {tmp_path / 'sent.tar'}",
        "sha256sum": f'{tools / "real-sha256sum"} "$@"; status=$?; cat {tmp_path / "more-sums"}; exit $status',
    }
    for name, body in scripts.items():
        (tools / name).write_text(f"#!/bin/sh\n{body}\n")
        (tools / name).chmod(0o755)
    apply(stack, namespace, kwok_pod("exp", workdir=tmp_path / "pod", envs={"PATH": str(tools)}))
    wait_pod_phase(stack, namespace, "exp")
    return out


def leaves(folder: Path) -> list[str]:
    """The links below folder that resolve outside it."""
    root = folder.resolve()
    return [
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if p.is_symlink() and not Path(os.path.realpath(p)).is_relative_to(root)
    ]


def test_links_that_would_point_out_of_the_results_once_they_are_in_place_are_refused_and_listed(
    stack: StackEnv, namespace: str, tmp_path: Path, transfer: PodFileTransfer
) -> None:
    # Each looks inside the hidden folder the pull writes into; after the rename they would point beside the results.
    sent = archive(
        folder("out"),
        ("out/ok.txt", b"fine"),
        folder("out/sub"),
        link("out/up", ".."),
        link("out/sub/up2", "../.."),
        link("out/sib", "../sibling.txt"),
        link("out/round", "../out/ok.txt"),  # back in through the archive's own name, which the results do not keep
        link("out/abs", "/etc/passwd"),
        link("out/inner", "sub/../ok.txt"),
        link("out/sub/back", "../ok.txt"),
    )
    out = pod_sending(stack, namespace, tmp_path, sent, {"ok.txt": b"fine"})
    local = tmp_path / "local"
    local.mkdir()
    (local / "sibling.txt").write_text("beside the results")
    summary = transfer.pull(namespace, "exp", str(out), local / "run-1")
    assert sorted(summary.refused) == [
        "out/abs: symlink to /etc/passwd leaves the destination",
        "out/round: symlink to ../out/ok.txt leaves the destination",
        "out/sib: symlink to ../sibling.txt leaves the destination",
        "out/sub/up2: symlink to ../.. leaves the destination",
        "out/up: symlink to .. leaves the destination",
    ]
    assert leaves(local / "run-1") == []
    assert sorted(p.name for p in (local / "run-1").iterdir()) == ["inner", "ok.txt", "sub"]
    assert (local / "run-1" / "inner").read_text() == (local / "run-1" / "sub" / "back").read_text() == "fine"
    assert (summary.files, summary.verified) == (1, "sha256")


def test_a_pulled_folder_sent_as_a_link_never_makes_the_destination_a_link(
    stack: StackEnv, namespace: str, tmp_path: Path, transfer: PodFileTransfer
) -> None:
    sent = archive(link("out", "."), ("out/ok.txt", b"fine"))
    out = pod_sending(stack, namespace, tmp_path, sent, {"ok.txt": b"fine"})
    summary = transfer.pull(namespace, "exp", str(out), tmp_path / "local" / "run-1")
    assert summary.refused == ["out: a link (to .) in place of the destination itself"]
    assert not (tmp_path / "local" / "run-1").is_symlink()
    assert digests(tmp_path / "local" / "run-1") == digests(out)

    # The folder as a link to a sibling in the archive, which would be a sibling of the results once in place.
    (tmp_path / "sent.tar").write_bytes(archive(("x/ok.txt", b"fine"), link("out", "x")))
    with pytest.raises(TransferFailed, match="out: a link \\(to x\\) in place of the destination itself"):
        transfer.pull(namespace, "exp", str(out), tmp_path / "local" / "run-2")
    assert not (tmp_path / "local" / "run-2").is_symlink() and not (tmp_path / "local" / "run-2").exists()
    assert sorted(p.name for p in (tmp_path / "local").iterdir()) == ["run-1"]


def test_a_short_archive_fails_naming_the_files_that_never_came_and_can_be_resumed(
    stack: StackEnv, namespace: str, tmp_path: Path, transfer: PodFileTransfer
) -> None:
    # A well-formed archive that ends early: tar's end blocks are there, but b.txt, which the hasher listed, is not.
    out = pod_sending(stack, namespace, tmp_path, archive(folder("out"), ("out/a.txt", b"A" * 100)), {})
    (out / "a.txt").write_bytes(b"A" * 100)
    (out / "b.txt").write_bytes(b"B" * 100)
    local = tmp_path / "local" / "run-1"
    with pytest.raises(TransferFailed, match=r"1 file\(s\) the pod listed did not arrive: out/b\.txt.*pull again"):
        transfer.pull(namespace, "exp", str(out), local)
    assert not local.exists()
    assert resume_offer(local, pull_source(namespace, "exp", str(out))) is not None


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(("out/" + "n" * 300 + ".txt", "its name is too long for this file system"), id="too-long-name"),
        pytest.param((DEEP, "nested 5000 folders deep (at most 256 here)"), id="nested-too-deep"),
        pytest.param(("out/bad\0name", "not a valid name here"), id="invalid-name"),
    ],
)
def test_an_entry_that_cannot_be_written_here_is_refused_and_the_rest_arrives(
    stack: StackEnv, namespace: str, tmp_path: Path, transfer: PodFileTransfer, bad: tuple[str, str]
) -> None:
    name, why = bad
    entry = tarfile.TarInfo("placeholder")
    entry.pax_headers = {"path": name}  # a pax name can hold what a ustar header cannot
    entry.size = 5
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        tar.addfile(folder("out"))
        tar.addfile(entry, io.BytesIO(b"lost!"))
        info = tarfile.TarInfo("out/ok.txt")
        info.size = 4
        tar.addfile(info, io.BytesIO(b"fine"))
    # The pod's hasher lists the bad entry too, as a pod that holds it would: refused, it is not counted missing.
    listed = f"{hashlib.sha256(b'lost!').hexdigest()}  {name}\n" if "\0" not in name else ""
    out = pod_sending(stack, namespace, tmp_path, buffer.getvalue(), {"ok.txt": b"fine"}, listed)
    local = tmp_path / "local" / "run-1"
    summary = transfer.pull(namespace, "exp", str(out), local)
    assert len(summary.refused) == 1 and summary.refused[0].endswith(f": {why}"), summary.refused
    assert len(summary.refused[0]) < 200  # a long name is shortened where it is shown
    assert digests(local) == {"ok.txt": hashlib.sha256(b"fine").hexdigest()}
    assert (summary.files, summary.verified) == (1, "sha256")
    assert resume_offer(local, pull_source(namespace, "exp", str(out))) is None
    assert sorted(p.name for p in local.parent.iterdir()) == ["run-1"]
