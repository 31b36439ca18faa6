# The invitation flows of Macie and GuardDuty between two accounts, each
# with its own provider alias (its access key is its account id), against
# localsec. The test sets the variables through TF_VAR_* environment
# variables.

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

variable "admin_account" {
  type    = string
  default = "111111111111"
}

variable "member_account" {
  type    = string
  default = "222222222222"
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

# The providers learn their accounts from STS GetCallerIdentity.
data "aws_caller_identity" "admin" {
  provider = aws.admin
}

data "aws_caller_identity" "member" {
  provider = aws.member
}

# Macie: the administrator invites the member, which accepts.

resource "aws_macie2_account" "admin" {
  provider = aws.admin
}

resource "aws_macie2_account" "member" {
  provider = aws.member
}

resource "aws_macie2_member" "member" {
  provider   = aws.admin
  account_id = data.aws_caller_identity.member.account_id
  email      = "member@example.com"
  invite     = true
  depends_on = [aws_macie2_account.admin]
}

resource "aws_macie2_invitation_accepter" "member" {
  provider                 = aws.member
  administrator_account_id = data.aws_caller_identity.admin.account_id
  depends_on               = [aws_macie2_member.member, aws_macie2_account.member]
}

# GuardDuty: the same between the two accounts' detectors.

resource "aws_guardduty_detector" "admin" {
  provider = aws.admin
  enable   = true
}

resource "aws_guardduty_detector" "member" {
  provider = aws.member
  enable   = true
}

resource "aws_guardduty_member" "member" {
  provider    = aws.admin
  account_id  = aws_guardduty_detector.member.account_id
  detector_id = aws_guardduty_detector.admin.id
  email       = "member@example.com"
  invite      = true
}

resource "aws_guardduty_invite_accepter" "member" {
  provider          = aws.member
  detector_id       = aws_guardduty_detector.member.id
  master_account_id = aws_guardduty_detector.admin.account_id
  depends_on        = [aws_guardduty_member.member]
}

output "admin_account" {
  value = data.aws_caller_identity.admin.account_id
}

output "member_account" {
  value = data.aws_caller_identity.member.account_id
}

output "guardduty_admin_detector" {
  value = aws_guardduty_detector.admin.id
}

output "guardduty_member_detector" {
  value = aws_guardduty_detector.member.id
}
