package restjson_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	macie2 "github.com/localsec/localsec/internal/api/macie2"
	"github.com/localsec/localsec/internal/protocol"
	"github.com/localsec/localsec/internal/protocol/endpoint"
	"github.com/localsec/localsec/internal/protocol/model"
	"github.com/localsec/localsec/internal/protocol/restjson"
)

// The demo service: a handful of Macie-like operations, S3-like greedy
// labels and query-selected operations, and operations the model knows
// but localsec does not serve. Each Go struct's field i is its shape's
// Members[i].

type accountDetail struct {
	AccountId *string
	Email     *string
}

type member struct {
	AccountId *string
	InvitedAt *time.Time
}

type (
	emptyIn       struct{}
	emptyOut      struct{}
	listMembersIn struct {
		MaxResults     *int32
		NextToken      *string
		OnlyAssociated *bool
		AccountIds     []string
		Since          *time.Time
	}
	listMembersOut struct {
		Members   []member
		NextToken *string
	}
	createMemberIn struct {
		Account     *accountDetail
		Tags        map[string]string
		ClientToken *string
		Flags       []string
		Count       *int32
	}
	createMemberOut struct {
		Arn       *string
		RequestId *string
		Ok        *bool
		N         *int32
	}
	idIn         struct{ Id *string }
	getMemberOut struct {
		AccountId *string
		Email     *string
		InvitedAt *time.Time
		UpdatedAt *time.Time
		Tags      map[string]string
	}
	updateSessionIn struct {
		Id     *string
		Status *string
	}
	arnIn struct{ ResourceArn *string }
	tagIn struct {
		ResourceArn *string
		Tags        map[string]string
	}
	untagIn struct {
		ResourceArn *string
		TagKeys     []string
	}
	tagsOut  struct{ Tags map[string]string }
	bucketIn struct{ Bucket *string }
	objectIn struct {
		Bucket *string
		Key    *string
	}
	countOut struct{ InvitationsCount *int64 }
)

var (
	shString     = &model.Shape{Name: "__string", Type: model.String}
	shBool       = &model.Shape{Name: "__boolean", Type: model.Boolean}
	shLong       = &model.Shape{Name: "__long", Type: model.Long}
	shInt        = &model.Shape{Name: "__integer", Type: model.Integer}
	shTime       = &model.Shape{Name: "__timestamp", Type: model.Timestamp}
	shISO        = &model.Shape{Name: "__timestampIso8601", Type: model.Timestamp, TimestampFormat: model.ISO8601}
	shMaxResults = &model.Shape{Name: "MaxResults", Type: model.Integer, Min: model.Limit(1), Max: model.Limit(25)}
	shStatus     = &model.Shape{Name: "MacieStatus", Type: model.String, Enum: []string{"PAUSED", "ENABLED"}}
	shStrings    = &model.Shape{Name: "__listOf__string", Type: model.List, Elem: shString}
	shTagMap     = &model.Shape{Name: "TagMap", Type: model.Map, Key: shString, Elem: shString}
	shAccount    = &model.Shape{Name: "AccountDetail", Type: model.Structure, Members: []model.Member{
		{Name: "accountId", WireName: "accountId", Shape: shString, Required: true},
		{Name: "email", WireName: "email", Shape: shString, Required: true},
	}}
	shMember = &model.Shape{Name: "Member", Type: model.Structure, Members: []model.Member{
		{Name: "accountId", WireName: "accountId", Shape: shString},
		{Name: "invitedAt", WireName: "invitedAt", Shape: shISO},
	}}
	shEmptyIn  = &model.Shape{Name: "EmptyRequest", Type: model.Structure}
	shEmptyOut = &model.Shape{Name: "EmptyResponse", Type: model.Structure}
	shIDIn     = &model.Shape{Name: "IdRequest", Type: model.Structure, Members: []model.Member{
		{Name: "id", WireName: "id", Shape: shString, Required: true, Location: model.URI},
	}}
	shARNIn = &model.Shape{Name: "ArnRequest", Type: model.Structure, Members: []model.Member{
		{Name: "resourceArn", WireName: "resourceArn", Shape: shString, Required: true, Location: model.URI},
	}}
	shTagsOut = &model.Shape{Name: "TagsResponse", Type: model.Structure, Members: []model.Member{
		{Name: "tags", WireName: "tags", Shape: shTagMap},
	}}
	shBucketIn = &model.Shape{Name: "BucketRequest", Type: model.Structure, Members: []model.Member{
		{Name: "Bucket", WireName: "Bucket", Shape: shString, Required: true, Location: model.URI},
	}}
	shObjectIn = &model.Shape{Name: "ObjectRequest", Type: model.Structure, Members: []model.Member{
		{Name: "Bucket", WireName: "Bucket", Shape: shString, Required: true, Location: model.URI},
		{Name: "Key", WireName: "Key", Shape: shString, Required: true, Location: model.URI},
	}}
)

func op(name, method, uri string, status int, in, out *model.Shape, newIn func() any) *model.Operation {
	return &model.Operation{Name: name, Method: method, URI: uri, Status: status, Input: in, Output: out, NewInput: newIn, Served: true}
}

func unserved(name, method, uri string) *model.Operation {
	return &model.Operation{Name: name, Method: method, URI: uri}
}

