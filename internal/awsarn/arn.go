// Package awsarn builds and reads the ARNs of emulated resources.
package awsarn

import (
	"errors"
	"strings"
)

// Partition returns the AWS partition of a region: aws-cn for China,
// aws-us-gov for GovCloud, aws otherwise.
func Partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// ARN is an Amazon Resource Name split into its parts.
type ARN struct {
	Partition string
	Service   string
	Region    string
	Account   string
	// Resource is everything after the fifth colon, e.g. "member/222222222222".
	Resource string
}

// String joins the parts.
func (a ARN) String() string {
	return "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.Account + ":" + a.Resource
}

// ErrMalformed is returned by Parse for text that is not an ARN.
var ErrMalformed = errors.New("awsarn: malformed ARN")

// Parse splits s into an ARN. Every part but the region and account must
// be non-empty.
func Parse(s string) (ARN, error) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] == "" || parts[5] == "" {
		return ARN{}, ErrMalformed
	}
	return ARN{Partition: parts[1], Service: parts[2], Region: parts[3], Account: parts[4], Resource: parts[5]}, nil
}

// New returns the ARN of a resource of service in region and account, in
// the region's partition.
func New(service, region, account, resource string) ARN {
	return ARN{Partition: Partition(region), Service: service, Region: region, Account: account, Resource: resource}
}
