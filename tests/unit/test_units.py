"""Numbers as people read them."""

from tui.models.units import counted, human_bytes


def test_a_count_says_its_noun_in_the_singular_only_for_one() -> None:
    assert [counted(n, "file") for n in (0, 1, 2, 10_000)] == ["0 files", "1 file", "2 files", "10,000 files"]


def test_sizes_are_in_decimal_units_as_docker_prints_them() -> None:
    assert [human_bytes(n) for n in (532, 4_100, 12_300_000, 1_200_000_000)] == ["532B", "4.1kB", "12.3MB", "1.2GB"]