// demoOperations returns the demo service's operations, greedy and label
// routes before the literal ones they must not shadow.
func demoOperations() []*model.Operation {
	return []*model.Operation{
		op("GetObject", "GET", "/objects/{Bucket}/{Key+}", 200, shObjectIn, nil, func() any { return new(objectIn) }),
		op("GetObjectLabel", "GET", "/objects/{Bucket}/{Key}", 200, shObjectIn, nil, func() any { return new(objectIn) }),
		op("GetObjectMeta", "GET", "/objects/{Bucket}/meta", 200, shBucketIn, nil, func() any { return new(bucketIn) }),
		op("GetBucket", "GET", "/buckets/{Bucket}", 200, shBucketIn, nil, func() any { return new(bucketIn) }),
		op("GetVersioning", "GET", "/buckets/{Bucket}?versioning", 200, shBucketIn, nil, func() any { return new(bucketIn) }),
		op("GetAcl", "GET", "/buckets/{Bucket}?type=acl", 200, shBucketIn, nil, func() any { return new(bucketIn) }),
		op("GetInvitation", "GET", "/invitations/{id}", 200, shIDIn, nil, func() any { return new(idIn) }),
		op("GetInvitationsCount", "GET", "/invitations/count", 200, shEmptyIn, &model.Shape{Name: "CountResponse", Type: model.Structure,
			Members: []model.Member{{Name: "invitationsCount", WireName: "invitationsCount", Shape: shLong}}}, func() any { return new(emptyIn) }),
		op("ListMembers", "GET", "/members", 200, &model.Shape{Name: "ListMembersRequest", Type: model.Structure, Members: []model.Member{
			{Name: "maxResults", WireName: "maxResults", Shape: shMaxResults, Location: model.QueryString},
			{Name: "nextToken", WireName: "nextToken", Shape: shString, Location: model.QueryString},
			{Name: "onlyAssociated", WireName: "onlyAssociated", Shape: shBool, Location: model.QueryString},
			{Name: "accountIds", WireName: "accountId", Shape: shStrings, Location: model.QueryString},
			{Name: "since", WireName: "since", Shape: shTime, Location: model.QueryString},
		}}, &model.Shape{Name: "ListMembersResponse", Type: model.Structure, Members: []model.Member{
			{Name: "members", WireName: "members", Shape: &model.Shape{Name: "__listOfMember", Type: model.List, Elem: shMember}},
			{Name: "nextToken", WireName: "nextToken", Shape: shString},
		}}, func() any { return new(listMembersIn) }),
		op("CreateMember", "POST", "/members", 200, &model.Shape{Name: "CreateMemberRequest", Type: model.Structure, Members: []model.Member{
			{Name: "account", WireName: "account", Shape: shAccount, Required: true},
			{Name: "tags", WireName: "tags", Shape: shTagMap},
			{Name: "clientToken", WireName: "X-Amz-Client-Token", Shape: shString, Location: model.Header},
			{Name: "flags", WireName: "X-Amz-Flags", Shape: shStrings, Location: model.Header},
			{Name: "count", WireName: "X-Amz-Count", Shape: shInt, Location: model.Header},
		}}, &model.Shape{Name: "CreateMemberResponse", Type: model.Structure, Members: []model.Member{
			{Name: "arn", WireName: "arn", Shape: shString},
			{Name: "requestId", WireName: "X-Amz-Request-Thing", Shape: shString, Location: model.Header},
			{Name: "ok", WireName: "X-Amz-Ok", Shape: shBool, Location: model.Header},
			{Name: "n", WireName: "X-Amz-N", Shape: shInt, Location: model.Header},
		}}, func() any { return new(createMemberIn) }),
		unserved("DescribeSpecial", "GET", "/members/special"),
		op("GetMember", "GET", "/members/{id}", 200, shIDIn, &model.Shape{Name: "GetMemberResponse", Type: model.Structure, Members: []model.Member{
			{Name: "accountId", WireName: "accountId", Shape: shString},
			{Name: "email", WireName: "email", Shape: shString},
			{Name: "invitedAt", WireName: "invitedAt", Shape: shISO},
			{Name: "updatedAt", WireName: "updatedAt", Shape: shTime},
			{Name: "tags", WireName: "tags", Shape: shTagMap},
		}}, func() any { return new(idIn) }),
		op("DisassociateMember", "POST", "/members/disassociate/{id}", 200, shIDIn, shEmptyOut, func() any { return new(idIn) }),
		op("UpdateMemberSession", "PATCH", "/macie/members/{id}", 200, &model.Shape{Name: "UpdateMemberSessionRequest", Type: model.Structure,
			Members: []model.Member{
				{Name: "id", WireName: "id", Shape: shString, Required: true, Location: model.URI},
				{Name: "status", WireName: "status", Shape: shStatus, Required: true},
			}}, shEmptyOut, func() any { return new(updateSessionIn) }),
		op("ListTagsForResource", "GET", "/tags/{resourceArn}", 200, shARNIn, shTagsOut, func() any { return new(arnIn) }),
		op("TagResource", "POST", "/tags/{resourceArn}", 204, &model.Shape{Name: "TagResourceRequest", Type: model.Structure, Members: []model.Member{
			{Name: "resourceArn", WireName: "resourceArn", Shape: shString, Required: true, Location: model.URI},
			{Name: "tags", WireName: "tags", Shape: shTagMap, Required: true},
		}}, shEmptyOut, func() any { return new(tagIn) }),
		op("UntagResource", "DELETE", "/tags/{resourceArn}", 204, &model.Shape{Name: "UntagResourceRequest", Type: model.Structure, Members: []model.Member{
			{Name: "resourceArn", WireName: "resourceArn", Shape: shString, Required: true, Location: model.URI},
			{Name: "tagKeys", WireName: "tagKeys", Shape: shStrings, Required: true, Location: model.QueryString},
		}}, shEmptyOut, func() any { return new(untagIn) }),
		unserved("CreateSampleFindings", "POST", "/findings/sample"),
		unserved("GetAllowList", "GET", "/allow-lists/{id}"),
	}
}

var testTime = time.Date(2024, 5, 1, 12, 34, 56, 789_000_000, time.UTC)

// demoOutputs are the demo handlers' answers.
var demoOutputs = map[string]func() any{
	"ListMembers": func() any {
		return &listMembersOut{Members: []member{{AccountId: new("1"), InvitedAt: new(testTime)}, {}}, NextToken: new("n")}
	},
	"CreateMember": func() any {
		return &createMemberOut{Arn: new("arn:x"), RequestId: new("r-1"), Ok: new(true), N: new(int32(3))}
	},
	"GetMember": func() any {
		return &getMemberOut{AccountId: new("1"), Email: new("e@example.com"), InvitedAt: new(testTime), UpdatedAt: new(testTime),
			Tags: map[string]string{"b": "2", "a": "1"}}
	},
	"DisassociateMember":  func() any { return &emptyOut{} },
	"UpdateMemberSession": func() any { return &emptyOut{} },
	"ListTagsForResource": func() any { return &tagsOut{Tags: map[string]string{"k": "v"}} },
	"TagResource":         func() any { return &emptyOut{} },
	"GetInvitationsCount": func() any { return &countOut{InvitationsCount: new(int64(0))} },
}

// recorder remembers the calls of the handlers.
type recorder struct {
	calls []string
	in    any
	call  *protocol.Call
}

func handlers(svc *model.Service, rec *recorder, outputs map[string]func() any) map[string]model.Handler {
	hs := map[string]model.Handler{}
	for _, o := range svc.Served() {
		name := o.Name
		hs[name] = func(_ context.Context, call *protocol.Call, in any) (any, error) {
			if rec != nil {
				rec.calls = append(rec.calls, name)
				rec.in, rec.call = in, call
			}
			if out := outputs[name]; out != nil {
				return out(), nil
			}
			return nil, nil
		}
	}
	return hs
}

var internal = &protocol.APIError{Type: "InternalServerException", Status: http.StatusInternalServerError, Message: "An internal error occurred."}

// testErrors maps errors the way a service adapter does, and puts the
// input error's kind and field in the body so tests can read them back.
func testErrors(err error) *protocol.APIError {
	var in *model.InputError
	if errors.As(err, &in) {
		status := http.StatusBadRequest
		if in.Kind == model.TooLarge {
			status = http.StatusRequestEntityTooLarge
		}
		return &protocol.APIError{Type: "ValidationException", Status: status, Message: in.Message,
			Fields: map[string]string{"kind": strconv.Itoa(int(in.Kind)), "field": in.Field()}}
	}
	var e *protocol.APIError
	if errors.As(err, &e) {
		return e
	}
	return nil
}

func demoConfig() endpoint.Config {
	return endpoint.Config{Errors: testErrors, Internal: internal, ErrorBody: endpoint.ErrorBody{Message: "message"}}
}

func demoService(ops []*model.Operation) *model.Service {
	return &model.Service{Name: "demo", SigningName: "demo", APIVersion: "2024-01-01", Protocol: model.RestJSON, Operations: ops}
}

func newDemo(t testing.TB, cfg endpoint.Config) (*restjson.Server, *recorder) {
	t.Helper()
	svc := demoService(demoOperations())
	rec := &recorder{}
	return restjson.New(svc, handlers(svc, rec, demoOutputs), cfg), rec
}

type request struct {
	method, target string
	body           string
	header         http.Header
}

// serve runs one request through h with a protocol.Call in its context.
func serve(t testing.TB, h http.Handler, r request) (*httptest.ResponseRecorder, *protocol.Call) {
	t.Helper()
	req := httptest.NewRequest(r.method, r.target, strings.NewReader(r.body))
	for k, vs := range r.header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	call := &protocol.Call{RequestID: "req-1", Service: "demo", Region: "us-east-1", Account: "111111111111"}
	req = req.WithContext(protocol.WithCall(req.Context(), call))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w, call
}

