# Delegated administration through AWS Organizations for Macie and
# GuardDuty: the organization's management account designates another
# account as the delegated administrator of both services. A third account
# of the organization enables both services and becomes a GuardDuty member
# of the delegated administrator. Each account has its
# own provider alias (its access key is its account id). The test sets the
# variables through TF_VAR_* environment variables and starts localsec with
# the organization.

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

variable "admin_account" {
  type    = string
  default = "222222222222"
}

variable "member_account" {
  type    = string
  default = "333333333333"
}

provider "aws" {
  alias                   = "management"
  region                  = "us-east-1"
  access_key              = var.management_account
  secret_key              = "test"
  skip_metadata_api_check = true
  endpoints {
    macie2    = var.endpoint
    guardduty = var.endpoint
    sts       = var.endpoint
  }
}

provider "aws" {
  alias                   = "admin"
  region                  = "us-east-1"
  access_key              = var.admin_account
  secret_key              = "test"
  skip_metadata_api_check = true
  endpoints {
    macie2    = var.endpoint
    guardduty = var.endpoint
    sts       = var.endpoint
  }
}

provider "aws" {
  alias                   = "member"
  region                  = "us-east-1"
  access_key              = var.member_account
  secret_key              = "test"
  skip_metadata_api_check = true
  endpoints {
    macie2    = var.endpoint
    guardduty = var.endpoint
    sts       = var.endpoint
  }
}

data "aws_caller_identity" "admin" {
  provider = aws.admin
}

# Macie: enabled in the three accounts; the management account designates
# the delegated administrator. (aws_macie2_member is not for Organizations
# accounts: Macie shows no email for them, so its required `email` would
# force a replacement at every plan, against AWS as against localsec.)

resource "aws_macie2_account" "management" {
  provider = aws.management
}

resource "aws_macie2_account" "admin" {
  provider = aws.admin
}

resource "aws_macie2_account" "member" {
  provider = aws.member
}

resource "aws_macie2_organization_admin_account" "admin" {
  provider         = aws.management
  admin_account_id = data.aws_caller_identity.admin.account_id
  depends_on       = [aws_macie2_account.management, aws_macie2_account.admin]
}

# GuardDuty: a detector in each account; designating the delegated
# administrator after its detector exists keeps that detector under
# Terraform's management (GuardDuty would otherwise create one for it).

resource "aws_guardduty_detector" "management" {
  provider = aws.management
  enable   = true
}

resource "aws_guardduty_detector" "admin" {
  provider = aws.admin
  enable   = true
}

resource "aws_guardduty_detector" "member" {
  provider = aws.member
  enable   = true
}

resource "aws_guardduty_organization_admin_account" "admin" {
  provider         = aws.management
  admin_account_id = aws_guardduty_detector.admin.account_id
  depends_on       = [aws_guardduty_detector.management]
}

# The delegated administrator adds the third account: as an Organizations
# account it is Enabled at once. invite = true keeps the plan clean (the
# provider reads invite = true back for an Enabled member, and would
# disassociate it to make invite false); localsec answers the invitation of
# an Organizations member with an unprocessed account, which the provider
# ignores on create.
resource "aws_guardduty_member" "member" {
  provider    = aws.admin
  account_id  = aws_guardduty_detector.member.account_id
  detector_id = aws_guardduty_detector.admin.id
  email       = "member@example.com"
  invite      = true
  depends_on  = [aws_guardduty_organization_admin_account.admin]
}

output "guardduty_admin_detector" {
  value = aws_guardduty_detector.admin.id
}
