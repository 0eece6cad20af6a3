from celery import shared_task

from accounts import services


@shared_task(acks_late=True)
def apply_retention() -> dict:
    """Nightly (beat): anonymises inactive accounts without enrollment and deletes expired
    login attempts and audit entries. Idempotent: a second run finds nothing left to do."""
    erased = services.anonymise_inactive_accounts()
    purged = services.purge_expired_records()
    return {"accounts_anonymised": len(erased), **purged}
