"""Benchmark the loader against its peers on one simulated world: `python bench/run.py --help`.

Starts the Order API simulator as a separate process and a fresh embedded PostgreSQL in
.local/bench-pg (or uses _PGSQL_* when _PGSQL_HOSTNAME is set), gives every contender its own
fresh database, runs each as a subprocess and measures wall time, rows loaded (orders + line
items, counted in the database afterwards) and peak RSS of its process tree. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psutil
import psycopg2

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "load"))

import warehouse  # noqa: E402

BENCH = REPO / "bench"
RESULTS = BENCH / "results"
PG_DIR = REPO / ".local" / "bench-pg"
TOKEN = "bench-token"
AS_OF = "2026-11-20T00:00:00Z"
NIGHT_AS_OF = "2026-11-21T00:00:00Z"
# One shop, histories of different lengths: a bigger world is a longer history at the same
# daily rate (a 1M-order world spans two years, a 10M one twenty), so the nightly's day of
# changes is the same size at every size from 1M up (bench/README.md, "How it measures").
WORLD_END = datetime(2026, 11, 22, tzinfo=UTC)
DAYS_PER_MILLION_ORDERS = 730


def history_days(orders: int) -> float:
    """How many days before WORLD_END a world of `orders` orders starts."""
    return DAYS_PER_MILLION_ORDERS * orders / 1_000_000

CONTENDERS = ("copy", "ours", "plain_dlt", "pandas", "nightly", "dbt")
SLOW_PEERS = ("plain_dlt", "pandas")
ROW_TABLES = {  # contender -> (orders table, line items table), all in schema raw
    "ours": ("orders", "order_items"), "plain_dlt": ("orders", "orders__items"),
    "pandas": ("orders", "order_items"), "copy": ("orders", "order_items"),
}
PY = sys.executable
PEER_PACKAGES = REPO / ".local" / "bench-peers"  # bench/requirements-peers.txt, pandas peer only


@dataclass
class Measured:
    """One subprocess: wall time, peak RSS (process tree sum, sampled every 0.1 s), exit."""

    wall_s: float
    peak_rss_mb: float
    maxrss_mb: float  # largest single process (wait4's ru_maxrss)
    returncode: int
    log: str
    error: str | None = None
    cpu_s: dict[str, float] = field(default_factory=dict)  # see `measure`


@dataclass
class Result:
    name: str
    rows: int = 0
    orders: int = 0
    line_items: int = 0
    wall_s: float = 0.0
    timed_s: float = 0.0  # the time rows/s is computed from
    peak_rss_mb: float = 0.0
    maxrss_mb: float = 0.0
    rows_per_s: float = 0.0
    note: str = ""
    error: str | None = None
    cpu_s: dict[str, float] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


def measure(cmd: list[str], env: dict[str, str], log: Path, cwd: Path = REPO,
            timeout_s: float | None = None, servers: Simulator | None = None) -> Measured:
    """Run `cmd` in its own process group (killed after `timeout_s`), sampling its RSS.

    CPU seconds (user + system) while it ran: `own` for its process tree and, given the
    simulator it reads, what the simulator and the embedded server used (`server_cpu_s`)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    timed_out = False
    servers_before = server_cpu_s(servers) if servers else {}
    with log.open("w") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
        root, peak = psutil.Process(proc.pid), 0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if timeout_s and not timed_out and time.perf_counter() - started > timeout_s:
                timed_out = True
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                procs = [root, *root.children(recursive=True)]
                peak = max(peak, sum(_rss(p) for p in procs))
            except psutil.Error:
                pass
            time.sleep(0.1)
        wall = time.perf_counter() - started
    cpu_s = {"own": round(usage.ru_utime + usage.ru_stime, 1)}
    if servers:
        cpu_s.update({k: round(v - servers_before[k], 1)
                      for k, v in server_cpu_s(servers).items()})
    proc.returncode = os.waitstatus_to_exitcode(status)
    text = re.sub(r"\x1b\[[0-9;]*m", "", log.read_text(errors="replace"))  # dbt's colours
    error = f"timed out after {timeout_s:.0f} s (killed)" if timed_out else None
    if proc.returncode and not timed_out:
        lines = [ln for ln in text.splitlines() if "error" in ln.lower()] or text.splitlines()
        error = f"exit {proc.returncode}: " + " | ".join(lines[-5:])[-1500:]
    return Measured(round(wall, 3), round(peak / 2**20, 1), round(usage.ru_maxrss / 1024, 1),
                    proc.returncode, str(log), error, cpu_s)


