"""xAPI learning records: an outbox of statements written in the same transaction as the change
they describe, delivered to a Learning Record Store by a Celery task.

A small Django app of its own (label ``xapi``) below ``training`` and ``certificates``: both write
statements through :mod:`training.xapi.services`, which imports neither of them, so the one-way
dependencies (certificates → training → cms) hold and the quiz engine can move within training
without touching it.
"""
