"""Revocation as a W3C Bitstring Status List, served at a stable URL per list.

Each certificate gets the next free index at issue (one bit, never reused). The list credential
is built from the register on request: a revoked certificate's bit is 1 from the moment the
revocation commits, and with ``CERTIFICATE_STATUS_LIST_EXPIRED`` so is an expired one's. The
response is cached by clients and proxies for ``CERTIFICATE_STATUS_LIST_MAX_AGE`` seconds only.
Indexes are handed out in order rather than at random: the list is public, but a bit says
nothing without the credential that points at it, which only its holder passes on.
"""

import base64
import gzip
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from certificates import credentials
from certificates.credentials import LIST_SIZE, PURPOSE, list_url
from certificates.models import Certificate, StatusListCounter


def next_status_index() -> int:
    """The next free index (0-based), with one atomic upsert like the serial numbers."""
    table = connection.ops.quote_name(StatusListCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (purpose, last_index) VALUES (%s, 1) "  # noqa: S608 (table name)
            f"ON CONFLICT (purpose) DO UPDATE SET last_index = {table}.last_index + 1 "
            "RETURNING last_index",
            [PURPOSE],
        )
        (number,) = cursor.fetchone()
    return number - 1


# The bit size, the purpose and each list's URL are credentials' (a credential's
# ``credentialStatus`` points here); this module builds and serves the lists.


def set_indexes(list_number: int, now=None) -> list[int]:
    """Positions (within the list) whose bit is set: revoked, and expired if configured."""
    now = now or timezone.now()
    first = list_number * LIST_SIZE
    condition = Q(revoked_at__isnull=False)
    if settings.CERTIFICATE_STATUS_LIST_EXPIRED:
        condition |= Q(valid_until__lte=now)
    indexes = Certificate.objects.filter(
        condition, status_index__gte=first, status_index__lt=first + LIST_SIZE
    ).values_list("status_index", flat=True)
    return sorted(i - first for i in indexes)


def encode(positions: list[int]) -> str:
    """Multibase base64url (``u`` prefix) of the GZIP-compressed bitstring; bit 0 is the most
    significant bit of the first byte."""
    bits = bytearray(LIST_SIZE // 8)
    for position in positions:
        bits[position // 8] |= 0x80 >> (position % 8)
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode()


def decode(encoded_list: str) -> bytes:
    text = encoded_list[1:] if encoded_list.startswith("u") else encoded_list
    return gzip.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


def bit_is_set(encoded_list: str, position: int) -> bool:
    return bool(decode(encoded_list)[position // 8] & (0x80 >> (position % 8)))


def status_list_credential(list_number: int, *, issuer_name: str, now=None) -> dict:
    now = (now or timezone.now()).replace(microsecond=0)
    url = list_url(list_number)
    return {
        "@context": [credentials.VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": {"id": credentials.issuer_url(), "name": issuer_name},
        "validFrom": credentials._iso(now),
        "validUntil": credentials._iso(
            now + timedelta(seconds=settings.CERTIFICATE_STATUS_LIST_MAX_AGE)
        ),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": PURPOSE,
            "encodedList": encode(set_indexes(list_number, now)),
        },
    }


def signed_status_list(list_number: int, *, issuer_name: str, now=None) -> str:
    """The status list credential as VC-JWT, signed like the certificates' credentials."""
    credential = status_list_credential(list_number, issuer_name=issuer_name, now=now)
    claims = dict(credential)
    claims.update(
        iss=credential["issuer"]["id"],
        jti=credential["id"],
        sub=credential["credentialSubject"]["id"],
        nbf=int(timezone.datetime.fromisoformat(credential["validFrom"]).timestamp()),
        exp=int(timezone.datetime.fromisoformat(credential["validUntil"]).timestamp()),
    )
    return credentials.sign_jwt(claims)
