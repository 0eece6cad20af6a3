"""Every certificate as an Open Badges 3.0 ``OpenBadgeCredential``, signed as a VC-JWT.

The credential follows the W3C Verifiable Credentials Data Model 2.0 with 1EdTech's OB 3.0
context. It is signed with the certificate's Ed25519 key (``alg: EdDSA``) in the compact JWS form
of OB 3.0 §8.2 (the payload is the credential plus the registered claims ``iss``, ``jti``,
``nbf``, ``exp``, ``sub``). The JOSE header carries the public key (``jwk``) so a verifier can
check it offline, and a ``kid`` URL into the published JWKS.

The issuer is identified by the URL of its issuer profile (``/zertifikate/aussteller/``), not by
a ``did:web``: an HTTPS profile is what OB 3.0 verifiers and wallets resolve without a DID
resolver, it works under any path prefix, and key rotation only changes the JWKS (retired keys
stay listed) rather than a DID document every verifier must re-fetch.

The recipient is never named in clear: ``credentialSubject.identifier`` holds a salted SHA-256
hash of the email address (an ``IdentityObject``), and ``credentialSubject.id`` is an opaque
per-person URN derived with the secret key, so two credentials of one person link to each
other (renewals) but to nobody else.
"""

import hashlib
import hmac
import json
import secrets
import uuid
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy

from certificates import signing

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
ALGORITHM = "EdDSA"  # what OB 3.0 verifiers expect for Ed25519 (RFC 9864 also names "Ed25519")
MEDIA_TYPE = "application/vc+jwt"

# What the verification page says about an uploaded credential (tests reuse these).
CREDENTIAL_MALFORMED = gettext_lazy(
    "Diese Datei ist kein digitaler Nachweis der Bürgerservice-Akademie (kein gültiges VC-JWT)."
)
CREDENTIAL_BAD_SIGNATURE = gettext_lazy(
    "Nicht echt: Die Signatur dieses Nachweises stimmt nicht. Er wurde verändert oder nicht von "
    "der Bürgerservice-Akademie ausgestellt."
)
CREDENTIAL_UNKNOWN = gettext_lazy(
    "Die Signatur stimmt, aber dieser Nachweis ist nicht im Zertifikatsregister."
)


def absolute_url(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


@lru_cache(maxsize=8)
def _path(name: str) -> str:
    return reverse(name)


def issuer_url() -> str:
    return absolute_url(_path("certificates:issuer"))


def jwks_url() -> str:
    return absolute_url(_path("jwks"))


def issuer_profile(name: str) -> dict:
    """The issuer profile as OB 3.0 ``Profile``: what ``issuer.id`` dereferences to."""
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": issuer_url(),
        "type": ["Profile"],
        "name": name,
        "url": absolute_url("/"),
    }


