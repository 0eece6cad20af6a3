import base64
import hashlib
import os
import stat

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import ImproperlyConfigured

from certificates import signing


def test_canonical_json_sorts_keys_and_keeps_umlauts():
    payload = {"b": [1, {"z": "ß", "a": "Ä"}], "a": "x"}
    assert signing.canonical_json(payload) == '{"a":"x","b":[1,{"a":"Ä","z":"ß"}]}'.encode()


def test_a_signature_verifies_with_the_jwks_and_fails_for_a_changed_payload():
    # given a signed payload
    message, signature, key_id = signing.sign({"serial": "DBS-2027-000001", "holder": "Jürg"})
    jwks = signing.jwks()
    # then it verifies, and one changed letter does not
    assert signing.verify(message.encode(), signature, jwks, key_id) is True
    forged = message.replace("Jürg", "Jörg").encode()
    assert signing.verify(forged, signature, jwks, key_id) is False
    assert signing.verify(message.encode(), signature, jwks, "another-key") is False


def test_the_key_id_is_the_rfc7638_thumbprint(settings):
    raw = bytes(range(32))
    settings.CERTIFICATE_SIGNING_KEY = base64.b64encode(raw).decode()
    public = (
        Ed25519PrivateKey.from_private_bytes(raw)
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    x = signing.b64url(public)
    expected = signing.b64url(
        hashlib.sha256(f'{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}'.encode()).digest()
    )
    assert signing.signing_key().key_id == expected


def test_the_key_can_come_from_a_pem_file(settings, tmp_path):
    # given a PEM key file and no inline key
    key = Ed25519PrivateKey.generate()
    path = tmp_path / "key.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    settings.CERTIFICATE_SIGNING_KEY = ""
    settings.CERTIFICATE_SIGNING_KEY_FILE = path
    settings.CERTIFICATE_SIGNING_KEY_GENERATE = False
    # then that key signs
    public = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    assert signing.signing_key().public_bytes == public


def test_without_a_key_production_refuses_to_sign(settings, tmp_path):
    settings.CERTIFICATE_SIGNING_KEY = ""
    settings.CERTIFICATE_SIGNING_KEY_FILE = tmp_path / "missing.pem"
    settings.CERTIFICATE_SIGNING_KEY_GENERATE = False
    with pytest.raises(ImproperlyConfigured) as error:
        signing.sign({"a": 1})
    assert str(error.value) == signing.KEY_MISSING
    assert not (tmp_path / "missing.pem").exists()


def test_development_generates_a_private_key_file_once(settings, tmp_path):
    # given no key but generation allowed (as with DJANGO_DEBUG)
    path = tmp_path / "var" / "certificate-signing-key.pem"
    settings.CERTIFICATE_SIGNING_KEY = ""
    settings.CERTIFICATE_SIGNING_KEY_FILE = path
    settings.CERTIFICATE_SIGNING_KEY_GENERATE = True
    # when a key is needed
    first = signing.signing_key()
    # then a private file holds it, and it is reused afterwards
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    signing._load.cache_clear()
    assert signing.signing_key().public_bytes == first.public_bytes


@pytest.mark.parametrize("value", ["bm90IGEga2V5", "-----BEGIN PRIVATE KEY-----\nxx\n"])
def test_a_malformed_key_is_a_configuration_error(settings, value):
    settings.CERTIFICATE_SIGNING_KEY = value
    with pytest.raises((ImproperlyConfigured, ValueError)):
        signing.signing_key()
