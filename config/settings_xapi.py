"""xAPI settings (learning records to an LRS; off unless XAPI_LRS_ENDPOINT is set);
``config.settings`` imports them."""

import environ

env = environ.Env()

XAPI_LRS_ENDPOINT = env.str("XAPI_LRS_ENDPOINT", default="")  # e.g. https://lrs.example.org/xAPI
XAPI_LRS_KEY = env.str("XAPI_LRS_KEY", default="")
XAPI_LRS_SECRET = env.str("XAPI_LRS_SECRET", default="")
XAPI_VERSION = env.str("XAPI_VERSION", default="1.0.3")  # or 2.0.0
# The public base URL of this deployment for activity ids; empty: WAGTAILADMIN_BASE_URL.
XAPI_ACTIVITY_BASE = env.str("XAPI_ACTIVITY_BASE", default="")
