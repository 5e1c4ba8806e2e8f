"""Hostile archives are refused entry by entry, and nothing is ever written outside the destination."""

from __future__ import annotations

import hashlib
import io
import tarfile
from pathlib import Path

from tui.services.tar.safe_extract import extract


def archive(*entries: tarfile.TarInfo | tuple[str, bytes]) -> io.BytesIO:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for entry in entries:
            if isinstance(entry, tuple):
                name, data = entry
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
            else:
                tar.addfile(entry)
    buffer.seek(0)
    return buffer


def link(name: str, target: str, hard: bool = False) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = tarfile.LNKTYPE if hard else tarfile.SYMTYPE
    info.linkname = target
    return info


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_ordinary_results_are_written_with_their_checksums(tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    dest.mkdir()
    result = extract(archive(("out/metrics.json", b'{"acc": 1}'), ("out/deep/model.bin", b"\x00" * 5000)), dest)
    assert (dest / "out/metrics.json").read_bytes() == b'{"acc": 1}'
    assert result.files["out/deep/model.bin"] == hashlib.sha256(b"\x00" * 5000).hexdigest()
    assert result.refused == [] and result.bytes_written == 5010


def test_dot_dot_and_absolute_names_are_refused(tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    dest.mkdir()
    result = extract(archive(("../escaped.txt", b"x"), ("/tmp/absolute.txt", b"x"), ("ok.txt", b"fine")), dest)
    assert files_under(dest) == ["ok.txt"]
    assert not (tmp_path / "escaped.txt").exists()
    assert [r.split(":")[0] for r in result.refused] == ["../escaped.txt", "/tmp/absolute.txt"]


def test_a_symlink_out_and_a_file_written_through_it_are_both_refused(tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    dest.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    hostile = archive(
        link("out/passwd", "/etc/passwd"),
        link("out/up", "../../outside"),
        ("out/up/planted.txt", b"gotcha"),
        link("out/inside", "metrics.json"),
        ("out/metrics.json", b"{}"),
    )
    result = extract(hostile, dest)
    assert list(outside.iterdir()) == []
    # The refused link never existed, so the file behind it landed in a real folder inside the destination.
    assert files_under(dest) == ["out", "out/inside", "out/metrics.json", "out/up", "out/up/planted.txt"]
    assert (dest / "out/inside").is_symlink() and not (dest / "out/up").is_symlink()
    refused = "\n".join(result.refused)
    assert "out/passwd: symlink to /etc/passwd leaves the destination" in refused
    assert "out/up: symlink to ../../outside leaves the destination" in refused


def test_hard_links_only_to_files_already_extracted(tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    dest.mkdir()
    result = extract(
        archive(("a.txt", b"data"), link("b.txt", "a.txt", hard=True), link("c", "/etc/shadow", True)), dest
    )
    assert (dest / "b.txt").read_bytes() == b"data"
    assert not (dest / "c").exists()
    assert result.refused == ["c: hard link to /etc/shadow leaves the destination"]


def test_an_image_without_tar_gets_a_suggestion() -> None:
    from tui.services.transfer.pull import tar_problem

    said = 'error executing command in container: exec: "tar": executable file not found in $PATH'
    assert tar_problem(said, b"", "").startswith("this pod's image has no tar, which copying needs")
    no_shell = 'exec: "sh": executable file not found in $PATH: unknown'
    assert tar_problem(no_shell, b"", "").startswith("this pod's image has no sh, which copying needs (tar, run by sh)")
    assert "busybox" in tar_problem(no_shell, b"", "")
    for said_by_sh in (b"sh: tar: not found\n", b"sh: exec: line 7: tar: not found\n"):
        assert tar_problem("command terminated with non-zero exit code", said_by_sh, "").startswith(
            "this pod's image has no tar, which copying needs"
        )
    assert tar_problem("", b"", "unexpected end of data").startswith("the archive from the pod ended early")


def test_a_chain_of_links_that_leaves_the_destination_never_redirects_a_write(tmp_path: Path) -> None:
    # Each link looks inside on its own; followed one after the other they point above the destination.
    dest = tmp_path / "a" / "b" / "dest"
    dest.mkdir(parents=True)
    hostile = archive(
        link("d/e/s", "../.."),  # = dest itself: inside
        link("x.k8sx-part", "d/e/s/../f"),  # lexically d/e/f, really dest/../f
        ("x", b"owned\n"),  # its part file would be opened through the planted link
        link("later", "d/e/t/../g"),  # t does not exist yet: lexically inside
        link("d/e/t", "../.."),  # now later -> dest/../g
    )
    result = extract(hostile, dest)
    assert not (dest.parent / "f").exists() and not (dest.parent / "g").exists()
    assert (dest / "x").read_bytes() == b"owned\n" and not (dest / "x").is_symlink()
    assert "later: symlink to d/e/t/../g leaves the destination" in result.refused
    assert not (dest / "later").is_symlink()
    assert files_under(tmp_path) == sorted(["a", "a/b", "a/b/dest", *(f"a/b/dest/{p}" for p in files_under(dest))])


def test_links_are_judged_where_the_pulled_folder_will_live_not_in_the_folder_it_arrives_in(tmp_path: Path) -> None:
    # A pull extracts `out/...` into a hidden folder and then renames its `out` to the destination: `..` from a
    # link in `out` is the hidden folder today, and the destination's parent tomorrow.
    staging = tmp_path / "staging"
    staging.mkdir()
    hostile = archive(
        ("out/ok.txt", b"fine"),
        link("out/up", ".."),
        link("out/sub/up2", "../.."),
        link("out/sib", "../sibling.txt"),
        link("out/round", "../out/ok.txt"),  # back in by the archive's own name, which the destination does not keep
        link("out/d/e/s", "../.."),  # out itself: inside
        link("out/via", "d/e/s/../out/ok.txt"),  # up through s, then back in by that name
        link("out/inner", "sub/../ok.txt"),
        link("out/self", "."),
        ("stray.txt", b"beside out"),
    )
    result = extract(hostile, staging, top="out")
    assert sorted(why.split(":")[0] for why in result.refused) == [
        "out/round", "out/sib", "out/sub/up2", "out/up", "out/via", "stray.txt",
    ]  # fmt: skip
    assert "stray.txt: not inside out, the path pulled" in result.refused
    assert sorted(p.name for p in (staging / "out").iterdir()) == ["d", "inner", "ok.txt", "self"]
    assert result.refused_names == {"out/round", "out/sib", "out/sub/up2", "out/up", "out/via", "stray.txt"}


def test_the_pulled_path_itself_is_never_a_link(tmp_path: Path) -> None:
    staging = tmp_path / "staging"
    staging.mkdir()
    result = extract(archive(link("out", "."), ("out/a.txt", b"a")), staging, top="out")
    assert result.refused == ["out: a link (to .) in place of the destination itself"]
    assert not (staging / "out").is_symlink() and (staging / "out" / "a.txt").read_bytes() == b"a"


def test_names_this_machine_cannot_hold_are_refused_one_by_one_and_shown_short(tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    dest.mkdir()
    long_name = "n" * 300
    deep = "d/" * 5000 + "deep.txt"
    nul = tarfile.TarInfo("x")
    nul.pax_headers = {"path": "bad\0name\x1b[31m"}
    hostile = archive(
        (long_name, b"x"), (f"{long_name}/inside.txt", b"x"), (deep, b"x"), nul, ("ok.txt", b"fine"),
        link("wrapped", "ok.txt"), ("ok.txt/under", b"x"),
    )  # fmt: skip
    result = extract(hostile, dest)
    assert files_under(dest) == ["ok.txt", "wrapped"]
    whys = [why.rsplit(": ", 1)[1] for why in result.refused]
    assert whys == [
        "its name is too long for this file system",
        "its name is too long for this file system",
        "nested 5000 folders deep (at most 256 here)",
        "not a valid name here",
        "clashes with an earlier entry",
    ]
    assert all(len(why) < 200 for why in result.refused)
    assert result.refused[3].startswith("bad\\x00name\\x1b[31m: ")  # no control character reaches the screen
    assert result.refused_names == {long_name, f"{long_name}/inside.txt", deep, "bad\0name\x1b[31m", "ok.txt/under"}


def test_a_large_file_named_like_an_earlier_folder_is_refused_and_leaves_no_part_file(tmp_path: Path) -> None:
    from tui.services.tar.safe_extract import CHUNK

    dest = tmp_path / "dest"
    dest.mkdir()
    result = extract(archive(("model/weights.bin", b"w"), ("model", b"\0" * (CHUNK + 1)), ("ok.txt", b"ok")), dest)
    assert files_under(dest) == ["model", "model/weights.bin", "ok.txt"]
    assert result.refused == ["model: clashes with an earlier entry"] and "model" not in result.files


def test_a_pax_header_whose_numbers_are_not_numbers_is_said_to_be_broken(tmp_path: Path) -> None:
    # What a pull shows is the reader's words: "invalid literal for int()" would tell the user nothing.
    import pytest

    dest = tmp_path / "dest"
    dest.mkdir()
    entry = tarfile.TarInfo("placeholder")
    entry.pax_headers = {"path": "a.txt", "size": "1"}
    raw = archive(entry).getvalue()
    for broken in (raw.replace(b"14 path=a.txt\n", b"1x path=a.txt\n"), raw.replace(b"size=1\n", b"size=z\n")):
        assert broken != raw
        with pytest.raises(tarfile.ReadError, match="a broken pax header"):
            extract(io.BytesIO(broken), dest)
