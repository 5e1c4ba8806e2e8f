"""The pod's per-file sha256 list after a copy-in, against the local files' sums; what the pod says of a link it
refused."""

from __future__ import annotations

import pytest

from tui.services.transfer.copy_in import verify_listed_sums
from tui.services.transfer.pod_links import pod_link
from tui.services.transfer.pull import TransferFailed

A, B = "a" * 64, "b" * 64


def said(*lines: str) -> bytes:
    return "".join(f"{line}\n" for line in lines).encode()


def test_every_file_listed_and_equal_is_sha256() -> None:
    stderr = said("k8sx:tar 0", f"{A} *./data/x.bin", f"{B}  ./data/y.bin", "k8sx:hashed 0")
    assert verify_listed_sums(stderr, {"data/x.bin": A, "data/y.bin": B}) == "sha256"


def test_a_file_that_differs_is_named() -> None:
    stderr = said(f"{A} *./data/x.bin", f"{A} *./data/y.bin", "k8sx:hashed 0")
    with pytest.raises(TransferFailed, match=r"1 file\(s\) in the pod differ from the local ones: data/y.bin"):
        verify_listed_sums(stderr, {"data/x.bin": A, "data/y.bin": B})


def test_no_hasher_or_no_list_is_size_and_a_partial_list_says_how_many_by_size() -> None:
    assert verify_listed_sums(said("k8sx:tar 0", "k8sx:nohash"), {"x": A}) == "size"
    assert verify_listed_sums(said(f"{A} *./x", "k8sx:hashed 0"), {"x": A, "y": B}) == "sha256 (1 by size)"


def test_a_refused_link_is_named_with_where_it_points_and_the_pods_words_cannot_paint_the_screen() -> None:
    link = pod_link("k8sx:link leads folder\n/etc\x1b[2J\nk8sx:refused\n")
    assert link is not None
    assert link.refusal("/persistent/data", "copy into the folder it points to instead") == (
        "/persistent/data is a link to /etc\\x1b[2J: refused (copy into the folder it points to instead)"
    )


def test_a_dangling_link_says_so_and_a_pod_without_readlink_still_gets_a_refusal() -> None:
    dangling = pod_link("k8sx:link dangling target\n/mnt/later\nk8sx:refused\n")
    assert dangling is not None and dangling.refusal("/data/set", "anything") == (
        "/data/set is a link to /mnt/later, which does not exist: refused (remove the link first)"
    )
    unread = pod_link("k8sx:link leads target\nk8sx:refused\n")
    assert unread is not None and unread.refusal("/data/set", "remove it") == "/data/set is a link: refused (remove it)"
    assert pod_link("k8sx:ready\n") is None
