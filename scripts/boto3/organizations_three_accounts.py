#!/usr/bin/env python3
"""organizations_three_accounts.py: the AWS Organizations reference flows
(spec organizations.md §16, flows 1 to 5) and a landing zone reaching an
account it created, driven by real boto3 clients against localsec.

Run it by hand against a localsec started from the repository root:

    go run ./cmd/localsec --addr 127.0.0.1:4566 &
    python3 scripts/boto3/organizations_three_accounts.py http://127.0.0.1:4566

The endpoint is argv[1], else $LOCALSEC_URL. The script RESETS that
server's state first (POST /_localsec/reset), so it can be run again and
again. e2e/boto3_test.go runs it against an in-process server whose clock
the script may move forward through $LOCALSEC_E2E_CLOCK_URL, to see
temporary credentials expire; without that variable (a server started by
hand keeps the real time) that one step is skipped and says so.

Accounts: 111111111111 (management), 222222222222 (security tooling,
invited; GuardDuty's delegated administrator) and the workload account the
management account creates, reached through its OrganizationAccountAccessRole
with sts.assume_role. Long-term keys are the account ids, with any secret,
region us-east-1. Only boto3/botocore and the standard library are used.
Every step prints one line; the first surprise (a state, an id, a count, an
error code, Reason or message that the spec, ../../../shared/spec/organizations.md,
does not predict) prints FAIL with the details and exits 1. Exit status 0
means every step passed.
"""

import datetime
import os
import re

from localsec_scenario import (
    assumed_session,
    check,
    equal,
    expect_error,
    expect_unmodelled_error,
    http_status,
    run,
    session_client,
    step,
)
from localsec_scenario import client as service_client

MANAGEMENT = "111111111111"
SECURITY = "222222222222"
WORKLOAD_EMAIL = "workload@example.com"
ROLE = "OrganizationAccountAccessRole"
GUARDDUTY = "guardduty.amazonaws.com"
MACIE = "macie.amazonaws.com"

ORG_ID = re.compile(r"^o-[0-9a-z]{10}$")
ROOT_ID = re.compile(r"^r-[0-9a-z]{4}$")
OU_ID = re.compile(r"^ou-[0-9a-z]{4}-[0-9a-z]{8}$")
HANDSHAKE_ID = re.compile(r"^h-[0-9a-z]{8,32}$")
CAR_ID = re.compile(r"^car-[0-9a-z]{8,32}$")
ACCOUNT_ID = re.compile(r"^\d{12}$")

# Confirmed texts (spec §2.4; STS's in docs/fidelity.md "AWS STS").
NOT_IN_USE = "Your account is not a member of an organization."
NO_PERMISSION = "You don't have permissions to access this resource."
MASTER_AS_DELEGATED = "You cannot register management account/yourself as delegated administrator for your organization."
EXPIRED = "The security token included in the request is expired"


def not_authorized(caller_arn, role_arn):
    return f"User: {caller_arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn}"


def role_arn(account, name=ROLE):
    return f"arn:aws:iam::{account}:role/{name}"


def org_error(client, exception, call, *, reason=None, message="", **kwargs):
    """call(**kwargs) must fail with Organizations' exception (HTTP 400, the
    same name in the body's __type), the message when one is given, and
    the Reason botocore puts at the top of the error response when one is
    given (spec §2.1)."""
    resp = expect_error(client, exception, 400, message, call, exact=bool(message), body_type=exception, **kwargs)
    if reason is not None:
        equal(f"{call.__name__} Reason", resp.get("Reason"), reason)
    return resp


def advance_clock(seconds):
    """Moves the test server's clock forward; False when there is no test
    clock (a server started by hand)."""
    url = os.environ.get("LOCALSEC_E2E_CLOCK_URL", "")
    if not url:
        return False
    equal("POST LOCALSEC_E2E_CLOCK_URL status", http_status(f"{url}?seconds={seconds}", "POST"), 204)
    return True


def states(handshakes):
    return {h["Id"]: h["State"] for h in handshakes}


def account_ids(pages):
    return sorted(a["Id"] for page in pages for a in page["Accounts"])