// wireError checks that w is a rest-json error of type typ and status,
// and returns its body.
func wireError(t testing.TB, w *httptest.ResponseRecorder, status int, typ string) map[string]string {
	t.Helper()
	if w.Code != status {
		t.Errorf("status = %d, want %d (body %s)", w.Code, status, w.Body)
	}
	if got := w.Header().Get("X-Amzn-ErrorType"); got != typ {
		t.Errorf("X-Amzn-ErrorType = %q, want %q", got, typ)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	if cl := w.Header().Get("Content-Length"); cl != strconv.Itoa(w.Body.Len()) {
		t.Errorf("Content-Length = %q, body is %d bytes", cl, w.Body.Len())
	}
	var body map[string]string
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatalf("error body %q is not a JSON object of strings: %v", w.Body, err)
	}
	if !strings.HasPrefix(w.Body.String(), `{"message":`) {
		t.Errorf("error body %s does not start with its message", w.Body)
	}
	return body
}

const (
	encodedARN = "arn%3Aaws%3Amacie2%3Aus-east-1%3A111111111111%3Amember%2F222222222222"
	decodedARN = "arn:aws:macie2:us-east-1:111111111111:member/222222222222"
)

func TestRoutes(t *testing.T) {
	tests := []struct {
		request
		op string
		in any
	}{
		{request{method: "GET", target: "/members"}, "ListMembers", &listMembersIn{}},
		{request{method: "GET", target: "/members?maxResults=5&nextToken=a%2Bb&onlyAssociated=TRUE&accountId=1&accountId=2%2F3&since=2024-05-01T12:34:56.789Z"},
			"ListMembers", &listMembersIn{MaxResults: new(int32(5)), NextToken: new("a+b"), OnlyAssociated: new(true),
				AccountIds: []string{"1", "2/3"}, Since: new(testTime)}},
		{request{method: "GET", target: "/members?nextToken=a+b&onlyAssociated=false&since=1714566896.789"}, "ListMembers",
			&listMembersIn{NextToken: new("a b"), OnlyAssociated: new(false), Since: new(testTime)}},
		{request{method: "GET", target: "/members?maxResults=1&maxResults=30"}, "ListMembers", &listMembersIn{MaxResults: new(int32(1))}},
		{request{method: "GET", target: "/members?nextToken="}, "ListMembers", &listMembersIn{NextToken: new("")}},
		{request{method: "GET", target: "/members?MaxResults=99&accountIds=1&unknown"}, "ListMembers", &listMembersIn{}},
		{request{method: "GET", target: "/members/222222222222"}, "GetMember", &idIn{Id: new("222222222222")}},
		{request{method: "GET", target: "/members/a%20b"}, "GetMember", &idIn{Id: new("a b")}},
		{request{method: "GET", target: "/members/a+b"}, "GetMember", &idIn{Id: new("a+b")}},
		{request{method: "GET", target: "/members/100%25"}, "GetMember", &idIn{Id: new("100%")}},
		{request{method: "GET", target: "/members/%E2%82%AC"}, "GetMember", &idIn{Id: new("€")}},
		{request{method: "GET", target: "/members/%2F"}, "GetMember", &idIn{Id: new("/")}},
		{request{method: "GET", target: "/members/count"}, "GetMember", &idIn{Id: new("count")}},
		{request{method: "POST", target: "/members/disassociate/222222222222"}, "DisassociateMember", &idIn{Id: new("222222222222")}},
		{request{method: "PATCH", target: "/macie/members/333333333333", body: `{"status":"PAUSED"}`}, "UpdateMemberSession",
			&updateSessionIn{Id: new("333333333333"), Status: new("PAUSED")}},
		// A literal beats a label, whatever the model's order.
		{request{method: "GET", target: "/invitations/count"}, "GetInvitationsCount", &emptyIn{}},
		{request{method: "GET", target: "/invitations/other"}, "GetInvitation", &idIn{Id: new("other")}},
		// Labels are matched on the escaped path and unescaped after.
		{request{method: "GET", target: "/tags/" + encodedARN}, "ListTagsForResource", &arnIn{ResourceArn: new(decodedARN)}},
		{request{method: "POST", target: "/tags/" + encodedARN, body: `{"tags":{"k":"v"}}`}, "TagResource",
			&tagIn{ResourceArn: new(decodedARN), Tags: map[string]string{"k": "v"}}},
		{request{method: "DELETE", target: "/tags/" + encodedARN + "?tagKeys=a&tagKeys=b%2Fc&tagKeys="}, "UntagResource",
			&untagIn{ResourceArn: new(decodedARN), TagKeys: []string{"a", "b/c", ""}}},
		// A literal beats a label, which beats a greedy label.
		{request{method: "GET", target: "/objects/b/meta"}, "GetObjectMeta", &bucketIn{Bucket: new("b")}},
		{request{method: "GET", target: "/objects/b/k"}, "GetObjectLabel", &objectIn{Bucket: new("b"), Key: new("k")}},
		{request{method: "GET", target: "/objects/b/k%2Fj"}, "GetObjectLabel", &objectIn{Bucket: new("b"), Key: new("k/j")}},
		{request{method: "GET", target: "/objects/b/k/j"}, "GetObject", &objectIn{Bucket: new("b"), Key: new("k/j")}},
		{request{method: "GET", target: "/objects/b/meta/x"}, "GetObject", &objectIn{Bucket: new("b"), Key: new("meta/x")}},
		{request{method: "GET", target: "/objects/b/a%20b/c%2Fd/"}, "GetObject", &objectIn{Bucket: new("b"), Key: new("a b/c/d/")}},
		{request{method: "GET", target: "/objects/b//x"}, "GetObject", &objectIn{Bucket: new("b"), Key: new("/x")}},
		// A URI's query part selects the operation.
		{request{method: "GET", target: "/buckets/b"}, "GetBucket", &bucketIn{Bucket: new("b")}},
		{request{method: "GET", target: "/buckets/b?versioning"}, "GetVersioning", &bucketIn{Bucket: new("b")}},
		{request{method: "GET", target: "/buckets/b?versioning="}, "GetVersioning", &bucketIn{Bucket: new("b")}},
		{request{method: "GET", target: "/buckets/b?other&versioning=x"}, "GetVersioning", &bucketIn{Bucket: new("b")}},
		{request{method: "GET", target: "/buckets/b?type=acl"}, "GetAcl", &bucketIn{Bucket: new("b")}},
		{request{method: "GET", target: "/buckets/b?type=other"}, "GetBucket", &bucketIn{Bucket: new("b")}},
		{request{method: "GET", target: "/buckets/b?Versioning"}, "GetBucket", &bucketIn{Bucket: new("b")}},
	}
	forward := demoOperations()
	reversed := slices.Clone(forward)
	slices.Reverse(reversed)
	for order, ops := range map[string][]*model.Operation{"model order": forward, "reversed": reversed} {
		svc := demoService(ops)
		rec := &recorder{}
		s := restjson.New(svc, handlers(svc, rec, demoOutputs), demoConfig())
		for _, tt := range tests {
			t.Run(order+" "+tt.method+" "+tt.target, func(t *testing.T) {
				rec.calls = nil
				w, call := serve(t, s, tt.request)
				if w.Code/100 != 2 {
					t.Fatalf("status = %d (%s)", w.Code, w.Body)
				}
				if !slices.Equal(rec.calls, []string{tt.op}) || call.Operation != tt.op || rec.call != call {
					t.Fatalf("handlers called %v, call.Operation %q; want %s with the request's call", rec.calls, call.Operation, tt.op)
				}
				if !reflect.DeepEqual(rec.in, tt.in) {
					t.Errorf("input = %s, want %s", dump(rec.in), dump(tt.in))
				}
			})
		}
	}
}

