"""`kill -9` at random moments: of the loader over several nights, and of `dbt build`.

The loader is killed at SOAK_KILLS (default 10) moments drawn from a seeded RNG (SOAK_SEED):
a phase of the run (process start, dlt's Extract, Normalize or Load progress header, Load being
the database write) plus a random delay; incremental and --full-refresh runs alike. Each night
ends with one clean run, after which raw must be exactly the union of the latest served
versions at every night so far; no version, line item or rejected record twice.
`make soak` raises SOAK_KILLS / SOAK_NIGHTS.
"""

from __future__ import annotations

import random
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from simulator import World, WorldConfig, serve
from tests.conftest import query
from tests.reliability.conftest import Built, require_buildable
from tests.reliability.helpers import (
    Expected,
    assert_summary_balances,
    env_int,
    kill9,
    read_summary,
    run_loader,
    start_loader,
)

NIGHT1 = datetime(2026, 11, 20, tzinfo=UTC)
TOKEN = "crash-token"
# where to kill: (phase, longest delay after it in s); "start" counts from process start, the
# others from dlt's progress header. Load is listed twice: half the kills hit the database write.
# A run seen to end sooner after a phase lowers that phase's longest delay to what it lasted, so
# the kills keep landing inside the phase on a machine faster than the one these were set on.
MOMENTS = [("start", 3.0), ("Extract", 1.5), ("Normalize", 0.4), ("Load", 1.0), ("Load", 1.0)]


def kill_at(env: dict[str, str], args: list[str], phase: str, delay: float,
            timeout: float = 120) -> tuple[bool, float, str, float | None]:
    """Run the loader; SIGKILL it `delay` s after `phase`. (killed?, seconds from start, output,
    seconds the run lasted after `phase` if it finished and printed `phase`)"""
    started = time.monotonic()
    proc = start_loader(env, *args)
    assert proc.stdout is not None
    out: list[str] = []
    reached = threading.Event()
    reached_at: list[float] = [started] if phase == "start" else []
    if phase == "start":
        reached.set()

    def read() -> None:
        for line in proc.stdout:
            out.append(line)
            if line.startswith(f"INFO {phase} ") and not reached_at:
                reached_at.append(time.monotonic())
                reached.set()
        reached.set()  # the run ended before the phase: the kill will find it gone

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reached.wait(timeout)
    time.sleep(delay)
    killed = kill9(proc)
    if not killed:
        proc.wait(timeout)
    reader.join(10)
    ended = time.monotonic()
    lasted = ended - reached_at[0] if reached_at and not killed else None
    return killed, ended - started, "".join(out), lasted


def test_kill_9_at_random_moments_over_nights_then_exact(pg, pg_env, tmp_path: Path) -> None:
    kills = env_int("SOAK_KILLS", 10)
    nights = env_int("SOAK_NIGHTS", 2)
    seed = env_int("SOAK_SEED", 20261120)
    rng = random.Random(seed)
    world = World(WorldConfig(orders=4000, users=800, seed=42, bad_record_rate=0.002,
                              start=datetime(2026, 6, 1, tzinfo=UTC),
                              end=NIGHT1 + timedelta(days=nights + 1)))
    per_night = [kills // nights + (n < kills % nights) for n in range(nights)]
    log: list[str] = [f"SOAK_SEED={seed} SOAK_KILLS={kills} SOAK_NIGHTS={nights}"]
    landed = {"start": 0, "Extract": 0, "Normalize": 0, "Load": 0}
    longest = dict(MOMENTS)
    with serve(world, as_of=NIGHT1, token=TOKEN, keep_pages=False) as server:
        env = {**pg_env, "ORDER_API_URL": server.url, "ORDER_API_TOKEN": TOKEN}
        moments = []
        for night in range(nights):
            server.as_of = NIGHT1 + timedelta(days=night)
            moments.append(server.as_of)
            done, tries = 0, 0
            while done < per_night[night]:
                tries += 1
                assert tries <= 4 * per_night[night], f"kills kept missing the run: {log}"
                phase, _ = rng.choice(MOMENTS)
                delay = round(rng.uniform(0, longest[phase]), 3)
                args = ["--full-refresh"] if rng.random() < 0.4 else []
                killed, seconds, out, lasted = kill_at(env, args, phase, delay)
                if lasted is not None:
                    longest[phase] = min(longest[phase], lasted)
                log.append(f"night {night} {args or 'incremental'} {phase}+{delay}s: "
                           f"{'killed' if killed else 'finished'} at {seconds:.1f}s")
                if killed:
                    done += 1
                    landed[phase] += 1
                else:
                    assert "error:" not in out and "Traceback" not in out, out[-3000:]
            summary = tmp_path / f"clean{night}.json"
            clean = run_loader(env, "--summary-json", str(summary))
            assert clean.returncode == 0, (log, clean.stdout[-3000:], clean.stderr[-3000:])
            assert_summary_balances(read_summary(summary))
            try:
                Expected.from_world(world, moments).assert_raw(pg)
            except AssertionError as exc:
                raise AssertionError(f"{exc}\n" + "\n".join(log)) from None
    print("\n".join(log))
    assert sum(landed.values()) == kills
    assert landed["Load"] >= min(2, kills // 4), f"too few kills in the database write: {log}"
    assert query(pg, "select count(*) from raw.rejected_records")[0][0] > 0


# ------------------------------------------------------------------------------- dbt build

def test_kill_9_during_dbt_build_then_rebuild(built: Built) -> None:
    """`dbt build` killed -9 mid-way; the next `dbt build` succeeds and the marts are right."""
    require_buildable(built)
    assert built.killed, (f"dbt build finished before its {built.killed_after_line}th progress "
                          f"line: {built.killed_build[-2000:]}")
    assert built.build is not None
    assert built.build.returncode == 0, built.build.stdout[-6000:]
    pg = built.pg
    orders_in_raw = query(pg, "select count(distinct id) from raw.orders")[0][0]
    assert orders_in_raw > 0
    assert query(pg, "select count(*) from marts.fct_orders")[0][0] == orders_in_raw
    items = query(pg, "select count(*) from marts.fct_order_items")[0][0]
    assert items == query(pg, """
        select count(*) from raw.order_items i join (
            select id, max(updated_at) as updated_at from raw.orders group by id) o
        on i.order_id = o.id and i.order_updated_at = o.updated_at""")[0][0]
    # nothing the killed build left half-done survives the rebuild
    leftovers = query(pg, """select table_schema || '.' || table_name from information_schema.tables
                             where table_name like '%%\\_\\_dbt\\_%%'""")
    assert leftovers == []