def server_cpu_s(sim: Simulator) -> dict[str, float]:
    """Cumulative CPU seconds of the simulator, and of the embedded PostgreSQL (its postmaster,
    the backends it has reaped and those still running); an external server is not seen."""
    def cpu(p: psutil.Process, reaped: bool = False) -> float:
        try:
            t = p.cpu_times()
        except psutil.Error:  # a backend that just ended: its time is in the postmaster's
            return 0.0
        return t.user + t.system + (t.children_user + t.children_system if reaped else 0.0)

    out = {"simulator": cpu(psutil.Process(sim.proc.pid))}
    pid_file = PG_DIR / "postmaster.pid"
    if warehouse.from_env() is None and pid_file.exists():
        postmaster = psutil.Process(int(pid_file.read_text().split()[0]))
        out["postgres"] = cpu(postmaster, reaped=True) + sum(
            cpu(p) for p in postmaster.children())
    return out


def _rss(p: psutil.Process) -> int:
    try:
        return p.memory_info().rss
    except psutil.Error:
        return 0


class Simulator:
    """`load/demo_api.py` as a separate process on a free loopback port."""

    def __init__(self, orders: int, as_of: str, log: Path) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        start = WORLD_END - timedelta(days=history_days(orders))
        cmd = [PY, "load/demo_api.py", "--port", str(self.port), "--orders", str(orders),
               "--users", str(max(1000, orders // 5)), "--seed", "7", "--as-of", as_of,
               "--start", start.isoformat(), "--end", WORLD_END.isoformat(), "--token", TOKEN]
        started = time.perf_counter()
        self._log = log.open("w")
        self.proc = subprocess.Popen(cmd, cwd=REPO, stdout=self._log, stderr=subprocess.STDOUT)
        while not _answers(self.port):
            if self.proc.poll() is not None:
                raise RuntimeError(f"simulator exited: {log.read_text()[-2000:]}")
            time.sleep(0.1)
        self.startup_s = round(time.perf_counter() - started, 2)
        # first page of each feed: the simulator builds its served index outside any timing
        for feed in ("orders", "users", "products"):
            self.get(f"/v1/{feed}?limit=1")

    def get(self, path: str) -> bytes:
        from urllib.request import Request, urlopen

        req = Request(self.url + path, headers={"Authorization": f"Bearer {TOKEN}"})
        with urlopen(req, timeout=600) as response:
            return response.read()

    def rss_mb(self) -> float:
        """The simulator's resident memory now (its world is built once, at start)."""
        return round(_rss(psutil.Process(self.proc.pid)) / 2**20, 1)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self._log.close()


def _answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False


class Databases:
    """A fresh database per contender: embedded server in .local/bench-pg, or _PGSQL_*."""

    def __init__(self) -> None:
        self.external = warehouse.from_env()
        if self.external is None:
            warehouse.stop_embedded(PG_DIR)
            shutil.rmtree(PG_DIR, ignore_errors=True)

    def fresh(self, name: str) -> warehouse.PgSettings:
        if self.external is None:
            db = warehouse.start_embedded(PG_DIR, database=name)
            _log_slow_statements(db)
            return db
        ext = self.external
        conn = psycopg2.connect(host=ext.host, port=ext.port, user=ext.user,
                                password=ext.password, dbname="postgres")
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'drop database if exists "{name}"')
            cur.execute(f'create database "{name}"')
        conn.close()
        return warehouse.PgSettings(ext.host, ext.port, ext.user, ext.password, name)

    def stop(self) -> None:
        if self.external is None:
            warehouse.stop_embedded(PG_DIR)

    def keep_log(self, work: Path) -> None:
        """The embedded server's log (statements over 1 s, checkpoints) into the work dir."""
        if self.external is None and (PG_DIR / "log").is_file():
            shutil.copyfile(PG_DIR / "log", work / "postgres.log")


def _log_slow_statements(db: warehouse.PgSettings) -> None:
    """The embedded server logs every statement that takes a second or more, with its time:
    the profile of where a load or a dbt build spends its time, kept in the work dir."""
    conn = psycopg2.connect(host=db.host, port=db.port, user=db.user, password=db.password,
                            dbname=db.database)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("alter system set log_min_duration_statement = '1s'")
        cur.execute("select pg_reload_conf()")
    conn.close()


def peer_packages() -> Path:
    """pandas and SQLAlchemy for the pandas peer, kept out of the project's environment."""
    requirements = BENCH / "requirements-peers.txt"
    marker = PEER_PACKAGES / ".installed"
    if not marker.exists() or marker.read_text() != requirements.read_text():
        subprocess.run([PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        "--no-warn-conflicts", "--target", str(PEER_PACKAGES), "--upgrade",
                        "-r", str(requirements)], check=True)
        marker.write_text(requirements.read_text())
    return PEER_PACKAGES


def env_for(db: warehouse.PgSettings, sim: Simulator, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("_PGSQL_", "ORDER_API_", "DLT_", "DESTINATION__"))}
    env.update(_PGSQL_HOSTNAME=db.host, _PGSQL_PORT=str(db.port), _PGSQL_USER=db.user,
               _PGSQL_PASS=db.password, _PGSQL_DATABASE=db.database,
               ORDER_API_URL=sim.url, ORDER_API_TOKEN=TOKEN, PYTHONUNBUFFERED="1", **extra)
    return env


