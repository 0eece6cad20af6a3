"""Fault injection for the reliability tests: a storage that fails on demand (standing in for an
unavailable S3 or network share) and, for a worker subprocess, a render that stalls once."""

import os
import time

from django.core.files.storage import FileSystemStorage


class FlakyStorage(FileSystemStorage):
    """Raises OSError for the next ``failures`` saves, then stores normally."""

    failures = 0

    def _save(self, name, content):
        if FlakyStorage.failures > 0:
            FlakyStorage.failures -= 1
            raise OSError("storage unavailable (injected by the test)")
        return super()._save(name, content)


def stall_first_render() -> None:
    """Imported by a worker subprocess (``celery worker -I``): the first render writes its
    process id to the marker file and then hangs, so the test can SIGKILL it mid-render."""
    from certificates import rendering

    marker = os.environ["CERTIFICATE_TEST_RENDER_MARKER"]
    render = rendering.render_certificate

    def render_stalling_once(content):
        try:
            fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return render(content)
        with os.fdopen(fd, "w") as handle:
            handle.write(str(os.getpid()))
        time.sleep(300)
        return render(content)

    rendering.render_certificate = render_stalling_once


if os.environ.get("CERTIFICATE_TEST_RENDER_MARKER"):
    stall_first_render()


class RefusingEmailBackend:
    """An SMTP server (outside the machine) that refuses the next ``refusals`` sends, then
    accepts them into Django's locmem outbox."""

    refusals = 0

    def __init__(self, *args, **kwargs):
        from django.core.mail.backends.locmem import EmailBackend

        self.delivered = EmailBackend(*args, **kwargs)

    def send_messages(self, messages):
        if RefusingEmailBackend.refusals > 0:
            RefusingEmailBackend.refusals -= 1
            raise ConnectionRefusedError("SMTP server refused the connection (injected)")
        return self.delivered.send_messages(messages)