func dump(v any) string {
	b, _ := json.Marshal(v)
	return fmt.Sprintf("%T%s", v, b)
}

func TestUnknownRoutes(t *testing.T) {
	tests := []struct{ method, target string }{
		{"PUT", "/members"},                  // wrong method
		{"DELETE", "/members"},               // wrong method
		{"get", "/members"},                  // methods are case-sensitive
		{"GET", "/members/"},                 // empty label
		{"GET", "/tags/"},                    // empty label
		{"POST", "/members/disassociate/"},   // empty label
		{"GET", "/members/a/b"},              // too many segments
		{"GET", "/members/a%2Fb/c"},          // still too many
		{"GET", "/member"},                   // no such literal
		{"GET", "/Members"},                  // literals are case-sensitive
		{"GET", "/"},                         // root
		{"GET", "//members"},                 // doubled slash
		{"GET", "/invitations/count/"},       // trailing slash
		{"POST", "/%6Dembers"},               // literals match the escaped path only
		{"GET", "/objects/b/"},               // empty greedy label
		{"GET", "/objects/b"},                // no key at all
		{"GET", "/objects"},                  // no bucket
		{"PUT", "/buckets/b?versioning"},     // the query does not make the method
		{"GET", "/tags/" + decodedARN},       // an unencoded "/" splits the label
		{"GET", "/macie/members/1?status=x"}, // PATCH only
	}
	s, rec := newDemo(t, demoConfig())
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			rec.calls = nil
			w, call := serve(t, s, request{method: tt.method, target: tt.target})
			body := wireError(t, w, http.StatusNotFound, "UnknownOperationException")
			path, _, _ := strings.Cut(tt.target, "?")
			if want := "localsec has no demo operation for " + tt.method + " " + path + "."; body["message"] != want {
				t.Errorf("message = %q, want %q", body["message"], want)
			}
			if len(body) != 1 {
				t.Errorf("body = %v, want the message only", body)
			}
			if call.Operation != "" || len(rec.calls) != 0 {
				t.Errorf("call.Operation = %q, handlers %v; want none for an unknown operation", call.Operation, rec.calls)
			}
		})
	}
}

// An operation the model knows but localsec does not serve is answered
// as unknown (a 4xx, which no SDK retries), with a message naming it.
func TestNotImplemented(t *testing.T) {
	s, rec := newDemo(t, endpoint.Config{Errors: testErrors, Internal: internal, MaxBodyBytes: 8})
	tests := []struct {
		request
		op, uri string
	}{
		{request{method: "POST", target: "/findings/sample"}, "CreateSampleFindings", "POST /findings/sample"},
		{request{method: "GET", target: "/allow-lists/x%2Fy"}, "GetAllowList", "GET /allow-lists/{id}"},
		// An unserved literal route is not mistaken for a served label.
		{request{method: "GET", target: "/members/special"}, "DescribeSpecial", "GET /members/special"},
		// Unserved operations are answered before their body is read.
		{request{method: "POST", target: "/findings/sample", body: strings.Repeat("x", 100)}, "CreateSampleFindings", "POST /findings/sample"},
	}
	for _, tt := range tests {
		w, call := serve(t, s, tt.request)
		body := wireError(t, w, http.StatusNotFound, "UnknownOperationException")
		want := "localsec does not implement demo's " + tt.op + " operation (" + tt.uri + "); it serves the operations of account membership."
		if body["message"] != want || len(body) != 1 {
			t.Errorf("%s: body = %v, want the message %q", tt.target, body, want)
		}
		if call.Operation != tt.op {
			t.Errorf("%s: call.Operation = %q, want %q", tt.target, call.Operation, tt.op)
		}
	}
	if len(rec.calls) != 0 {
		t.Errorf("handlers called: %v", rec.calls)
	}
}

func TestOperation(t *testing.T) {
	svc := demoService(demoOperations())
	tests := []struct{ method, target, want string }{
		{"GET", "/members", "ListMembers"},
		{"GET", "/members/special", "DescribeSpecial"},
		{"GET", "/members/x", "GetMember"},
		{"GET", "/invitations/count", "GetInvitationsCount"},
		{"GET", "/objects/b/k/j", "GetObject"},
		{"GET", "/buckets/b?versioning", "GetVersioning"},
		{"DELETE", "/tags/" + encodedARN, "UntagResource"},
		{"PUT", "/members", ""},
		{"GET", "/nowhere", ""},
	}
	for _, tt := range tests {
		got := restjson.Operation(svc, httptest.NewRequest(tt.method, tt.target, nil))
		switch {
		case tt.want == "" && got != nil:
			t.Errorf("Operation(%s %s) = %s, want none", tt.method, tt.target, got.Name)
		case tt.want != "" && (got == nil || got != svc.Operation(tt.want)):
			t.Errorf("Operation(%s %s) = %v, want %s", tt.method, tt.target, got, tt.want)
		}
	}
}

