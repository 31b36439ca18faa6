#!/usr/bin/env python3
"""guardduty_two_accounts.py: the Amazon GuardDuty administrator/member life
cycle (spec §10.5 flows 1 to 4), driven by real boto3 clients against
localsec.

Run it by hand against a localsec started from the repository root:

    go run ./cmd/localsec --addr 127.0.0.1:4566 &
    python3 scripts/boto3/guardduty_two_accounts.py http://127.0.0.1:4566

The endpoint is argv[1], else $LOCALSEC_URL. The script RESETS that
server's state first (POST /_localsec/reset), so it can be run again and
again. e2e/boto3_test.go runs it against an in-process server.

Accounts: 111111111111 (administrator) and 222222222222 (member), used as
access key ids with any secret, region us-east-1. Only boto3/botocore and
the standard library are used. Every step prints one line; the first
surprise (a status, an id, a count, an error code or message that the spec,
../../../shared/spec/guardduty.md, does not predict) prints FAIL with the
details and exits 1. Exit status 0 means every step passed.
"""

import re

from localsec_scenario import REGION, check, equal, expect_error, run, step
from localsec_scenario import client as service_client

ADMIN = "111111111111"
MEMBER = "222222222222"
OTHER = "333333333333"
MEMBER_EMAIL = "member@example.com"
HEX32 = re.compile(r"^[0-9a-f]{32}$")
ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$")


def service_role(account):
    return f"arn:aws:iam::{account}:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty"


# Confirmed texts (spec §2.2, §2.3).
REJECTED = "The request is rejected because "
NOT_OWNED = REJECTED + "the input detectorId is not owned by the current account."
BAD_DETECTOR_ID = REJECTED + "the parameter detectorId has an invalid value."
DETECTOR_EXISTS = REJECTED + "a detector already exists for the current account."
DELETE_BLOCKED = REJECTED + "the current account cannot delete detector while it has invited or associated members."
MAX_RESULTS_OUT_OF_BOUNDS = REJECTED + "the parameter maxResults is out-of-bounds."
ALREADY_MEMBER = REJECTED + "the given account ID is already a member or associated member of the current account."
ALREADY_INVITED = (
    REJECTED + "the current account has already invited or is already the GuardDuty master of the given member account ID."
)
CANNOT_INVITE_ITSELF = REJECTED + "the current account cannot invite itself."
CREATE_BY_MEMBER = (
    REJECTED + "the current account cannot create members since it is already an associated member of another master account."
)
NO_INVITATION = REJECTED + "the current account does not have an invitation from the requested master account."
ACCEPT_WITH_MEMBERS = (
    REJECTED + "the current account cannot accept invitations since it still has created, invited or associated members."
)
ACCEPT_WHILE_MEMBER = (
    REJECTED + "the current account cannot accept invitations since it is already an associated member of some master account."
)
NOT_ASSOCIATED = REJECTED + "the given account ID is not an associated member of account the current account."
STILL_ASSOCIATED = REJECTED + "the current account cannot delete the given member account ID since it is still associated to it."
NO_MASTER = REJECTED + "the current account is not associated to a master account."


def is_utc(what, value):
    """GuardDuty's member/invitation/detector timestamps are ISO strings."""
    check(isinstance(value, str) and ISO_UTC.match(value),
          f"{what} is {value!r}, not an ISO 8601 UTC timestamp ending in Z")


def raises(client, message, call, **kwargs):
    """Calls call(**kwargs), which must raise
    client.exceptions.BadRequestException: HTTP 400, error code
    BadRequestException, body "__type" InvalidInputException, and exactly
    message. Returns the error response."""
    return expect_error(client, "BadRequestException", 400, message, call, body_type="InvalidInputException", **kwargs)


def no_unprocessed(what, out):
    check("UnprocessedAccounts" in out, f"{what}: UnprocessedAccounts is missing: {out!r}")
    equal(f"{what} UnprocessedAccounts", out["UnprocessedAccounts"], [])


def one_unprocessed(what, out, account, result):
    equal(f"{what} UnprocessedAccounts", out.get("UnprocessedAccounts"), [{"AccountId": account, "Result": result}])


def client(endpoint, account):
    return service_client("guardduty", endpoint, account)


