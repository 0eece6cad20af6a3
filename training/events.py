"""The one cross-app event: *enrollment completed*.

When ``training.services.complete_module`` completes the last required module, it sets
``Enrollment.completed_at`` and announces the enrollment here; after the transaction commits,
every subscribed callback is called with the enrollment's id (a failing callback does not stop
the others). Nothing is announced when the transaction rolls back. The certificates app
subscribes (in its AppConfig.ready) with the task that issues the certificate.
"""

from collections.abc import Callable
from functools import partial

from django.db import transaction

_enrollment_completed_callbacks: list[Callable[[int], None]] = []


def subscribe(callback: Callable[[int], None]) -> Callable[[int], None]:
    """Registers ``callback(enrollment_id)`` to run after an enrollment's completion commits.
    Subscribing the same callback twice keeps one subscription."""
    if callback not in _enrollment_completed_callbacks:
        _enrollment_completed_callbacks.append(callback)
    return callback


def unsubscribe(callback: Callable[[int], None]) -> None:
    if callback in _enrollment_completed_callbacks:
        _enrollment_completed_callbacks.remove(callback)


def announce_enrollment_completed(enrollment_id: int) -> None:
    """Schedules every subscriber for after the current transaction commits."""
    for callback in list(_enrollment_completed_callbacks):
        transaction.on_commit(partial(callback, enrollment_id), robust=True)
