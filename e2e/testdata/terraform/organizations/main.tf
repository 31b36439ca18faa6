# A landing zone against localsec: the management account creates the
# organization and an organizational unit, adopts the security tooling
# account (which joined by invitation, out of band: Terraform has no
# handshake resource), creates the workload account in the unit, reaches
# it through OrganizationAccountAccessRole, and makes the security tooling
# account the delegated administrator of GuardDuty and Macie.
#
# Apply in two steps, as a real bootstrap does: first
# `-target=aws_organizations_organization.this`, then the invitation is
# sent and accepted outside Terraform, then a full apply. The test sets the
# variables through TF_VAR_* environment variables; the security tooling
# account's name and email are the ones localsec knows it by (its seed).

terraform {
  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
  }
}

variable "endpoint" {
  type        = string
  description = "localsec's URL, e.g. http://127.0.0.1:4566"
}

variable "management_account" {
  type    = string
  default = "111111111111"
}

variable "security_account" {
  type    = string
  default = "222222222222"
}

variable "security_account_name" {
  type    = string
  default = "security-tooling"
}

variable "security_account_email" {
  type    = string
  default = "security-tooling@example.com"
}

variable "workload_email" {
  type    = string
  default = "workload@example.com"
}

locals {
  guardduty_principal = "guardduty.amazonaws.com"
  macie_principal     = "macie.amazonaws.com"
}

provider "aws" {
  alias                   = "management"
  region                  = "us-east-1"
  access_key              = var.management_account
  secret_key              = "test"
  skip_metadata_api_check = true
  endpoints {
    organizations = var.endpoint
    guardduty     = var.endpoint
    macie2        = var.endpoint
    sts           = var.endpoint
  }
}

provider "aws" {
  alias                   = "security"
  region                  = "us-east-1"
  access_key              = var.security_account
  secret_key              = "test"
  skip_metadata_api_check = true
  endpoints {
    guardduty = var.endpoint
    macie2    = var.endpoint
    sts       = var.endpoint
  }
}

# The created account has no keys of its own: the management account
# assumes the role CreateAccount made in it.
provider "aws" {
  alias                   = "workload"
  region                  = "us-east-1"
  access_key              = var.management_account
  secret_key              = "test"
  skip_metadata_api_check = true
  assume_role {
    role_arn     = "arn:aws:iam::${aws_organizations_account.workload.id}:role/OrganizationAccountAccessRole"
    session_name = "landing-zone"
  }
  endpoints {
    guardduty = var.endpoint
    sts       = var.endpoint
  }
}

# The principals are every one the designations below enable: GuardDuty's
# and Macie's designations enable trusted access themselves, and a
# principal enabled but missing here would be a change at every plan.
resource "aws_organizations_organization" "this" {
  provider    = aws.management
  feature_set = "ALL"
  aws_service_access_principals = [
    local.guardduty_principal,
    "malware-protection.guardduty.amazonaws.com",
    local.macie_principal,
  ]
  enabled_policy_types = ["SERVICE_CONTROL_POLICY"]
}

resource "aws_organizations_organizational_unit" "workloads" {
  provider  = aws.management
  name      = "Workloads"
  parent_id = aws_organizations_organization.this.roots[0].id
  tags = {
    Purpose = "workloads"
  }
}

# The security tooling account accepted the organization's invitation
# before this apply; Terraform adopts it, so that destroy removes it from
# the organization before deleting the organization.
import {
  to = aws_organizations_account.security
  id = var.security_account
}

resource "aws_organizations_account" "security" {
  provider   = aws.management
  name       = var.security_account_name
  email      = var.security_account_email
  depends_on = [aws_organizations_organization.this]
}

# Removed from the organization on destroy (close_on_deletion = false).
resource "aws_organizations_account" "workload" {
  provider  = aws.management
  name      = "workload"
  email     = var.workload_email
  parent_id = aws_organizations_organizational_unit.workloads.id
  tags = {
    Environment = "test"
  }
}

resource "aws_guardduty_detector" "workload" {
  provider = aws.workload
  enable   = true
}

# Delegated administrators registered explicitly; GuardDuty and Macie find
# them registered when they are designated below. Trusted access comes
# first (the organization's principals).
resource "aws_organizations_delegated_administrator" "guardduty" {
  provider          = aws.management
  account_id        = aws_organizations_account.security.id
  service_principal = local.guardduty_principal
  depends_on        = [aws_organizations_organization.this]
}

resource "aws_organizations_delegated_administrator" "macie" {
  provider          = aws.management
  account_id        = aws_organizations_account.security.id
  service_principal = local.macie_principal
  depends_on        = [aws_organizations_organization.this]
}

# GuardDuty creates a detector in its delegated administrator when it has
# none; creating it first keeps it Terraform's.
resource "aws_guardduty_detector" "security" {
  provider = aws.security
  enable   = true
}

resource "aws_guardduty_organization_admin_account" "security" {
  provider         = aws.management
  admin_account_id = aws_organizations_delegated_administrator.guardduty.account_id
  depends_on       = [aws_guardduty_detector.security]
}

# Macie answers the management account's organization calls only while
# Macie is enabled there.
resource "aws_macie2_account" "management" {
  provider = aws.management
}

resource "aws_macie2_account" "security" {
  provider = aws.security
}

resource "aws_macie2_organization_admin_account" "security" {
  provider         = aws.management
  admin_account_id = aws_organizations_delegated_administrator.macie.account_id
  depends_on       = [aws_macie2_account.management, aws_macie2_account.security]
}

output "workload_account" {
  value = aws_organizations_account.workload.id
}

output "workload_detector" {
  value = aws_guardduty_detector.workload.id
}
