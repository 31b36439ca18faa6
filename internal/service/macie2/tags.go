package macie2

import (
	"context"
	"strings"

	api "github.com/localsec/localsec/internal/api/macie2"
	"github.com/localsec/localsec/internal/awsarn"
	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/protocol"
)

// resource reads the {resourceArn} label. Macie's taggable membership
// resource is the member: arn:<partition>:macie2:<region>:<admin>:member/<id>.
// A well-formed ARN of anything else is a resource localsec does not have.
func resource(raw string) (membership.Resource, error) {
	a, err := awsarn.Parse(raw)
	if err != nil {
		return membership.Resource{}, refuse("resourceArn", "The value of resourceArn is not valid: it is not an ARN.")
	}
	id, isMember := strings.CutPrefix(a.Resource, "member/")
	if a.Service != SigningName || a.Partition != awsarn.Partition(a.Region) || !isMember {
		return membership.Resource{}, &membership.Error{Code: membership.CodeResourceNotFound}
	}
	return membership.Resource{Kind: membership.ResourceMember, Region: a.Region, Owner: a.Account, ID: id}, nil
}

// checkTags applies the tag constraints of the Macie User Guide (spec §7);
// the model's TagMap has none.
func checkTags(field string, tags map[string]string) error {
	if len(tags) > maxTags {
		return refuse(field, "The value of "+field+" is not valid: a resource can have no more than 50 tags.")
	}
	for k, v := range tags {
		switch {
		case len(k) == 0 || len(k) > 128:
			return refuse(field, "The value of "+field+" is not valid: a tag key must be 1 to 128 characters long.")
		case len(v) > 256:
			return refuse(field, "The value of "+field+" is not valid: a tag value can be at most 256 characters long.")
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			return refuse(field, "The value of "+field+" is not valid: tag keys can't start with aws:.")
		}
	}
	return nil
}

// TagResource: POST /tags/{resourceArn}.
func (s *Service) TagResource(ctx context.Context, call *protocol.Call, in *api.TagResourceRequest) (*api.TagResourceResponse, error) {
	if err := checkTags("tags", in.Tags); err != nil {
		return nil, err
	}
	res, err := resource(*in.ResourceArn)
	if err != nil {
		return nil, err
	}
	return nil, s.svc.TagResource(ctx, caller(call), res, in.Tags)
}

// UntagResource: DELETE /tags/{resourceArn}?tagKeys=…&tagKeys=….
func (s *Service) UntagResource(ctx context.Context, call *protocol.Call, in *api.UntagResourceRequest) (*api.UntagResourceResponse, error) {
	res, err := resource(*in.ResourceArn)
	if err != nil {
		return nil, err
	}
	return nil, s.svc.UntagResource(ctx, caller(call), res, in.TagKeys)
}

// ListTagsForResource: GET /tags/{resourceArn}.
func (s *Service) ListTagsForResource(ctx context.Context, call *protocol.Call, in *api.ListTagsForResourceRequest) (*api.ListTagsForResourceResponse, error) {
	res, err := resource(*in.ResourceArn)
	if err != nil {
		return nil, err
	}
	tags, err := s.svc.ResourceTags(ctx, caller(call), res)
	if err != nil {
		return nil, err
	}
	if tags == nil {
		tags = map[string]string{}
	}
	return &api.ListTagsForResourceResponse{Tags: tags}, nil
}
