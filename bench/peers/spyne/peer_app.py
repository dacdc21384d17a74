"""The spyne peer: GetCurrentAccountInfo as a spyne 2.14 SOAP 1.1 service, behind a WSGI
HTTP Basic middleware, served by gunicorn with 2 sync workers (bench/driver.py starts it):

    PEER_DB=peer.db PEER_PUBLIC_URL=http://127.0.0.1:PORT/ \
        gunicorn --workers 2 --bind 127.0.0.1:PORT --chdir bench/peers/spyne peer_app:application

Each worker opens the SQLite file once, reads the API user's hash and the account on every
call, and remembers a verified credential (the SHA-256 of the password with the hash it
matched), so bcrypt runs again only when the password or the stored hash changes.
"""

import base64
import binascii
import hashlib
import hmac
import os
import sqlite3
from collections import Counter

import bcrypt
from spyne import Application, ComplexModel, Integer, Iterable, ServiceBase, Unicode, rpc
from spyne.protocol.soap import Soap11
from spyne.server.wsgi import WsgiApplication

SERVICE_NS = "http://apiconnector.com/v2"
TYPES_NS = "http://apiconnector.com"
# dualgate's Flat limit: the peer counts calls but enforces no limit.
CALLS_PER_HOUR = 2000

DB = sqlite3.connect(os.environ["PEER_DB"], check_same_thread=False)
PUBLIC_URL = os.environ["PEER_PUBLIC_URL"]
VERIFIED = {}  # login -> (sha256 of the password, the bcrypt hash it matched)
CALLS = Counter()


class ApiAccountProperty(ComplexModel):
    __namespace__ = TYPES_NS
    _type_info = [("Name", Unicode), ("Type", Unicode), ("Value", Unicode)]  # noqa: RUF012 - spyne reads it


class ApiAccount(ComplexModel):
    __namespace__ = TYPES_NS
    _type_info = [("Id", Integer), ("Properties", Iterable(ApiAccountProperty))]  # noqa: RUF012 - spyne reads it


class ApiService(ServiceBase):
    # spyne names the operation, its response and its result after the function.
    @rpc(_returns=ApiAccount)
    def GetCurrentAccountInfo(ctx):
        login = ctx.transport.req_env["REMOTE_USER"]
        account_id, name, main_email, locale, time_zone = DB.execute(
            "SELECT a.id, a.name, a.main_email, a.locale, a.time_zone"
            " FROM api_users u JOIN accounts a ON a.id = u.account_id WHERE u.login = ?",
            (login,),
        ).fetchone()
        CALLS[login] += 1
        made = CALLS[login]
        strings = [
            ("Name", name),
            ("MainEmail", main_email),
            ("APILocale", locale),
            ("TimeZoneIana", time_zone),
            ("ApiEndpoint", PUBLIC_URL),
        ]
        counts = [
            ("ApiCallsInLastHour", made),
            ("ApiCallsRemaining", max(0, CALLS_PER_HOUR - made)),
        ]
        return ApiAccount(
            Id=account_id,
            Properties=[ApiAccountProperty(Name=n, Type="String", Value=v) for n, v in strings]
            + [ApiAccountProperty(Name=n, Type="Int", Value=str(v)) for n, v in counts],
        )


def verified_login(authorization):
    """The login of valid HTTP Basic credentials, or None."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        login, sep, password = base64.b64decode(token, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    if not sep:
        return None
    row = DB.execute(
        "SELECT password_hash FROM api_users WHERE login = ? AND status = 'Enabled'", (login,)
    ).fetchone()
    if row is None:
        return None
    stored = row[0]
    digest = hashlib.sha256(password.encode()).digest()
    known = VERIFIED.get(login)
    if known and known[1] == stored and hmac.compare_digest(known[0], digest):
        return login
    if not bcrypt.checkpw(password.encode(), stored.encode()):
        return None
    VERIFIED[login] = (digest, stored)
    return login


def basic_auth(app):
    def guarded(environ, start_response):
        login = verified_login(environ.get("HTTP_AUTHORIZATION"))
        if login is None:
            start_response(
                "401 Unauthorized",
                [("WWW-Authenticate", 'Basic realm="dualgate peer"'), ("Content-Length", "0")],
            )
            return [b""]
        environ["REMOTE_USER"] = login
        return app(environ, start_response)

    return guarded


application = basic_auth(
    WsgiApplication(
        Application(
            [ApiService],
            tns=SERVICE_NS,
            name="ApiService",
            in_protocol=Soap11(validator="lxml"),
            out_protocol=Soap11(),
        )
    )
)
