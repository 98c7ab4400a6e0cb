"""A Spark cluster on loopback from the pyspark wheel: `python load/spark_cluster.py up|down`.

`up` starts a standalone master, two workers (1 core, 1 GB each) and the Spark Thrift server
(HiveServer2 protocol, what dbt-spark's `method: thrift` talks to) as separate processes, each
with its log and pid file under `.local/spark`, and waits until the Thrift port accepts
connections. The Hive metastore is Derby (`derby.system.home`) and the warehouse directory is
there too. `up` on a running cluster and `down` on a stopped one do nothing.

Settings (environment):
  SPARK_THRIFT_HOST, SPARK_THRIFT_PORT   where the Thrift server listens / dbt connects
                                         (default 127.0.0.1:10000)
  SPARK_MASTER_PORT, SPARK_MASTER_WEBUI_PORT  the local master (default 7077 / 8080)
  SPARK_WORKERS, SPARK_WORKER_MEMORY     local workers (default 2, 1g; one core each)
  SPARK_START_TIMEOUT                    seconds to wait for the Thrift server (default 180)
A cluster of your own (spark://host:7077, k8s://…, yarn) is used by starting only the Thrift
server against it: `SPARK_MASTER_URL=spark://… python load/spark_cluster.py up`.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
STATE_DIR = REPO_ROOT / ".local" / "spark"
THRIFT_CLASS = "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2"


class ClusterError(Exception):
    """An operator-fixable problem: one line, cause and fix."""


@dataclass(frozen=True)
class Settings:
    host: str
    thrift_port: int
    master_port: int
    webui_port: int
    workers: int
    worker_memory: str
    master_url: str | None  # a cluster of the user's own: no local master and workers
    timeout: float
    state: Path

    @property
    def local_master(self) -> str:
        return f"spark://{self.host}:{self.master_port}"


def _int(env: dict[str, str], name: str, default: int) -> int:
    value = env.get(name, str(default))
    if not value.isdigit():
        raise ClusterError(f"{name} must be a whole number, got {value!r}")
    return int(value)


def settings(env: dict[str, str] | os._Environ[str] = os.environ) -> Settings:
    env = dict(env)
    return Settings(
        host=env.get("SPARK_THRIFT_HOST", "127.0.0.1"),
        thrift_port=_int(env, "SPARK_THRIFT_PORT", 10000),
        master_port=_int(env, "SPARK_MASTER_PORT", 7077),
        webui_port=_int(env, "SPARK_MASTER_WEBUI_PORT", 8080),
        workers=_int(env, "SPARK_WORKERS", 2),
        worker_memory=env.get("SPARK_WORKER_MEMORY", "1g"),
        master_url=env.get("SPARK_MASTER_URL") or None,
        timeout=float(_int(env, "SPARK_START_TIMEOUT", 180)),
        state=Path(env.get("SPARK_STATE_DIR", STATE_DIR)).resolve(),
    )


def _spark_home() -> Path:
    try:
        import pyspark
    except ImportError:
        raise ClusterError("pyspark is not installed: run `make spark-setup` "
                           "(pip install -r requirements-spark.txt)") from None
    return Path(pyspark.__file__).resolve().parent


def _java() -> str:
    java_home = os.environ.get("JAVA_HOME")
    java = str(Path(java_home) / "bin" / "java") if java_home else shutil.which("java")
    if not java or not Path(java).exists():
        raise ClusterError("no Java found (Spark needs Java 17): install it, e.g. "
                           "`apt-get install openjdk-17-jre-headless`, or set JAVA_HOME")
    return java


def _listening(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _pids(state: Path) -> dict[str, int]:
    """Running processes of this cluster, by name (stale pid files are removed)."""
    out = {}
    for pid_file in sorted(state.glob("*.pid")):
        try:
            pid = int(pid_file.read_text().strip())
        except ValueError:
            pid_file.unlink(missing_ok=True)
            continue
        if _alive(pid):
            out[pid_file.stem] = pid
        else:
            pid_file.unlink(missing_ok=True)
    return out


def _start(name: str, cmd: list[str], s: Settings, env: dict[str, str]) -> None:
    log = s.state / "logs" / f"{name}.log"
    with log.open("ab") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                cwd=s.state, env=env, start_new_session=True)
    (s.state / f"{name}.pid").write_text(f"{proc.pid}\n")


def _wait(name: str, host: str, port: int, s: Settings, deadline: float) -> None:
    pid_file = s.state / f"{name}.pid"
    log = s.state / "logs" / f"{name}.log"
    while not _listening(host, port):
        pid = int(pid_file.read_text())
        if not _alive(pid):
            raise ClusterError(f"the Spark {name} exited while starting: see {log}")
        if time.monotonic() > deadline:
            raise ClusterError(f"the Spark {name} did not listen on {host}:{port} within "
                               f"{s.timeout:.0f} s: see {log} (SPARK_START_TIMEOUT raises the "
                               "wait)")
        time.sleep(0.5)


def _check_free(host: str, port: int, what: str, variable: str) -> None:
    if _listening(host, port):
        raise ClusterError(f"port {host}:{port} ({what}) is taken by another process: stop it "
                           f"or set {variable} to a free port")


def up(s: Settings) -> str:
    s.state.mkdir(parents=True, exist_ok=True)
    (s.state / "logs").mkdir(exist_ok=True)
    running = _pids(s.state)
    if "thrift-server" in running and _listening(s.host, s.thrift_port):
        return f"Spark already running: Thrift server at {s.host}:{s.thrift_port}"
    if running:
        down(s)  # a half-started cluster: start it again from a clean slate
    java = _java()
    _check_free(s.host, s.thrift_port, "Spark Thrift server", "SPARK_THRIFT_PORT")
    home = _spark_home()
    env = {**os.environ, "SPARK_HOME": str(home), "JAVA_HOME": str(Path(java).resolve().parents[1]),
           "SPARK_LOG_DIR": str(s.state / "logs"), "SPARK_LOCAL_IP": "127.0.0.1",
           "SPARK_WORKER_DIR": str(s.state / "work"), "SPARK_LOCAL_DIRS": str(s.state / "tmp"),
           "PYSPARK_PYTHON": sys.executable}
    deadline = time.monotonic() + s.timeout
    spark_class = [str(home / "bin" / "spark-class")]
    master = s.master_url
    if master is None:
        _check_free(s.host, s.master_port, "Spark master", "SPARK_MASTER_PORT")
        _check_free(s.host, s.webui_port, "Spark master web UI", "SPARK_MASTER_WEBUI_PORT")
        master = s.local_master
        _start("master", [*spark_class, "org.apache.spark.deploy.master.Master",
                          "--host", s.host, "--port", str(s.master_port),
                          "--webui-port", str(s.webui_port)], s, env)
        _wait("master", s.host, s.master_port, s, deadline)
        for n in range(1, s.workers + 1):
            _start(f"worker-{n}", [*spark_class, "org.apache.spark.deploy.worker.Worker", master,
                                   "--host", s.host, "--cores", "1", "--memory", s.worker_memory,
                                   "--webui-port", "0", "--work-dir", str(s.state / "work")],
                   s, env)
    warehouse = s.state / "warehouse"
    conf = {
        "spark.sql.warehouse.dir": warehouse.as_uri(),
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={s.state / 'metastore'}",
        "spark.driver.host": s.host,
        "spark.driver.bindAddress": s.host,
        "spark.ui.enabled": "false",
        "spark.executor.memory": "768m",
        "spark.sql.shuffle.partitions": "4",
        "spark.sql.session.timeZone": "UTC",
    }
    cmd = [str(home / "bin" / "spark-submit"), "--master", master, "--class", THRIFT_CLASS,
           "--name", "order-analytics-thrift", "--driver-memory", "1g"]
    for key, value in conf.items():
        cmd += ["--conf", f"{key}={value}"]
    cmd += ["--hiveconf", f"hive.server2.thrift.port={s.thrift_port}",
            "--hiveconf", f"hive.server2.thrift.bind.host={s.host}",
            "--hiveconf", f"javax.jdo.option.ConnectionURL=jdbc:derby:;databaseName="
                          f"{s.state / 'metastore' / 'metastore_db'};create=true",
            "spark-internal"]
    (s.state / "metastore").mkdir(exist_ok=True)
    _start("thrift-server", cmd, s, env)
    _wait("thrift-server", s.host, s.thrift_port, s, deadline)
    where = f"{s.workers} local workers" if s.master_url is None else s.master_url
    return f"Spark up: Thrift server at {s.host}:{s.thrift_port}, master {master} ({where})"


def down(s: Settings) -> str:
    if not s.state.exists() or not (running := _pids(s.state)):
        return "Spark not running"
    # the Thrift server first (it is the application on the workers), then the rest together
    first = {n: p for n, p in running.items() if n == "thrift-server"}
    for group in (first, {n: p for n, p in running.items() if n not in first}):
        _stop(group, s)
    return f"Spark stopped ({len(running)} processes)"


def _stop(processes: dict[str, int], s: Settings) -> None:
    """SIGTERM to each process group (launcher script and its JVM), SIGKILL after 15 s."""
    for pid in processes.values():
        try:
            os.killpg(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    limit = time.monotonic() + 15
    while any(map(_alive, processes.values())) and time.monotonic() < limit:
        time.sleep(0.2)
    for name, pid in processes.items():
        if _alive(pid):
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        (s.state / f"{name}.pid").unlink(missing_ok=True)


def status(s: Settings) -> str:
    running = _pids(s.state) if s.state.exists() else {}
    if not running:
        return "Spark not running"
    thrift = "listening" if _listening(s.host, s.thrift_port) else "not listening"
    return (f"Spark running: {', '.join(sorted(running))}; Thrift {s.host}:{s.thrift_port} "
            f"{thrift}")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    actions = {"up": up, "down": down, "status": status}
    if len(argv) != 1 or argv[0] not in actions:
        print("usage: python load/spark_cluster.py up|down|status", file=sys.stderr)
        return 2
    try:
        print(actions[argv[0]](settings()))
    except ClusterError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
