"""The pod-side script of a copy-in, run here as a pod would: with this machine's GNU tools (tar reading records of
a megabyte, openssl hashing) and with nothing but busybox applets (tar without record options, sha256sum)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tui.services.tar.stream import TarStream
from tui.services.transfer.copy_in import MOVE_IN, PUSH_SCRIPT, verify_listed_sums
from tui.services.transfer.pod_links import pod_link
from tui.services.transfer.pull import FILE_SUM, HASHED, TAR_STATUS
from tui.services.transfer.pull_resume import parse_listing

APPLETS = (
    "sh", "tar", "find", "sha256sum", "stat", "mkdir", "rm", "grep", "cat", "printf", "echo", "test", "[",
    "readlink", "mv",
)  # fmt: skip


def busybox_path(tmp_path: Path) -> str:
    busybox = shutil.which("busybox")
    assert busybox, "busybox is part of the test stack's tools (tools/stack installs it)"
    folder = tmp_path / "busybox-bin"
    if not folder.exists():
        folder.mkdir()
        for applet in APPLETS:
            (folder / applet).symlink_to(busybox)
    return str(folder)


def local_files(root: Path) -> dict[str, bytes]:
    files = {"d/big.bin": os.urandom(3 << 20) + b"tail", "d/small.txt": b"x" * 700, "d/deep/empty": b""}
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return files


def run_script(
    tmp_path: Path, tools: str, args: list[str], stdin: bytes, trace: bool = True
) -> subprocess.CompletedProcess[bytes]:
    """PUSH_SCRIPT under `sh -x` (stderr shows the commands as run; `trace=False`: only what the script says) with
    GNU tools or busybox applets alone; a script that never ends fails the test."""
    shell, env = shell_with(tmp_path, tools)
    flags = "-xc" if trace else "-c"
    return subprocess.run(
        [shell, flags, PUSH_SCRIPT, "sh", *args], input=stdin, capture_output=True, env=env, timeout=60
    )


def shell_with(tmp_path: Path, tools: str) -> tuple[str, dict[str, str]]:
    """The sh to run and its environment: this machine's GNU tools, or busybox applets alone on the PATH."""
    if tools != "busybox":
        return "sh", dict(os.environ)
    applets = busybox_path(tmp_path)
    return str(Path(applets) / "sh"), {**os.environ, "PATH": applets}


