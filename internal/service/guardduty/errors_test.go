package guardduty

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	api "github.com/localsec/localsec/internal/api/guardduty"
	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/protocol"
	"github.com/localsec/localsec/internal/protocol/model"
)

// engineCodes reads every Code constant the membership engine declares,
// from its source, so that a code added there without a GuardDuty message
// fails this test.
func engineCodes(t *testing.T) []membership.Code {
	t.Helper()
	dir := filepath.Join("..", "..", "membership")
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, dir, func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	if err != nil {
		t.Fatalf("parsing the membership engine: %v", err)
	}
	var codes []membership.Code
	for _, pkg := range pkgs {
		for _, f := range pkg.Files {
			for _, decl := range f.Decls {
				gd, ok := decl.(*ast.GenDecl)
				if !ok || gd.Tok != token.CONST {
					continue
				}
				for _, spec := range gd.Specs {
					vs := spec.(*ast.ValueSpec)
					if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Code" {
						continue
					}
					for i, v := range vs.Values {
						lit, ok := v.(*ast.BasicLit)
						if !ok || lit.Kind != token.STRING {
							t.Fatalf("Code constant %s is not a string literal", vs.Names[i].Name)
						}
						s, err := strconv.Unquote(lit.Value)
						if err != nil {
							t.Fatal(err)
						}
						codes = append(codes, membership.Code(s))
					}
				}
			}
		}
	}
	if len(codes) < 30 {
		t.Fatalf("found only %d engine codes in %s: is the parser still reading the right files?", len(codes), dir)
	}
	return codes
}

func TestMessagesCoverEveryEngineCode(t *testing.T) {
	msgs := Messages()
	codes := engineCodes(t)
	known := map[membership.Code]bool{}
	for _, code := range codes {
		known[code] = true
		r, ok := msgs[code]
		if !ok {
			t.Errorf("engine code %s has no GuardDuty message", code)
			continue
		}
		if r.Message == "" || (r.Evidence != Confirmed && r.Evidence != Inferred) {
			t.Errorf("%s: message %q evidence %q", code, r.Message, r.Evidence)
		}
		e := apiError(r.Exception, r.Message)
		if e.Status < 400 || e.Status > 499 {
			t.Errorf("%s: exception %s is HTTP %d, want a 4xx", code, r.Exception, e.Status)
		}
		if r.Exception != badRequestException && r.Exception != accessDeniedException {
			t.Errorf("%s: exception %s is not one GuardDuty's model gives these operations", code, r.Exception)
		}
		if (!strings.HasSuffix(r.Message, ".") && code != membership.CodeManagementNotEnabled) || strings.Contains(r.Message, "  ") {
			t.Errorf("%s: message %q is not one sentence ending with a period", code, r.Message)
		}
	}
	for code := range msgs {
		if !known[code] {
			t.Errorf("Messages has an entry for %s, which the engine does not declare", code)
		}
	}
}