func TestInputErrors(t *testing.T) {
	const (
		malformed = "1"
		wrongType = "2"
		invalid   = "3"
	)
	valid := `{"account":{"accountId":"1","email":"e"}}`
	tests := []struct {
		request
		kind, field, message string
	}{
		{request{method: "GET", target: "/members?maxResults=26"}, invalid, "maxResults",
			"1 validation error detected: Value '26' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 25"},
		{request{method: "GET", target: "/members?maxResults=0&accountId=1"}, invalid, "maxResults",
			"1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{request{method: "GET", target: "/members?maxResults=abc"}, wrongType, "maxResults", "The value of maxResults must be of type integer, not 'abc'."},
		{request{method: "GET", target: "/members?maxResults="}, wrongType, "maxResults", "The value of maxResults must be of type integer, not ''."},
		{request{method: "GET", target: "/members?maxResults=1.0"}, wrongType, "maxResults", "The value of maxResults must be of type integer, not '1.0'."},
		{request{method: "GET", target: "/members?onlyAssociated=yes"}, wrongType, "onlyAssociated", "The value of onlyAssociated must be of type boolean, not 'yes'."},
		{request{method: "GET", target: "/members?since=never"}, wrongType, "since", "The value of since must be of type timestamp, not 'never'."},
		{request{method: "DELETE", target: "/tags/x"}, invalid, "tagKeys",
			"1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null"},
		{request{method: "POST", target: "/tags/x", body: `{}`}, invalid, "tags",
			"1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null"},
		{request{method: "POST", target: "/tags/x", body: `{"tags":{"k":1}}`}, wrongType, "tags", "The value of tags[k] must be of type string, not number 1."},
		{request{method: "PATCH", target: "/macie/members/1", body: `{"status":"enabled"}`}, invalid, "status",
			"1 validation error detected: Value 'enabled' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [PAUSED, ENABLED]"},
		{request{method: "POST", target: "/members"}, invalid, "account",
			"1 validation error detected: Value null at 'account' failed to satisfy constraint: Member must not be null"},
		{request{method: "POST", target: "/members", body: " \n "}, invalid, "account", ""},
		// Member names are exact: "Account" is not "account".
		{request{method: "POST", target: "/members", body: `{"Account":{"accountId":"1","email":"e"}}`}, invalid, "account",
			"1 validation error detected: Value null at 'account' failed to satisfy constraint: Member must not be null"},
		{request{method: "POST", target: "/members", body: `{"account":{"AccountId":"1","email":"e"}}`}, invalid, "account",
			"1 validation error detected: Value null at 'account.accountId' failed to satisfy constraint: Member must not be null"},
		{request{method: "POST", target: "/members", body: `{"account":"222222222222"}`}, wrongType, "account",
			"The value of account must be of type object, not string."},
		{request{method: "POST", target: "/members", body: `{"account":{"accountId":222222222222,"email":"e"}}`}, wrongType, "account",
			"The value of account.accountId must be of type string, not number 222222222222."},
		{request{method: "POST", target: "/members", body: `[]`}, malformed, "", "The request body must be a JSON object."},
		{request{method: "POST", target: "/members", body: `null`}, malformed, "", "The request body must be a JSON object."},
		{request{method: "POST", target: "/members", body: `account=1`}, malformed, "", "The request body must be a JSON object."},
		{request{method: "POST", target: "/members", body: `{"account":`}, malformed, "", "The request body is not valid JSON."},
		{request{method: "POST", target: "/members", body: valid + ` x`}, malformed, "", "The request body is not valid JSON."},
		{request{method: "POST", target: "/members", body: valid + valid}, malformed, "", "The request body is not valid JSON."},
		{request{method: "POST", target: "/members", body: valid, header: http.Header{"X-Amz-Count": {"x"}}}, wrongType, "X-Amz-Count",
			"The value of X-Amz-Count must be of type integer, not 'x'."},
	}
	s, rec := newDemo(t, demoConfig())
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target+" "+tt.body, func(t *testing.T) {
			rec.calls = nil
			w, call := serve(t, s, tt.request)
			body := wireError(t, w, http.StatusBadRequest, "ValidationException")
			if body["kind"] != tt.kind || body["field"] != tt.field {
				t.Errorf("kind %s field %q, want kind %s field %q (%s)", body["kind"], body["field"], tt.kind, tt.field, body["message"])
			}
			if tt.message != "" && body["message"] != tt.message {
				t.Errorf("message =\n%q\nwant\n%q", body["message"], tt.message)
			}
			if len(rec.calls) != 0 {
				t.Errorf("the handler ran on a refused input")
			}
			if call.Operation == "" {
				t.Errorf("call.Operation not set for a routed request")
			}
		})
	}
}

// Operations without body members ignore the body.
func TestBodyIgnoredWithoutBodyMembers(t *testing.T) {
	s, rec := newDemo(t, demoConfig())
	w, _ := serve(t, s, request{method: "GET", target: "/members/1", body: "not JSON at all"})
	if w.Code != http.StatusOK || !reflect.DeepEqual(rec.in, &idIn{Id: new("1")}) {
		t.Errorf("%d %s, input %s", w.Code, w.Body, dump(rec.in))
	}
}

func TestHeaderMembers(t *testing.T) {
	s, rec := newDemo(t, demoConfig())
	header := http.Header{
		"x-amz-client-token": {"tok"},
		"X-Amz-Flags":        {"a, b", "c"},
		"X-AMZ-COUNT":        {"7"},
	}
	w, _ := serve(t, s, request{method: "POST", target: "/members", body: `{"account":{"accountId":"1","email":"e"},"tags":{}}`, header: header})
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	want := &createMemberIn{Account: &accountDetail{AccountId: new("1"), Email: new("e")}, Tags: map[string]string{},
		ClientToken: new("tok"), Flags: []string{"a", "b", "c"}, Count: new(int32(7))}
	if !reflect.DeepEqual(rec.in, want) {
		t.Errorf("input = %s, want %s", dump(rec.in), dump(want))
	}

	// Output header members are headers, not body members.
	if got := w.Body.String(); got != `{"arn":"arn:x"}` {
		t.Errorf("body = %s", got)
	}
	for k, v := range map[string]string{"X-Amz-Request-Thing": "r-1", "X-Amz-Ok": "true", "X-Amz-N": "3", "Content-Type": "application/json", "Content-Length": "15"} {
		if got := w.Header().Get(k); got != v {
			t.Errorf("header %s = %q, want %q", k, got, v)
		}
	}

	// Several values of a scalar header are joined.
	w, _ = serve(t, s, request{method: "POST", target: "/members", body: `{"account":{"accountId":"1","email":"e"}}`,
		header: http.Header{"X-Amz-Client-Token": {"a", "b"}}})
	if w.Code != http.StatusOK || *rec.in.(*createMemberIn).ClientToken != "a,b" {
		t.Errorf("%d, input %s", w.Code, dump(rec.in))
	}
}

func TestSuccessBodies(t *testing.T) {
	s, _ := newDemo(t, demoConfig())
	tests := []struct {
		request
		status int
		body   string
	}{
		{request{method: "GET", target: "/members/1"}, 200,
			`{"accountId":"1","email":"e@example.com","invitedAt":"2024-05-01T12:34:56.789Z","updatedAt":1714566896.789,"tags":{"a":"1","b":"2"}}`},
		{request{method: "GET", target: "/members"}, 200, `{"members":[{"accountId":"1","invitedAt":"2024-05-01T12:34:56.789Z"},{}],"nextToken":"n"}`},
		{request{method: "GET", target: "/invitations/count"}, 200, `{"invitationsCount":0}`},
		{request{method: "GET", target: "/tags/x"}, 200, `{"tags":{"k":"v"}}`},
		{request{method: "PATCH", target: "/macie/members/1", body: `{"status":"ENABLED"}`}, 200, `{}`}, // an empty output
		{request{method: "GET", target: "/objects/b/k"}, 200, `{}`},                                     // no output shape
		{request{method: "POST", target: "/members/disassociate/1"}, 200, `{}`},
	}
	for _, tt := range tests {
		w, _ := serve(t, s, tt.request)
		if w.Code != tt.status || w.Body.String() != tt.body {
			t.Errorf("%s %s = %d %s, want %d %s", tt.method, tt.target, w.Code, w.Body, tt.status, tt.body)
		}
		if w.Header().Get("Content-Type") != "application/json" || w.Header().Get("Content-Length") != strconv.Itoa(len(tt.body)) {
			t.Errorf("%s %s: headers %v", tt.method, tt.target, w.Header())
		}
		if w.Header().Get("X-Amzn-ErrorType") != "" {
			t.Errorf("%s %s: a success carries X-Amzn-ErrorType", tt.method, tt.target)
		}
	}

	// 204 answers have no body, whatever the handler returns.
	for _, r := range []request{
		{method: "POST", target: "/tags/" + encodedARN, body: `{"tags":{"a":"b"}}`},
		{method: "DELETE", target: "/tags/" + encodedARN + "?tagKeys=a"},
	} {
		w, _ := serve(t, s, r)
		if w.Code != http.StatusNoContent || w.Body.Len() != 0 {
			t.Errorf("%s: %d %q, want 204 and no body", r.method, w.Code, w.Body)
		}
	}
}

func TestRequestWithoutCall(t *testing.T) {
	s, rec := newDemo(t, demoConfig())
	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest("GET", "/members/1", nil))
	if w.Code != http.StatusOK || rec.call == nil || rec.call.Operation != "GetMember" {
		t.Errorf("%d %s, call %+v", w.Code, w.Body, rec.call)
	}
	w = httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest("GET", "/nowhere", nil))
	wireError(t, w, http.StatusNotFound, "UnknownOperationException")
}

