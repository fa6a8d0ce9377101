"""Counting what one user action costs the database: statements and write transactions.

    with TransactionCounter(services_of(tg.application).db) as counted:
        await ana.send("swam 30 min")
    assert counted.writes == 1

Independent of the code under test: it listens to SQLAlchemy's engine events and reads each
statement's kind, so a write is a write whichever repository sent it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from sqlalchemy import event

from bot.db.engine import Database


def _is_write(statement: str) -> bool:
    return statement.lstrip()[:6].upper() not in ("SELECT", "PRAGMA", "SAVEPO", "RELEAS")


@dataclass
class TransactionCounter:
    db: Database
    statements: int = 0
    writes: int = 0  # committed transactions that wrote something
    rolled_back_writes: int = 0
    write_statements: list[str] = field(default_factory=list)
    _dirty: set[int] = field(default_factory=set)

    def _on_execute(self, conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.statements += 1
        if _is_write(statement):
            self._dirty.add(id(conn.connection.dbapi_connection))
            self.write_statements.append(statement.split("\n")[0][:80])

    def _on_commit(self, conn: Any) -> None:
        key = id(conn.connection.dbapi_connection)
        if key in self._dirty:
            self._dirty.discard(key)
            self.writes += 1

    def _on_rollback(self, conn: Any) -> None:
        key = id(conn.connection.dbapi_connection)
        if key in self._dirty:
            self._dirty.discard(key)
            self.rolled_back_writes += 1

    def __enter__(self) -> TransactionCounter:
        engine = self.db.engine.sync_engine
        event.listen(engine, "before_cursor_execute", self._on_execute)
        event.listen(engine, "commit", self._on_commit)
        event.listen(engine, "rollback", self._on_rollback)
        return self

    def __exit__(self, _type: type[BaseException] | None, _value: BaseException | None,
                 _tb: TracebackType | None) -> None:
        engine = self.db.engine.sync_engine
        event.remove(engine, "before_cursor_execute", self._on_execute)
        event.remove(engine, "commit", self._on_commit)
        event.remove(engine, "rollback", self._on_rollback)
