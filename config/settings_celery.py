"""The Celery settings that depend on nothing else in the settings (timeouts, delivery, the
beat schedule); ``config.settings`` imports them. The broker's address and the in-process mode
stay there."""

from celery.schedules import crontab

CELERY_TASK_EAGER_PROPAGATES = True  # in-process mode (no REDIS_URL): errors surface
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_RESULT_EXPIRES = 60 * 60 * 24
# Longer than the slowest task (a certificate renders in milliseconds; an export in seconds),
# so Redis does not redeliver a message that a live worker is still working on.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 60 * 60,
    # An unreachable broker fails an enqueue within a second (no retries inside a request): the
    # caller logs it and the reconciliation task enqueues again (certificates within minutes).
    "socket_connect_timeout": 1,
    "socket_timeout": 5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TASK_PUBLISH_RETRY = False
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 1
CELERY_REDIS_SOCKET_TIMEOUT = 5
# The result backend subscribes to a task's result when it is sent; its default retry policy
# (20 tries, one second apart) made a completion wait about 19 s while Redis was down.
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": {"max_retries": 0}}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Celery's Django fixup otherwise closes the database connection around every task, and opening
# one costs more than issuing a certificate. Each task still starts with Django's
# close_old_connections() (config/celery.py): CONN_MAX_AGE and health checks apply as in a request.
CELERY_DB_REUSE_MAX = 10_000
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "config.celery.heartbeat", "schedule": 60.0},
    # Re-enqueues completed enrollments without a certificate (and unsent certificate emails),
    # so a lost message only delays a certificate.
    "certificates-reconcile": {"task": "certificates.reconcile", "schedule": 180.0},
    # Import/export files hold personal data: deleted a week after the job.
    "training-purge-workspace-jobs": {
        "task": "training.purge_workspace_jobs",
        "schedule": 60.0 * 60 * 6,
    },
    # Statements an LRS did not take yet (unreachable, answered 5xx): delivery only delays.
    "xapi-deliver-pending": {"task": "xapi.deliver_pending_statements", "schedule": 300.0},
}
CELERY_BEAT_SCHEDULE["privacy-retention"] = {
    "task": "accounts.tasks.apply_retention",
    "schedule": crontab(hour=3, minute=17),
}