// bodyFor returns a valid CreateMember body of exactly n bytes.
func bodyFor(t *testing.T, n int) string {
	t.Helper()
	const head, tail = `{"account":{"accountId":"1","email":"e"},"x":"`, `"}`
	if n < len(head)+len(tail) {
		t.Fatalf("no body of %d bytes", n)
	}
	return head + strings.Repeat("a", n-len(head)-len(tail)) + tail
}

func TestBodyBound(t *testing.T) {
	cfg := demoConfig()
	cfg.MaxBodyBytes = 64
	s, rec := newDemo(t, cfg)

	w, _ := serve(t, s, request{method: "POST", target: "/members", body: bodyFor(t, 64)})
	if w.Code != http.StatusOK || len(rec.calls) != 1 {
		t.Fatalf("at the bound: %d %s", w.Code, w.Body)
	}
	for _, r := range []request{
		{method: "POST", target: "/members", body: bodyFor(t, 65)},
		{method: "GET", target: "/members/1", body: strings.Repeat(" ", 65)}, // any served operation
	} {
		w, _ = serve(t, s, r)
		body := wireError(t, w, http.StatusRequestEntityTooLarge, "ValidationException")
		if body["kind"] != strconv.Itoa(int(model.TooLarge)) || body["message"] != "The request body is larger than 64 bytes." {
			t.Errorf("%s %s: body %v", r.method, r.target, body)
		}
	}
	if len(rec.calls) != 1 {
		t.Errorf("handlers called %v, want once (not for the oversized bodies)", rec.calls)
	}

	// The zero Config bounds bodies at DefaultMaxBodyBytes.
	def, _ := newDemo(t, demoConfig())
	w, _ = serve(t, def, request{method: "POST", target: "/members", body: bodyFor(t, endpoint.DefaultMaxBodyBytes)})
	if w.Code != http.StatusOK {
		t.Errorf("a body of DefaultMaxBodyBytes: %d %s", w.Code, w.Body)
	}
	w, _ = serve(t, def, request{method: "POST", target: "/members", body: bodyFor(t, endpoint.DefaultMaxBodyBytes+1)})
	wireError(t, w, http.StatusRequestEntityTooLarge, "ValidationException")
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestBodyReadError(t *testing.T) {
	s, rec := newDemo(t, demoConfig())
	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest("POST", "/members", failingReader{}))
	body := wireError(t, w, http.StatusBadRequest, "ValidationException")
	if body["kind"] != strconv.Itoa(int(model.Malformed)) || body["message"] != "The request body could not be read." {
		t.Errorf("body = %v", body)
	}
	if len(rec.calls) != 0 {
		t.Errorf("handler called")
	}
}

// The behaviour service's operations answer in every way a handler can.
type (
	nameOut  struct{ Name *string }
	ratioOut struct{ Ratio *float64 }
	timeHdr  struct{ At *time.Time }
)

func behaviourServer(t *testing.T, cfg endpoint.Config) *restjson.Server {
	t.Helper()
	shName := &model.Shape{Name: "NameResponse", Type: model.Structure, Members: []model.Member{{Name: "name", WireName: "name", Shape: shString}}}
	shRatio := &model.Shape{Name: "RatioResponse", Type: model.Structure, Members: []model.Member{
		{Name: "ratio", WireName: "ratio", Shape: &model.Shape{Name: "__double", Type: model.Double}}}}
	shTimeHdr := &model.Shape{Name: "TimeHeaderResponse", Type: model.Structure, Members: []model.Member{
		{Name: "at", WireName: "X-At", Shape: shTime, Location: model.Header}}}
	newIn := func() any { return new(emptyIn) }
	results := map[string]func() (any, error){
		"Panic":    func() (any, error) { panic("boom in handler") },
		"Unmapped": func() (any, error) { return nil, errors.New("disk on fire") },
		"Conflict": func() (any, error) {
			return nil, &protocol.APIError{Type: "ConflictException", Status: 409, Message: "already"}
		},
		"Wrapped": func() (any, error) {
			return nil, fmt.Errorf("wrapped: %w", &protocol.APIError{Type: "ConflictException", Status: 409, Message: "again"})
		},
		"Refused": func() (any, error) {
			return nil, model.Refuse("accountIds", "The list must contain between 1 and 50 account IDs.")
		},
		"Nil":        func() (any, error) { return nil, nil },
		"TypedNil":   func() (any, error) { return (*nameOut)(nil), nil },
		"BadOutput":  func() (any, error) { return &objectIn{}, nil }, // not NameResponse's struct
		"NaN":        func() (any, error) { return &ratioOut{Ratio: new(math.NaN())}, nil },
		"Created":    func() (any, error) { return &nameOut{Name: new("x")}, nil },
		"TimeHeader": func() (any, error) { return &timeHdr{At: new(testTime)}, nil },
	}
	ops := []*model.Operation{
		op("Panic", "GET", "/panic", 200, shEmptyIn, shName, newIn),
		op("Unmapped", "GET", "/unmapped", 200, shEmptyIn, shName, newIn),
		op("Conflict", "GET", "/conflict", 200, shEmptyIn, shName, newIn),
		op("Wrapped", "GET", "/wrapped", 200, shEmptyIn, shName, newIn),
		op("Refused", "GET", "/refused", 200, shEmptyIn, shName, newIn),
		op("Nil", "GET", "/nil", 200, shEmptyIn, shName, newIn),
		op("TypedNil", "GET", "/typednil", 200, shEmptyIn, shName, newIn),
		op("BadOutput", "GET", "/badoutput", 200, shEmptyIn, shName, newIn),
		op("NaN", "GET", "/nan", 200, shEmptyIn, shRatio, newIn),
		op("Created", "PUT", "/things", 201, nil, shName, newIn),
		op("TimeHeader", "GET", "/timeheader", 200, nil, shTimeHdr, newIn),
	}
	hs := map[string]model.Handler{}
	for name, res := range results {
		hs[name] = func(context.Context, *protocol.Call, any) (any, error) { return res() }
	}
	return restjson.New(demoService(ops), hs, cfg)
}

