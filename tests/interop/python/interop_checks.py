"""What the Python interop clients (../zeep, ../suds) share: the DUALGATE_* settings, the
`ok` / `not ok` lines, recording raw responses, reading a fault's error code, and the checks of
the API-user lifecycle's results.

Each client imports the WSDL and makes every call its own way (its quirks are described in its
own client.py) and hands the calls, as functions, to the step checks here, which print the same
lines for every client. Imported by path, without writing a __pycache__ into the tree:

    sys.dont_write_bytecode = True
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
"""
import datetime
import os
import secrets
import sys

URL = os.environ["DUALGATE_URL"]
WSDL = os.environ["DUALGATE_WSDL"]
OWNER = (os.environ["DUALGATE_OWNER_LOGIN"], os.environ["DUALGATE_OWNER_PASSWORD"])
RECORD_DIR = os.environ["DUALGATE_RECORD_DIR"]

# The API user's first password and the one SetApiUserPassword gives it.
FIRST_PASSWORD = "Interop-7kq!Zm2"
NEW_PASSWORD = "Interop-9xw#Lp4"

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


def exit_status():
    """1 if any check failed, else 0."""
    return 1 if failures else 0


def record(name, body):
    """Saves a raw SOAP response body (bytes) as $DUALGATE_RECORD_DIR/<name>."""
    with open(os.path.join(RECORD_DIR, name), "wb") as f:
        f.write(body)


def fault_code(text):
    """The error code of a fault: the last word of its faultstring / Reason text, or ""."""
    return ((text or "").split()[-1:] or [""])[0]


def expect_fault(what, call, code, fault_type, text_of, detail_of, kind="fault"):
    """Calls `call`, expecting it to raise a `fault_type` (called a `kind` in the details) whose
    text, `text_of(e)`, ends with `code`; `detail_of(e)` says what the fault was."""
    try:
        result = call()
    except fault_type as e:
        check(what, fault_code(text_of(e)) == code, detail_of(e))
        return
    except Exception as e:  # a transport error instead of a fault
        check(what, False, f"expected a {code} {kind}, got {type(e).__name__}: {e}")
        return
    check(what, False, f"expected a {code} {kind}, got a result: {result!r}")


def import_wsdl(tag, connect):
    """The service `connect()` returns, imported from $DUALGATE_WSDL; None (and a failed check)
    when the import fails."""
    what = f"{tag}: import WSDL from {WSDL}"
    try:
        service = connect()
    except Exception as e:
        check(what, False, f"{type(e).__name__}: {e}")
        return None
    check(what, True)
    return service


def check_create(tag, create):
    """CreateApiUser through `create(apiUser)`, as the owner; returns (description, Id, Email)."""
    description = f"interop {tag} {secrets.token_hex(4)}"
    created = create({
        "Description": description, "Status": "Enabled",
        "Password": FIRST_PASSWORD, "ConfirmPassword": FIRST_PASSWORD})
    uid, email = created.Id, created.Email
    check(f"{tag}: CreateApiUser returns Id > 0", isinstance(uid, int) and uid > 0, f"Id={uid!r}")
    check(f"{tag}: CreateApiUser Email ends with @apiconnector.com",
          (email or "").endswith("@apiconnector.com"), f"Email={email!r}")
    check(f"{tag}: CreateApiUser Description echoed", created.Description == description,
          f"Description={created.Description!r}")
    check(f"{tag}: CreateApiUser Status is Enabled", created.Status == "Enabled",
          f"Status={created.Status!r}")
    return description, uid, email


def check_pages(tag, page, uid):
    """GetApiUsers through `page(select, skip)`, which returns the users as a list."""
    one = page(1, 0)
    check(f"{tag}: GetApiUsers select=1 skip=0 returns exactly one", len(one) == 1,
          f"got {len(one)}")
    everyone = page(1000, 0)
    check(f"{tag}: GetApiUsers select=1000 skip=0 contains the new id",
          uid in [u.Id for u in everyone], f"ids {[u.Id for u in everyone]}")
    past = page(1000, len(everyone) + 1000)
    check(f"{tag}: GetApiUsers skip past the end returns none", len(past) == 0,
          f"got {len(past)}")


def check_read_and_update(tag, read, update, uid, email, description):
    """GetApiUserById through `read()` and UpdateApiUser through `update(apiUser)`, both on the
    new user: read it, change Description and Status, read it again, set Status back."""
    got = read()
    check(f"{tag}: GetApiUserById returns the same email and description",
          got.Id == uid and got.Email == email and got.Description == description,
          f"Id={got.Id!r} Email={got.Email!r} Description={got.Description!r}")

    description2 = description + " (updated)"
    upd = update({"Description": description2, "Status": "Disabled"})
    check(f"{tag}: UpdateApiUser response shows new Description and Status Disabled",
          upd.Description == description2 and upd.Status == "Disabled",
          f"Description={upd.Description!r} Status={upd.Status!r}")
    got = read()
    check(f"{tag}: re-read after UpdateApiUser shows both changed",
          got.Description == description2 and got.Status == "Disabled",
          f"Description={got.Description!r} Status={got.Status!r}")
    upd = update({"Status": "Enabled"})
    check(f"{tag}: UpdateApiUser Status back to Enabled (Description kept)",
          upd.Status == "Enabled" and upd.Description == description2,
          f"Description={upd.Description!r} Status={upd.Status!r}")


def check_returns_nothing(tag, operation, res):
    check(f"{tag}: {operation} returns nothing", res is None, f"got {res!r}")


def check_account(tag, info, props, server_time):
    """GetCurrentAccountInfo's result `info` (its properties as the dict `props`), then
    GetServerTime through `server_time()`, both as the API user."""
    check(f"{tag}: GetCurrentAccountInfo as API user returns Id",
          isinstance(info.Id, int) and info.Id > 0, f"Id={info.Id!r}")
    check(f"{tag}: account info ApiEndpoint is {URL}/", props.get("ApiEndpoint") == URL + "/",
          f"ApiEndpoint={props.get('ApiEndpoint')!r}")
    check(f"{tag}: account info has a Name", bool(props.get("Name")), f"properties {props!r}")
    now = datetime.datetime.now(datetime.timezone.utc)
    t = server_time()
    close = (isinstance(t, datetime.datetime) and t.tzinfo is not None
             and abs((t - now).total_seconds()) < 300)
    check(f"{tag}: GetServerTime as API user is close to now", close, f"got {t!r}, now {now}")
