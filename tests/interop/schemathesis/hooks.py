# Schemathesis hooks for dualgate (tests/interop/schemathesis).
#
# The password policy (a digit or symbol; not "password", the login's local part or the account
# name; at most 72 bytes), "confirmPassword equals password" and the API-user email domain cannot
# be written in JSON Schema, so schema-valid bodies almost never pass them and no API user would
# ever be created: GET/PUT/DELETE by id would only ever see 404s. In *positive* cases only, this
# replaces those three values (when they are strings) with ones the server must accept. Every
# other field, null/missing passwords, and all negative cases stay exactly as generated.
import itertools

import schemathesis

STRONG = "Interop-7kq!Zm2"  # satisfies the policy for any generated login
DOMAIN = "apiconnector.com"  # the server's default --apiuser-domain (lib.sh keeps it)
OPERATIONS = {("POST", "/v2/api-users"), ("PUT", "/v2/api-users/{id}/password")}
_serial = itertools.count(1)


@schemathesis.hook
def map_case(context, case):
    op = case.operation
    positive = case.meta is None or case.meta.generation.mode.is_positive
    if (op.method.upper(), op.path) not in OPERATIONS or not positive or not isinstance(case.body, dict):
        return case
    for field in ("password", "confirmPassword"):
        if isinstance(case.body.get(field), str):
            case.body[field] = STRONG
    if isinstance(case.body.get("email"), str):
        case.body["email"] = f"st-{next(_serial)}@{DOMAIN}"
    return case
