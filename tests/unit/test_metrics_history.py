"""The in-memory usage history behind the detail's sparklines and the idle-GPU flag: bounded in count and in time,
pods gone forgotten, idleness only from an unbroken run of 0% samples."""

from __future__ import annotations

from tui.models.metrics.history import IDLE_AFTER_S, MAX_SAMPLES, WINDOW_S, UsageHistory
from tui.models.metrics.usage import Usage


def test_samples_in_order_and_unknown_figures_left_out() -> None:
    history = UsageHistory()
    history.record_usage({"ns/a": Usage(100, 2**20)}, now=0.0)
    history.record_usage({"ns/a": Usage(None, 2**21)}, now=15.0)
    history.record_usage({"ns/a": Usage(300, None)}, now=30.0)
    seen = history.of("ns/a", now=30.0)
    assert seen.cpu_m == [100, 300]  # the unreadable one is a gap, never drawn as 0
    assert seen.memory == [2**20, 2**21]
    assert seen.samples == 3 and seen.span_s == 30.0
    assert history.of("ns/other", now=30.0).samples == 0


def test_samples_older_than_the_window_are_dropped() -> None:
    history = UsageHistory()
    for step in range(100):  # 25 minutes of readings every 15 s
        history.record_usage({"ns/a": Usage(step, 1)}, now=step * 15.0)
    seen = history.of("ns/a", now=99 * 15.0)
    assert seen.span_s <= WINDOW_S
    assert seen.cpu_m == list(range(99 - 60, 100))  # exactly the last 15 minutes (both ends in)
    # Asked later without new readings (the pod list was not on screen): the old ones are gone all the same.
    assert history.of("ns/a", now=99 * 15.0 + WINDOW_S + 1).samples == 0


def test_bounded_in_count_however_often_readings_come() -> None:
    history = UsageHistory()
    for step in range(1000):  # a reading every 0.1 s
        history.record_usage({"ns/a": Usage(step, 1)}, now=step / 10)
    assert history.of("ns/a", now=100.0).samples == MAX_SAMPLES


def test_a_late_reading_does_not_go_back_in_time() -> None:
    history = UsageHistory()
    history.record_usage({"ns/a": Usage(1, 1)}, now=30.0)
    history.record_usage({"ns/a": Usage(2, 1)}, now=15.0)
    assert history.of("ns/a", now=30.0).cpu_m == [1]


def test_pods_gone_are_forgotten() -> None:
    history = UsageHistory()
    history.record_usage({"ns/a": Usage(1, 1), "ns/b": Usage(1, 1)}, now=0.0)
    history.record_gpu("ns/c", 50, 100, now=0.0)
    history.retain(lambda key: key != "ns/b", now=1.0)
    assert len(history) == 2 and history.of("ns/b", now=1.0).samples == 0
    # Alive but silent for longer than the window: nothing left to draw, nothing kept.
    history.retain(lambda key: True, now=WINDOW_S + 10)
    assert len(history) == 0


def test_gpu_idle_after_ten_minutes_at_zero() -> None:
    history = UsageHistory()
    t = 0.0
    history.record_gpu("ns/g", 40, 100, now=t)
    while t < IDLE_AFTER_S:
        t += 15.0
        history.record_gpu("ns/g", 0, 100, now=t)
        assert history.gpu_idle("ns/g") == (t - 15.0 >= IDLE_AFTER_S)
    t += 15.0
    history.record_gpu("ns/g", 0, 100, now=t)
    assert history.gpu_idle("ns/g")
    history.record_gpu("ns/g", 1, 100, now=t + 15)  # busy again: no longer idle
    assert not history.gpu_idle("ns/g") and history.gpu_idle_for("ns/g") == 0.0


def test_gpu_idle_needs_unbroken_samples() -> None:
    """Off screen for a while (no samples): the GPUs may have worked meanwhile, so idleness starts again."""
    history = UsageHistory()
    for step in range(30):
        history.record_gpu("ns/g", 0, 100, now=step * 15.0)
    history.record_gpu("ns/g", 0, 100, now=29 * 15.0 + 300)  # five minutes unseen
    for step in range(1, 20):
        history.record_gpu("ns/g", 0, 100, now=29 * 15.0 + 300 + step * 15)
    assert history.gpu_idle_for("ns/g") == 19 * 15 and not history.gpu_idle("ns/g")


def test_unknown_gpu_use_is_never_idle() -> None:
    history = UsageHistory()
    for step in range(60):
        history.record_gpu("ns/g", None, None, now=step * 15.0)
    assert not history.gpu_idle("ns/g")
    assert history.of("ns/g", now=59 * 15.0).gpu_percent == []


def test_many_pods_stay_small() -> None:
    """10,000 pods' full windows: packed arrays, not objects (the pod list's RSS budget)."""
    import tracemalloc

    history = UsageHistory()
    tracemalloc.start()
    for step in range(61):
        history.record_usage({f"ns/pod-{i}": Usage(250 + step, 300 * 2**20) for i in range(10_000)}, now=step * 15.0)
    size, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert size < 16 * 2**20, size