func TestHandlerOutcomes(t *testing.T) {
	var logs bytes.Buffer
	var mapped []error
	cfg := endpoint.Config{Internal: internal, Logger: slog.New(slog.NewJSONHandler(&logs, nil)),
		Errors: func(err error) *protocol.APIError { mapped = append(mapped, err); return testErrors(err) }}
	s := behaviourServer(t, cfg)
	tests := []struct {
		target, method string
		status         int
		typ            string // "" for a success
		body           string
		logs           []string
	}{
		{"/panic", "GET", 500, "InternalServerException", `{"message":"An internal error occurred."}`,
			[]string{`"msg":"handler panic"`, `"request_id":"req-1"`, `"operation":"Panic"`, `"panic":"boom in handler"`, `"stack":`}},
		{"/unmapped", "GET", 500, "InternalServerException", `{"message":"An internal error occurred."}`,
			[]string{`"msg":"unmapped error"`, `"operation":"Unmapped"`, `"error":"disk on fire"`}},
		{"/conflict", "GET", 409, "ConflictException", `{"message":"already"}`, nil},
		{"/wrapped", "GET", 409, "ConflictException", `{"message":"again"}`, nil},
		{"/refused", "GET", 400, "ValidationException", `{"message":"The list must contain between 1 and 50 account IDs.","field":"accountIds","kind":"3"}`, nil},
		{"/nil", "GET", 200, "", `{}`, nil},
		{"/typednil", "GET", 200, "", `{}`, nil},
		{"/badoutput", "GET", 500, "InternalServerException", `{"message":"An internal error occurred."}`,
			[]string{`"msg":"unmapped error"`, `"operation":"BadOutput"`, `is not the Go struct of shape NameResponse`}},
		{"/nan", "GET", 500, "InternalServerException", `{"message":"An internal error occurred."}`,
			[]string{`"msg":"unmapped error"`, `NaN is not a JSON number`}},
		{"/things", "PUT", 201, "", `{"name":"x"}`, nil},
		{"/timeheader", "GET", 500, "InternalServerException", `{"message":"An internal error occurred."}`,
			[]string{`header member at of type time.Time`}},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			logs.Reset()
			mapped = nil
			w, _ := serve(t, s, request{method: tt.method, target: tt.target})
			if tt.typ != "" {
				wireError(t, w, tt.status, tt.typ)
			} else if w.Code != tt.status || w.Header().Get("X-Amzn-ErrorType") != "" {
				t.Errorf("status %d, X-Amzn-ErrorType %q; want %d and none", w.Code, w.Header().Get("X-Amzn-ErrorType"), tt.status)
			}
			if w.Body.String() != tt.body {
				t.Errorf("body = %s, want %s", w.Body, tt.body)
			}
			for _, s := range tt.logs {
				if !strings.Contains(logs.String(), s) {
					t.Errorf("log %s does not contain %s", logs.String(), s)
				}
			}
			if tt.logs == nil && logs.Len() != 0 {
				t.Errorf("logged %s", logs.String())
			}
			if tt.target == "/panic" && len(mapped) != 0 {
				t.Errorf("a panic went through the mapping: %v", mapped)
			}
		})
	}

	// Without a mapping or a logger every error is Internal, and nothing
	// panics.
	bare := behaviourServer(t, endpoint.Config{Internal: internal})
	for _, target := range []string{"/panic", "/conflict", "/refused"} {
		w, _ := serve(t, bare, request{method: "GET", target: target})
		wireError(t, w, http.StatusInternalServerError, "InternalServerException")
	}
}

func TestNewWithoutHandler(t *testing.T) {
	defer func() {
		if p := recover(); p != "restjson: demo serves GetMember without a handler" {
			t.Errorf("recover() = %v", p)
		}
	}()
	svc := demoService(demoOperations())
	hs := handlers(svc, nil, nil)
	delete(hs, "GetMember")
	restjson.New(svc, hs, demoConfig())
	t.Error("New did not panic")
}

func TestOperations(t *testing.T) {
	s, _ := newDemo(t, demoConfig())
	want := []string{"GetObject", "GetObjectLabel", "GetObjectMeta", "GetBucket", "GetVersioning", "GetAcl", "GetInvitation",
		"GetInvitationsCount", "ListMembers", "CreateMember", "GetMember", "DisassociateMember", "UpdateMemberSession",
		"ListTagsForResource", "TagResource", "UntagResource"}
	if got := s.Operations(); !slices.Equal(got, want) {
		t.Errorf("Operations = %v, want %v", got, want)
	}
	empty := restjson.New(demoService(nil), nil, demoConfig())
	if got := empty.Operations(); len(got) != 0 {
		t.Errorf("Operations of an empty service = %v", got)
	}
	w := httptest.NewRecorder()
	empty.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	wireError(t, w, http.StatusNotFound, "UnknownOperationException")
}

func TestWriteErrors(t *testing.T) {
	e := &protocol.APIError{Type: "BadRequestException", Status: 400, Message: "bad", Fields: map[string]string{"__type": "InvalidInputException"}}

	w := httptest.NewRecorder()
	restjson.WriteError(w, e)
	if w.Code != 400 || w.Body.String() != `{"message":"bad","__type":"InvalidInputException"}` || w.Header().Get("X-Amzn-ErrorType") != "BadRequestException" {
		t.Errorf("WriteError: %d %s %v", w.Code, w.Body, w.Header())
	}

	s := restjson.New(demoService(nil), nil, endpoint.Config{ErrorBody: endpoint.ErrorBody{Message: "Message", Code: []string{"Code"}}})
	w = httptest.NewRecorder()
	s.WriteError(w, &protocol.APIError{Type: "InvalidInputException", Status: 400, Message: "bad"})
	if w.Body.String() != `{"Message":"bad","Code":"InvalidInputException"}` || w.Header().Get("Content-Type") != "application/json" {
		t.Errorf("Server.WriteError: %s %v", w.Body, w.Header())
	}

	u := restjson.UnknownOperation("macie2", "PUT", "/members")
	if !reflect.DeepEqual(u, &protocol.APIError{Type: "UnknownOperationException", Status: 404, Message: "localsec has no macie2 operation for PUT /members."}) {
		t.Errorf("UnknownOperation = %+v", u)
	}
	n := restjson.NotImplemented("macie2", &model.Operation{Name: "GetFindings", Method: "POST", URI: "/findings/describe"})
	if !reflect.DeepEqual(n, &protocol.APIError{Type: "UnknownOperationException", Status: 404,
		Message: "localsec does not implement macie2's GetFindings operation (POST /findings/describe); it serves the operations of account membership."}) {
		t.Errorf("NotImplemented = %+v", n)
	}
}

func TestWriteJSON(t *testing.T) {
	w := httptest.NewRecorder()
	if err := restjson.WriteJSON(w, http.StatusOK, map[string]any{"n": 1, "s": "<&>"}); err != nil {
		t.Fatal(err)
	}
	want := `{"n":1,"s":"\u003c\u0026\u003e"}`
	if w.Code != 200 || w.Body.String() != want || w.Header().Get("Content-Type") != "application/json" || w.Header().Get("Content-Length") != strconv.Itoa(len(want)) {
		t.Errorf("WriteJSON: %d %q %v", w.Code, w.Body, w.Header())
	}
	w = httptest.NewRecorder()
	if err := restjson.WriteJSON(w, http.StatusOK, make(chan int)); err == nil {
		t.Error("WriteJSON(chan) = nil error")
	}
	if w.Body.Len() != 0 || w.Header().Get("Content-Type") != "" {
		t.Errorf("WriteJSON wrote something on a marshalling error: %q %v", w.Body, w.Header())
	}
}

// maxFuzzRequest bounds the fuzzed request parts, so that the fuzzer's
// minimization of new inputs stays short.
const maxFuzzRequest = 512