def count(db: warehouse.PgSettings, tables: list[str]) -> dict[str, int]:
    conn = psycopg2.connect(host=db.host, port=db.port, user=db.user, password=db.password,
                            dbname=db.database)
    out: dict[str, int] = {}
    with conn, conn.cursor() as cur:
        for t in tables:
            cur.execute("select to_regclass(%s)", (f"raw.{t}",))
            if cur.fetchone()[0] is None:  # type: ignore[index]
                out[t] = 0
                continue
            cur.execute(f'select count(*) from raw."{t}"')
            out[t] = cur.fetchone()[0]  # type: ignore[index]
    conn.close()
    return out


def database_mb(db: warehouse.PgSettings) -> float:
    """`pg_database_size` of the contender's database: what its load (and dbt) left on disk."""
    conn = psycopg2.connect(host=db.host, port=db.port, user=db.user, password=db.password,
                            dbname=db.database)
    with conn, conn.cursor() as cur:
        cur.execute("select pg_database_size(current_database())")
        size = cur.fetchone()[0]  # type: ignore[index]
    conn.close()
    return round(size / 2**20, 1)


def directory_mb(path: Path) -> float:
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20, 1)


def settle(db: warehouse.PgSettings) -> None:
    """Give the next timed contender a quiet disk: dirty pages written out and a checkpoint.

    Without this a contender pays for the previous step's writes: the COPY right after its
    (untimed) CSV preparation ran 15-30% slower while the ~1 GB of CSV was written back.
    """
    os.sync()
    conn = psycopg2.connect(host=db.host, port=db.port, user=db.user, password=db.password,
                            dbname=db.database)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("checkpoint")
    except psycopg2.Error as exc:  # needs superuser or pg_checkpoint on an external server
        print(f"  (no checkpoint before the next contender: {exc.pgerror or exc})".rstrip(),
              flush=True)
    finally:
        conn.close()


def finish(name: str, m: Measured, db: warehouse.PgSettings, note: str = "",
           timed_s: float | None = None) -> Result:
    orders_t, items_t = ROW_TABLES[name]
    counts = count(db, [orders_t, items_t, "users", "products"])
    r = Result(name, rows=counts[orders_t] + counts[items_t], orders=counts[orders_t],
               line_items=counts[items_t], wall_s=m.wall_s, timed_s=timed_s or m.wall_s,
               peak_rss_mb=m.peak_rss_mb, maxrss_mb=m.maxrss_mb, note=note, error=m.error,
               cpu_s=m.cpu_s,
               extra={"users": counts["users"], "products": counts["products"], "log": m.log})
    r.rows_per_s = round(r.rows / r.timed_s, 1) if r.timed_s and not r.error else 0.0
    return r


def report(r: Result) -> Result:
    print(f"  {r.name}: {r.rows:,} rows in {r.timed_s:.2f} s = {r.rows_per_s:,.0f} rows/s, "
          f"peak RSS {r.peak_rss_mb:.0f} MB, CPU s {r.cpu_s}"
          f"{' ERROR ' + r.error if r.error else ''}", flush=True)
    return r


