"""Figures as the columns print them."""

from tui.models.metrics.text import cpu_text, gpu_text, memory_text, percent_text


def test_figures_print_in_kubectl_tops_units_and_unknown_as_n_a() -> None:
    assert [cpu_text(v) for v in (250, 0, None)] == ["250m", "0m", "n/a"]
    assert [memory_text(v) for v in (300 * 2**20, 1, 12 * 2**30, None)] == ["300Mi", "1Mi", "12.0Gi", "n/a"]
    assert [percent_text(v) for v in (120, None)] == ["120%", "n/a"]
    assert [gpu_text(v) for v in (2, 0, None)] == ["2", "", ""]
