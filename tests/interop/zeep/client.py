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
import os
import sys

import requests
from lxml import etree
from requests.auth import HTTPBasicAuth
from zeep import Client, Plugin
from zeep.exceptions import Fault
from zeep.transports import Transport

# The shared helpers in ../python; no __pycache__ left in the source tree.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from interop_checks import (  # noqa: E402
    FIRST_PASSWORD, NEW_PASSWORD, OWNER, WSDL, check, check_account, check_create, check_pages,
    check_read_and_update, check_returns_nothing, exit_status, expect_fault, import_wsdl, record)


class Recorder(Plugin):
    """Saves every SOAP response envelope as zeep-<ver>-<nn>-<Operation>.xml."""

    def __init__(self, ver):
        self.ver = ver
        self.count = 0
        self.content_types = set()

    def ingress(self, envelope, http_headers, operation):
        self.count += 1
        self.content_types.add(http_headers.get("Content-Type", "").split(";")[0].strip())
        record(f"zeep-{self.ver}-{self.count:02d}-{operation.name}.xml",
               etree.tostring(envelope, xml_declaration=True, encoding="utf-8"))
        return envelope, http_headers


def connect(ver, auth, recorder):
    session = requests.Session()
    session.auth = HTTPBasicAuth(*auth)
    client = Client(WSDL, transport=Transport(session=session), plugins=[recorder])
    if ver == "soap12":
        return client.bind("ApiService", "Secure_ApiService_Soap12")
    return client.service


def expect_zeep_fault(what, call, code):
    """Calls `call`, expecting a zeep Fault whose message ends with `code`."""
    expect_fault(what, call, code, Fault, lambda e: e.message,
                 lambda e: f"fault code {e.code!r}, message {e.message!r}")


def lifecycle(ver):
    label = {"soap11": "SOAP 1.1", "soap12": "SOAP 1.2"}[ver]
    tag = f"zeep {label}"
    recorder = Recorder(ver)
    owner = import_wsdl(tag, lambda: connect(ver, OWNER, recorder))
    if owner is None:
        return

    # --- as the owner -------------------------------------------------------------------
    description, uid, email = check_create(tag, lambda user: owner.CreateApiUser(apiUser=user))

    def page(select, skip):
        # zeep unwraps ArrayOfApiUser (one repeated child) into a plain list; None when empty.
        return list(owner.GetApiUsers(select=select, skip=skip) or [])

    check_pages(tag, page, uid)
    check_read_and_update(tag, lambda: owner.GetApiUserById(id=uid),
                          lambda user: owner.UpdateApiUser(id=uid, apiUser=user),
                          uid, email, description)
    check_returns_nothing(tag, "SetApiUserPassword", owner.SetApiUserPassword(
        id=uid, password=NEW_PASSWORD, confirmPassword=NEW_PASSWORD))

    # --- as the API user, with its new password -------------------------------------------
    apiuser = connect(ver, (email, NEW_PASSWORD), recorder)
    info = apiuser.GetCurrentAccountInfo()
    props = {p.Name: p.Value for p in (info.Properties.ApiAccountProperty if info.Properties else [])}
    check_account(tag, info, props, apiuser.GetServerTime)

    # --- faults ---------------------------------------------------------------------------
    stale = connect(ver, (email, FIRST_PASSWORD), recorder)
    expect_zeep_fault(f"{tag}: old password -> ERROR_INVALID_LOGIN fault",
                      stale.GetServerTime, "ERROR_INVALID_LOGIN")
    expect_zeep_fault(f"{tag}: GetApiUserById(999999999) -> ERROR_APIUSER_NOT_FOUND fault",
                      lambda: owner.GetApiUserById(id=999999999), "ERROR_APIUSER_NOT_FOUND")

    # --- delete -----------------------------------------------------------------------------
    check_returns_nothing(tag, "DeleteApiUser", owner.DeleteApiUser(id=uid))
    expect_zeep_fault(f"{tag}: GetApiUserById of the deleted user -> ERROR_APIUSER_NOT_FOUND fault",
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
    return exit_status()


if __name__ == "__main__":
    sys.exit(main())