// FuzzRoute: no request makes the server panic or answer a 5xx, and every
// answer is well formed.
func FuzzRoute(f *testing.F) {
	for _, s := range [][4]string{
		{"GET", "/members", "maxResults=5", ""},
		{"GET", "/members", "maxResults=26&accountId=1&accountId=2&onlyAssociated=x", ""},
		{"GET", "/tags/" + encodedARN, "", ""},
		{"DELETE", "/tags/x", "tagKeys=a&tagKeys=b", ""},
		{"POST", "/tags/x", "", `{"tags":{"k":"v"}}`},
		{"GET", "/objects/b/a/b%2Fc/", "", ""},
		{"GET", "/buckets/b", "versioning", ""},
		{"GET", "/buckets/b", "type=acl", ""},
		{"POST", "/members", "", `{"account":{"accountId":"1","email":"e"}}`},
		{"POST", "/members", "", `[]`},
		{"PATCH", "/macie/members/%E2%82%AC", "", `{"status":"PAUSED"}`},
		{"POST", "/findings/sample", "", ""},
		{"GET", "//", "%zz", "\xff"},
		{"PUT", "/members/1", "", ""},
	} {
		f.Add(s[0], s[1], s[2], []byte(s[3]))
	}
	svc := demoService(demoOperations())
	s := restjson.New(svc, handlers(svc, nil, demoOutputs), demoConfig())
	f.Fuzz(func(t *testing.T, method, path, query string, body []byte) {
		if len(method)+len(path)+len(query)+len(body) > maxFuzzRequest {
			return
		}
		u, err := url.ParseRequestURI("/" + strings.TrimPrefix(path, "/"))
		if err != nil || u.RawQuery != "" {
			return
		}
		u.RawQuery = query
		r := &http.Request{Method: method, URL: u, Header: http.Header{}, Body: http.NoBody}
		if len(body) > 0 {
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		call := &protocol.Call{RequestID: "req-1"}
		r = r.WithContext(protocol.WithCall(context.Background(), call))
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)

		typ := w.Header().Get("X-Amzn-ErrorType")
		switch {
		case w.Code >= 500:
			t.Fatalf("%s %s?%s %q: %d %s", method, u.EscapedPath(), query, body, w.Code, w.Body)
		case w.Code == http.StatusNotFound && typ != "UnknownOperationException":
			t.Fatalf("%s %s?%s: 404 of type %q", method, u.EscapedPath(), query, typ)
		}
		if w.Code == http.StatusNoContent {
			if w.Body.Len() != 0 {
				t.Fatalf("a 204 with a body %q", w.Body)
			}
			return
		}
		if cl := w.Header().Get("Content-Length"); cl != strconv.Itoa(w.Body.Len()) {
			t.Fatalf("Content-Length %q for %d bytes", cl, w.Body.Len())
		}
		var obj map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &obj); err != nil {
			t.Fatalf("%s %s?%s: body %q is not a JSON object", method, u.EscapedPath(), query, w.Body)
		}
		if w.Code >= 400 {
			if _, ok := obj["message"].(string); !ok || typ == "" {
				t.Fatalf("%s %s?%s: error %d %s without a message or a type", method, u.EscapedPath(), query, w.Code, w.Body)
			}
		} else if call.Operation == "" || typ != "" {
			t.Fatalf("%s %s?%s: success %d for operation %q, type %q", method, u.EscapedPath(), query, w.Code, call.Operation, typ)
		}
	})
}

// The generated Macie model routes and validates as Macie does.
func TestMacieModel(t *testing.T) {
	svc := macie2.Model()
	rec := &recorder{}
	s := restjson.New(svc, handlers(svc, rec, nil), demoConfig())
	tests := []struct {
		request
		status int
		op     string
		in     any
	}{
		{request{method: "GET", target: "/members"}, 200, "ListMembers", &macie2.ListMembersRequest{}},
		{request{method: "GET", target: "/members?maxResults=25&onlyAssociated=true"}, 200, "ListMembers",
			&macie2.ListMembersRequest{MaxResults: new(int32(25)), OnlyAssociated: new("true")}},
		{request{method: "POST", target: "/members", body: `{"account":{"accountId":"1","email":"e"},"tags":{"k":"v"}}`}, 200, "CreateMember",
			&macie2.CreateMemberRequest{Account: &macie2.AccountDetail{AccountId: new("1"), Email: new("e")}, Tags: map[string]string{"k": "v"}}},
		{request{method: "GET", target: "/members/222222222222"}, 200, "GetMember", &macie2.GetMemberRequest{Id: new("222222222222")}},
		{request{method: "GET", target: "/admin"}, 200, "ListOrganizationAdminAccounts", &macie2.ListOrganizationAdminAccountsRequest{}},
		{request{method: "DELETE", target: "/admin?adminAccountId=1"}, 200, "DisableOrganizationAdminAccount",
			&macie2.DisableOrganizationAdminAccountRequest{AdminAccountId: new("1")}},
		{request{method: "GET", target: "/admin/configuration"}, 200, "DescribeOrganizationConfiguration", &macie2.DescribeOrganizationConfigurationRequest{}},
		{request{method: "GET", target: "/invitations/count"}, 200, "GetInvitationsCount", &macie2.GetInvitationsCountRequest{}},
		{request{method: "PATCH", target: "/macie/members/1", body: `{"status":"PAUSED"}`}, 200, "UpdateMemberSession",
			&macie2.UpdateMemberSessionRequest{Id: new("1"), Status: new("PAUSED")}},
		{request{method: "GET", target: "/tags/" + encodedARN}, 200, "ListTagsForResource", &macie2.ListTagsForResourceRequest{ResourceArn: new(decodedARN)}},
		{request{method: "POST", target: "/tags/" + encodedARN, body: `{"tags":{"k":"v"}}`}, 204, "TagResource",
			&macie2.TagResourceRequest{ResourceArn: new(decodedARN), Tags: map[string]string{"k": "v"}}},
		{request{method: "DELETE", target: "/tags/x?tagKeys=a&tagKeys=b"}, 204, "UntagResource",
			&macie2.UntagResourceRequest{ResourceArn: new("x"), TagKeys: []string{"a", "b"}}},
	}
	for _, tt := range tests {
		rec.calls = nil
		w, call := serve(t, s, tt.request)
		wantBody := "{}"
		if tt.status == 204 {
			wantBody = ""
		}
		if w.Code != tt.status || w.Body.String() != wantBody || call.Operation != tt.op || !slices.Equal(rec.calls, []string{tt.op}) {
			t.Errorf("%s %s = %d %q for %q (handlers %v), want %d %q for %s", tt.method, tt.target, w.Code, w.Body, call.Operation, rec.calls, tt.status, wantBody, tt.op)
			continue
		}
		if !reflect.DeepEqual(rec.in, tt.in) {
			t.Errorf("%s %s: input %s, want %s", tt.method, tt.target, dump(rec.in), dump(tt.in))
		}
	}

	refused := []struct {
		request
		status  int
		typ     string
		message string
	}{
		{request{method: "GET", target: "/members?maxResults=26"}, 400, "ValidationException",
			"1 validation error detected: Value '26' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 25"},
		{request{method: "DELETE", target: "/admin"}, 400, "ValidationException",
			"1 validation error detected: Value null at 'adminAccountId' failed to satisfy constraint: Member must not be null"},
		{request{method: "PATCH", target: "/macie", body: `{"status":"STOPPED"}`}, 400, "ValidationException",
			"1 validation error detected: Value 'STOPPED' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [PAUSED, ENABLED]"},
		{request{method: "POST", target: "/findings/sample"}, 404, "UnknownOperationException",
			"localsec does not implement macie2's CreateSampleFindings operation (POST /findings/sample); it serves the operations of account membership."},
		{request{method: "GET", target: "/macie/members/1"}, 404, "UnknownOperationException", "localsec has no macie2 operation for GET /macie/members/1."},
	}
	for _, tt := range refused {
		rec.calls = nil
		w, _ := serve(t, s, tt.request)
		if body := wireError(t, w, tt.status, tt.typ); body["message"] != tt.message {
			t.Errorf("%s %s: message %q, want %q", tt.method, tt.target, body["message"], tt.message)
		}
		if len(rec.calls) != 0 {
			t.Errorf("%s %s: handlers %v", tt.method, tt.target, rec.calls)
		}
	}
}