def dbt_build(db: warehouse.PgSettings, sim: Simulator, work: Path, label: str,
              timeout_s: float) -> Measured:
    profiles = work / "dbt-profiles"
    profiles.mkdir(exist_ok=True)
    text = (REPO / "profiles.yml.example").read_text()
    (profiles / "profiles.yml").write_text(text.replace("EMBEDDED_PG_SOCKET_DIR", db.host))
    cmd = [str(Path(PY).with_name("dbt")), "build", "--profiles-dir", str(profiles),
           "--target-path", str(work / "dbt-target"), "--log-path", str(work / "dbt-logs")]
    settle(db)
    m = measure(cmd, env_for(db, sim), work / f"{label}.log", timeout_s=timeout_s,
                servers=sim)
    print(f"  {label}: {m.wall_s:.1f} s{' ERROR ' + m.error if m.error else ''}", flush=True)
    return m


def spark_builds(n: int, work: Path, timeout_s: float) -> dict[str, Any]:
    """`--engine spark`: the same world loaded into the lake, `dbt build --target spark` after
    the full load and after the nightly, on a fresh cluster (master, 2 workers of 1 core, the
    Thrift server) started and stopped here, on ports apart from `make spark-up`'s."""
    import spark_cluster

    env_extra = {"SPARK_THRIFT_PORT": "10120", "SPARK_MASTER_PORT": "7180",
                 "SPARK_MASTER_WEBUI_PORT": "8190", "SPARK_STATE_DIR": str(work / "spark"),
                 "LAKE_URL": str(work / "lake")}
    settings = spark_cluster.settings({**os.environ, **env_extra})
    profiles = work / "dbt-profiles-spark"
    profiles.mkdir(exist_ok=True)
    shutil.copy(REPO / "profiles.yml.example", profiles / "profiles.yml")
    dbt = [str(Path(PY).with_name("dbt")), "build", "--target", "spark", "--profiles-dir",
           str(profiles), "--target-path", str(work / "dbt-target-spark"),
           "--log-path", str(work / "dbt-logs-spark")]
    out: dict[str, Any] = {}
    started = time.perf_counter()
    print(f"  spark: {spark_cluster.up(settings)}", flush=True)
    out["spark_startup_s"] = round(time.perf_counter() - started, 1)
    try:
        for label, as_of in (("full", AS_OF), ("incremental", NIGHT_AS_OF)):
            sim = Simulator(n, as_of, work / f"simulator-lake-{label}.log")
            try:
                env = {k: v for k, v in os.environ.items() if not k.startswith("ORDER_API_")}
                env.update(ORDER_API_URL=sim.url, ORDER_API_TOKEN=TOKEN,
                           DLT_DATA_DIR=str(work / "dlt-lake"), PYTHONUNBUFFERED="1",
                           **env_extra)
                load = measure([PY, "load/orders.py", "--destination", "lake"], env,
                               work / f"lake-{label}.log")
                out[f"lake_load_{label}_s"] = load.wall_s
                m = measure(dbt, env, work / f"dbt-spark-{label}.log", timeout_s=timeout_s)
            finally:
                sim.stop()
            print(f"  dbt-spark-{label}: {m.wall_s:.1f} s{' ERROR ' + m.error if m.error else ''}",
                  flush=True)
            out.update({f"spark_dbt_{label}_s": m.wall_s, f"spark_dbt_{label}_error": m.error})
        out["spark_cluster"] = _spark_cluster_info(settings.webui_port)
    finally:
        spark_cluster.down(settings)
    return out


def _spark_cluster_info(webui_port: int) -> dict[str, Any]:
    """Workers, cores and memory the master reports, and the cores the Thrift server's
    application (the executors dbt's queries ran on) holds."""
    from urllib.request import urlopen

    with urlopen(f"http://127.0.0.1:{webui_port}/json/", timeout=10) as response:
        master = json.loads(response.read())
    apps = master.get("activeapps", [])
    return {"workers": master.get("aliveworkers"), "cores": master.get("cores"),
            "memory_mb": master.get("memory"),
            "executor_cores": sum(a.get("cores", 0) for a in apps),
            "executors": len(master.get("workers", [])) if apps else 0}


