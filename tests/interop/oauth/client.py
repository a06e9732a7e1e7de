"""An independent OAuth 2.0 client for the department server's Open Badges 3.0 API.

Uses Authlib (Debian's python3-authlib) for everything OAuth: the PKCE S256 authorization URL,
the code exchange with client_secret_basic, refresh, and RFC 7009 revocation. The only thing
done by hand is the admin's click: the consent page's own form is read and submitted with the
admin's user and password, as a browser would.

    /usr/bin/python3 client.py BASE_URL ADMIN_USER ADMIN_PASSWORD

Prints one JSON object with what it saw; exits non-zero on any unexpected answer.
"""

import html.parser
import json
import os
import secrets
import sys

# The server under test listens on loopback over plain HTTP.
os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"

import requests  # noqa: E402
from authlib.integrations.requests_client import OAuth2Session  # noqa: E402

READ = "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.readonly"
CALLBACK = "http://127.0.0.1:9/callback"


class ConsentForm(html.parser.HTMLParser):
    """Collects the consent form's action and its hidden inputs."""

    def __init__(self):
        super().__init__()
        self.action, self.fields = None, {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("method") == "post":
            self.action = a.get("action")
        if tag == "input" and a.get("type") == "hidden":
            self.fields[a["name"]] = a.get("value", "")


def expect(cond, what):
    if not cond:
        raise SystemExit(f"unexpected: {what}")


def main(base, user, password):
    sdd = requests.get(f"{base}/ims/ob/v3p0/discovery", timeout=10).json()
    scheme = sdd["components"]["securitySchemes"]["OAuth2ACG"]
    flow = scheme["flows"]["authorizationCode"]
    registration = requests.post(
        scheme["x-imssf-registrationUrl"],
        json={
            "client_name": "Authlib test client",
            "client_uri": "https://client.example/",
            "redirect_uris": [CALLBACK],
            "token_endpoint_auth_method": "client_secret_basic",
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "scope": f"{READ} offline_access",
        },
        timeout=10,
    )
    expect(registration.status_code == 201, f"registration answered {registration.status_code}: {registration.text}")
    reg = registration.json()

    session = OAuth2Session(
        reg["client_id"],
        reg["client_secret"],
        scope=f"{READ} offline_access",
        redirect_uri=CALLBACK,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    )
    verifier = secrets.token_urlsafe(48)
    url, state = session.create_authorization_url(flow["authorizationUrl"], code_verifier=verifier)

    page = requests.get(url, allow_redirects=False, timeout=10)
    expect(page.status_code == 200, f"consent page answered {page.status_code}")
    form = ConsentForm()
    form.feed(page.text)
    expect(form.action and form.fields.get("state") == state, "the consent form carries the request")
    answer = dict(form.fields, decision="allow", user=user, password=password)
    consent = requests.post(f"{base}{form.action}", data=answer, allow_redirects=False, timeout=10)
    expect(consent.status_code in (302, 303), f"consent answered {consent.status_code}: {consent.text[:300]}")
    location = consent.headers["location"]
    expect(location.startswith(CALLBACK), f"redirected to {location}")

    token = session.fetch_token(flow["tokenUrl"], authorization_response=location, code_verifier=verifier)
    expect(token["token_type"].lower() == "bearer" and "refresh_token" in token, f"token response {token}")
    listed = session.get(f"{base}/ims/ob/v3p0/credentials", timeout=10)
    expect(listed.status_code == 200, f"getCredentials answered {listed.status_code}: {listed.text}")
    credentials = listed.json()["credential"]

    refreshed = session.refresh_token(flow["refreshUrl"])
    expect(refreshed["access_token"] != token["access_token"], "refresh gave a new access token")
    again = session.get(f"{base}/ims/ob/v3p0/credentials", timeout=10)
    expect(again.status_code == 200, f"after refresh getCredentials answered {again.status_code}")

    revoked = session.revoke_token(flow["x-imssf-revocationUrl"], token=refreshed["refresh_token"], token_type_hint="refresh_token")
    expect(revoked.status_code == 200, f"revocation answered {revoked.status_code}")
    after = requests.get(
        f"{base}/ims/ob/v3p0/credentials",
        headers={"Authorization": f"Bearer {refreshed['access_token']}"},
        timeout=10,
    )
    print(
        json.dumps(
            {
                "credentials": [c["id"] for c in credentials],
                "scope": token["scope"],
                "after_revocation": after.status_code,
            }
        )
    )


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit("usage: client.py BASE_URL ADMIN_USER ADMIN_PASSWORD")
    main(*sys.argv[1:])