// The confirmed texts of spec §2.2 and §2.3, verbatim.
func TestConfirmedMessagesAreVerbatim(t *testing.T) {
	const (
		invalidValue  = "The request is rejected because an invalid or out-of-range value is specified as an input parameter."
		notOwned      = "The request is rejected because the input detectorId is not owned by the current account."
		notAssociated = "The request is rejected because the given account ID is not an associated member of account the current account."
		cannotDelete  = "The request is rejected because the current account cannot delete the invitation from the given master account ID since it is still associated to it or has not declined their invitation yet."
		noPermission  = "The request failed because you do not have required AWS Organization master permission."
	)
	want := map[membership.Code]string{
		membership.CodeResourceNotOwned:      notOwned,
		membership.CodeAlreadyEnabled:        "The request is rejected because a detector already exists for the current account.",
		membership.CodeDisableWithMembers:    "The request is rejected because the current account cannot delete detector while it has invited or associated members.",
		membership.CodeSelfMember:            "The request is rejected because an account cannot become a member of itself.",
		membership.CodeAlreadyMember:         "The request is rejected because the given account ID is already a member or associated member of the current account.",
		membership.CodeCreateByMember:        "The request is rejected because the current account cannot create members since it is already an associated member of another master account.",
		membership.CodeMemberQuotaExceeded:   "The request is rejected because the current account cannot create anymore members since it cannot exceed the maximum number of allowed members.",
		membership.CodeSelfInvite:            "The request is rejected because the current account cannot invite itself.",
		membership.CodeInviteByMember:        "The request is rejected because the current account cannot invite other accounts since it is already an associated member of another master account.",
		membership.CodeNotCreated:            "The request is rejected because member account's email address is missing.",
		membership.CodeAlreadyInvited:        "The request is rejected because the current account has already invited or is already the GuardDuty master of the given member account ID.",
		membership.CodeNotMember:             notAssociated,
		membership.CodeNotAssociated:         notAssociated,
		membership.CodeStillAssociated:       "The request is rejected because the current account cannot delete the given member account ID since it is still associated to it.",
		membership.CodeNoInvitation:          "The request is rejected because the current account does not have an invitation from the requested master account.",
		membership.CodeAcceptWhileMember:     "The request is rejected because the current account cannot accept invitations since it is already an associated member of some master account.",
		membership.CodeAcceptWithMembers:     "The request is rejected because the current account cannot accept invitations since it still has created, invited or associated members.",
		membership.CodeInviterIsMember:       "The request is rejected because the current account cannot accept invitation from the given account ID since the latter is an associated member of another master account.",
		membership.CodeInvitationIsCurrent:   cannotDelete,
		membership.CodeInvitationNotDeclined: cannotDelete,
		membership.CodeNoAdministrator:       "The request is rejected because the current account is not associated to a master account.",
		membership.CodeNotInOrganization:     invalidValue,
		membership.CodeOrgAdminNotFound:      "The request failed because the delegated administrator account has already been disabled and/or GuardDuty protection has been disabled.",
		membership.CodeNotOrgAdmin:           noPermission,
		// The one confirmed text without a final period (spec §2.3).
		membership.CodeManagementNotEnabled: "Operation failed because your organization master must first enable GuardDuty to be added as a member",
	}
	msgs := Messages()
	for code, text := range want {
		r := msgs[code]
		if r.Message != text {
			t.Errorf("%s:\n got %q\nwant %q", code, r.Message, text)
		}
		if r.Evidence != Confirmed {
			t.Errorf("%s: evidence %q, want confirmed (spec §2.2/§2.3)", code, r.Evidence)
		}
		if r.Exception != badRequestException {
			t.Errorf("%s: exception %s, want BadRequestException", code, r.Exception)
		}
	}
	// Anything marked confirmed must be one of the spec's texts.
	spec := map[string]bool{}
	for _, text := range want {
		spec[text] = true
	}
	for code, r := range msgs {
		if r.Evidence == Confirmed && !spec[r.Message] {
			t.Errorf("%s is marked confirmed but %q is not a confirmed text of the spec", code, r.Message)
		}
	}
	// Not found is never a 404 (spec §2.1): not owned and not enabled are
	// both the not-owned 400.
	if msgs[membership.CodeNotEnabled].Message != notOwned || apiError(msgs[membership.CodeNotEnabled].Exception, "").Status != http.StatusBadRequest {
		t.Errorf("CodeNotEnabled = %+v, want the not-owned 400", msgs[membership.CodeNotEnabled])
	}
}

func TestInputMessage(t *testing.T) {
	const (
		invalidValue  = "The request is rejected because an invalid or out-of-range value is specified as an input parameter."
		invalidParams = "The request is rejected because one or more input parameters have invalid values."
		missingParams = "The request is rejected because required query or path parameters are not specified."
		badDetector   = "The request is rejected because the parameter detectorId has an invalid value."
		maxInvalid    = "The request is rejected because the parameter maxResults has an invalid value."
		maxBounds     = "The request is rejected because the parameter maxResults is out-of-bounds."
		onlyAssoc     = "The request is rejected because the parameter onlyAssociated has an invalid value."
	)
	violation := func(path string, loc model.Location, c model.Constraint) *model.InputError {
		return &model.InputError{Kind: model.Invalid, Violations: []model.Violation{{Path: path, Location: loc, Constraint: c}}}
	}
	for _, tc := range []struct {
		in   *model.InputError
		want string
	}{
		{model.MalformedBody("x"), invalidParams},
		{&model.InputError{Kind: model.Malformed, Path: "detectorId"}, invalidParams},
		{model.Refuse("detectorId", "x"), badDetector},
		{violation("detectorId", model.URI, model.MaxLength), badDetector},
		{violation("maxResults", model.QueryString, model.MaxValue), maxBounds},
		{violation("maxResults", model.QueryString, model.MinValue), maxBounds},
		{&model.InputError{Kind: model.WrongType, Path: "maxResults"}, maxInvalid},
		{model.Refuse("onlyAssociated", "x"), onlyAssoc},
		{violation("tagKeys", model.QueryString, model.Required), missingParams},
		{violation("adminAccountId", model.QueryString, model.Required), missingParams},
		{violation("tagKeys", model.QueryString, model.MaxLength), invalidValue},
		{violation("tagKeys[0]", model.QueryString, model.PatternMatch), invalidValue},
		{model.Refuse("resourceArn", "x"), invalidValue},
		{violation("accountIds", model.Body, model.Required), invalidValue},
		{violation("accountIds", model.Body, model.MinLength), invalidValue},
		{model.Refuse("features", "x"), invalidValue},
		{violation("enable", model.Body, model.Required), invalidValue},
		{&model.InputError{Kind: model.WrongType, Path: "accountIds"}, invalidValue},
		{violation("dataSources.kubernetes.auditLogs", model.Body, model.Required), invalidValue},
		{model.BodyTooLarge(1), invalidValue},
	} {
		if got := inputMessage(tc.in); got != tc.want {
			t.Errorf("inputMessage(kind %d, %+v) = %q, want %q", tc.in.Kind, tc.in.First(), got, tc.want)
		}
	}
}