def get_member(admin, detector_id, account):
    """The administrator's record of account, which GetMembers must know."""
    out = admin.get_members(DetectorId=detector_id, AccountIds=[account])
    equal("get_members UnprocessedAccounts", out.get("UnprocessedAccounts"), [])
    equal("get_members number of Members", len(out.get("Members", [])), 1)
    m = out["Members"][0]
    equal("AccountId", m.get("AccountId"), account)
    is_utc("UpdatedAt", m.get("UpdatedAt"))
    return m


def invitations(member):
    """The member's invitations, through the paginator."""
    return [i for page in member.get_paginator("list_invitations").paginate() for i in page["Invitations"]]


def scenario(endpoint):
    admin = client(endpoint, ADMIN)
    member = client(endpoint, MEMBER)

    # Both create their detector (flow 1).
    admin_det = admin.create_detector(Enable=True)["DetectorId"]
    check(HEX32.match(admin_det), f"DetectorId {admin_det!r} is not 32 lowercase hex characters")
    member_det = member.create_detector(Enable=True, FindingPublishingFrequency="ONE_HOUR")["DetectorId"]
    check(HEX32.match(member_det), f"DetectorId {member_det!r} is not 32 lowercase hex characters")
    check(member_det != admin_det, f"both accounts got the detector id {admin_det}")
    step("both", f"create_detector -> {admin_det} / {member_det}")

    ids = [i for page in admin.get_paginator("list_detectors").paginate() for i in page["DetectorIds"]]
    equal("list_detectors", ids, [admin_det])
    d = admin.get_detector(DetectorId=admin_det)
    equal("Status", d.get("Status"), "ENABLED")
    equal("FindingPublishingFrequency", d.get("FindingPublishingFrequency"), "SIX_HOURS")
    equal("ServiceRole", d.get("ServiceRole"), service_role(ADMIN))
    equal("Tags", d.get("Tags"), {})
    is_utc("CreatedAt", d.get("CreatedAt"))
    is_utc("UpdatedAt", d.get("UpdatedAt"))
    equal("member FindingPublishingFrequency",
          member.get_detector(DetectorId=member_det).get("FindingPublishingFrequency"), "ONE_HOUR")
    step("both", "list_detectors -> [own id]; get_detector -> ENABLED, SIX_HOURS / ONE_HOUR")

    # Guard rails (flow 4).
    raises(admin, DETECTOR_EXISTS, admin.create_detector, Enable=True)
    step("admin", "create_detector again -> BadRequestException (already exists)")
    raises(admin, NOT_OWNED, admin.get_detector, DetectorId=member_det)
    raises(member, NOT_OWNED, member.list_members, DetectorId=admin_det)
    step("both", "get_detector/list_members with the other account's detector id -> BadRequestException (not owned)")
    raises(admin, BAD_DETECTOR_ID, admin.get_detector, DetectorId="mygooddetectorid")
    step("admin", "get_detector('mygooddetectorid') -> BadRequestException (invalid detectorId)")
    raises(admin, MAX_RESULTS_OUT_OF_BOUNDS, admin.list_members, DetectorId=admin_det, MaxResults=51)
    step("admin", "list_members(MaxResults=51) -> BadRequestException (out-of-bounds)")

    # Tags on the detector show in GetDetector.
    arn = f"arn:aws:guardduty:{REGION}:{ADMIN}:detector/{admin_det}"
    admin.tag_resource(ResourceArn=arn, Tags={"Team": "security"})
    equal("list_tags_for_resource", admin.list_tags_for_resource(ResourceArn=arn).get("Tags"), {"Team": "security"})
    equal("get_detector Tags", admin.get_detector(DetectorId=admin_det).get("Tags"), {"Team": "security"})
    admin.untag_resource(ResourceArn=arn, TagKeys=["Team"])
    equal("Tags after untag_resource", admin.get_detector(DetectorId=admin_det).get("Tags"), {})
    step("admin", "tag_resource/untag_resource on the detector ARN, seen by get_detector")

    # Flow 2: Created.
    no_unprocessed("create_members", admin.create_members(
        DetectorId=admin_det, AccountDetails=[{"AccountId": MEMBER, "Email": MEMBER_EMAIL}]))
    m = get_member(admin, admin_det, MEMBER)
    equal("RelationshipStatus after create_members", m.get("RelationshipStatus"), "Created")
    equal("Email", m.get("Email"), MEMBER_EMAIL)
    equal("MasterId", m.get("MasterId"), ADMIN)
    equal("AdministratorId", m.get("AdministratorId"), ADMIN)
    check("InvitedAt" not in m, f"InvitedAt is set before any invitation: {m!r}")
    check("DetectorId" not in m, f"DetectorId is set on a Created member: {m!r}")
    one_unprocessed("create_members again", admin.create_members(
        DetectorId=admin_det, AccountDetails=[{"AccountId": MEMBER, "Email": MEMBER_EMAIL}]), MEMBER, ALREADY_MEMBER)
    step("admin", "create_members -> Created; again -> unprocessed (already a member)")

    # Invited (Terraform sends an empty message).
    no_unprocessed("invite_members", admin.invite_members(
        DetectorId=admin_det, AccountIds=[MEMBER], Message="", DisableEmailNotification=True))
    m = get_member(admin, admin_det, MEMBER)
    equal("RelationshipStatus after invite_members", m.get("RelationshipStatus"), "Invited")
    is_utc("InvitedAt", m.get("InvitedAt"))
    one_unprocessed("invite_members again", admin.invite_members(DetectorId=admin_det, AccountIds=[MEMBER]),
                    MEMBER, ALREADY_INVITED)
    one_unprocessed("invite_members to itself", admin.invite_members(DetectorId=admin_det, AccountIds=[ADMIN]),
                    ADMIN, CANNOT_INVITE_ITSELF)
    step("admin", "invite_members -> Invited; again -> unprocessed (already invited); to itself -> unprocessed")

    # The member sees the invitation.
    invs = invitations(member)
    equal("number of invitations", len(invs), 1)
    inv = invs[0]
    equal("invitation AccountId", inv.get("AccountId"), ADMIN)
    equal("invitation RelationshipStatus", inv.get("RelationshipStatus"), "Invited")
    check(HEX32.match(inv.get("InvitationId", "")), f"InvitationId {inv.get('InvitationId')!r} is not 32 lowercase hex characters")
    equal("invitation InvitedAt", inv.get("InvitedAt"), m["InvitedAt"])
    equal("InvitationsCount", member.get_invitations_count().get("InvitationsCount"), 1)
    step("member", f"list_invitations -> one Invited invitation {inv['InvitationId']}; get_invitations_count -> 1")

    # The administrator's lists: associated members only by default.
    equal("default list_members", admin.list_members(DetectorId=admin_det)["Members"], [])
    ms = [x for page in admin.get_paginator("list_members").paginate(DetectorId=admin_det, OnlyAssociated="false")
          for x in page["Members"]]
    equal("list_members(OnlyAssociated='false')", [(x.get("AccountId"), x.get("RelationshipStatus")) for x in ms],
          [(MEMBER, "Invited")])
    step("admin", "list_members -> []; list_members(OnlyAssociated='false') -> [Invited]")

    raises(admin, DELETE_BLOCKED, admin.delete_detector, DetectorId=admin_det)
    step("admin", "delete_detector with an Invited member -> BadRequestException")

    # An administrator cannot accept; a wrong invitation id is refused.
    raises(admin, ACCEPT_WITH_MEMBERS, admin.accept_administrator_invitation,
           DetectorId=admin_det, AdministratorId=MEMBER, InvitationId=inv["InvitationId"])
    step("admin", "accept_administrator_invitation while it has members -> BadRequestException")
    raises(member, NO_INVITATION, member.accept_administrator_invitation,
           DetectorId=member_det, AdministratorId=ADMIN, InvitationId="0" * 32)
    raises(member, NOT_OWNED, member.accept_administrator_invitation,
           DetectorId=admin_det, AdministratorId=ADMIN, InvitationId=inv["InvitationId"])
    step("member", "accept_administrator_invitation with a wrong id / the admin's detector -> BadRequestException")

    # The member accepts: Enabled.
    member.accept_administrator_invitation(DetectorId=member_det, AdministratorId=ADMIN, InvitationId=inv["InvitationId"])
    a = member.get_administrator_account(DetectorId=member_det).get("Administrator")
    check(a is not None, "get_administrator_account has no Administrator")
    equal("Administrator", a, {"AccountId": ADMIN, "InvitationId": inv["InvitationId"],
                               "RelationshipStatus": "Enabled", "InvitedAt": inv["InvitedAt"]})
    master = member.get_master_account(DetectorId=member_det).get("Master")
    equal("Master", master, a)
    equal("InvitationsCount after accepting", member.get_invitations_count().get("InvitationsCount"), 0)
    # The accepted invitation is not listed (spec §7, §12.3).
    equal("invitations after accepting", invitations(member), [])
    step("member", "accept_administrator_invitation; get_administrator_account/get_master_account -> Enabled; count -> 0")
    # An associated member cannot accept (spec §7 Accept* precondition 1),
    # not even its current invitation again.
    raises(member, ACCEPT_WHILE_MEMBER, member.accept_invitation,
           DetectorId=member_det, MasterId=ADMIN, InvitationId="0" * 32)
    raises(member, ACCEPT_WHILE_MEMBER, member.accept_administrator_invitation,
           DetectorId=member_det, AdministratorId=ADMIN, InvitationId=inv["InvitationId"])
    one_unprocessed("create_members by a member", member.create_members(
        DetectorId=member_det, AccountDetails=[{"AccountId": OTHER, "Email": "other@example.com"}]), OTHER, CREATE_BY_MEMBER)
    step("member", "accepting again while associated -> BadRequestException; create_members -> unprocessed")

    m = get_member(admin, admin_det, MEMBER)
    equal("RelationshipStatus after accepting", m.get("RelationshipStatus"), "Enabled")
    equal("DetectorId", m.get("DetectorId"), member_det)
    equal("default list_members", [x.get("AccountId") for x in admin.list_members(DetectorId=admin_det)["Members"]], [MEMBER])
    raises(admin, DELETE_BLOCKED, admin.delete_detector, DetectorId=admin_det)
    one_unprocessed("delete_members of an associated member",
                    admin.delete_members(DetectorId=admin_det, AccountIds=[MEMBER]), MEMBER, STILL_ASSOCIATED)
    step("admin", "get_members -> Enabled with the member's DetectorId; delete_detector/delete_members refused")

    # Flow 3: suspend and resume.
    no_unprocessed("stop_monitoring_members", admin.stop_monitoring_members(DetectorId=admin_det, AccountIds=[MEMBER]))
    equal("RelationshipStatus after stop_monitoring_members", get_member(admin, admin_det, MEMBER).get("RelationshipStatus"), "Disabled")
    equal("default list_members", [(x.get("AccountId"), x.get("RelationshipStatus"))
                                   for x in admin.list_members(DetectorId=admin_det)["Members"]], [(MEMBER, "Disabled")])
    no_unprocessed("start_monitoring_members", admin.start_monitoring_members(DetectorId=admin_det, AccountIds=[MEMBER]))
    equal("RelationshipStatus after start_monitoring_members", get_member(admin, admin_det, MEMBER).get("RelationshipStatus"), "Enabled")
    one_unprocessed("stop_monitoring_members of a stranger",
                    admin.stop_monitoring_members(DetectorId=admin_det, AccountIds=[OTHER]), OTHER, NOT_ASSOCIATED)
    step("admin", "stop_monitoring_members -> Disabled; start_monitoring_members -> Enabled")

    # Flow 2: Removed, re-invited without create_members.
    no_unprocessed("disassociate_members", admin.disassociate_members(DetectorId=admin_det, AccountIds=[MEMBER]))
    m = get_member(admin, admin_det, MEMBER)
    equal("RelationshipStatus after disassociate_members", m.get("RelationshipStatus"), "Removed")
    equal("Email after disassociate_members", m.get("Email"), MEMBER_EMAIL)
    check("Administrator" not in member.get_administrator_account(DetectorId=member_det),
          "get_administrator_account still shows an administrator after disassociate_members")
    step("admin", "disassociate_members -> Removed (email kept); the member has no administrator")

    no_unprocessed("invite_members again", admin.invite_members(DetectorId=admin_det, AccountIds=[MEMBER]))
    equal("RelationshipStatus after inviting again", get_member(admin, admin_det, MEMBER).get("RelationshipStatus"), "Invited")
    invs = invitations(member)
    equal("number of invitations", len(invs), 1)
    inv2 = invs[0]
    equal("invitation AccountId", inv2.get("AccountId"), ADMIN)
    equal("invitation RelationshipStatus", inv2.get("RelationshipStatus"), "Invited")
    check(HEX32.match(inv2.get("InvitationId", "")), f"InvitationId {inv2.get('InvitationId')!r} is not 32 lowercase hex characters")
    check(inv2["InvitationId"] != inv["InvitationId"], "the new invitation kept the old InvitationId")
    raises(member, NO_INVITATION, member.accept_invitation,
           DetectorId=member_det, MasterId=ADMIN, InvitationId=inv["InvitationId"])
    step("admin", "invite_members again -> Invited, new invitation id; the old id is refused")

    # Accepted with the deprecated call (Terraform's invite accepter).
    member.accept_invitation(DetectorId=member_det, MasterId=ADMIN, InvitationId=inv2["InvitationId"])
    master = member.get_master_account(DetectorId=member_det).get("Master")
    check(master is not None, "get_master_account has no Master")
    equal("Master.AccountId", master.get("AccountId"), ADMIN)
    equal("Master.InvitationId", master.get("InvitationId"), inv2["InvitationId"])
    equal("Master.RelationshipStatus", master.get("RelationshipStatus"), "Enabled")
    equal("RelationshipStatus after accept_invitation", get_member(admin, admin_det, MEMBER).get("RelationshipStatus"), "Enabled")
    step("member", "accept_invitation(MasterId) -> Enabled")

    # Flow 1's destroy: the member resigns, the administrator deletes.
    member.disassociate_from_master_account(DetectorId=member_det)
    check("Master" not in member.get_master_account(DetectorId=member_det),
          "get_master_account still shows a master after disassociate_from_master_account")
    equal("RelationshipStatus after resigning", get_member(admin, admin_det, MEMBER).get("RelationshipStatus"), "Resigned")
    # A Resigned member's invitation is listed again, pending, and can be
    # accepted again (spec §4, §7, §12.3).
    equal("invitations after resigning", [(i.get("AccountId"), i.get("InvitationId"), i.get("RelationshipStatus"))
                                          for i in invitations(member)], [(ADMIN, inv2["InvitationId"], "Invited")])
    equal("InvitationsCount after resigning", member.get_invitations_count().get("InvitationsCount"), 1)
    step("member", "disassociate_from_master_account -> Resigned; the invitation is pending again")
    member.accept_administrator_invitation(DetectorId=member_det, AdministratorId=ADMIN, InvitationId=inv2["InvitationId"])
    equal("RelationshipStatus after accepting again", get_member(admin, admin_det, MEMBER).get("RelationshipStatus"), "Enabled")
    member.disassociate_from_administrator_account(DetectorId=member_det)
    check("Administrator" not in member.get_administrator_account(DetectorId=member_det),
          "get_administrator_account still shows an administrator after disassociate_from_administrator_account")
    equal("RelationshipStatus after resigning again", get_member(admin, admin_det, MEMBER).get("RelationshipStatus"), "Resigned")
    raises(member, NO_MASTER, member.disassociate_from_administrator_account, DetectorId=member_det)
    step("member", "accept_administrator_invitation -> Enabled; disassociate_from_administrator_account -> Resigned; again -> BadRequestException")

    no_unprocessed("delete_members", admin.delete_members(DetectorId=admin_det, AccountIds=[MEMBER]))
    out = admin.get_members(DetectorId=admin_det, AccountIds=[MEMBER])
    equal("get_members Members after delete_members", out.get("Members"), [])
    one_unprocessed("get_members after delete_members", out, MEMBER, NOT_ASSOCIATED)
    equal("list_members(OnlyAssociated='false') after delete_members",
          admin.list_members(DetectorId=admin_det, OnlyAssociated="false")["Members"], [])
    step("admin", "delete_members; get_members -> unprocessed (not an associated member)")

    admin.delete_detector(DetectorId=admin_det)
    member.delete_detector(DetectorId=member_det)
    raises(admin, NOT_OWNED, admin.get_detector, DetectorId=admin_det)
    raises(member, NOT_OWNED, member.get_master_account, DetectorId=member_det)
    raises(admin, NOT_OWNED, admin.get_members, DetectorId=admin_det, AccountIds=[MEMBER])
    equal("list_detectors after delete_detector", admin.list_detectors()["DetectorIds"], [])
    step("both", "delete_detector; the ids are no longer owned")


if __name__ == "__main__":
    run("guardduty", scenario)
