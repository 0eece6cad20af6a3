"""Ed25519 signatures over a certificate's canonical JSON, and the public keys as a JWKS.

The private key comes from ``CERTIFICATE_SIGNING_KEY`` (base64 of the 32 raw bytes, or a PEM) or
from the PEM file at ``CERTIFICATE_SIGNING_KEY_FILE``. With ``CERTIFICATE_SIGNING_KEY_GENERATE``
(on in development) a missing key file is created on first use. Anyone can verify a certificate
offline with the JWKS: the signature covers ``canonical_json(payload)``.
"""

import base64
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEY_MISSING = (
    "No certificate signing key: set CERTIFICATE_SIGNING_KEY (base64 of a 32-byte Ed25519 private "
    "key, or a PEM) or CERTIFICATE_SIGNING_KEY_FILE (path to a PEM file); in development "
    "CERTIFICATE_SIGNING_KEY_GENERATE=1 creates one."
)
KEY_INVALID = "The certificate signing key is not an Ed25519 private key."


def canonical_json(payload: dict) -> bytes:
    """Sorted keys, no insignificant whitespace, UTF-8: the bytes the signature covers. Payloads
    hold only strings, integers and lists/objects of them, so this matches RFC 8785 (JCS)."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class SigningKey:
    private_key: Ed25519PrivateKey
    public_bytes: bytes
    key_id: str


def _parse_private_key(material: bytes) -> Ed25519PrivateKey:
    material = material.strip()
    if material.startswith(b"-----BEGIN"):
        key = serialization.load_pem_private_key(material, password=None)
    else:
        text = material.replace(b"-", b"+").replace(b"_", b"/").rstrip(b"=")
        try:
            raw = base64.b64decode(text + b"=" * (-len(text) % 4), validate=True)
        except ValueError as exc:
            raise ImproperlyConfigured(KEY_INVALID) from exc
        if len(raw) != 32:
            raise ImproperlyConfigured(KEY_INVALID)
        key = Ed25519PrivateKey.from_private_bytes(raw)
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured(KEY_INVALID)
    return key


def _generate_key_file(path: Path) -> None:
    """Writes a new key file unless one appears meanwhile (two processes starting at once)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".signing-key-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        os.chmod(tmp, 0o600)
        try:
            os.link(tmp, path)  # atomic: fails if another process linked its key first
        except FileExistsError:
            pass
    finally:
        os.unlink(tmp)


def public_jwk(public_bytes: bytes) -> dict:
    return {"kty": "OKP", "crv": "Ed25519", "x": b64url(public_bytes)}


def key_id_for(public_bytes: bytes) -> str:
    """The RFC 7638 thumbprint of the public key, so a key id cannot be reused for another key."""
    return b64url(hashlib.sha256(canonical_json(public_jwk(public_bytes))).digest())


@lru_cache(maxsize=8)
def _load(inline: str, path: str, generate: bool) -> SigningKey:
    if inline:
        key = _parse_private_key(inline.encode())
    else:
        key_path = Path(path)
        if not key_path.exists():
            if not generate:
                raise ImproperlyConfigured(KEY_MISSING)
            _generate_key_file(key_path)
        key = _parse_private_key(key_path.read_bytes())
    public_bytes = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return SigningKey(private_key=key, public_bytes=public_bytes, key_id=key_id_for(public_bytes))


def signing_key() -> SigningKey:
    return _load(
        settings.CERTIFICATE_SIGNING_KEY,
        str(settings.CERTIFICATE_SIGNING_KEY_FILE),
        bool(settings.CERTIFICATE_SIGNING_KEY_GENERATE),
    )


def sign(payload: dict) -> tuple[str, str, str]:
    """Returns (canonical payload text, base64url signature, key id)."""
    key = signing_key()
    message = canonical_json(payload)
    return message.decode(), b64url(key.private_key.sign(message)), key.key_id


def jwks() -> dict:
    """The current public key and any retired ones still needed for older certificates."""
    current = signing_key()
    keys = [current.public_bytes]
    for x in settings.CERTIFICATE_RETIRED_PUBLIC_KEYS:
        raw = b64url_decode(x)
        if raw not in keys:
            keys.append(raw)
    return {
        "keys": [
            {**public_jwk(raw), "kid": key_id_for(raw), "use": "sig", "alg": "EdDSA"}
            for raw in keys
        ]
    }


def verify(message: bytes, signature: str, jwk_set: dict, key_id: str) -> bool:
    """Checks a signature with a key of the JWKS: what an offline verifier does."""
    for jwk in jwk_set.get("keys", []):
        if jwk.get("kid") == key_id and jwk.get("crv") == "Ed25519":
            public_key = Ed25519PublicKey.from_public_bytes(b64url_decode(jwk["x"]))
            try:
                public_key.verify(b64url_decode(signature), message)
            except (InvalidSignature, ValueError):
                return False
            return True
    return False
