"""The live rail board: what is on the ticket rail and in the kitchen, refreshed as it happens.

    board = labkit.rail_board(seconds=10)   # shows itself and refreshes in the background
"""
from __future__ import annotations

import html
import threading
import time

from labkit.kitchen import facts


class RailBoard:
    """Polls Redis every ``interval`` seconds and redraws one HTML widget; stops after ``seconds``."""

    def __init__(self, redis_server, queue: str = "celery", seconds: float = 10.0, interval: float = 0.25):
        import ipywidgets

        self.broker = redis_server.client(facts.database("broker"))
        self.results = redis_server.client(facts.database("results"))
        self.queue, self.seconds, self.interval = queue, seconds, interval
        self.widget = ipywidgets.HTML()
        self.history: list[dict] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def snapshot(self) -> dict:
        pipe = self.broker.pipeline(transaction=False)
        pipe.llen(self.queue)
        pipe.hlen("unacked")
        on_rail, unacked = pipe.execute()
        results = sum(1 for _ in self.results.scan_iter(match="celery-task-meta-*", count=1000))
        return {"t": time.monotonic(), "on the rail": on_rail, "taken, not yet acked": unacked,
                "results stored": results}

    def _rate(self) -> float:
        """Results stored per second over the last second or so."""
        if len(self.history) < 2:
            return 0.0
        now = self.history[-1]
        past = next((h for h in self.history if now["t"] - h["t"] <= 1.0), self.history[0])
        span = now["t"] - past["t"]
        return (now["results stored"] - past["results stored"]) / span if span > 0 else 0.0

    def render(self) -> str:
        snap = self.history[-1]
        biggest = max([1] + [h["on the rail"] for h in self.history])
        rows = []
        for name in ("on the rail", "taken, not yet acked", "results stored"):
            value = snap[name]
            bar = "" if name == "results stored" else \
                f"<div style='background:#e67e22;height:10px;width:{200 * value / biggest:.0f}px'></div>"
            rows.append(f"<tr><td>{html.escape(name)}</td><td style='text-align:right'><b>{value}</b></td>"
                        f"<td>{bar}</td></tr>")
        rows.append(f"<tr><td>done per second</td><td style='text-align:right'><b>{self._rate():.1f}</b></td>"
                    "<td></td></tr>")
        state = "live" if not self._stop.is_set() else "stopped"
        return (f"<b>Rail board</b> · queue <code>{html.escape(self.queue)}</code> · {state}"
                f"<table style='min-width:360px'>{''.join(rows)}</table>")

    def refresh(self) -> None:
        self.history.append(self.snapshot())
        self.widget.value = self.render()

    def _loop(self) -> None:
        deadline = time.monotonic() + self.seconds
        while not self._stop.is_set() and time.monotonic() < deadline:
            try:
                self.refresh()
            except Exception as error:  # Redis stopped under us: say so and stop refreshing
                self.widget.value = f"<b>Rail board</b> stopped: {html.escape(str(error))}"
                break
            self._stop.wait(self.interval)
        self._stop.set()
        try:
            self.refresh()
        except Exception:
            pass

    def start(self) -> RailBoard:
        self.refresh()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def _ipython_display_(self) -> None:
        from IPython.display import display
        display(self.widget)


def rail_board(seconds: float = 10.0, queue: str = "celery", interval: float = 0.25) -> RailBoard:
    """Show the live rail board for this kernel's restaurant, refreshing for ``seconds``."""
    from labkit.kitchen.restaurant import running_redis
    return RailBoard(running_redis(), queue, seconds, interval).start()
