"""A SAML 2.0 identity provider made in the test: pysaml2's ``Server`` with a self-signed
certificate generated here, exchanging metadata with the platform's service provider and
answering its AuthnRequests with real signed responses (RSA-SHA256)."""

from __future__ import annotations

import base64
import datetime
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig, SPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

IDP_ENTITY_ID = "https://idp.agov.example/saml"
SSO_URL = "https://idp.agov.example/saml/sso"
SLO_URL = "https://idp.agov.example/saml/slo"
MFA_CONTEXT = "urn:qa.agov.ch:names:tc:ac:classes:400"
PASSWORD_CONTEXT = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"


def self_signed(directory: Path, name: str) -> tuple[Path, Path]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = directory / f"{name}.key", directory / f"{name}.crt"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_file, cert_file


OTHER_SP_ENTITY_ID = "https://andere-anwendung.example/saml"


def other_sp_metadata() -> str:
    """Another application the IdP serves (for responses meant for someone else)."""
    config = SPConfig()
    config.load(
        {
            "entityid": OTHER_SP_ENTITY_ID,
            "xmlsec_binary": shutil.which("xmlsec1"),
            "service": {
                "sp": {
                    "endpoints": {
                        "assertion_consumer_service": [
                            ("https://andere-anwendung.example/acs", BINDING_HTTP_POST)
                        ]
                    }
                }
            },
        }
    )
    return create_metadata_string(None, config=config).decode()


def idp_config(directory: Path, sp_metadata: str, *, name: str = "idp", lifetime_minutes=15):
    key_file, cert_file = self_signed(directory, name)
    sp_metadata_file = directory / f"sp-for-{name}.xml"
    sp_metadata_file.write_text(sp_metadata)
    other_metadata_file = directory / f"other-sp-for-{name}.xml"
    other_metadata_file.write_text(other_sp_metadata())
    config = IdPConfig()
    config.load(
        {
            "entityid": IDP_ENTITY_ID,
            "xmlsec_binary": shutil.which("xmlsec1"),
            "key_file": str(key_file),
            "cert_file": str(cert_file),
            "metadata": {"local": [str(sp_metadata_file), str(other_metadata_file)]},
            "service": {
                "idp": {
                    "endpoints": {
                        "single_sign_on_service": [(SSO_URL, BINDING_HTTP_REDIRECT)],
                        "single_logout_service": [(SLO_URL, BINDING_HTTP_REDIRECT)],
                    },
                    "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                    "policy": {
                        "default": {
                            "lifetime": {"minutes": lifetime_minutes},
                            "attribute_restrictions": None,
                        }
                    },
                }
            },
        }
    )
    return config


@dataclass
class SAMLIdP:
    """The IdP and what it needs to answer: its server, metadata, and the SP's ACS URL."""

    server: Server
    metadata: str
    acs_url: str
    sp_entity_id: str

    def read_request(self, location: str) -> tuple[str, str]:
        """The AuthnRequest id and RelayState from the SP's redirect to our SSO URL."""
        query = parse_qs(urlparse(location).query)
        request = self.server.parse_authn_request(query["SAMLRequest"][0], BINDING_HTTP_REDIRECT)
        return request.message.id, query.get("RelayState", [""])[0]

    def response(
        self,
        *,
        in_response_to: str,
        subject: str,
        attributes: dict,
        signed: bool = True,
        context: str = PASSWORD_CONTEXT,
        audience: str | None = None,
        name_id_format: str = NAMEID_FORMAT_PERSISTENT,
    ) -> str:
        """A response as the IdP posts it to the ACS, base64 of the XML."""
        response = self.server.create_authn_response(
            identity=attributes,
            in_response_to=in_response_to,
            destination=self.acs_url,
            sp_entity_id=audience or self.sp_entity_id,
            name_id=NameID(format=name_id_format, text=subject),
            authn={"class_ref": context, "authn_auth": IDP_ENTITY_ID},
            sign_response=signed,
            sign_assertion=signed,
            sign_alg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
        )
        return base64.b64encode(str(response).encode()).decode()


def make_idp(directory: Path, *, sp_metadata: str, acs_url: str, sp_entity_id: str, **options):
    config = idp_config(directory, sp_metadata, **options)
    metadata = create_metadata_string(None, config=config).decode()
    return SAMLIdP(
        server=Server(config=config),
        metadata=metadata,
        acs_url=acs_url,
        sp_entity_id=sp_entity_id,
    )


__all__ = ["BINDING_HTTP_POST", "make_idp"]
