"""The benchmark database: created, seeded once per seed plan, reused while the plan is the same.

The seed plan and the project's migration files are written into the database's comment; a run
with another plan (or after a migration was added) drops and rebuilds the database.
"""

import hashlib
import urllib.parse
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent


def _parts(url: str) -> tuple[str, str]:
    parsed = urllib.parse.urlparse(url)
    name = parsed.path.lstrip("/")
    if parsed.scheme not in ("postgres", "postgresql", "pgsql") or not name:
        raise SystemExit(f"The benchmark needs PostgreSQL: DATABASE_URL {url!r}")
    maintenance = parsed._replace(path="/postgres").geturl()
    return name, maintenance.replace("pgsql://", "postgresql://", 1)


def migrations_fingerprint() -> str:
    files = sorted(p.relative_to(ROOT).as_posix() for p in ROOT.glob("*/migrations/0*.py"))
    return hashlib.sha256("\n".join(files).encode()).hexdigest()[:12]


def state(url: str) -> str | None:
    """The database's comment (the seed it holds), or None when it does not exist."""
    name, maintenance = _parts(url)
    with psycopg.connect(maintenance, autocommit=True) as conn:
        row = conn.execute(
            "SELECT coalesce(shobj_description(oid, 'pg_database'), '') "
            "FROM pg_database WHERE datname = %s",
            [name],
        ).fetchone()
    return None if row is None else row[0]


def recreate(url: str) -> None:
    name, maintenance = _parts(url)
    ident = sql.Identifier(name)
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(ident))


def mark(url: str, signature: str) -> None:
    name, maintenance = _parts(url)
    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(name), sql.Literal(signature)
            )
        )
