"""localsec_scenario: what the boto3 scenario scripts share: assertions
that stop at the first surprise, a client with the raw body of its last
answer at hand, waiting for and resetting localsec, and the main runner.

Only boto3/botocore and the standard library are used.
"""

import json
import os
import sys
import time
import traceback
import urllib.error
import urllib.request

try:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import ClientError
except ImportError as exc:  # pragma: no cover - environment problem
    print(f"boto3 is not installed: {exc}", file=sys.stderr)
    sys.exit(2)

REGION = "us-east-1"


class Failure(Exception):
    """A step did not get the answer the spec predicts."""


def check(cond, message):
    if not cond:
        raise Failure(message)


def equal(what, got, want):
    if got != want:
        raise Failure(f"{what} = {got!r}, want {want!r}")


def step(who, what):
    print(f"ok   [{who}] {what}", flush=True)


class Wire:
    """Keeps the raw body of a client's last response: botocore turns
    timestamps into local datetimes and hides an error body's "__type"
    behind the header's code, so some things are only visible on the wire."""

    def __init__(self, client):
        self.body = b""
        client.meta.events.register("before-parse", self._record)

    def _record(self, response_dict, **_):
        self.body = response_dict.get("body") or b""

    def json(self):
        return json.loads(self.body or b"{}")


def session_client(session, service, endpoint):
    """A client of service at endpoint signing with session's credentials,
    with retries off and its Wire as .localsec_wire."""
    c = session.client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        config=Config(retries={"total_max_attempts": 1}),
    )
    c.localsec_wire = Wire(c)
    return c


def client(service, endpoint, account):
    """A client of service at endpoint as account (its access key id), with
    retries off and its Wire as .localsec_wire."""
    session = boto3.session.Session(
        aws_access_key_id=account,
        aws_secret_access_key="localsec-secret-" + account,
        region_name=REGION,
    )
    return session_client(session, service, endpoint)


def assumed_session(creds):
    """A session that acts with the temporary credentials of an assumed
    role (the Credentials sts.assume_role answers), as a landing zone's
    boto3 session does; session_client makes its clients."""
    return boto3.session.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=REGION,
    )


def _expect_raises(caught, code, status, message, call, exact, kwargs):
    """Calls call(**kwargs), which must raise caught with that error code,
    HTTP status and message (exactly, or containing it when exact is
    False). Returns the error response; another exception propagates."""
    try:
        out = call(**kwargs)
    except caught as e:
        err = e.response["Error"]
        equal(f"{call.__name__} error code", err.get("Code"), code)
        equal(f"{call.__name__} HTTP status", e.response["ResponseMetadata"]["HTTPStatusCode"], status)
        got = err.get("Message", "")
        if exact:
            equal(f"{call.__name__} error message", got, message)
        else:
            check(message in got, f"{call.__name__} error message {got!r} does not contain {message!r}")
        return e.response
    out.pop("ResponseMetadata", None)
    raise Failure(f"{call.__name__}: want {code}, the call succeeded: {out!r}")


def expect_error(client, exception, status, message, call, *, exact=True, body_type=None, **kwargs):
    """Calls call(**kwargs), which must raise client.exceptions.<exception>
    with that error code, HTTP status and message (exactly, or containing
    it when exact is False), and, when body_type is given, that "__type" in
    the raw body. Returns the error response."""
    try:
        resp = _expect_raises(getattr(client.exceptions, exception), exception, status, message, call, exact, kwargs)
    except ClientError as e:
        err = e.response["Error"]
        raise Failure(f"{call.__name__}: want {exception}, got {err.get('Code')}: {err.get('Message')!r}") from e
    if body_type is not None:
        equal(f"{call.__name__} body __type", client.localsec_wire.json().get("__type"), body_type)
    return resp


def expect_unmodelled_error(code, status, message, call, **kwargs):
    """Calls call(**kwargs), which must fail with the error code, HTTP
    status and exact message of an error the service's model does not name
    (so botocore raises a plain ClientError): STS's AccessDenied and
    ExpiredToken, every service's ExpiredTokenException. Returns the error
    response."""
    return _expect_raises(ClientError, code, status, message, call, True, kwargs)


def http_status(url, method="GET"):
    """The HTTP status of a request without a body (an empty one for POST)
    to one of localsec's own endpoints."""
    req = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    with urllib.request.urlopen(req, timeout=10) as resp:
        return resp.status


def prepare(endpoint):
    """Waits until localsec answers its health endpoint, then resets it."""
    deadline = time.monotonic() + 30
    while True:
        try:
            if http_status(endpoint + "/_localsec/health") == 200:
                break
        except (urllib.error.URLError, OSError) as e:
            if time.monotonic() > deadline:
                raise Failure(f"localsec at {endpoint} is not healthy after 30s: {e}") from e
        time.sleep(0.1)
    equal("POST /_localsec/reset status", http_status(endpoint + "/_localsec/reset", "POST"), 200)
    print(f"reset localsec at {endpoint}", flush=True)


def run(name, scenario, accounts="two"):
    """The main of a scenario script: the endpoint is argv[1], else
    $LOCALSEC_URL; it prepares localsec, runs scenario(endpoint) and exits 0
    when every step passed, 1 at the first failure."""
    endpoint = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("LOCALSEC_URL", "")
    if not endpoint:
        print(f"usage: {sys.argv[0]} ENDPOINT_URL (or set LOCALSEC_URL)", file=sys.stderr)
        sys.exit(2)
    endpoint = endpoint.rstrip("/")
    try:
        prepare(endpoint)
        scenario(endpoint)
    except Failure as e:
        print(f"FAIL: {e}", file=sys.stderr)
        sys.exit(1)
    except Exception:  # an unexpected error is a failure too, with its traceback
        print("FAIL: unexpected error:", file=sys.stderr)
        traceback.print_exc()
        sys.exit(1)
    print(f"PASS: {name} {accounts}-account scenario")
    sys.exit(0)