def subject_id(user_id: int) -> str:
    """An opaque, stable URN for a person: HMAC of the user id with the secret key."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"ob3-subject:{user_id}".encode(), hashlib.sha256
    ).digest()
    return f"urn:uuid:{uuid.UUID(bytes=digest[:16], version=4)}"


def identity_hash(email: str, salt: str) -> str:
    """OB 3.0 ``identityHash``: ``sha256$`` + hex of SHA-256 over the identity and the salt."""
    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode()).hexdigest()


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def criteria_narrative(course_title: str, sections: list[dict]) -> str:
    lines = [
        f"Die Weiterbildung «{course_title}» ist abgeschlossen: jedes Modul der drei "
        "Lernbereiche gelesen und seine Lernkontrolle bestanden.",
        "",
    ]
    for s in sections:
        lines.append(
            f"- {s['title']}: {s['teaching_units']} UE (Unterrichtseinheiten zu 45 Minuten), "
            f"abgeschlossen am {s['completed_on']}"
        )
    total = sum(s["teaching_units"] for s in sections)
    lines.append(f"- Gesamt: {total} UE")
    return "\n".join(lines)


@dataclass(frozen=True)
class CredentialFacts:
    """What the credential needs besides the certificate row (read at issue)."""

    email: str
    user_id: int
    course_id: int
    issuer_name: str
    description: str


# --- The status entry (bit in a Bitstring Status List, see certificates.status_list) ---------

LIST_SIZE = 131_072  # bits: the minimum the specification asks for (16 KB), for herd privacy
PURPOSE = "revocation"


def list_url(list_number: int) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse(
        "certificates:status_list", args=[list_number]
    )


def status_entry(index: int) -> dict:
    """The ``credentialStatus`` of a credential whose bit is ``index``."""
    url = list_url(index // LIST_SIZE)
    return {
        "id": f"{url}#{index % LIST_SIZE}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": PURPOSE,
        "statusListIndex": str(index % LIST_SIZE),
        "statusListCredential": url,
    }


def build_credential(certificate, facts: CredentialFacts, *, salt: str | None = None) -> dict:
    """The OpenBadgeCredential of a certificate (unsigned JSON)."""
    salt = salt or secrets.token_hex(16)
    subject = {
        "type": ["AchievementSubject"],
        "id": subject_id(facts.user_id),
        "achievement": {
            "id": f"{issuer_url()}#kurs-{facts.course_id}",
            "type": ["Achievement"],
            "achievementType": "Certificate",
            "name": certificate.course_title,
            "description": facts.description,
            "criteria": {
                "narrative": criteria_narrative(certificate.course_title, certificate.sections)
            },
            "inLanguage": "de",
        },
        "creditsEarned": float(sum(s["teaching_units"] for s in certificate.sections)),
    }
    if facts.email:
        subject["identifier"] = [
            {
                "type": "IdentityObject",
                "identityHash": identity_hash(facts.email, salt),
                "identityType": "emailAddress",
                "hashed": True,
                "salt": salt,
            }
        ]
    verify = absolute_url(reverse("certificates:verify", args=[certificate.token]))
    credential = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": f"urn:uuid:{certificate.pk}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{certificate.course_title} ({certificate.serial})",
        "issuer": {
            "id": issuer_url(),
            "type": ["Profile"],
            "name": facts.issuer_name,
            "url": absolute_url("/"),
        },
        "validFrom": _iso(certificate.issued_at),
        "credentialSubject": subject,
        "credentialSchema": [{"id": OB_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
        # The certified content revisions: what exactly was read and passed, module by module.
        "evidence": [
            {
                "type": ["Evidence"],
                "name": r["title"],
                "description": (
                    f"Modul {r['module']}, Seitenrevision {r['page_revision']}"
                    + (
                        f", Lernkontrolle {r['quiz']} in Revision {r['quiz_revision']}"
                        if r.get("quiz")
                        else ""
                    )
                    + (", in der Auffrischung wiederholt" if r.get("renewal") else "")
                    + f", abgeschlossen {r['completed_at']}"
                ),
                "genre": "Lernmodul",
            }
            for r in certificate.revisions
        ]
        or [{"type": ["Evidence"], "name": certificate.serial, "id": verify}],
    }
    if certificate.previous_id:  # a renewal: the certificate it renews, as evidence
        credential["evidence"].append(
            {
                "id": f"urn:uuid:{certificate.previous_id}",
                "type": ["Evidence"],
                "name": f"Erneuerung von {certificate.previous.serial}",
                "genre": "Erneuerung",
            }
        )
    if certificate.valid_until:
        credential["validUntil"] = _iso(certificate.valid_until)
    if certificate.status_index is not None:
        credential["credentialStatus"] = status_entry(certificate.status_index)
    return credential


def _jose_key():
    return _jose_key_for(signing.signing_key())


@lru_cache(maxsize=8)
def _jose_key_for(key: signing.SigningKey):
    from joserfc.jwk import OKPKey

    return OKPKey.import_key(
        {
            **signing.public_jwk(key.public_bytes),
            "d": signing.b64url(key.private_key.private_bytes_raw()),
        }
    )


def sign_jwt(claims: dict) -> str:
    """A compact JWS (VC-JWT) over ``claims`` with the current Ed25519 key."""
    from joserfc import jws

    key = signing.signing_key()
    header = {
        "alg": ALGORITHM,
        "typ": "JWT",
        "kid": f"{jwks_url()}#{key.key_id}",
        "jwk": signing.public_jwk(key.public_bytes),
    }
    payload = json.dumps(claims, ensure_ascii=False, separators=(",", ":")).encode()
    with warnings.catch_warnings():  # joserfc flags "EdDSA" (RFC 9864); verifiers expect it
        warnings.simplefilter("ignore")  # SecurityWarning
        return jws.serialize_compact(header, payload, _jose_key(), algorithms=[ALGORITHM])


def jwt_claims(credential: dict) -> dict:
    """The credential plus OB 3.0's registered JWT claims."""
    claims = dict(credential)
    claims["iss"] = credential["issuer"]["id"]
    claims["jti"] = credential["id"]
    claims["sub"] = credential["credentialSubject"].get("id", credential["id"])
    claims["nbf"] = int(datetime.fromisoformat(credential["validFrom"]).timestamp())
    if "validUntil" in credential:
        claims["exp"] = int(datetime.fromisoformat(credential["validUntil"]).timestamp())
    return claims


def issue_credential(certificate, facts: CredentialFacts) -> str:
    """Builds and signs the certificate's credential; returns the VC-JWT."""
    return sign_jwt(jwt_claims(build_credential(certificate, facts)))


def decode_unverified(token: str) -> tuple[dict, dict]:
    """(header, payload) of a compact JWS without checking anything; ValueError if malformed."""
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise ValueError("not a compact JWS")
    try:
        header = json.loads(signing.b64url_decode(parts[0]))
        payload = json.loads(signing.b64url_decode(parts[1]))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError("not a compact JWS") from exc
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise ValueError("not a compact JWS")
    return header, payload


class CredentialError(ValueError):
    """A credential that is malformed or whose signature does not hold; ``message`` is German."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def verify_jwt(token: str) -> dict:
    """Checks a VC-JWT against our published keys (never the key in its own header) and
    returns its payload; raises ``CredentialError`` otherwise."""
    from joserfc import jws
    from joserfc.errors import JoseError
    from joserfc.jwk import OKPKey

    token = (token or "").strip()
    try:
        header, _payload = decode_unverified(token)
    except ValueError as exc:
        raise CredentialError(CREDENTIAL_MALFORMED) from exc
    if header.get("alg") not in (ALGORITHM, "Ed25519"):
        raise CredentialError(CREDENTIAL_BAD_SIGNATURE)
    kid = str(header.get("kid", "")).rsplit("#", 1)[-1]
    for jwk in signing.jwks()["keys"]:
        if jwk["kid"] != kid:
            continue
        key = OKPKey.import_key({k: jwk[k] for k in ("kty", "crv", "x")})
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # SecurityWarning
                obj = jws.deserialize_compact(token, key, algorithms=[header["alg"]])
            return json.loads(obj.payload)
        except (JoseError, ValueError) as exc:
            raise CredentialError(CREDENTIAL_BAD_SIGNATURE) from exc
    raise CredentialError(CREDENTIAL_BAD_SIGNATURE)
