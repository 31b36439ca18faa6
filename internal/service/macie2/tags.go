package macie2

import (
	"context"
	"strings"

	"github.com/localsec/localsec/internal/awsarn"
	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/protocol/restjson"
)

// resource reads the {resourceArn} label. Macie's taggable membership
// resource is the member: arn:<partition>:macie2:<region>:<admin>:member/<id>.
// A well-formed ARN of anything else is a resource localsec does not have.
func resource(r *restjson.Request) (membership.Resource, error) {
	raw := r.Param("resourceArn")
	a, err := awsarn.Parse(raw)
	if err != nil {
		return membership.Resource{}, restjson.Invalid("resourceArn", "it is not an ARN.")
	}
	id, isMember := strings.CutPrefix(a.Resource, "member/")
	if a.Service != SigningName || a.Partition != awsarn.Partition(a.Region) || !isMember {
		return membership.Resource{}, &membership.Error{Code: membership.CodeResourceNotFound}
	}
	return membership.Resource{Kind: membership.ResourceMember, Region: a.Region, Owner: a.Account, ID: id}, nil
}

// TagResource: POST /tags/{resourceArn}.
func (s *Service) tagResource(ctx context.Context, r *restjson.Request) (any, error) {
	var in struct {
		Tags *map[string]string `json:"tags"`
	}
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	if in.Tags == nil {
		return nil, restjson.Missing("tags")
	}
	if err := checkTags("tags", *in.Tags); err != nil {
		return nil, err
	}
	res, err := resource(r)
	if err != nil {
		return nil, err
	}
	return nil, s.svc.TagResource(ctx, caller(r), res, *in.Tags)
}

// UntagResource: DELETE /tags/{resourceArn}?tagKeys=…&tagKeys=….
func (s *Service) untagResource(ctx context.Context, r *restjson.Request) (any, error) {
	keys, ok := r.Query()["tagKeys"]
	if !ok {
		return nil, restjson.Missing("tagKeys")
	}
	res, err := resource(r)
	if err != nil {
		return nil, err
	}
	return nil, s.svc.UntagResource(ctx, caller(r), res, keys)
}

// ListTagsForResource: GET /tags/{resourceArn}.
func (s *Service) listTagsForResource(ctx context.Context, r *restjson.Request) (any, error) {
	res, err := resource(r)
	if err != nil {
		return nil, err
	}
	tags, err := s.svc.ResourceTags(ctx, caller(r), res)
	if err != nil {
		return nil, err
	}
	return struct {
		Tags map[string]string `json:"tags"`
	}{tags}, nil
}
