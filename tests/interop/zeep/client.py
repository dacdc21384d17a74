"""dualgate interop client: zeep 4.3.3 (Python).

Runs the API-user lifecycle over SOAP 1.1 (the default port, `Secure_ApiService`) and over
SOAP 1.2 (`client.bind('ApiService', 'Secure_ApiService_Soap12')`), importing the WSDL from
the served URL.

zeep quirks:
- HTTP Basic goes through a requests.Session (HTTPBasicAuth) given to zeep's Transport; zeep
  also sends it with the WSDL request (the server ignores it there).
- Faults are raised as zeep.exceptions.Fault; `.message` is the faultstring / Reason text
  ("<text>. ERROR_CODE"), `.code` the faultcode / Code Value.
- Raw responses (faults included) are seen through a Plugin's `ingress` hook, which we use to
  save each body to $DUALGATE_RECORD_DIR.
"""
import datetime
import os
import secrets
import sys

import requests
from lxml import etree
from requests.auth import HTTPBasicAuth
from zeep import Client, Plugin
from zeep.exceptions import Fault
from zeep.transports import Transport

URL = os.environ["DUALGATE_URL"]
WSDL = os.environ["DUALGATE_WSDL"]
OWNER = (os.environ["DUALGATE_OWNER_LOGIN"], os.environ["DUALGATE_OWNER_PASSWORD"])
RECORD_DIR = os.environ["DUALGATE_RECORD_DIR"]

failures = 0


def check(what, cond, detail=""):
    global failures
    if cond:
        print(f"ok - {what}")
    else:
        failures += 1
        print(f"not ok - {what}: {detail}")
    sys.stdout.flush()
    return cond


class Recorder(Plugin):
    """Saves every SOAP response envelope as zeep-<ver>-<nn>-<Operation>.xml."""

    def __init__(self, ver):
        self.ver = ver
        self.count = 0
        self.content_types = set()

    def ingress(self, envelope, http_headers, operation):
        self.count += 1
        self.content_types.add(http_headers.get("Content-Type", "").split(";")[0].strip())
        name = f"zeep-{self.ver}-{self.count:02d}-{operation.name}.xml"
        with open(os.path.join(RECORD_DIR, name), "wb") as f:
            f.write(etree.tostring(envelope, xml_declaration=True, encoding="utf-8"))
        return envelope, http_headers


def connect(ver, auth, recorder):
    session = requests.Session()
    session.auth = HTTPBasicAuth(*auth)
    client = Client(WSDL, transport=Transport(session=session), plugins=[recorder])
    if ver == "soap12":
        return client.bind("ApiService", "Secure_ApiService_Soap12")
    return client.service


def expect_fault(what, call, code):
    """Calls `call`, expecting a zeep Fault whose message ends with `code`."""
    try:
        result = call()
    except Fault as e:
        got = (e.message or "").split()[-1:] or [""]
        check(what, got[0] == code, f"fault code {e.code!r}, message {e.message!r}")
        return
    except Exception as e:  # a transport error instead of a fault
        check(what, False, f"expected a {code} fault, got {type(e).__name__}: {e}")
        return
    check(what, False, f"expected a {code} fault, got a result: {result!r}")


