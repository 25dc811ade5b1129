"""Benchmark: the ГАР XML import of one municipality from a synthetic region, memory and speed.

A region of ``--houses`` houses on 2,000 streets is written as the register's XML files
(AS_ADDR_OBJ, AS_HOUSES, AS_MUN_HIERARCHY, AS_HOUSES_PARAMS); one house in ``--share`` belongs to
the municipality imported. The import runs twice on each backend: the first creates, the second
finds everything unchanged. Prints one JSON line per backend: the region's size, wall times, houses
read per second, and the process's peak memory growth (RSS sampled every 20 ms) as a ratio to the
target. Target: a region of any size costs at most 150 MB over the baseline (memory follows the
municipality, not the region), and the whole region is read at ≥ 10,000 houses/s (two million
houses in under four minutes).

Usage: python bench/gar_import.py [--houses 400000] [--share 10] [--backend both]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import models
from bench._common import run_backends
from models.db import create_engine, create_session_factory
from services.addresses.gar import import_gar

OKTMO = "46701000"
STREETS = 2_000
MEMORY_TARGET_MB = 150.0
SPEED_TARGET = 10_000.0  # houses of the region read per second


def write_region(folder: Path, houses: int, share: int) -> int:
    """The region's files; returns their total size in bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = "20261201_bench"
    head = '<?xml version="1.0" encoding="utf-8"?>\n'
    with (folder / f"AS_ADDR_OBJ_{stamp}.XML").open("w", encoding="utf-8") as f:
        f.write(head + "<ADDRESSOBJECTS>\n")
        for s in range(STREETS):
            oid = houses + 1 + s
            f.write(
                f'<OBJECT ID="{oid}" OBJECTID="{oid}" OBJECTGUID="s-{oid}" NAME="Улица {s}" TYPENAME="ул" '
                f'LEVEL="8" ISACTUAL="1" ISACTIVE="1" />\n'
            )
        f.write("</ADDRESSOBJECTS>\n")
    files = {
        "HOUSES": ("HOUSES", lambda i: (
            f'<HOUSE ID="{i}" OBJECTID="{i}" OBJECTGUID="{i:08d}-0000-4000-8000-000000000000" '
            f'HOUSENUM="{i // STREETS + 1}" HOUSETYPE="2" ISACTUAL="1" ISACTIVE="1" />\n'
        )),
        "MUN_HIERARCHY": ("ITEMS", lambda i: (
            f'<ITEM ID="{i}" OBJECTID="{i}" PARENTOBJID="{houses + 1 + i % STREETS}" OKTMO="" '
            f'STARTDATE="2000-01-01" ENDDATE="2079-06-06" ISACTIVE="1" />\n'
        )),
        "HOUSES_PARAMS": ("PARAMS", lambda i: (
            f'<PARAM ID="{i}" OBJECTID="{i}" TYPEID="7" VALUE="{OKTMO if i % share == 0 else "46702000"}" '
            f'STARTDATE="2000-01-01" ENDDATE="2079-06-06" />\n'
        )),
    }  # fmt: skip
    for kind, (root, line) in files.items():
        with (folder / f"AS_{kind}_{stamp}.XML").open("w", encoding="utf-8") as f:
            f.write(f"{head}<{root}>\n")
            for i in range(1, houses + 1):
                f.write(line(i))
            f.write(f"</{root}>\n")
    return sum(p.stat().st_size for p in folder.iterdir())


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class PeakRss:
    """The highest RSS seen while the block runs, sampled in a thread."""

    def __enter__(self) -> PeakRss:
        self.base = self.peak = _rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, _rss_mb())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_mb())


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--houses", type=int, default=400_000)
    parser.add_argument("--share", type=int, default=10)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        region = Path(tmp) / "46"
        size = await asyncio.to_thread(write_region, region, args.houses, args.share)

        async def bench(url: str, backend: str) -> dict[str, object]:
            engine = create_engine(url)
            async with engine.begin() as conn:
                await conn.run_sync(models.Base.metadata.create_all)
            factory = create_session_factory(engine)
            timings, results = [], []
            try:
                with PeakRss() as memory:
                    for _ in range(2):
                        t0 = time.perf_counter()
                        async with factory() as session:
                            result = await import_gar(session, region, oktmo=OKTMO, dry_run=False)
                            await session.commit()
                        timings.append(time.perf_counter() - t0)
                        results.append(result)
            finally:
                await engine.dispose()
            growth = memory.peak - memory.base
            speed = args.houses / min(timings)
            return {
                "benchmark": "gar_import",
                "backend": backend,
                "region_houses": args.houses,
                "region_mb": round(size / 2**20, 1),
                "municipality_houses": results[0].created,
                "second_run_unchanged": results[1].unchanged,
                "first_run_s": round(timings[0], 2),
                "second_run_s": round(timings[1], 2),
                "houses_per_s": round(speed),
                "peak_rss_growth_mb": round(growth, 1),
                "memory_to_target": round(growth / MEMORY_TARGET_MB, 3),
                "speed_to_target": round(speed / SPEED_TARGET, 3),
            }

        await run_backends("gar_import", args.backend, bench)


if __name__ == "__main__":
    asyncio.run(main())
