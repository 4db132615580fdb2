"""A private, throw-away PostgreSQL cluster (initdb + pg_ctl on a free port) that a test may stop and start.

Never the shared server: the outage test kills its own cluster only. Skips when the PostgreSQL 15 binaries are
absent; as root, the server runs as the `postgres` user (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.faults.harness import free_port

BIN = Path(os.environ.get("FRONTDESK_PG_BIN", "/usr/lib/postgresql/15/bin"))


def _as_postgres() -> list[str]:
    if os.geteuid() != 0:
        return []
    runuser = shutil.which("runuser")
    if runuser is None:
        pytest.skip("running as root without runuser: cannot start a private PostgreSQL")
    return [runuser, "-u", "postgres", "--"]


@dataclass
class Cluster:
    root: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _ctl(self, *args: str) -> None:
        command = [*_as_postgres(), str(BIN / "pg_ctl"), "-D", str(self.root / "data"), *args]
        done = subprocess.run(command, capture_output=True, text=True, timeout=90, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"pg_ctl {args[0]} failed: {done.stderr.strip() or done.stdout.strip()}")

    @classmethod
    def create(cls) -> Cluster:
        """A new cluster in its own directory under the system temp dir (not pytest's, which is private to root)."""
        if not (BIN / "initdb").is_file():
            pytest.skip(f"no PostgreSQL binaries at {BIN}")
        where = Path(tempfile.mkdtemp(prefix="frontdesk-pg-"))
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(where, user.pw_uid, user.pw_gid)
        cluster = cls(where, free_port())
        initdb = [*_as_postgres(), str(BIN / "initdb"), "-D", str(where / "data"), "-U", "postgres", "--auth=trust"]
        subprocess.run([*initdb, "--no-sync"], check=True, capture_output=True, timeout=120)
        return cluster

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off"
        self._ctl("start", "-w", "-t", "60", "-o", options, "-l", str(self.root / "log"))

    def stop(self) -> None:
        self._ctl("stop", "-m", "immediate", "-w", "-t", "60")

    def destroy(self) -> None:
        if (self.root / "data" / "postmaster.pid").exists():
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
