#!/usr/bin/env python3
"""macie2_two_accounts.py: the Amazon Macie administrator/member life cycle,
driven by real boto3 clients against localsec.

Run it by hand against a localsec started from the repository root:

    go run ./cmd/localsec --addr 127.0.0.1:4566 &
    python3 scripts/boto3/macie2_two_accounts.py http://127.0.0.1:4566

The endpoint is argv[1], else $LOCALSEC_URL. The script RESETS that
server's state first (POST /_localsec/reset), so it can be run again and
again. e2e/boto3_test.go runs it against an in-process server.

Accounts: 111111111111 (administrator), 222222222222 (member) and
333333333333 (never enables Macie), used as access key ids with any secret,
region us-east-1. Only boto3/botocore and the standard library are used.
Every step prints one line; the first surprise (a status, an id, a count,
an error code or message that the spec, ../../../shared/spec/macie2.md,
does not predict) prints FAIL with the details and exits 1. Exit status 0
means every step passed.
"""

import datetime
import re

from localsec_scenario import REGION, check, equal, expect_error, run, step
from localsec_scenario import client as service_client

ADMIN = "111111111111"
MEMBER = "222222222222"
OTHER = "333333333333"
MEMBER_EMAIL = "member@example.com"
MEMBER_ARN = f"arn:aws:macie2:{REGION}:{ADMIN}:member/{MEMBER}"
SERVICE_ROLE = (
    f"arn:aws:iam::{ADMIN}:role/aws-service-role/macie.amazonaws.com/AWSServiceRoleForAmazonMacie"
)
HEX32 = re.compile(r"^[0-9a-f]{32}$")
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$")

# Confirmed texts (spec §9.3).
NOT_ENABLED = "Macie is not enabled."
ALREADY_ENABLED = "Macie has already been enabled"
DISABLE_WHILE_MEMBER = "Cannot disable Macie while associated with an administrator account"
NO_PENDING_INVITATION = (
    "The request is rejected because the current account has no pending invitation from the "
    "given master account ID or is already an associated member of another master account."
)
NOT_ASSOCIATED_WITH_YOU = "account is not associated with your account"


def utc_on_wire(what, value):
    """value (from the raw JSON) must be an ISO 8601 UTC timestamp with Z."""
    check(isinstance(value, str) and ISO_UTC.match(value),
          f"{what} on the wire is {value!r}, not an ISO 8601 UTC timestamp ending in Z")


def is_aware(ts):
    return isinstance(ts, datetime.datetime) and ts.utcoffset() is not None


def raises(client, exception, status, message, call, *, exact=True, **kwargs):
    """Calls call(**kwargs), which must raise client.exceptions.<exception>
    with that error code, HTTP status and message (exactly, or containing
    it when exact is False). Returns the error response."""
    return expect_error(client, exception, status, message, call, exact=exact, **kwargs)


def no_unprocessed(what, out):
    check("unprocessedAccounts" in out, f"{what}: unprocessedAccounts is missing: {out!r}")
    equal(f"{what} unprocessedAccounts", out["unprocessedAccounts"], [])


def client(endpoint, account):
    return service_client("macie2", endpoint, account)