def run(args: argparse.Namespace) -> dict[str, Any]:
    n, chosen = args.orders, args.contenders
    work = Path(tempfile.mkdtemp(prefix=f"bench-{n}-", dir=args.work_dir))
    print(f"bench: {n:,} orders, contenders {','.join(chosen)}, work dir {work}", flush=True)
    out: dict[str, Any] = {
        "orders": n, "users": max(1000, n // 5), "cpu_count": os.cpu_count(),
        "history_days": round(history_days(n), 1),
        "date": datetime.now(UTC).isoformat(timespec="seconds"), "machine": platform.platform(),
        "python": platform.python_version(), "as_of": AS_OF, "nightly_as_of": NIGHT_AS_OF,
        "peer_orders": args.peer_orders, "work_dir": str(work), **_git(),
    }
    results: dict[str, Result] = {}
    dbs = Databases()
    sim = Simulator(n, AS_OF, work / "simulator.log")
    out["simulator_startup_s"] = sim.startup_s
    print(f"  simulator up at {sim.url} in {sim.startup_s} s", flush=True)
    try:
        if "copy" in chosen:
            db = dbs.fresh("bench_copy")
            env = env_for(db, sim)
            script = str(BENCH / "peers" / "copy_limit.py")
            prep = measure([PY, script, "prepare", str(work / "csv")], env, work / "copy-prep.log")
            settle(db)
            m = measure([PY, script, "load", str(work / "csv")], env, work / "copy.log",
                        servers=sim)
            copy_s = json.loads(Path(m.log).read_text().splitlines()[-1])["copy_s"] \
                if not m.error else None
            results["copy"] = report(finish("copy", m, db, timed_s=copy_s,
                                     note="COPY only; fetch + CSV prepared beforehand "
                                          f"({prep.wall_s:.1f} s, not timed)"))
            shutil.rmtree(work / "csv", ignore_errors=True)
        ours_db, dlt_dir = None, work / "dlt-ours"
        if "ours" in chosen:
            ours_db = dbs.fresh("bench_ours")
            env = env_for(ours_db, sim, DLT_DATA_DIR=str(dlt_dir))
            settle(ours_db)
            m = measure([PY, "load/orders.py", "--summary-json", str(work / "ours.json")], env,
                        work / "ours.log", servers=sim)
            results["ours"] = report(finish("ours", m, ours_db))
        limits: list[str] = []
        note = ""
        if args.peer_orders and args.peer_orders < n:
            users = math.ceil(max(1000, n // 5) * args.peer_orders / n)
            limits = ["--max-orders", str(args.peer_orders), "--max-users", str(users)]
            note = f"subset: first {args.peer_orders:,} orders / {users:,} users served"
        for name, script in (("plain_dlt", "plain_dlt.py"), ("pandas", "pandas_to_sql.py")):
            if name in chosen:
                db = dbs.fresh(f"bench_{name}")
                extra = {"PYTHONPATH": str(peer_packages())} if name == "pandas" else {}
                env = env_for(db, sim, DLT_DATA_DIR=str(work / f"dlt-{name}"), **extra)
                settle(db)
                m = measure([PY, str(BENCH / "peers" / script), *limits], env,
                            work / f"{name}.log", servers=sim)
                results[name] = report(finish(name, m, db, note=note))
        if ours_db is not None and "dbt" in chosen:
            full = dbt_build(ours_db, sim, work, "dbt-full", args.dbt_timeout)
            out.update(dbt_full_s=full.wall_s, dbt_full_error=full.error,
                       dbt_full_peak_rss_mb=full.peak_rss_mb, dbt_full_cpu_s=full.cpu_s)
        if ours_db is not None and "nightly" in chosen:
            before = count(ours_db, ["orders", "order_items", "users", "products"])
            out["simulator_rss_mb"] = sim.rss_mb()
            sim.stop()
            sim = Simulator(n, NIGHT_AS_OF, work / "simulator-nightly.log")
            env = env_for(ours_db, sim, DLT_DATA_DIR=str(dlt_dir))
            settle(ours_db)
            m = measure([PY, "load/orders.py", "--summary-json", str(work / "nightly.json")],
                        env, work / "nightly.log", servers=sim)
            after = count(ours_db, ["orders", "order_items", "users", "products"])
            results["nightly"] = r = finish("ours", m, ours_db)
            r.name, r.note = "nightly", f"as of {NIGHT_AS_OF}, same database and dlt state"
            r.orders, r.line_items = (after[t] - before[t] for t in ("orders", "order_items"))
            r.rows = r.orders + r.line_items
            r.rows_per_s = round(r.rows / r.wall_s, 1) if not r.error else 0.0
            report(r)
            changed = sum(after.values()) - sum(before.values()) - r.line_items
            base = sum(before.values()) - before["order_items"]
            ok = not r.error and base > 0 and before["orders"] > 0
            out.update(nightly_new_versions={t: after[t] - before[t] for t in after},
                       nightly_changed_fraction=round(changed / base, 4) if ok else None,
                       nightly_orders_changed_fraction=round(r.orders / before["orders"], 4)
                       if ok else None)
            summary = work / "nightly.json"
            if summary.exists():  # records served in the window (incl. the 10-minute overlap)
                feeds = json.loads(summary.read_text())["feeds"]
                out["nightly_records_served"] = {f: v["records"] for f, v in feeds.items()}
            if _ok(results.get("ours")) and not r.error:
                out["nightly_over_full"] = round(r.wall_s / results["ours"].wall_s, 4)
            if "dbt" in chosen:
                inc = dbt_build(ours_db, sim, work, "dbt-incremental",
                                args.dbt_timeout)
                out.update(dbt_incremental_s=inc.wall_s, dbt_incremental_error=inc.error,
                           dbt_incremental_cpu_s=inc.cpu_s)
                if not inc.error and out.get("dbt_full_s") and not out.get("dbt_full_error"):
                    out["dbt_incremental_over_full"] = round(inc.wall_s / out["dbt_full_s"], 4)
        if ours_db is not None:
            out["footprint_mb"] = {
                "ours_database": database_mb(ours_db),
                "ours_dlt_data_dir": directory_mb(dlt_dir),
                "work_dir": directory_mb(work),
            }
            out.setdefault("simulator_rss_mb", sim.rss_mb())
    finally:
        sim.stop()
        dbs.keep_log(work)
        if not args.keep_db:
            dbs.stop()
    if args.engine == "spark":
        out.update(spark_builds(n, work, args.dbt_timeout))
    out["contenders"] = {k: asdict(v) for k, v in results.items()}
    for k, v in results.items():
        out.update({f"{k}_rows_per_s": v.rows_per_s, f"{k}_wall_s": v.wall_s,
                    f"{k}_rows": v.rows, f"{k}_peak_rss_mb": v.peak_rss_mb})
    ours = results.get("ours")
    for peer in ("plain_dlt", "pandas"):
        if _ok(ours) and _ok(results.get(peer)):
            out[f"ours_over_{peer}"] = round(ours.rows_per_s / results[peer].rows_per_s, 2)
    if _ok(ours) and _ok(results.get("copy")):
        out["copy_over_ours"] = round(results["copy"].rows_per_s / ours.rows_per_s, 2)
    for key in ("nightly_over_full", "dbt_incremental_over_full"):
        out.setdefault(key, None)
    for peer in ("plain_dlt", "pandas", "copy"):
        out.setdefault(f"{peer}_rows_per_s", None)
    out.setdefault("ours_peak_rss_mb", None)
    out.setdefault("ours_rows_per_s", None)
    return out


def _git() -> dict[str, Any]:
    """The commit measured, and which of load/, models/ differ from it (others edit them)."""
    def git(*a: str) -> str:
        return subprocess.run(["git", *a], cwd=REPO, capture_output=True, text=True).stdout

    dirty = git("status", "--porcelain", "--", "load", "models", "macros", "snapshots")
    return {"git_commit": git("rev-parse", "--short", "HEAD").strip(),
            "git_dirty": [line[3:] for line in dirty.splitlines()]}


def _ok(r: Result | None) -> bool:
    return r is not None and not r.error and r.rows_per_s > 0


def table(out: dict[str, Any]) -> str:
    """The figures as a markdown table (also printed)."""
    res = out["contenders"]
    ours = res.get("ours")
    lines = [f"Benchmark: {out['orders']:,} orders, {out['cpu_count']} CPUs, {out['date']}", "",
             "| contender | orders | line items | rows | seconds | rows/s | peak RSS MB "
             "| ours ÷ it (rows/s) | note |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for name, r in res.items():
        ratio = ""
        if ours and ours["rows_per_s"] and r["rows_per_s"] and name not in ("ours", "nightly"):
            ratio = f"{ours['rows_per_s'] / r['rows_per_s']:.2f}×"
        status = f"FAILED: {r['error'][:200]}" if r["error"] else r["note"]
        lines.append(f"| {name} | {r['orders']:,} | {r['line_items']:,} | {r['rows']:,} "
                     f"| {r['timed_s']:.2f} | {r['rows_per_s']:,.0f} | {r['peak_rss_mb']:.0f} "
                     f"| {ratio} | {status} |")
    lines.append("")

    def fmt(key: str, unit: str = "") -> str:
        v = out.get(key)
        return "n/a" if v is None else f"{v}{unit}"

    lines += [
        f"- ours ÷ plain dlt: {fmt('ours_over_plain_dlt', '×')} (target ≥ 5×); "
        f"ours ÷ pandas: {fmt('ours_over_pandas', '×')} (target ≥ 3×); "
        f"COPY ÷ ours: {fmt('copy_over_ours', '×')} (target ≤ 4×)",
        f"- nightly ÷ full: {fmt('nightly_over_full')} (target ≤ 0.05); changed records "
        f"{fmt('nightly_changed_fraction')} of all, "
        f"orders {fmt('nightly_orders_changed_fraction')}",
        f"- dbt build: full {fmt('dbt_full_s', ' s')}, after nightly "
        f"{fmt('dbt_incremental_s', ' s')}, ratio {fmt('dbt_incremental_over_full')} "
        f"(target ≤ 0.25)",
    ]
    if "spark_dbt_full_s" in out:
        c = out.get("spark_cluster", {})
        lines.append(
            f"- dbt build on Spark ({c.get('workers')} workers, {c.get('executor_cores')} "
            f"executor cores, {c.get('memory_mb')} MB; lake load {fmt('lake_load_full_s', ' s')}"
            f"): full {fmt('spark_dbt_full_s', ' s')}, after nightly "
            f"{fmt('spark_dbt_incremental_s', ' s')} (every model rebuilt whole: parquet)")
    if out.get("footprint_mb"):
        f = out["footprint_mb"]
        lines.append(f"- footprint: ours' database {f['ours_database']:,.0f} MB (raw, dbt's "
                     f"schemas), its dlt data dir {f['ours_dlt_data_dir']:,.0f} MB, the work dir "
                     f"{f['work_dir']:,.0f} MB; simulator RSS {fmt('simulator_rss_mb', ' MB')}")
    for key in ("dbt_full_error", "dbt_incremental_error", "spark_dbt_full_error",
                "spark_dbt_incremental_error"):
        if out.get(key):
            lines.append(f"- {key}: {out[key][:500]}")
    if out.get("peer_orders"):
        lines.append(f"- plain dlt and pandas ran on a subset ({out['peer_orders']:,} orders' "
                     "worth); their rows/s are from that subset")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--orders", type=int, required=True)
    p.add_argument("--json", type=Path, help="also write the results here")
    p.add_argument("--skip-dbt", action="store_true")
    p.add_argument("--contenders", default=",".join(CONTENDERS),
                   help=f"comma-separated subset of {','.join(CONTENDERS)}")
    p.add_argument("--peer-orders", type=int, default=None, metavar="M",
                   help="run plain_dlt and pandas on the first M orders' worth only")
    p.add_argument("--dbt-timeout", type=float, default=3600, metavar="S",
                   help="kill a dbt build after S seconds and record it as failed (default 3600)")
    p.add_argument("--engine", choices=("postgres", "spark"), default="postgres",
                   help="spark: also load the lake and time dbt on a local Spark cluster "
                        "(make spark-setup first)")
    p.add_argument("--keep-db", action="store_true", help="leave .local/bench-pg running")
    p.add_argument("--work-dir", default=str(RESULTS / "tmp"),
                   help="where logs, CSVs and dlt state go (default bench/results/tmp)")
    args = p.parse_args(argv)
    args.contenders = [c.strip() for c in args.contenders.split(",") if c.strip()]
    unknown = set(args.contenders) - set(CONTENDERS)
    if unknown:
        p.error(f"unknown contenders: {', '.join(sorted(unknown))}")
    if args.skip_dbt:
        args.contenders = [c for c in args.contenders if c != "dbt"]
    Path(args.work_dir).mkdir(parents=True, exist_ok=True)
    out = run(args)
    md = table(out)
    print("\n" + md)
    RESULTS.mkdir(parents=True, exist_ok=True)
    text = json.dumps(out, indent=2, default=str) + "\n"
    for path in filter(None, (args.json, RESULTS / f"latest-{args.orders}.json")):
        path.write_text(text)
    (RESULTS / f"latest-{args.orders}.md").write_text(md + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
