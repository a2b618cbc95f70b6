"""`suanpan bench NAME`: the benchmark workloads (see `suanpan.bench`); one JSON line on stdout."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

WORKLOADS = ("o2c",)


class Command(BaseCommand):
    help = (
        "Run a benchmark workload and print one JSON line with its figures (progress goes to stderr). "
        "Workloads: o2c (order to cash end to end). Run it in a scratch database: it leaves its organization."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("workload", choices=WORKLOADS, help="the workload to run")
        parser.add_argument("--orders", type=int, default=1000, metavar="N", help="number of orders (default 1000)")
        parser.add_argument("--seed", type=int, default=1, help="seed of the random generator (default 1)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["orders"] < 1:
            raise CommandError("--orders: give at least 1 order")
        from suanpan import bench

        result = bench.o2c(orders_count=options["orders"], seed=options["seed"], err=self.stderr)
        self.stdout.write(json.dumps(result, ensure_ascii=False, default=str))
        if result["verify"] != "clean":
            raise CommandError("verify found differences after the workload (see the JSON line)")