def scenario(endpoint):
    admin = client(endpoint, ADMIN)
    member = client(endpoint, MEMBER)
    other = client(endpoint, OTHER)

    # Macie is off until enabled.
    raises(other, "AccessDeniedException", 403, NOT_ENABLED, other.get_macie_session)
    raises(other, "AccessDeniedException", 403, NOT_ENABLED, other.list_members)
    raises(other, "AccessDeniedException", 403, NOT_ENABLED, other.list_invitations)
    step("other", "get_macie_session/list_members/list_invitations -> AccessDeniedException 'Macie is not enabled.'")

    admin.enable_macie()
    member.enable_macie(findingPublishingFrequency="ONE_HOUR")
    step("both", "enable_macie")
    s = admin.get_macie_session()
    equal("status", s.get("status"), "ENABLED")
    equal("findingPublishingFrequency", s.get("findingPublishingFrequency"), "FIFTEEN_MINUTES")
    equal("serviceRole", s.get("serviceRole"), SERVICE_ROLE)
    check(is_aware(s.get("createdAt")) and is_aware(s.get("updatedAt")), f"createdAt/updatedAt are not timestamps: {s!r}")
    raw = admin.localsec_wire.json()
    utc_on_wire("createdAt", raw.get("createdAt"))
    utc_on_wire("updatedAt", raw.get("updatedAt"))
    equal("member findingPublishingFrequency", member.get_macie_session().get("findingPublishingFrequency"), "ONE_HOUR")
    step("both", "get_macie_session -> ENABLED, FIFTEEN_MINUTES / ONE_HOUR, UTC timestamps")
    raises(admin, "ConflictException", 409, ALREADY_ENABLED, admin.enable_macie, exact=False)
    step("admin", "enable_macie again -> ConflictException")

    # The administrator adds the member.
    out = admin.create_member(
        account={"accountId": MEMBER, "email": MEMBER_EMAIL}, tags={"Team": "security", "Env": "test"}
    )
    equal("create_member arn", out.get("arn"), MEMBER_ARN)
    m = admin.get_member(id=MEMBER)
    equal("relationshipStatus after create_member", m.get("relationshipStatus"), "Created")
    check("invitedAt" not in m, f"invitedAt is set before any invitation: {m!r}")
    equal("email", m.get("email"), MEMBER_EMAIL)
    utc_on_wire("updatedAt", admin.localsec_wire.json().get("updatedAt"))
    step("admin", "create_member -> Created")

    # maxResults is 1..25; boto3 only checks the minimum, the server the rest.
    raises(admin, "ValidationException", 400, "", admin.list_members, exact=False, maxResults=26)
    raises(member, "ValidationException", 400, "", member.list_invitations, exact=False, maxResults=26)
    step("both", "list_members(maxResults=26), list_invitations(maxResults=26) -> ValidationException")

    # ... invites it.
    no_unprocessed("create_invitations", admin.create_invitations(accountIds=[MEMBER], message="Join my Macie organization"))
    out = admin.create_invitations(accountIds=[ADMIN])
    equal("self-invitation unprocessedAccounts count", len(out.get("unprocessedAccounts", [])), 1)
    u = out["unprocessedAccounts"][0]
    equal("unprocessed accountId", u.get("accountId"), ADMIN)
    equal("unprocessed errorCode", u.get("errorCode"), "ClientError")
    check(u.get("errorMessage"), f"unprocessed errorMessage is empty: {u!r}")
    step("admin", "create_invitations -> []; to itself -> one ClientError entry")

    # The member sees the invitation, through the paginator too.
    invs = member.list_invitations()["invitations"]
    equal("number of invitations", len(invs), 1)
    inv = invs[0]
    equal("invitation accountId", inv.get("accountId"), ADMIN)
    equal("invitation relationshipStatus", inv.get("relationshipStatus"), "Invited")
    check(HEX32.match(inv.get("invitationId", "")), f"invitationId {inv.get('invitationId')!r} is not 32 lowercase hex characters")
    utc_on_wire("invitedAt", member.localsec_wire.json()["invitations"][0].get("invitedAt"))
    paged = [i for page in member.get_paginator("list_invitations").paginate() for i in page["invitations"]]
    equal("paginated invitations", paged, invs)
    equal("invitationsCount", member.get_invitations_count().get("invitationsCount"), 1)
    step("member", f"list_invitations -> one Invited invitation {inv['invitationId']}; get_invitations_count -> 1")

    # The administrator's view: associated members only by default.
    equal("default list_members", admin.list_members()["members"], [])
    ms = admin.list_members(onlyAssociated="false")["members"]
    equal("number of members (onlyAssociated=false)", len(ms), 1)
    m = ms[0]
    equal("accountId", m.get("accountId"), MEMBER)
    equal("relationshipStatus", m.get("relationshipStatus"), "Invited")
    equal("arn", m.get("arn"), MEMBER_ARN)
    equal("email", m.get("email"), MEMBER_EMAIL)
    equal("administratorAccountId", m.get("administratorAccountId"), ADMIN)
    equal("masterAccountId", m.get("masterAccountId"), ADMIN)
    equal("tags", m.get("tags"), {"Team": "security", "Env": "test"})
    equal("invitedAt", m.get("invitedAt"), inv["invitedAt"])
    paged = [x for page in admin.get_paginator("list_members").paginate(onlyAssociated="false") for x in page["members"]]
    equal("paginated members", paged, ms)
    step("admin", "list_members -> []; list_members(onlyAssociated='false') -> one Invited member")

    # A wrong invitation id is refused; the right one is accepted.
    raises(member, "ValidationException", 400, NO_PENDING_INVITATION, member.accept_invitation,
           administratorAccountId=ADMIN, invitationId="0" * 32)
    step("member", "accept_invitation with a wrong invitationId -> ValidationException")
    member.accept_invitation(administratorAccountId=ADMIN, invitationId=inv["invitationId"])
    a = member.get_administrator_account().get("administrator")
    check(a is not None, "get_administrator_account has no administrator")
    equal("administrator.accountId", a.get("accountId"), ADMIN)
    equal("administrator.invitationId", a.get("invitationId"), inv["invitationId"])
    equal("administrator.relationshipStatus", a.get("relationshipStatus"), "Enabled")
    equal("administrator.invitedAt", a.get("invitedAt"), inv["invitedAt"])
    master = member.get_master_account().get("master")
    check(master is not None, "get_master_account has no master")
    equal("master.accountId", master.get("accountId"), ADMIN)
    equal("master.relationshipStatus", master.get("relationshipStatus"), "Enabled")
    equal("invitationsCount after accept_invitation", member.get_invitations_count().get("invitationsCount"), 0)
    # The accepted invitation stays listed, mirroring the relationship (§5.1).
    equal("invitations after accept_invitation",
          [(i.get("accountId"), i.get("relationshipStatus")) for i in member.list_invitations()["invitations"]],
          [(ADMIN, "Enabled")])
    step("member", "accept_invitation; get_administrator_account/get_master_account -> Enabled; count -> 0")

    equal("relationshipStatus after accept_invitation", admin.get_member(id=MEMBER).get("relationshipStatus"), "Enabled")
    ms = admin.list_members()["members"]
    equal("associated members", [x.get("accountId") for x in ms], [MEMBER])
    step("admin", "get_member -> Enabled; list_members -> [member]")

    # The administrator pauses the member.
    admin.update_member_session(id=MEMBER, status="PAUSED")
    equal("relationshipStatus after PAUSED", admin.get_member(id=MEMBER).get("relationshipStatus"), "Paused")
    equal("administrator.relationshipStatus after PAUSED",
          member.get_administrator_account()["administrator"].get("relationshipStatus"), "Paused")
    equal("member session status", member.get_macie_session().get("status"), "PAUSED")
    step("admin", "update_member_session PAUSED -> Paused (member session PAUSED)")
    admin.update_member_session(id=MEMBER, status="ENABLED")
    equal("relationshipStatus after ENABLED", admin.get_member(id=MEMBER).get("relationshipStatus"), "Enabled")
    step("admin", "update_member_session ENABLED -> Enabled")

    raises(member, "ConflictException", 409, DISABLE_WHILE_MEMBER, member.disable_macie, exact=False)
    step("member", "disable_macie while associated -> ConflictException")

    # The member resigns, and comes back with the standing invitation.
    member.disassociate_from_administrator_account()
    check("administrator" not in member.get_administrator_account(),
          "get_administrator_account still shows an administrator after disassociate_from_administrator_account")
    equal("relationshipStatus after resigning", admin.get_member(id=MEMBER).get("relationshipStatus"), "Resigned")
    equal("invitations after resigning",
          [(i.get("accountId"), i.get("relationshipStatus")) for i in member.list_invitations()["invitations"]],
          [(ADMIN, "Resigned")])
    step("member", "disassociate_from_administrator_account -> admin sees Resigned")
    member.accept_invitation(administratorAccountId=ADMIN, invitationId=inv["invitationId"])
    equal("relationshipStatus after accepting again", admin.get_member(id=MEMBER).get("relationshipStatus"), "Enabled")
    member.disassociate_from_master_account()
    check("master" not in member.get_master_account(), "get_master_account still shows a master after disassociate_from_master_account")
    equal("relationshipStatus after resigning again", admin.get_member(id=MEMBER).get("relationshipStatus"), "Resigned")
    step("member", "accept_invitation again -> Enabled; disassociate_from_master_account -> Resigned")

    # Tags on the member ARN.
    admin.tag_resource(resourceArn=MEMBER_ARN, tags={"Owner": "alice", "Env": "prod"})
    equal("tags", admin.list_tags_for_resource(resourceArn=MEMBER_ARN).get("tags"),
          {"Team": "security", "Env": "prod", "Owner": "alice"})
    admin.untag_resource(resourceArn=MEMBER_ARN, tagKeys=["Owner", "Env"])
    equal("tags after untag_resource", admin.list_tags_for_resource(resourceArn=MEMBER_ARN).get("tags"), {"Team": "security"})
    equal("get_member tags", admin.get_member(id=MEMBER).get("tags"), {"Team": "security"})
    step("admin", "tag_resource/untag_resource/list_tags_for_resource on the member ARN")

    # The administrator deletes the record.
    admin.delete_member(id=MEMBER)
    raises(admin, "ValidationException", 400, NOT_ASSOCIATED_WITH_YOU, admin.get_member, exact=False, id=MEMBER)
    equal("list_members(onlyAssociated='false') after delete_member", admin.list_members(onlyAssociated="false")["members"], [])
    step("admin", "delete_member; get_member -> ValidationException")

    # Both disable Macie.
    member.disable_macie()
    admin.disable_macie()
    raises(admin, "AccessDeniedException", 403, NOT_ENABLED, admin.get_macie_session)
    raises(member, "AccessDeniedException", 403, NOT_ENABLED, member.get_macie_session)
    step("both", "disable_macie; get_macie_session -> AccessDeniedException")


if __name__ == "__main__":
    run("macie2", scenario)
