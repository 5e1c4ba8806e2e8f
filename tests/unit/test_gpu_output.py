"""nvidia-smi's answer read as hostile text: what the real one prints (one line per GPU, `[N/A]`, `[Not Supported]`)
and what an image may print instead (garbage, a header, negative or absurd figures, megabytes, bad bytes)."""

from __future__ import annotations

import pytest

from tui.models.metrics.gpu import (
    LONGEST_OUTPUT,
    NO_NVIDIA_SMI,
    Gpu,
    GpuState,
    GpuUse,
    gpu_percent_text,
    parse_nvidia_smi,
    vram_text,
)


def test_the_real_output_one_line_per_gpu() -> None:
    use = parse_nvidia_smi(b"37, 1024, 15360\n0, 10, 15360\n")
    assert use == GpuUse((Gpu(37, 1024, 15360), Gpu(0, 10, 15360)))
    assert use.percent == 19  # the mean, rounded up
    assert use.memory_used == 1034 and use.memory_total == 30720


def test_mean_rounded_up_is_zero_only_when_every_gpu_is() -> None:
    assert parse_nvidia_smi(b"1, 0, 100\n0, 0, 100\n0, 0, 100\n0, 0, 100\n").percent == 1  # type: ignore[union-attr]
    assert parse_nvidia_smi(b"0, 0, 100\n0, 0, 100\n").percent == 0  # type: ignore[union-attr]


@pytest.mark.parametrize("words", ["[N/A]", "[Not Supported]", "N/A", "[Unknown Error]"])
def test_fields_nvidia_smi_cannot_read_are_unknown(words: str) -> None:
    use = parse_nvidia_smi(f"{words}, 1024, {words}\n".encode())
    assert use == GpuUse((Gpu(None, 1024, None),))
    assert use.percent is None and use.memory_total is None


@pytest.mark.parametrize(
    "output",
    [
        b"",
        b"garbage\n",
        b"utilization.gpu [%], memory.used [MiB], memory.total [MiB]\n",  # a header: not what was asked
        b"-5, 10, 100\n",  # negative
        b"150, 10, 100\n",  # more than 100%
        b"37, 1024\n",  # a field missing
        b"37, 1024, 15360, 9\n",  # one too many
        b"1e9, 1, 2\n",
        b"37, 99999999999999999999, 15360\n",  # absurd
        b"\x1b]0;pwned\x07, 1, 2\n",
        b"NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n",
    ],
)
def test_garbage_is_not_a_reading(output: bytes) -> None:
    assert parse_nvidia_smi(output) is None


def test_garbage_lines_are_skipped_among_good_ones() -> None:
    assert parse_nvidia_smi(b"warning: something\n37, 1, 2\n\xff\xfe\n") == GpuUse((Gpu(37, 1, 2),))


def test_more_used_than_there_is_is_not_trusted() -> None:
    assert parse_nvidia_smi(b"5, 200, 100\n") == GpuUse((Gpu(5, None, None),))


def test_huge_output_is_read_only_so_far() -> None:
    lines = b"37, 1, 2\n" * (LONGEST_OUTPUT // 4)
    use = parse_nvidia_smi(lines)
    assert use is not None and len(use.gpus) <= 64
    assert parse_nvidia_smi(b"x" * 10_000_000) is None


def test_decimal_figures_are_rounded() -> None:
    assert parse_nvidia_smi(b" 37.6 , 1024.2 ,15360\n") == GpuUse((Gpu(38, 1024, 15360),))


def test_cells() -> None:
    use = GpuUse((Gpu(37, 1024, 15360),))
    assert gpu_percent_text(GpuState(use)) == "37%" and vram_text(GpuState(use)) == "1.0/15G"
    assert gpu_percent_text(GpuState(GpuUse((Gpu(0, 0, 15360),)), idle=True)) == "idle GPU"
    assert gpu_percent_text(GpuState(problem=NO_NVIDIA_SMI)) == "n/a (no nvidia-smi)"
    assert GpuState(problem=NO_NVIDIA_SMI).final and not GpuState(problem="exec failed").final
    assert vram_text(GpuState(problem=NO_NVIDIA_SMI)) == "n/a"
    assert gpu_percent_text(None) == "" and vram_text(None) == ""  # not read yet
    assert gpu_percent_text(GpuState(GpuUse((Gpu(None, 1, 2),)))) == "n/a"


def test_sparkline_bars_on_an_absolute_scale() -> None:
    from tui.widgets.usage_sparkline import bars

    assert bars([0, 50, 100, 150], top=100, width=6) == "  ▁▅██"  # 0 the lowest bar, the top and over full
    assert bars([250, 250], top=1000, width=2) == "▃▃"  # steady is steady, not empty or full
    assert bars(list(range(100)), top=99, width=3) == "███"  # the newest on the right, the oldest cut
    assert bars([], top=0, width=2) == "  " and bars([5], top=0, width=1) == "█"
