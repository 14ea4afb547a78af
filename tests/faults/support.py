"""Faults on demand, without stopping the shared servers: a database that goes away and comes back.

PostgreSQL: the app reaches it through a loopback TCP proxy the test controls. `down()` closes every connection the
proxy carries and turns new ones away (the server "went away"), `up()` lets them through again (it "is back").
SQLite: `down()` takes the database file's lock from another connection, so the app's statements wait the driver's
timeout and fail "database is locked"; `up()` lets go of it.
"""

from __future__ import annotations

import contextlib
import socket
import sqlite3
import threading
from pathlib import Path

from sqlalchemy.engine import make_url


class TCPProxy:
    """127.0.0.1:<free port> → target. Cut and restored at will; each connection is two pumping threads."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.open = True
        self.closed = False
        self.connections: list[socket.socket] = []
        self.lock = threading.Lock()
        self.accepted = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            with self.lock:
                self.accepted += 1
                if not self.open:
                    client.close()  # the server is "down": the connection ends before a word is said
                    continue
                try:
                    upstream = socket.create_connection(self.target, timeout=5)
                except OSError:
                    client.close()
                    continue
                upstream.settimeout(None)
                self.connections += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        with self.lock:
            self.open = False
            connections, self.connections = self.connections, []
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()

    def restore(self) -> None:
        with self.lock:
            self.open = True

    def close(self) -> None:
        self.closed = True
        self.cut()
        self.listener.close()


class PostgresOutage:
    """The app's URL goes through the proxy; the test's own work (setup, checks) goes straight to the server."""

    backend = "postgresql"

    def __init__(self, direct_url: str) -> None:
        url = make_url(direct_url)
        self.direct_url = direct_url
        self.proxy = TCPProxy(url.host or "127.0.0.1", url.port or 5432)
        self.app_url = url.set(host="127.0.0.1", port=self.proxy.port).render_as_string(hide_password=False)

    def down(self) -> None:
        self.proxy.cut()

    def up(self) -> None:
        self.proxy.restore()

    def close(self) -> None:
        self.proxy.close()


class SQLiteOutage:
    """Another process's lock on the file: the whole database (`down()` when nobody writes), or only the commit
    (`down()` while the app holds the write lock: a reader keeps the file from being written)."""

    backend = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.direct_url = f"sqlite:///{path}"
        self.app_url = f"sqlite:///{path}?timeout=0.3"  # the app waits a lock 0.3 s, not pysqlite's 5
        self.holder: sqlite3.Connection | None = None

    def down(self) -> None:
        holder = sqlite3.connect(self.path, timeout=0, isolation_level=None, check_same_thread=False)
        try:
            holder.execute("BEGIN EXCLUSIVE")  # nobody reads or writes
        except sqlite3.OperationalError:  # the app is writing: a read lock keeps its commit from happening
            holder.execute("BEGIN")
            holder.execute("SELECT count(*) FROM sqlite_master").fetchone()
        self.holder = holder

    def up(self) -> None:
        if self.holder is not None:
            self.holder.execute("ROLLBACK")
            self.holder.close()
            self.holder = None

    def close(self) -> None:
        self.up()
