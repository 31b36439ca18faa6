package guardduty

import (
	"context"
	"regexp"
	"strings"

	"github.com/localsec/localsec/internal/awsarn"
	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/protocol/restjson"
)

// detectorARNPattern is the model's GuardDutyArn pattern. GuardDuty tags
// detectors only (among the resources localsec emulates).
func detectorARNPattern() *regexp.Regexp {
	return regexp.MustCompile(`^arn:[A-Za-z_.-]{1,20}:guardduty:[A-Za-z0-9_/.-]{0,63}:\d+:detector/[A-Za-z0-9_/.-]{32,264}$`)
}

// resource reads the {resourceArn} label:
// arn:<partition>:guardduty:<region>:<account>:detector/<id>.
func (s *Service) resource(r *restjson.Request) (membership.Resource, error) {
	raw := r.Param("resourceArn")
	if !s.arnPattern.MatchString(raw) {
		return membership.Resource{}, restjson.Invalid("resourceArn", "it is not a GuardDuty detector ARN.")
	}
	a, err := awsarn.Parse(raw)
	if err != nil {
		return membership.Resource{}, restjson.Invalid("resourceArn", "it is not an ARN.")
	}
	id := strings.TrimPrefix(a.Resource, "detector/")
	return membership.Resource{Kind: membership.ResourceEnablement, Region: a.Region, Owner: a.Account, ID: id}, nil
}

// TagResource: POST /tags/{resourceArn}.
func (s *Service) tagResource(ctx context.Context, r *restjson.Request) (any, error) {
	var in struct {
		Tags *map[string]string `json:"tags"`
	}
	if err := r.Decode(&in); err != nil {
		return nil, err
	}
	if in.Tags == nil || len(*in.Tags) == 0 {
		return nil, restjson.Missing("tags")
	}
	if err := checkTags("tags", *in.Tags); err != nil {
		return nil, err
	}
	res, err := s.resource(r)
	if err != nil {
		return nil, err
	}
	return nil, s.svc.TagResource(ctx, caller(r), res, *in.Tags)
}

// UntagResource: DELETE /tags/{resourceArn}?tagKeys=….
func (s *Service) untagResource(ctx context.Context, r *restjson.Request) (any, error) {
	keys := r.Query()["tagKeys"]
	if len(keys) == 0 {
		return nil, restjson.Missing("tagKeys")
	}
	if len(keys) > 200 {
		return nil, restjson.Invalid("tagKeys", "at most 200 keys.")
	}
	for _, k := range keys {
		if err := checkTagKey("tagKeys", k); err != nil {
			return nil, err
		}
	}
	res, err := s.resource(r)
	if err != nil {
		return nil, err
	}
	return nil, s.svc.UntagResource(ctx, caller(r), res, keys)
}

// ListTagsForResource: GET /tags/{resourceArn}.
func (s *Service) listTagsForResource(ctx context.Context, r *restjson.Request) (any, error) {
	res, err := s.resource(r)
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