func TestErrorMapping(t *testing.T) {
	errs := newErrors()
	check := func(what string, e *protocol.APIError, status int, exception, typ, msg string) {
		t.Helper()
		if e == nil {
			t.Fatalf("%s: no API error", what)
		}
		if e.Status != status || e.Type != exception || e.Fields["__type"] != typ || e.Message != msg {
			t.Errorf("%s = %d %s __type %q %q, want %d %s %q %q", what, e.Status, e.Type, e.Fields["__type"], e.Message, status, exception, typ, msg)
		}
	}
	check("input error", errs.Map(model.Refuse("detectorId", "x")), 400, "BadRequestException", "InvalidInputException",
		"The request is rejected because the parameter detectorId has an invalid value.")
	check("wrapped input error", errs.Map(fmt.Errorf("decoding: %w", &model.InputError{Kind: model.Invalid,
		Violations: []model.Violation{{Path: "maxResults", Constraint: model.MaxValue}}})), 400, "BadRequestException", "InvalidInputException",
		"The request is rejected because the parameter maxResults is out-of-bounds.")
	check("too large", errs.Map(model.BodyTooLarge(1)), http.StatusRequestEntityTooLarge, "BadRequestException", "InvalidInputException",
		"The request is rejected because an invalid or out-of-range value is specified as an input parameter.")
	check("not owned", errs.Map(&membership.Error{Code: membership.CodeResourceNotOwned}), 400, "BadRequestException", "InvalidInputException",
		"The request is rejected because the input detectorId is not owned by the current account.")
	check("wrapped engine error", errs.Map(fmt.Errorf("tx: %w", &membership.Error{Code: membership.CodeAlreadyEnabled, Account: "111111111111"})), 400, "BadRequestException", "InvalidInputException",
		"The request is rejected because a detector already exists for the current account.")
	other := Messages()[membership.CodeResourceOfOtherAccount]
	check("other account's resource", errs.Map(&membership.Error{Code: membership.CodeResourceOfOtherAccount}), 403, "AccessDeniedException", "AccessDeniedException", other.Message)
	if e := errs.Map(errors.New("disk on fire")); e != nil {
		t.Errorf("an unknown error mapped to %+v, want nil (the protocol layer's 500)", e)
	}
	if e := errs.Map(&membership.Error{Code: "NoSuchCode"}); e != nil {
		t.Errorf("an unknown engine code mapped to %+v, want nil", e)
	}
	check("internal", internalError(), 500, "InternalServerErrorException", "InternalException", "Internal server error.")
}

func TestUnprocessedAccounts(t *testing.T) {
	s := &Service{errs: newErrors()}
	if got := s.unprocessedAccounts(nil, nil); got == nil || len(got) != 0 {
		t.Fatalf("unprocessedAccounts(nil) = %#v, want an empty, non-nil list", got)
	}
	text := func(us []api.UnprocessedAccount) string {
		var out []string
		for _, u := range us {
			out = append(out, *u.AccountId+": "+*u.Result)
		}
		return strings.Join(out, "\n")
	}
	got := s.unprocessedAccounts([]membership.Unprocessed{
		{Account: "222222222222", Code: membership.CodeNotMember},
		{Account: "333333333333", Code: membership.CodeInvitationIsCurrent},
	}, map[membership.Code]string{membership.CodeInvitationIsCurrent: declineCurrentInvitation})
	want := "222222222222: The request is rejected because the given account ID is not an associated member of account the current account.\n" +
		"333333333333: " + declineCurrentInvitation
	if text(got) != want {
		t.Fatalf("unprocessedAccounts = %s, want %s", text(got), want)
	}
	// Without the override, the table's text.
	got = s.unprocessedAccounts([]membership.Unprocessed{{Account: "333333333333", Code: membership.CodeInvitationIsCurrent}}, nil)
	if *got[0].Result != Messages()[membership.CodeInvitationIsCurrent].Message {
		t.Fatalf("unprocessedAccounts without override = %s", text(got))
	}
}
