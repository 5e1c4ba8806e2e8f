"""The pod's per-file sha256 list after a copy-in, against the local files' sums."""

from __future__ import annotations

import pytest

from tui.services.transfer.copy_in import verify_listed_sums
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
