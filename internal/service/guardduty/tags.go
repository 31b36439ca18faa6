package guardduty

import (
	"context"
	"regexp"
	"strings"

	api "github.com/localsec/localsec/internal/api/guardduty"
	"github.com/localsec/localsec/internal/awsarn"
	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/protocol"
	"github.com/localsec/localsec/internal/protocol/model"
)

// detectorARNPattern is the model's GuardDutyArn pattern, anchored as AWS
// matches patterns. GuardDuty tags detectors only (among the resources
// localsec emulates).
func detectorARNPattern() *regexp.Regexp {
	return regexp.MustCompile(`^arn:[A-Za-z_.-]{1,20}:guardduty:[A-Za-z0-9_/.-]{0,63}:\d+:detector/[A-Za-z0-9_/.-]{32,264}$`)
}

// resource reads the {resourceArn} label:
// arn:<partition>:guardduty:<region>:<account>:detector/<id>.
func (s *Service) resource(raw string) (membership.Resource, error) {
	if !s.arnPattern.MatchString(raw) {
		return membership.Resource{}, model.Refuse("resourceArn", "The value of resourceArn is not valid: it is not a GuardDuty detector ARN.")
	}
	a, err := awsarn.Parse(raw)
	if err != nil {
		return membership.Resource{}, model.Refuse("resourceArn", "The value of resourceArn is not valid: it is not an ARN.")
	}
	id := strings.TrimPrefix(a.Resource, "detector/")
	return membership.Resource{Kind: membership.ResourceEnablement, Region: a.Region, Owner: a.Account, ID: id}, nil
}

// checkTags applies the documented quota of 50 tags a resource (the
// model's TagMap allows 200; its key and value constraints are checked
// before).
func checkTags(field string, tags map[string]string) error {
	if len(tags) > maxTags {
		return model.Refuse(field, "The value of "+field+" is not valid: a resource can have no more than 50 tags.")
	}
	return nil
}

// TagResource: POST /tags/{resourceArn}.
func (s *Service) TagResource(ctx context.Context, call *protocol.Call, in *api.TagResourceRequest) (*api.TagResourceResponse, error) {
	if err := checkTags("tags", in.Tags); err != nil {
		return nil, err
	}
	res, err := s.resource(*in.ResourceArn)
	if err != nil {
		return nil, err
	}
	return nil, s.svc.TagResource(ctx, caller(call), res, in.Tags)
}

// UntagResource: DELETE /tags/{resourceArn}?tagKeys=….
func (s *Service) UntagResource(ctx context.Context, call *protocol.Call, in *api.UntagResourceRequest) (*api.UntagResourceResponse, error) {
	res, err := s.resource(*in.ResourceArn)
	if err != nil {
		return nil, err
	}
	return nil, s.svc.UntagResource(ctx, caller(call), res, in.TagKeys)
}

// ListTagsForResource: GET /tags/{resourceArn}.
func (s *Service) ListTagsForResource(ctx context.Context, call *protocol.Call, in *api.ListTagsForResourceRequest) (*api.ListTagsForResourceResponse, error) {
	res, err := s.resource(*in.ResourceArn)
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