@pytest.mark.parametrize("tools", ["gnu", "busybox"])
def test_a_copy_in_extracts_every_file_and_lists_their_sha256_with_either_set_of_tools(
    tmp_path: Path, tools: str
) -> None:
    local = tmp_path / "local"
    files = local_files(local)
    archive = TarStream(local, sorted(files), hash_files=True)
    into = tmp_path / "pod" / ".k8sx-partial-x"
    (into / "d").mkdir(parents=True)
    (into / "d" / "left-by-a-cut-copy").write_bytes(b"old")
    stdin = b"new\n\n" + b"".join(bytes(chunk) for chunk in archive)
    done = run_script(tmp_path, tools, [str(into), str(tmp_path / "pod" / "d"), "no", ""], stdin)

    assert done.returncode == 0, done
    assert done.stdout.split() == [b"k8sx:ready", b"k8sx:go"], done  # nothing listed: not a resume
    assert not (into / "d" / "left-by-a-cut-copy").exists()  # `new` empties the folder first
    status = TAR_STATUS.search(done.stderr)
    assert status is not None and status.group(1) == b"0", done.stderr
    assert HASHED.search(done.stderr) is not None, done.stderr
    traced = done.stderr.decode(errors="replace")  # sh -x: the commands as run
    # tar's own trace line can interleave with the script's (tar runs in the background): its options as chosen
    assert ("records=-b 2048 -B" in traced.replace("'", "")) is (tools == "gnu"), traced
    hasher = "openssl dgst -sha256 -r" if tools == "gnu" else "sha256sum"
    assert f"-exec {hasher} {{}} +" in traced.replace("'{}'", "{}"), traced  # busybox quotes the {}
    for name, data in files.items():
        assert (into / name).read_bytes() == data, name
    assert archive.digests == {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    assert verify_listed_sums(done.stderr, archive.digests) == "sha256"


@pytest.mark.parametrize("tools", ["gnu", "busybox"])
def test_a_resumed_copy_in_lists_what_the_cut_one_left_and_keeps_it(tmp_path: Path, tools: str) -> None:
    into = tmp_path / "pod" / ".k8sx-partial-x"
    (into / "d" / "sub").mkdir(parents=True)
    (into / "d" / "sub" / "kept.bin").write_bytes(b"k" * 5000)
    local = tmp_path / "local"
    (local / "d").mkdir(parents=True)
    (local / "d" / "more.txt").write_bytes(b"more")
    archive = b"".join(bytes(chunk) for chunk in TarStream(local, ["d/more.txt"], hash_files=True))
    done = run_script(tmp_path, tools, [str(into), str(tmp_path / "pod" / "d"), "no", "d"], b"resume\n\n" + archive)

    assert done.returncode == 0, done
    said = done.stdout.decode()
    listed, _, after = said.partition("//listed\n")
    assert after.split() == ["k8sx:ready", "k8sx:go"], said
    listing = parse_listing(listed)
    assert listing.digests == {"d/sub/kept.bin": hashlib.sha256(b"k" * 5000).hexdigest()}, said
    assert listing.sizes == {"d/sub/kept.bin": 5000}, said
    assert (into / "d" / "sub" / "kept.bin").read_bytes() == b"k" * 5000  # `resume` keeps the folder
    assert (into / "d" / "more.txt").read_bytes() == b"more"


@pytest.mark.parametrize("tools", ["gnu", "busybox"])
def test_a_resumed_copy_in_of_one_file_lists_its_cut_part(tmp_path: Path, tools: str) -> None:
    into = tmp_path / "pod" / ".k8sx-partial-x"
    into.mkdir(parents=True)
    (into / "model.bin").write_bytes(b"m" * 3000)  # a single file is sent without a folder around it
    done = run_script(tmp_path, tools, [str(into), str(tmp_path / "pod" / "model.bin"), "no", "model.bin"], b"")

    listed, found, _ = done.stdout.decode().partition("//listed\n")
    assert found, done
    assert parse_listing(listed).sizes == {"model.bin": 3000}, done


@pytest.mark.parametrize("tools", ["gnu", "busybox"])
def test_a_copy_in_whose_client_goes_away_before_saying_new_or_resume_leaves_the_pod_as_it_was(
    tmp_path: Path, tools: str
) -> None:
    into = tmp_path / "pod" / ".k8sx-partial-x"
    (into / "d").mkdir(parents=True)
    (into / "d" / "half.bin").write_bytes(b"h" * 100)
    done = run_script(tmp_path, tools, [str(into), str(tmp_path / "pod" / "d"), "no", "d"], b"")

    assert done.returncode == 0, done
    assert b"k8sx:go" not in done.stdout and b"//listed" in done.stdout, done
    assert (into / "d" / "half.bin").read_bytes() == b"h" * 100


@pytest.mark.parametrize("overwrite", ["no", "yes"])
def test_a_copy_in_onto_an_existing_target_stops_before_reading_anything_unless_told_to_replace(
    tmp_path: Path, overwrite: str
) -> None:
    target = tmp_path / "pod" / "d"
    target.mkdir(parents=True)
    done = run_script(tmp_path, "gnu", [str(tmp_path / "pod" / ".k8sx-partial-x"), str(target), overwrite, ""], b"")

    assert done.returncode == 0, done
    assert done.stdout.split() == ([b"k8sx:exists"] if overwrite == "no" else [b"k8sx:ready"]), done


@pytest.mark.parametrize("tools", ["gnu", "busybox"])
def test_a_name_with_a_newline_is_checked_by_size_and_never_taken_for_another_file(tmp_path: Path, tools: str) -> None:
    local = tmp_path / "local"
    (local / "d").mkdir(parents=True)
    files = {"d/a": b"first", "d/a\nb": b"second", "d/c": b"third"}  # a hasher's line for a\nb starts as "a"'s
    for name, data in files.items():
        (local / name).write_bytes(data)
    archive = TarStream(local, sorted(files), hash_files=True)
    into = tmp_path / "pod" / ".k8sx-partial-x"
    stdin = b"new\n\n" + b"".join(bytes(chunk) for chunk in archive)
    done = run_script(tmp_path, tools, [str(into), str(tmp_path / "pod" / "d"), "no", ""], stdin, trace=False)

    assert done.returncode == 0, done
    assert (into / "d" / "a\nb").read_bytes() == b"second"
    listed = {name: digest.decode() for digest, name in FILE_SUM.findall(done.stderr)}
    assert listed == {b"./d/a": archive.digests["d/a"], b"./d/c": archive.digests["d/c"]}, done.stderr
    assert verify_listed_sums(done.stderr, archive.digests) == "sha256 (1 by size)"
    again = run_script(tmp_path, tools, [str(into), str(tmp_path / "pod" / "d"), "no", "d"], b"")
    assert b"//listed" not in again.stdout and b"k8sx:ready" in again.stdout, again  # a resume starts over


def send_slowly(tmp_path: Path, tools: str, args: list[str], head: bytes, archive: TarStream) -> tuple[bytes, bytes]:
    """PUSH_SCRIPT fed its archive a megabyte at a time, as a network would: tar writes the files over a while."""
    shell, env = shell_with(tmp_path, tools)
    process = subprocess.Popen(
        [shell, "-xc", PUSH_SCRIPT, "sh", *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    assert process.stdin is not None
    process.stdin.write(head)
    for chunk in archive:
        process.stdin.write(chunk)
        process.stdin.flush()
        time.sleep(0.03)
    out, err = process.communicate()
    assert process.returncode == 0, err
    return out, err


@pytest.mark.parametrize("tools", ["gnu", "busybox"])
@pytest.mark.parametrize("told", ["right", "wrong"])
def test_the_largest_file_is_hashed_while_tar_writes_it_and_counts_only_if_all_of_it_was(
    tmp_path: Path, tools: str, told: str
) -> None:
    local = tmp_path / "local"
    files = local_files(local)
    archive = TarStream(local, sorted(files), hash_files=True)
    size = len(files["d/big.bin"]) + (0 if told == "right" else 1)  # a wrong size: hashed afterwards instead
    into = tmp_path / "pod" / ".k8sx-partial-x"
    head = b"new\n" + f"{size} d/big.bin\n".encode()
    _, err = send_slowly(tmp_path, tools, [str(into), str(tmp_path / "pod" / "d"), "no", ""], head, archive)

    traced = err.decode(errors="replace")
    skipped = "-inum" in traced.split("+ find . -type f", 1)[1].split("-exec", 1)[0]
    assert skipped is (told == "right"), traced  # its sum came from the follower: not hashed again
    assert f"echo {archive.digests['d/big.bin']} *./d/big.bin" in traced.replace("'", "") or told == "wrong", traced
    assert verify_listed_sums(err, archive.digests) == "sha256"
    assert sorted(p.name for p in into.iterdir()) == ["d"]  # the follower's markers are gone
    for name, data in files.items():
        assert (into / name).read_bytes() == data, name


@pytest.mark.parametrize("tools", ["gnu", "busybox"])
def test_what_a_cut_copys_follower_left_is_gone_before_the_next_copy_reads_anything(tmp_path: Path, tools: str) -> None:
    into = tmp_path / "pod" / ".k8sx-partial-x"
    (into / "d").mkdir(parents=True)
    (into / "d" / "kept.bin").write_bytes(b"k" * 100)
    for marker in (".k8sx-whole", ".k8sx-followed"):  # the exec was killed while a file was followed
        (into / marker).write_text("stale")
    local = tmp_path / "local"
    (local / "d").mkdir(parents=True)
    (local / "d" / "more.txt").write_bytes(b"more")
    archive = b"".join(bytes(chunk) for chunk in TarStream(local, ["d/more.txt"], hash_files=True))
    done = run_script(tmp_path, tools, [str(into), str(tmp_path / "pod" / "d"), "no", "d"], b"resume\n\n" + archive)

    assert done.returncode == 0, done
    assert sorted(p.name for p in into.iterdir()) == ["d"], done  # only the copy: it can be moved into place
    assert sorted(p.name for p in (into / "d").iterdir()) == ["kept.bin", "more.txt"]


@pytest.mark.parametrize("tools", ["gnu", "busybox"])
def test_a_copy_cut_while_its_largest_file_is_followed_ends_and_counts_nothing_of_it(
    tmp_path: Path, tools: str
) -> None:
    local = tmp_path / "local"
    files = local_files(local)
    archive = b"".join(bytes(chunk) for chunk in TarStream(local, sorted(files), hash_files=True))
    into = tmp_path / "pod" / ".k8sx-partial-x"
    head = b"new\n" + f"{len(files['d/big.bin'])} d/big.bin\n".encode()
    args = [str(into), str(tmp_path / "pod" / "d"), "no", ""]
    # the archive stops halfway through the large file, as a cut connection leaves it
    done = run_script(tmp_path, tools, args, head + archive[: len(archive) // 2], trace=False)

    status = TAR_STATUS.search(done.stderr)
    assert status is not None and status.group(1) != b"0", done.stderr  # tar said the archive was cut
    listed = dict((name, digest) for digest, name in FILE_SUM.findall(done.stderr))
    half = (into / "d" / "big.bin").read_bytes()
    assert 0 < len(half) < len(files["d/big.bin"])
    assert listed[b"./d/big.bin"] == hashlib.sha256(half).hexdigest().encode()  # what is there, hashed after tar
    assert sorted(p.name for p in into.iterdir()) == ["d"]  # no follower's file left


def a_copy_of_d(tmp_path: Path) -> bytes:
    """What the client sends after k8sx:ready for a fresh copy of a folder d with one file."""
    local = tmp_path / "local"
    (local / "d").mkdir(parents=True, exist_ok=True)
    (local / "d" / "x.txt").write_bytes(b"x")
    return b"new\n\n" + b"".join(bytes(chunk) for chunk in TarStream(local, ["d/x.txt"], hash_files=True))


def outside_with_a_file(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.txt").write_text("keep me")
    return outside


@pytest.mark.parametrize("tools", ["gnu", "busybox"])
def test_a_copy_into_a_folder_that_is_a_link_stops_before_writing_and_says_where_it_points(
    tmp_path: Path, tools: str
) -> None:
    outside = outside_with_a_file(tmp_path)
    folder = tmp_path / "pod" / "data"
    folder.parent.mkdir()
    folder.symlink_to(outside)
    args = [str(folder / ".k8sx-partial-x"), str(folder / "d"), "yes", "d", str(folder)]
    done = run_script(tmp_path, tools, args, a_copy_of_d(tmp_path), trace=False)

    assert done.returncode == 0, done
    link = pod_link(done.stdout.decode())
    assert link is not None and (link.name, link.to, link.dangling) == ("folder", str(outside), False), done
    assert b"k8sx:ready" not in done.stdout, done
    assert [p.name for p in outside.iterdir()] == ["precious.txt"]


@pytest.mark.parametrize("tools", ["gnu", "busybox"])
@pytest.mark.parametrize("dangling", [False, True])
@pytest.mark.parametrize("overwrite", ["no", "yes"])
def test_a_target_that_is_a_link_is_refused_and_kept_whether_it_leads_anywhere_or_not(
    tmp_path: Path, tools: str, dangling: bool, overwrite: str
) -> None:
    outside = tmp_path / "not-there" if dangling else outside_with_a_file(tmp_path)
    folder = tmp_path / "pod" / "data"
    folder.mkdir(parents=True)
    (folder / "d").symlink_to(outside)
    args = [str(folder / ".k8sx-partial-x"), str(folder / "d"), overwrite, "", str(folder)]
    done = run_script(tmp_path, tools, args, a_copy_of_d(tmp_path), trace=False)

    assert done.returncode == 0, done
    link = pod_link(done.stdout.decode())
    assert link is not None and (link.name, link.to, link.dangling) == ("target", str(outside), dangling), done
    assert [p.name for p in folder.iterdir()] == ["d"] and (folder / "d").is_symlink()  # nothing staged either
    assert dangling is not outside.exists()


@pytest.mark.parametrize("tools", ["gnu", "busybox"])
@pytest.mark.parametrize("where", ["the folder", "a folder in it"])
def test_a_link_to_a_folder_left_where_a_cut_copy_arrives_is_not_resumed_through(
    tmp_path: Path, tools: str, where: str
) -> None:
    outside = outside_with_a_file(tmp_path)
    (outside / "d").mkdir()
    (outside / "d" / "x.txt").write_bytes(b"x")  # would be listed, and kept, through the link
    into = tmp_path / "pod" / ".k8sx-partial-x"
    if where == "the folder":
        into.parent.mkdir()
        into.symlink_to(outside)
    else:
        (into / "d").mkdir(parents=True)
        (into / "d" / "deep").symlink_to(outside)
    args = [str(into), str(tmp_path / "pod" / "d"), "no", "d", str(tmp_path / "pod")]
    done = run_script(tmp_path, tools, args, a_copy_of_d(tmp_path), trace=False)

    assert done.returncode == 0, done
    assert done.stdout.split() == [b"k8sx:ready", b"k8sx:go"], done  # nothing listed: the client starts anew
    assert (into / "d" / "x.txt").read_bytes() == b"x" and not into.is_symlink()
    assert not (into / "d" / "deep").exists()  # `new` emptied the folder: the link went, not what it points to
    assert sorted(p.name for p in outside.iterdir()) == ["d", "precious.txt"]


@pytest.mark.parametrize("tools", ["gnu", "busybox"])
@pytest.mark.parametrize("late", ["target", "folder"])
def test_a_link_made_while_the_copy_ran_is_not_replaced_when_the_copy_is_moved_into_place(
    tmp_path: Path, tools: str, late: str
) -> None:
    outside = outside_with_a_file(tmp_path)
    folder = tmp_path / "pod" / "data"
    staging = folder / ".k8sx-partial-x"
    (staging / "d").mkdir(parents=True)
    (staging / "d" / "x.txt").write_bytes(b"x")
    if late == "target":
        link = folder / "d"
        link.symlink_to(outside)
    else:  # the copy arrived; then the chosen folder was swapped for a link to where it arrived
        arrived = folder.rename(tmp_path / "pod" / "arrived")
        folder.symlink_to(arrived)
        link, staging = folder, arrived / ".k8sx-partial-x"
    shell, env = shell_with(tmp_path, tools)
    args = [str(folder / ".k8sx-partial-x"), str(folder / "d"), "d", str(folder)]
    done = subprocess.run([shell, "-c", MOVE_IN, "sh", *args], capture_output=True, env=env, timeout=60)

    said = pod_link(done.stdout.decode())
    assert said is not None and said.name == late and b"k8sx:moved" not in done.stdout, done
    assert link.is_symlink() and (staging / "d" / "x.txt").read_bytes() == b"x"  # the copy kept, the link too
    assert [p.name for p in outside.iterdir()] == ["precious.txt"]
