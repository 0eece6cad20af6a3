"""Organisation login (included by accounts.urls under /konto/sso/, names in ``accounts:``)."""

from django.urls import path

from accounts.sso import saml, views

urlpatterns = [
    # The redirect URI of every OIDC provider.
    path("oidc/callback/", views.oidc_callback, name="sso_oidc_callback"),
    path("oidc/<slug:provider_key>/", views.oidc_start, name="sso_oidc_start"),
    # This platform as a SAML service provider: entity ID (metadata), ACS and SLO URLs.
    path("saml/metadata/", saml.Metadata.as_view(), name="sso_saml_metadata"),
    path("saml/acs/", saml.AssertionConsumerService.as_view(), name="sso_saml_acs"),
    path("saml/sls/", saml.LogoutService.as_view(), name="sso_saml_sls"),
    path("saml/<slug:provider_key>/", views.saml_start, name="sso_saml_start"),
]
