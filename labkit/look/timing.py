"""Time things properly: many runs, percentiles, ratios, a plot. One `%time` proves nothing."""
from __future__ import annotations

import gc
import time
from dataclasses import dataclass

from labkit.runtime.tables import Table, fmt_duration


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), interpolated between the closest ranks (numpy's default): the
    one definition the course uses, in lessons and benchmarks alike."""
    data = sorted(values)
    if not data:
        return float("nan")
    k = (len(data) - 1) * q / 100
    lo = int(k)
    hi = min(lo + 1, len(data) - 1)
    return data[lo] + (data[hi] - data[lo]) * (k - lo)


@dataclass
class Timings:
    name: str
    seconds: list[float]

    def percentile(self, p: float) -> float:
        """The p-th percentile (0-100) of the runs (``percentile`` below)."""
        return percentile(self.seconds, p)

    @property
    def p50(self) -> float:
        return self.percentile(50)

    @property
    def p90(self) -> float:
        return self.percentile(90)

    @property
    def p99(self) -> float:
        return self.percentile(99)

    def __repr__(self) -> str:
        return (f"{self.name}: {len(self.seconds)} runs, p50 {fmt_duration(self.p50)}, "
                f"p90 {fmt_duration(self.p90)}, p99 {fmt_duration(self.p99)}")


def time_calls(fn, runs: int = 500, warmup: int = 20, name: str | None = None) -> Timings:
    """Call ``fn()`` ``warmup`` times (not counted), then ``runs`` times, timing each call."""
    for _ in range(warmup):
        fn()
    seconds = []
    gc_was_on = gc.isenabled()
    gc.disable()  # a garbage collection in the middle of one call is noise, not the call's cost
    try:
        for _ in range(runs):
            start = time.perf_counter()
            fn()
            seconds.append(time.perf_counter() - start)
    finally:
        if gc_was_on:
            gc.enable()
    return Timings(name or getattr(fn, "__name__", "call"), seconds)


def compare(*timings: Timings, baseline: Timings | None = None) -> Table:
    """Percentiles side by side, and each p50 as a multiple of the baseline's (the first by default)."""
    base = baseline or timings[0]
    rows = [{"what": t.name, "runs": len(t.seconds), "p50": fmt_duration(t.p50), "p90": fmt_duration(t.p90),
             "p99": fmt_duration(t.p99), f"p50 / {base.name}": f"{t.p50 / base.p50:.1f}x"} for t in timings]
    return Table(rows, title="timings")


def plot(*timings: Timings, title: str = "how long one call takes"):
    """Each series' distribution of call times, on a log scale (a few slow calls are the story)."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 3))
    ax.boxplot([[s * 1e6 for s in t.seconds] for t in timings], vert=False, whis=(1, 99), showfliers=True,
               flierprops={"markersize": 2})
    ax.set_yticks(range(1, len(timings) + 1), [t.name for t in timings])
    ax.set_xscale("log")
    ax.set_xlabel("microseconds per call (log scale); box: p25-p75, whiskers: p1-p99")
    ax.set_title(title)
    fig.tight_layout()
    plt.close(fig)
    return fig
