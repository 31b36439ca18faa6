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


def client(service, endpoint, account):
    """A client of service at endpoint as account (its access key id), with
    retries off and its Wire as .localsec_wire."""
    c = boto3.session.Session().client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=account,
        aws_secret_access_key="localsec-secret-" + account,
        config=Config(retries={"total_max_attempts": 1}),
    )
    c.localsec_wire = Wire(c)
    return c


def expect_error(client, exception, status, message, call, *, exact=True, body_type=None, **kwargs):
    """Calls call(**kwargs), which must raise client.exceptions.<exception>
    with that error code, HTTP status and message (exactly, or containing
    it when exact is False), and, when body_type is given, that "__type" in
    the raw body. Returns the error response."""
    modelled = getattr(client.exceptions, exception)
    try:
        out = call(**kwargs)
    except modelled as e:
        err = e.response["Error"]
        equal(f"{call.__name__} error code", err.get("Code"), exception)
        equal(f"{call.__name__} HTTP status", e.response["ResponseMetadata"]["HTTPStatusCode"], status)
        got = err.get("Message", "")
        if exact:
            equal(f"{call.__name__} error message", got, message)
        else:
            check(message in got, f"{call.__name__} error message {got!r} does not contain {message!r}")
        if body_type is not None:
            equal(f"{call.__name__} body __type", client.localsec_wire.json().get("__type"), body_type)
        return e.response
    except ClientError as e:
        err = e.response["Error"]
        raise Failure(f"{call.__name__}: want {exception}, got {err.get('Code')}: {err.get('Message')!r}") from e
    out.pop("ResponseMetadata", None)
    raise Failure(f"{call.__name__}: want {exception}, the call succeeded: {out!r}")


def _http(url, method="GET"):
    req = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    with urllib.request.urlopen(req, timeout=10) as resp:
        return resp.status


def prepare(endpoint):
    """Waits until localsec answers its health endpoint, then resets it."""
    deadline = time.monotonic() + 30
    while True:
        try:
            if _http(endpoint + "/_localsec/health") == 200:
                break
        except (urllib.error.URLError, OSError) as e:
            if time.monotonic() > deadline:
                raise Failure(f"localsec at {endpoint} is not healthy after 30s: {e}") from e
        time.sleep(0.1)
    equal("POST /_localsec/reset status", _http(endpoint + "/_localsec/reset", "POST"), 200)
    print(f"reset localsec at {endpoint}", flush=True)


def run(name, scenario):
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
    print(f"PASS: {name} two-account scenario")
    sys.exit(0)
