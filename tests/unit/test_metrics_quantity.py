"""Quantities from servers and pod specs: every spelling the API server accepts, nothing else, never an exception."""

from decimal import Decimal

import pytest

from tui.models.metrics.quantity import millicores, parse_quantity, whole


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("250m", Decimal("0.25")),
        ("2", Decimal(2)),
        ("1.5", Decimal("1.5")),
        ("1Gi", Decimal(2**30)),
        ("512Mi", Decimal(512 * 2**20)),
        ("1k", Decimal(1000)),
        ("12345n", Decimal("0.000012345")),
        ("3e3", Decimal(3000)),
        (".5", Decimal("0.5")),
        (1, Decimal(1)),  # a YAML number: `nvidia.com/gpu: 1`
    ],
)
def test_every_spelling_the_api_server_accepts_is_read(text: object, value: Decimal) -> None:
    assert parse_quantity(text) == value


@pytest.mark.parametrize("text", ["", "lots", "1GG", "Gi", "1 Gi", "--1", "1e", None, True, [], {"a": 1}, "9" * 200])
def test_anything_else_is_not_a_quantity(text: object) -> None:
    assert parse_quantity(text) is None


def test_cpu_is_in_whole_millicores_rounded_up_and_memory_in_bytes() -> None:
    assert [millicores(q) for q in ("250m", "1", "12345678n", "1n", "0")] == [250, 1000, 13, 1, 0]
    assert [whole(q) for q in ("1Gi", "100M", "4", "0.5")] == [2**30, 100_000_000, 4, 1]


def test_negative_and_unreadable_figures_are_none() -> None:
    assert millicores("-1") is None and whole("-5Mi") is None and millicores("x") is None
