"""One order's relay, hop by hop, as a customer in a real browser lives it.

    .venv/bin/python benchmarks/order_trail.py [--orders 20] [--chromium /usr/bin/chromium]

Opens the restaurant (Redis, a worker, Daphne) and table 5's page in Chromium, then places orders
one after another with the page's own form, waiting for each to show "ready". Every hop's time comes
from the order's trail in Redis (restaurant/classroom/trail.py) and, for the last hop, from the moment
the page's WebSocket handler ran (performance.timeOrigin + performance.now()). Prints each leg's
median and slowest as a markdown table. It measures; it asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=20)
    parser.add_argument("--chromium", default=shutil.which("chromium") or shutil.which("chromium-browser"))
    args = parser.parse_args(argv)
    if not args.chromium:
        sys.exit("no Chromium found: install Debian's chromium package, or pass --chromium PATH")

    os.environ["ORDERUP_HOME"] = tempfile.mkdtemp(prefix="orderup-relay-")
    os.environ["ORDERUP_BROWSER"] = "direct"
    from playwright.sync_api import sync_playwright

    from labkit.kitchen.restaurant import Restaurant
    from labkit.look.trail import median_steps, order_trail

    kitchen = Restaurant(in_process_django=False).open()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=args.chromium, chromium_sandbox=os.geteuid() != 0,
                args=["--disable-background-networking", "--disable-component-update",
                      "--disable-sync", "--no-first-run", "--disable-gpu"])
            page = browser.new_page()
            page.goto(kitchen.page_url(5))
            page.wait_for_selector("body[data-buzzer=open]")
            order_ids = []
            for _ in range(args.orders + 1):  # the first order warms every connection up: not counted
                with page.expect_response(lambda r: r.request.method == "POST") as answer:
                    page.click("button[type=submit]")
                order_id = answer.value.json()["id"]
                page.wait_for_function(
                    "id => window.orderUp.buzzes.some(b => b.order.id === id && b.order.status === 'ready')",
                    arg=order_id, timeout=10_000)
                order_ids.append(order_id)
            buzzes = page.evaluate("window.orderUp.buzzes")
            browser.close()
        client = kitchen.redis.client(db=3)
        trails = [order_trail(i, buzzes, customer="browser", client=client) for i in order_ids[1:]]
    finally:
        kitchen.close()
        kitchen.run.close(remove=True)

    table = median_steps(trails)
    print(f"{len(trails)} orders from table 5's page in Chromium ({args.chromium})\n")
    print("| leg | median | slowest |\n|---|---|---|")
    for row in table:
        print(f"| {row['leg']} | {row['median']} | {row['slowest']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