def scenario(endpoint):
    org = {a: service_client("organizations", endpoint, a) for a in (MANAGEMENT, SECURITY)}
    mgmt, sec = org[MANAGEMENT], org[SECURITY]
    gd_mgmt = service_client("guardduty", endpoint, MANAGEMENT)
    gd_sec = service_client("guardduty", endpoint, SECURITY)

    # Flow 1: the organization made and read.
    o = mgmt.create_organization(FeatureSet="ALL")["Organization"]
    org_id = o.get("Id", "")
    check(ORG_ID.match(org_id), f"organization Id {org_id!r} is not o- and 10 characters")
    equal("Organization", o, {
        "Id": org_id,
        "Arn": f"arn:aws:organizations::{MANAGEMENT}:organization/{org_id}",
        "FeatureSet": "ALL",
        "MasterAccountArn": f"arn:aws:organizations::{MANAGEMENT}:account/{org_id}/{MANAGEMENT}",
        "MasterAccountId": MANAGEMENT,
        "MasterAccountEmail": o.get("MasterAccountEmail"),
        "AvailablePolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}],
    })
    equal("describe_organization", mgmt.describe_organization()["Organization"], o)
    step("management", f"create_organization(ALL) -> {org_id}; describe_organization answers the same")

    roots = mgmt.list_roots()["Roots"]
    equal("number of roots", len(roots), 1)
    root = roots[0]["Id"]
    check(ROOT_ID.match(root), f"root Id {root!r} is not r- and 4 characters")
    equal("root", roots[0], {"Id": root, "Arn": f"arn:aws:organizations::{MANAGEMENT}:root/{org_id}/{root}",
                             "Name": "Root", "PolicyTypes": []})
    accounts = mgmt.list_accounts()["Accounts"]
    equal("accounts", [(a["Id"], a["JoinedMethod"], a["State"], a["Status"]) for a in accounts],
          [(MANAGEMENT, "INVITED", "ACTIVE", "ACTIVE")])
    step("management", f"list_roots -> [{root}] with PolicyTypes []; list_accounts -> [management, INVITED]")
    org_error(sec, "AWSOrganizationsNotInUseException", sec.describe_organization, message=NOT_IN_USE)
    step("security", "describe_organization -> AWSOrganizationsNotInUseException")

    # Flow 2: invitations declined, canceled, accepted; both parties' views.
    def invite():
        return mgmt.invite_account_to_organization(Target={"Id": SECURITY, "Type": "ACCOUNT"}, Notes="join us")["Handshake"]

    h1 = invite()
    check(HANDSHAKE_ID.match(h1.get("Id", "")), f"handshake Id {h1.get('Id')!r} is not h-…")
    equal("handshake Arn", h1.get("Arn"), f"arn:aws:organizations::{MANAGEMENT}:handshake/{org_id}/invite/{h1['Id']}")
    equal("handshake State", h1.get("State"), "OPEN")
    equal("handshake Action", h1.get("Action"), "INVITE")
    equal("handshake Parties", h1.get("Parties"), [{"Id": org_id, "Type": "ORGANIZATION"}, {"Id": SECURITY, "Type": "ACCOUNT"}])
    equal("handshake lifetime", h1["ExpirationTimestamp"] - h1["RequestedTimestamp"], datetime.timedelta(days=15))
    equal("handshake NOTES", [r["Value"] for r in h1["Resources"] if r["Type"] == "NOTES"], ["join us"])
    org_error(mgmt, "DuplicateHandshakeException", mgmt.invite_account_to_organization,
              Target={"Id": SECURITY, "Type": "ACCOUNT"})
    step("management", f"invite_account_to_organization -> {h1['Id']} OPEN for 15 days; again -> DuplicateHandshakeException")
    equal("security's handshakes", states(sec.list_handshakes_for_account()["Handshakes"]), {h1["Id"]: "OPEN"})
    equal("declined", sec.decline_handshake(HandshakeId=h1["Id"])["Handshake"]["State"], "DECLINED")
    equal("management's view of the declined handshake",
          mgmt.describe_handshake(HandshakeId=h1["Id"])["Handshake"]["State"], "DECLINED")
    org_error(sec, "InvalidHandshakeTransitionException", sec.accept_handshake, HandshakeId=h1["Id"])
    org_error(sec, "HandshakeAlreadyInStateException", sec.decline_handshake, HandshakeId=h1["Id"])
    step("security", "list_handshakes_for_account -> OPEN; decline_handshake -> DECLINED for both; "
         "accept -> InvalidHandshakeTransition; decline again -> HandshakeAlreadyInState")

    h2 = invite()
    equal("canceled", mgmt.cancel_handshake(HandshakeId=h2["Id"])["Handshake"]["State"], "CANCELED")
    equal("security's view of the canceled handshake",
          sec.describe_handshake(HandshakeId=h2["Id"])["Handshake"]["State"], "CANCELED")
    org_error(sec, "InvalidHandshakeTransitionException", sec.accept_handshake, HandshakeId=h2["Id"])
    step("management", "cancel_handshake -> CANCELED for both; the invitee's accept -> InvalidHandshakeTransition")

    h3 = invite()
    accepted = sec.accept_handshake(HandshakeId=h3["Id"])["Handshake"]
    equal("accepted State", accepted.get("State"), "ACCEPTED")
    equal("accepted Id", accepted.get("Id"), h3["Id"])
    org_error(sec, "HandshakeAlreadyInStateException", sec.accept_handshake, HandshakeId=h3["Id"])
    want = {h1["Id"]: "DECLINED", h2["Id"]: "CANCELED", h3["Id"]: "ACCEPTED"}
    sent = [h for page in mgmt.get_paginator("list_handshakes_for_organization").paginate() for h in page["Handshakes"]]
    equal("management's handshakes", states(sent), want)
    received = [h for page in sec.get_paginator("list_handshakes_for_account").paginate() for h in page["Handshakes"]]
    equal("security's handshakes", states(received), want)
    step("both", "accept_handshake -> ACCEPTED; each side lists DECLINED, CANCELED, ACCEPTED")

    s = mgmt.describe_account(AccountId=SECURITY)["Account"]
    equal("security account", (s.get("Id"), s.get("JoinedMethod"), s.get("State"), s.get("Arn")),
          (SECURITY, "INVITED", "ACTIVE", f"arn:aws:organizations::{MANAGEMENT}:account/{org_id}/{SECURITY}"))
    equal("accounts in the root", account_ids(mgmt.get_paginator("list_accounts_for_parent").paginate(ParentId=root)),
          [MANAGEMENT, SECURITY])
    equal("security's organization", sec.describe_organization()["Organization"], o)
    org_error(sec, "AccessDeniedException", sec.list_accounts, message=NO_PERMISSION)
    org_error(mgmt, "HandshakeConstraintViolationException", mgmt.invite_account_to_organization,
              reason="ALREADY_IN_AN_ORGANIZATION", Target={"Id": MANAGEMENT, "Type": "ACCOUNT"})
    step("management", "the invited account is INVITED, in the root; it reads the organization but not its accounts "
         "(AccessDenied); inviting the management account -> ALREADY_IN_AN_ORGANIZATION")

    # Flow 3: an account created, moved into an OU.
    car = mgmt.create_account(AccountName="workload", Email=WORKLOAD_EMAIL)["CreateAccountStatus"]
    check(CAR_ID.match(car.get("Id", "")), f"CreateAccountStatus Id {car.get('Id')!r} is not car-…")
    equal("CreateAccount State", car.get("State"), "IN_PROGRESS")
    check("AccountId" not in car, f"CreateAccount already names the account: {car!r}")
    done = mgmt.describe_create_account_status(CreateAccountRequestId=car["Id"])["CreateAccountStatus"]
    equal("DescribeCreateAccountStatus State", done.get("State"), "SUCCEEDED")
    workload = done.get("AccountId", "")
    check(ACCOUNT_ID.match(workload) and workload not in (MANAGEMENT, SECURITY), f"created AccountId {workload!r}")
    w = mgmt.describe_account(AccountId=workload)["Account"]
    equal("workload account", (w.get("Name"), w.get("Email"), w.get("JoinedMethod"), w.get("State")),
          ("workload", WORKLOAD_EMAIL, "CREATED", "ACTIVE"))
    equal("workload's parents", mgmt.list_parents(ChildId=workload)["Parents"], [{"Id": root, "Type": "ROOT"}])
    step("management", f"create_account -> IN_PROGRESS; describe_create_account_status -> SUCCEEDED {workload} (CREATED, in the root)")
    ou = mgmt.create_organizational_unit(ParentId=root, Name="Workloads")["OrganizationalUnit"]
    check(OU_ID.match(ou.get("Id", "")), f"OU Id {ou.get('Id')!r} is not ou-<root>-<8>")
    mgmt.move_account(AccountId=workload, SourceParentId=root, DestinationParentId=ou["Id"])
    equal("accounts in the OU", account_ids(mgmt.get_paginator("list_accounts_for_parent").paginate(ParentId=ou["Id"])), [workload])
    equal("workload's parents", mgmt.list_parents(ChildId=workload)["Parents"], [{"Id": ou["Id"], "Type": "ORGANIZATIONAL_UNIT"}])
    org_error(mgmt, "OrganizationalUnitNotEmptyException", mgmt.delete_organizational_unit, OrganizationalUnitId=ou["Id"])
    step("management", f"create_organizational_unit -> {ou['Id']}; move_account into it; delete_organizational_unit -> NotEmpty")

    # The landing zone reaches the created account through its role.
    sts_mgmt = service_client("sts", endpoint, MANAGEMENT)
    out = sts_mgmt.assume_role(RoleArn=role_arn(workload), RoleSessionName="landing-zone")
    creds, user = out["Credentials"], out["AssumedRoleUser"]
    check(creds["AccessKeyId"].startswith("ASIA") and creds["SecretAccessKey"] and creds["SessionToken"],
          f"temporary credentials {creds!r}")
    equal("AssumedRoleUser Arn", user.get("Arn"), f"arn:aws:sts::{workload}:assumed-role/{ROLE}/landing-zone")
    check(re.match(r"^AROA[A-Z2-7]{17}:landing-zone$", user.get("AssumedRoleId", "")), f"AssumedRoleId {user.get('AssumedRoleId')!r}")
    session = assumed_session(creds)
    wl = {name: session_client(session, name, endpoint) for name in ("sts", "organizations", "guardduty")}
    equal("caller identity", {k: v for k, v in wl["sts"].get_caller_identity().items() if k != "ResponseMetadata"},
          {"Account": workload, "Arn": user["Arn"], "UserId": user["AssumedRoleId"]})
    workload_det = wl["guardduty"].create_detector(Enable=True)["DetectorId"]
    equal("the workload's detectors (long-term view)",
          service_client("guardduty", endpoint, workload).list_detectors()["DetectorIds"], [workload_det])
    equal("the workload's organization", wl["organizations"].describe_organization()["Organization"]["Id"], org_id)
    org_error(wl["organizations"], "AccessDeniedException", wl["organizations"].list_accounts, message=NO_PERMISSION)
    step("workload", "assume_role(OrganizationAccountAccessRole) -> ASIA… credentials; get_caller_identity -> "
         "the assumed-role ARN; create_detector acts as the workload account")
    expect_unmodelled_error("AccessDenied", 403, not_authorized(f"arn:aws:iam::{SECURITY}:root", role_arn(workload)),
                            service_client("sts", endpoint, SECURITY).assume_role, RoleArn=role_arn(workload), RoleSessionName="intruder")
    expect_unmodelled_error("AccessDenied", 403, not_authorized(f"arn:aws:iam::{MANAGEMENT}:root", role_arn(SECURITY)),
                            sts_mgmt.assume_role, RoleArn=role_arn(SECURITY), RoleSessionName="intruder")
    expect_unmodelled_error("AccessDenied", 403, not_authorized(f"arn:aws:iam::{MANAGEMENT}:root", role_arn(workload, "Admin")),
                            sts_mgmt.assume_role, RoleArn=role_arn(workload, "Admin"), RoleSessionName="intruder")
    step("both", "assume_role by another account, into an invited account, or of another role -> AccessDenied")

    # Flow 4: GuardDuty's delegated administrator through Organizations.
    gd_mgmt.enable_organization_admin_account(AdminAccountId=SECURITY)
    access = mgmt.list_aws_service_access_for_organization()["EnabledServicePrincipals"]
    equal("trusted access", [a["ServicePrincipal"] for a in access], [GUARDDUTY])
    check(isinstance(access[0].get("DateEnabled"), datetime.datetime), f"DateEnabled {access[0].get('DateEnabled')!r}")
    das = mgmt.list_delegated_administrators(ServicePrincipal=GUARDDUTY)["DelegatedAdministrators"]
    equal("GuardDuty's delegated administrators", [(d["Id"], d["JoinedMethod"], d["State"]) for d in das],
          [(SECURITY, "INVITED", "ACTIVE")])
    check(isinstance(das[0].get("DelegationEnabledDate"), datetime.datetime), f"DelegationEnabledDate {das[0].get('DelegationEnabledDate')!r}")
    equal("GuardDuty's administrators", gd_mgmt.list_organization_admin_accounts()["AdminAccounts"],
          [{"AdminAccountId": SECURITY, "AdminStatus": "ENABLED"}])
    equal("accounts the delegated administrator reads", account_ids(sec.get_paginator("list_accounts").paginate()),
          sorted([MANAGEMENT, SECURITY, workload]))
    step("management", "guardduty enable_organization_admin_account(security) -> trusted access, delegated "
         "administrator; security reads the accounts")

    sec_dets = gd_sec.list_detectors()["DetectorIds"]
    equal("security's detectors", len(sec_dets), 1)
    equal("create_members UnprocessedAccounts", gd_sec.create_members(
        DetectorId=sec_dets[0], AccountDetails=[{"AccountId": workload, "Email": WORKLOAD_EMAIL}])["UnprocessedAccounts"], [])

    def workload_member():
        ms = gd_sec.get_members(DetectorId=sec_dets[0], AccountIds=[workload])["Members"]
        equal("get_members", len(ms), 1)
        return ms[0]

    m = workload_member()
    equal("workload member", (m.get("RelationshipStatus"), m.get("DetectorId"), m.get("AdministratorId")),
          ("Enabled", workload_det, SECURITY))
    a = wl["guardduty"].get_administrator_account(DetectorId=workload_det).get("Administrator", {})
    equal("the workload's administrator", (a.get("AccountId"), a.get("RelationshipStatus")), (SECURITY, "Enabled"))
    step("security", "guardduty create_members(workload) -> Enabled at once; the workload sees security as its administrator")

    org_error(mgmt, "ConstraintViolationException", mgmt.remove_account_from_organization,
              reason="CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG", AccountId=SECURITY)
    org_error(sec, "ConstraintViolationException", sec.leave_organization,
              reason="CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG")
    step("both", "remove_account_from_organization / leave_organization of the delegated administrator -> "
         "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG")

    wl["organizations"].leave_organization()
    org_error(wl["organizations"], "AWSOrganizationsNotInUseException", wl["organizations"].describe_organization, message=NOT_IN_USE)
    equal("workload member after leaving", workload_member().get("RelationshipStatus"), "Removed")
    check("Administrator" not in wl["guardduty"].get_administrator_account(DetectorId=workload_det),
          "the workload still has a GuardDuty administrator after leaving the organization")
    step("workload", "leave_organization (as the assumed role) -> standalone; its GuardDuty membership -> Removed")

    gd_mgmt.disable_organization_admin_account(AdminAccountId=SECURITY)
    equal("GuardDuty's administrators after disabling", gd_mgmt.list_organization_admin_accounts()["AdminAccounts"], [])
    equal("delegated administrators after GuardDuty's disable",
          [d["Id"] for d in mgmt.list_delegated_administrators(ServicePrincipal=GUARDDUTY)["DelegatedAdministrators"]], [SECURITY])
    mgmt.deregister_delegated_administrator(AccountId=SECURITY, ServicePrincipal=GUARDDUTY)
    equal("delegated administrators after deregistering", mgmt.list_delegated_administrators()["DelegatedAdministrators"], [])
    sec.leave_organization()
    org_error(sec, "AWSOrganizationsNotInUseException", sec.describe_organization, message=NOT_IN_USE)
    equal("accounts left", account_ids(mgmt.get_paginator("list_accounts").paginate()), [MANAGEMENT])
    step("management", "guardduty disable keeps the registration; deregister_delegated_administrator; security leaves")

    # Flow 5: the management account designates itself (Macie).
    macie_mgmt = service_client("macie2", endpoint, MANAGEMENT)
    macie_mgmt.enable_macie()
    macie_mgmt.enable_organization_admin_account(adminAccountId=MANAGEMENT)
    equal("Macie's administrators", macie_mgmt.list_organization_admin_accounts()["adminAccounts"],
          [{"accountId": MANAGEMENT, "status": "ENABLED"}])
    equal("trusted access", sorted(a["ServicePrincipal"] for a in mgmt.list_aws_service_access_for_organization()["EnabledServicePrincipals"]),
          [GUARDDUTY, MACIE])
    equal("Macie's delegated administrators", mgmt.list_delegated_administrators(ServicePrincipal=MACIE)["DelegatedAdministrators"], [])
    org_error(mgmt, "ConstraintViolationException", mgmt.register_delegated_administrator,
              reason="CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR", message=MASTER_AS_DELEGATED,
              AccountId=MANAGEMENT, ServicePrincipal=MACIE)
    step("management", "macie2 enable_organization_admin_account(itself) -> trusted access, no delegated administrator; "
         "register_delegated_administrator(itself) -> CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR")

    # The temporary credentials end after their hour.
    if not advance_clock(3601):
        print("skip [workload] expiry of the temporary credentials: no LOCALSEC_E2E_CLOCK_URL (test clock)", flush=True)
        return
    expect_unmodelled_error("ExpiredToken", 403, EXPIRED, wl["sts"].get_caller_identity)
    expect_unmodelled_error("ExpiredTokenException", 403, EXPIRED, wl["guardduty"].list_detectors)
    step("workload", "an hour later: get_caller_identity -> ExpiredToken, guardduty -> ExpiredTokenException")


if __name__ == "__main__":
    run("organizations", scenario, accounts="three")