def lifecycle(ver):
    label = {"soap11": "SOAP 1.1", "soap12": "SOAP 1.2"}[ver]
    tag = f"zeep {label}"
    recorder = Recorder(ver)
    try:
        owner = connect(ver, OWNER, recorder)
    except Exception as e:
        check(f"{tag}: import WSDL from {WSDL}", False, f"{type(e).__name__}: {e}")
        return
    check(f"{tag}: import WSDL from {WSDL}", True)

    # --- as the owner -------------------------------------------------------------------
    description = f"interop zeep {label} {secrets.token_hex(4)}"
    first_pw = "Interop-7kq!Zm2"
    new_pw = "Interop-9xw#Lp4"
    created = owner.CreateApiUser(apiUser={
        "Description": description, "Status": "Enabled",
        "Password": first_pw, "ConfirmPassword": first_pw})
    uid, email = created.Id, created.Email
    check(f"{tag}: CreateApiUser returns Id > 0", isinstance(uid, int) and uid > 0, f"Id={uid!r}")
    check(f"{tag}: CreateApiUser Email ends with @apiconnector.com",
          (email or "").endswith("@apiconnector.com"), f"Email={email!r}")
    check(f"{tag}: CreateApiUser Description echoed", created.Description == description,
          f"Description={created.Description!r}")
    check(f"{tag}: CreateApiUser Status is Enabled", created.Status == "Enabled",
          f"Status={created.Status!r}")

    def page(select, skip):
        # zeep unwraps ArrayOfApiUser (one repeated child) into a plain list; None when empty.
        return list(owner.GetApiUsers(select=select, skip=skip) or [])

    one = page(1, 0)
    check(f"{tag}: GetApiUsers select=1 skip=0 returns exactly one", len(one) == 1,
          f"got {len(one)}")
    everyone = page(1000, 0)
    check(f"{tag}: GetApiUsers select=1000 skip=0 contains the new id",
          uid in [u.Id for u in everyone], f"ids {[u.Id for u in everyone]}")
    past = page(1000, len(everyone) + 1000)
    check(f"{tag}: GetApiUsers skip past the end returns none", len(past) == 0,
          f"got {len(past)}")

    got = owner.GetApiUserById(id=uid)
    check(f"{tag}: GetApiUserById returns the same email and description",
          got.Id == uid and got.Email == email and got.Description == description,
          f"Id={got.Id!r} Email={got.Email!r} Description={got.Description!r}")

    description2 = description + " (updated)"
    upd = owner.UpdateApiUser(id=uid, apiUser={"Description": description2, "Status": "Disabled"})
    check(f"{tag}: UpdateApiUser response shows new Description and Status Disabled",
          upd.Description == description2 and upd.Status == "Disabled",
          f"Description={upd.Description!r} Status={upd.Status!r}")
    got = owner.GetApiUserById(id=uid)
    check(f"{tag}: re-read after UpdateApiUser shows both changed",
          got.Description == description2 and got.Status == "Disabled",
          f"Description={got.Description!r} Status={got.Status!r}")
    upd = owner.UpdateApiUser(id=uid, apiUser={"Status": "Enabled"})
    check(f"{tag}: UpdateApiUser Status back to Enabled (Description kept)",
          upd.Status == "Enabled" and upd.Description == description2,
          f"Description={upd.Description!r} Status={upd.Status!r}")

    res = owner.SetApiUserPassword(id=uid, password=new_pw, confirmPassword=new_pw)
    check(f"{tag}: SetApiUserPassword returns nothing", res is None, f"got {res!r}")

    # --- as the API user, with its new password -------------------------------------------
    apiuser = connect(ver, (email, new_pw), recorder)
    info = apiuser.GetCurrentAccountInfo()
    props = {p.Name: p.Value for p in (info.Properties.ApiAccountProperty if info.Properties else [])}
    check(f"{tag}: GetCurrentAccountInfo as API user returns Id",
          isinstance(info.Id, int) and info.Id > 0, f"Id={info.Id!r}")
    check(f"{tag}: account info ApiEndpoint is {URL}/", props.get("ApiEndpoint") == URL + "/",
          f"ApiEndpoint={props.get('ApiEndpoint')!r}")
    check(f"{tag}: account info has a Name", bool(props.get("Name")), f"properties {props!r}")
    now = datetime.datetime.now(datetime.timezone.utc)
    t = apiuser.GetServerTime()
    close = (isinstance(t, datetime.datetime) and t.tzinfo is not None
             and abs((t - now).total_seconds()) < 300)
    check(f"{tag}: GetServerTime as API user is close to now", close, f"got {t!r}, now {now}")

    # --- faults ---------------------------------------------------------------------------
    stale = connect(ver, (email, first_pw), recorder)
    expect_fault(f"{tag}: old password -> ERROR_INVALID_LOGIN fault",
                 stale.GetServerTime, "ERROR_INVALID_LOGIN")
    expect_fault(f"{tag}: GetApiUserById(999999999) -> ERROR_APIUSER_NOT_FOUND fault",
                 lambda: owner.GetApiUserById(id=999999999), "ERROR_APIUSER_NOT_FOUND")

    # --- delete -----------------------------------------------------------------------------
    res = owner.DeleteApiUser(id=uid)
    check(f"{tag}: DeleteApiUser returns nothing", res is None, f"got {res!r}")
    expect_fault(f"{tag}: GetApiUserById of the deleted user -> ERROR_APIUSER_NOT_FOUND fault",
                 lambda: owner.GetApiUserById(id=uid), "ERROR_APIUSER_NOT_FOUND")

    want = {"soap11": "text/xml", "soap12": "application/soap+xml"}[ver]
    check(f"{tag}: every response Content-Type is {want}", recorder.content_types == {want},
          f"saw {sorted(recorder.content_types)}")


def main():
    for ver in ("soap11", "soap12"):
        try:
            lifecycle(ver)
        except Exception as e:  # an unexpected fault or crash fails the run, then go on
            check(f"zeep {ver}: lifecycle ran to the end", False, f"{type(e).__name__}: {e}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
