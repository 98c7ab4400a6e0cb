"""`python load/spark_cluster.py`: an operator's mistakes get one line and exit 1 (2 for usage),
before anything is started. (The cluster itself is exercised by tests/spark, `make
test-spark`.)"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from warehouse import REPO_ROOT

SCRIPT = str(REPO_ROOT / "load" / "spark_cluster.py")


def run(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, SCRIPT, *args], capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=60)


def one_line(result: subprocess.CompletedProcess, code: int, text: str) -> None:
    assert result.returncode == code, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
    assert text in result.stderr


def test_usage() -> None:
    one_line(run("start"), 2, "usage: python load/spark_cluster.py up|down|status")


def test_no_java_says_how_to_install_it(tmp_path: Path) -> None:
    one_line(run("up", JAVA_HOME=str(tmp_path), SPARK_STATE_DIR=str(tmp_path / "s")), 1,
             "apt-get install openjdk-17-jre-headless")


def test_a_taken_port_is_named_with_the_setting_that_moves_it(tmp_path: Path) -> None:
    java_home = tmp_path / "jdk"
    (java_home / "bin").mkdir(parents=True)
    (java_home / "bin" / "java").touch()  # found; nothing is started before the port check
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = run("up", JAVA_HOME=str(java_home), SPARK_THRIFT_PORT=port,
                     SPARK_STATE_DIR=str(tmp_path / "s"))
    one_line(result, 1, f"port 127.0.0.1:{port} (Spark Thrift server) is taken")
    assert "SPARK_THRIFT_PORT" in result.stderr


def test_a_bad_setting_and_a_stopped_cluster(tmp_path: Path) -> None:
    one_line(run("up", SPARK_THRIFT_PORT="ten"), 1, "SPARK_THRIFT_PORT must be a whole number")
    stopped = run("down", SPARK_STATE_DIR=str(tmp_path / "none"))
    assert stopped.returncode == 0 and stopped.stdout == "Spark not running\n"
