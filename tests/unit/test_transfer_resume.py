"""What a cut pull left is sorted into kept, continued and fetched again; nothing unverified is kept."""

from __future__ import annotations

import hashlib
from pathlib import Path

from tui.services.tar.safe_extract import PART_SUFFIX
from tui.services.transfer.pull_resume import parse_listing, partial_folder, plan_resume, resume_offer


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


LISTING = f"""{sha(b"a" * 10)}  out/a.txt
{sha(b"b" * 10)}  ./out/deep/b.txt
{sha(b"big" * 1000)}  out/big.bin
{sha(b"new")}  out/new.txt
//sizes
10 out/a.txt
10 out/deep/b.txt
3000 out/big.bin
3 out/new.txt
//others
out/link
out/empty
"""


def test_the_pods_listing_is_read_section_by_section() -> None:
    listing = parse_listing(LISTING)
    assert listing.digests["out/deep/b.txt"] == sha(b"b" * 10)
    assert listing.sizes == {"out/a.txt": 10, "out/deep/b.txt": 10, "out/big.bin": 3000, "out/new.txt": 3}
    assert listing.others == ["out/link", "out/empty"]


def test_verified_files_are_kept_a_part_file_continues_and_the_rest_comes_again(tmp_path: Path) -> None:
    staging = tmp_path / "staging"
    (staging / "out" / "deep").mkdir(parents=True)
    (staging / "out" / "a.txt").write_bytes(b"a" * 10)  # complete and equal: kept
    (staging / "out" / "deep" / "b.txt").write_bytes(b"B" * 10)  # complete but different: fetched again
    (staging / "out" / ("big.bin" + PART_SUFFIX)).write_bytes((b"big" * 1000)[:1200])  # cut: continues at 1200
    (staging / "out" / "gone.txt").write_bytes(b"not in the pod any more")
    (staging / "out" / "link").symlink_to("a.txt")
    plan = plan_resume(staging, parse_listing(LISTING))
    assert plan.kept == {"out/a.txt": sha(b"a" * 10)} and plan.kept_bytes == 10
    assert plan.continued == {"out/big.bin": 1200}
    assert sorted(plan.needed) == ["out/deep/b.txt", "out/empty", "out/link", "out/new.txt"]
    assert plan.remaining(parse_listing(LISTING)) == 10 + 3 + 1800
    left = sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file())
    assert left == ["out/a.txt", "out/big.bin" + PART_SUFFIX]  # the untrusted ones are gone


def test_a_part_file_longer_than_the_pods_file_starts_over(tmp_path: Path) -> None:
    staging = tmp_path / "staging"
    (staging / "out").mkdir(parents=True)
    (staging / "out" / ("new.txt" + PART_SUFFIX)).write_bytes(b"longer than three")
    plan = plan_resume(staging, parse_listing(LISTING))
    assert plan.continued == {} and "out/new.txt" in plan.needed
    assert not (staging / "out" / ("new.txt" + PART_SUFFIX)).exists()


def test_a_resume_is_offered_only_for_the_same_source_and_destination(tmp_path: Path) -> None:
    destination = tmp_path / "results" / "exp"
    source = "ns/exp:/persistent/out"
    assert resume_offer(destination, source) is None
    folder = partial_folder(destination, source)
    assert folder.parent == destination.parent and folder.name.startswith(".exp.k8sx-partial-")
    (folder / "out").mkdir(parents=True)
    (folder / "out" / "a.txt").write_bytes(b"1234")
    (folder / "out" / ("b" + PART_SUFFIX)).write_bytes(b"12")
    offer = resume_offer(destination, source)
    assert offer is not None and (offer.files, offer.bytes) == (1, 6)
    assert resume_offer(destination, "ns/other:/persistent/out") is None
    assert resume_offer(tmp_path / "results" / "other", source) is None
