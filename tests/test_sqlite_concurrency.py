"""The embedded default (SQLite, the demo) takes two overlapping writes without "database is
locked". The suite runs on PostgreSQL, so this runs Django on the SQLite settings in a
subprocess with a file-based database."""

import textwrap

from tests.test_settings import run_django

# Two threads, each in one transaction: read, then write. The barrier makes both read before
# either writes (the pattern of Wagtail's autosave overlapping a "submit for review"); with
# deferred transactions one of them then fails to upgrade its read lock. With IMMEDIATE the
# second waits at BEGIN, the barrier gives up waiting and both writes go through in turn.
TWO_WRITERS = textwrap.dedent(
    """
    import threading
    import django
    django.setup()
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS counter")
        cursor.execute("CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER)")
        cursor.execute("INSERT INTO counter (id, value) VALUES (1, 0)")
    connection.close()

    barrier = threading.Barrier(2)
    errors = []

    def writer():
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SELECT value FROM counter WHERE id = 1")
                    cursor.fetchone()
                    try:
                        barrier.wait(timeout=2)
                    except threading.BrokenBarrierError:
                        pass
                    cursor.execute("UPDATE counter SET value = value + 1 WHERE id = 1")
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=writer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM counter WHERE id = 1")
        value = cursor.fetchone()[0]
        cursor.execute("PRAGMA journal_mode")
        journal = cursor.fetchone()[0]
    print("errors", errors)
    print("value", value)
    print("journal", journal)
    """
)


def test_two_simultaneous_writes_on_sqlite_both_succeed(tmp_path):
    # given the SQLite settings on a file database
    env = {"DJANGO_DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}"}
    # when two threads each read and then write in overlapping transactions
    result = run_django(env, TWO_WRITERS)
    # then neither fails with "database is locked" and both increments count
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert "errors []" in lines, result.stdout
    assert "value 2" in lines
    assert "journal wal" in lines


def test_the_embedded_default_database_is_configured_for_concurrent_use():
    # given no DATABASE_URL (the demo's embedded SQLite under var/)
    code = (
        "import django; django.setup(); from django.conf import settings;"
        "options = settings.DATABASES['default']['OPTIONS'];"
        "print(options['transaction_mode'], options['timeout'] >= 5);"
        "print(options['init_command'])"
    )
    # when Django starts
    result = run_django({"DJANGO_DEBUG": "1"}, code)
    # then writes take the lock at BEGIN, wait for it, and run in WAL mode
    assert result.returncode == 0, result.stderr
    mode, init = result.stdout.strip().splitlines()
    assert mode == "IMMEDIATE True"
    assert "journal_mode=WAL" in init and "synchronous=NORMAL" in init
