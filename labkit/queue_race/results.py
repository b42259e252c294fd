"""What a race measured, as a table (markdown), JSON and four bar charts."""
from __future__ import annotations

import statistics
from pathlib import Path

from labkit.look.timing import percentile
from labkit.queue_race.libraries import COLUMNS, LABELS, setups_markdown


class RaceResult:
    """What ``race()`` measured: ``rows`` (one dict per library, in the table's order), ``runs`` (each
    run's raw figures and samples), ``machine``. Shows itself as a table; ``plot()`` draws it."""

    def __init__(self, libraries: list[str], runs: list[dict], params: dict, machine: dict):
        self.libraries, self.runs, self.params, self.machine = libraries, runs, params, machine
        self.rows = [self._row(name) for name in libraries]

    def _row(self, library: str) -> dict:
        runs = [r for r in self.runs if r["library"] == library]
        enqueue = [s for r in runs for s in r["enqueue_s"]]
        round_trip = [s for r in runs for s in r["round_trip_s"]]
        checked = [c for r in runs for c in r["checked"].values()]
        return {
            "library": library,
            "label": LABELS[library],
            "client": runs[0]["client"],
            "enqueue_p50_s": percentile(enqueue, 50), "enqueue_p99_s": percentile(enqueue, 99),
            "round_trip_p50_s": percentile(round_trip, 50), "round_trip_p99_s": percentile(round_trip, 99),
            # the fastest: what a library always pays (RQ's fork), which a busy moment cannot lower
            "round_trip_min_s": min(round_trip),
            "throughput_per_s": statistics.median(r["throughput"]["tasks"] / r["throughput"]["seconds"]
                                                  for r in runs),
            "memory_bytes": statistics.median(r["memory_peak"] for r in runs),
            "processes": max(r["processes_at_peak"] for r in runs),
            "results_expected": sum(c["expected"] for c in checked),
            "results_correct": sum(c["correct"] for c in checked),
            "runs": len(runs),
        }

    # -- showing it --------------------------------------------------------------------------
    def cells(self, row: dict) -> list[str]:
        return [row["label"], f"{row['enqueue_p50_s'] * 1e6:,.0f}", f"{row['enqueue_p99_s'] * 1e6:,.0f}",
                f"{row['round_trip_p50_s'] * 1e3:,.2f}", f"{row['round_trip_p99_s'] * 1e3:,.2f}",
                f"{row['throughput_per_s']:,.0f}", f"{row['memory_bytes'] / 2**20:,.0f}",
                str(row["processes"]), f"{row['results_correct']:,}/{row['results_expected']:,}"]

    def markdown(self) -> str:
        """The table, in markdown (always the same rows and columns; only the numbers change)."""
        lines = ["| " + " | ".join(COLUMNS) + " |", "|---|" + "---:|" * (len(COLUMNS) - 1)]
        lines += ["| " + " | ".join(self.cells(row)) + " |" for row in self.rows]
        return "\n".join(lines)

    def caption(self) -> str:
        p = self.params
        rounds = f"{p['rounds']} round" + ("s" if p["rounds"] != 1 else "")
        return (f"{p['n']} tasks per phase, {rounds}, {p['concurrency']} worker processes "
                f"per library, one task at a time each; memory: median of each run's peak; "
                f"latencies: percentiles over every round's samples; throughput: median of the rounds.")

    def setups_markdown(self) -> str:
        """How each library raced was run: workers, prefetch, acknowledgement, results, waiting."""
        return setups_markdown(self.libraries)

    def _repr_markdown_(self) -> str:
        return self.markdown() + "\n\n" + self.caption()

    def __repr__(self) -> str:
        return self.markdown()

    def plot(self, path: str | Path | None = None):
        """Four bar charts (enqueue, round trip, throughput, memory); saved to ``path`` if given."""
        from matplotlib.figure import Figure
        labels = [row["label"] for row in self.rows][::-1]
        rows = self.rows[::-1]
        fig = Figure(figsize=(11, 1.2 + 0.45 * len(rows) * 2), layout="constrained")
        axes = fig.subplots(2, 2)
        y = range(len(rows))
        h = 0.4

        def pair(ax, p50, p99, scale, unit, title):
            ax.barh([i + h / 2 for i in y], [r[p50] * scale for r in rows], h, label="p50", color="#4c72b0")
            ax.barh([i - h / 2 for i in y], [r[p99] * scale for r in rows], h, label="p99", color="#dd8452")
            ax.set_xscale("log")
            ax.set_xlabel(unit)
            ax.set_title(title)
            ax.legend(loc="lower right", fontsize=8)

        pair(axes[0][0], "enqueue_p50_s", "enqueue_p99_s", 1e6, "µs (log scale)", "enqueue call alone")
        pair(axes[0][1], "round_trip_p50_s", "round_trip_p99_s", 1e3, "ms (log scale)",
             "round trip: enqueue → worker → result")
        axes[1][0].barh(list(y), [r["throughput_per_s"] for r in rows], color="#55a868")
        axes[1][0].set_xlabel("tasks/s")
        axes[1][0].set_title(f"throughput, {self.params['n']} tasks at once")
        axes[1][1].barh(list(y), [r["memory_bytes"] / 2**20 for r in rows], color="#8172b3")
        axes[1][1].set_xlabel("MiB (resident, summed over the worker processes)")
        axes[1][1].set_title("peak memory of the workers")
        for ax in (a for line in axes for a in line):
            ax.set_yticks(list(y), labels)
            ax.grid(axis="x", alpha=0.3)
        fig.suptitle(f"{self.params['concurrency']} worker processes each, same no-op task, same Redis "
                     f"({self.machine.get('redis', '')}), {self.params['n']} tasks, "
                     f"{self.params['rounds']} round" + ("s" if self.params["rounds"] != 1 else ""))
        if path is not None:
            fig.savefig(path, dpi=110)
        return fig

    def to_json(self) -> dict:
        """Everything but the raw samples (and the pids)."""
        runs = [{k: v for k, v in r.items() if k not in ("enqueue_s", "round_trip_s", "pids")}
                for r in self.runs]
        return {"params": self.params, "machine": self.machine, "rows": self.rows, "runs": runs}


