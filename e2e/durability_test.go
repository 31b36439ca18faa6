// The crash test (issue 4, point 4): the real localsec binary on a durable
// store serves a concurrent lifecycle load from several accounts, is
// killed with SIGKILL mid-load, restarted on the same store, and every
// write it acknowledged must still be there, with the invariants of the
// membership engine intact. The helpers here (processes, clients, views of
// accounts, invariants) also serve replicas_test.go.

package e2e_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	gdtypes "github.com/aws/aws-sdk-go-v2/service/guardduty/types"
	"github.com/aws/aws-sdk-go-v2/service/macie2"
	macietypes "github.com/aws/aws-sdk-go-v2/service/macie2/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/localsec/localsec/internal/store/pgstore/pgtest"
)

// durRegion is the region of every request of these tests.
const durRegion = "us-east-1"

// ---------------------------------------------------------------------
// The binary and its processes.

// durBuild builds cmd/localsec into a temporary directory and returns the
// binary's path.
func durBuild(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the localsec binary; skipped with -short")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not on PATH: cannot build the binary")
	}
	bin := filepath.Join(t.TempDir(), "localsec")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	out, err := exec.Command(goTool, "build", "-o", bin, "github.com/localsec/localsec/cmd/localsec").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// durLog collects a process's stderr while the test reads it.
type durLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *durLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// tail returns the last n lines.
func (l *durLog) tail(n int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	lines := strings.Split(strings.TrimRight(l.buf.String(), "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{fmt.Sprintf("[%d earlier lines]", len(lines)-n)}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}

// durProc is one running localsec process.
type durProc struct {
	name string
	cmd  *exec.Cmd
	url  string
	log  *durLog
	done chan struct{} // closed when the process has exited
	err  error         // Wait's answer, once done is closed
}

// durStart starts the binary with args (on a free loopback port) and
// returns once it printed "Ready.". The process is killed when the test
// ends; its log is shown if the test failed.
func durStart(t *testing.T, bin, name string, args ...string) *durProc {
	t.Helper()
	p, err := durLaunch(bin, name, args...)
	if err != nil {
		t.Fatal(err)
	}
	durCleanup(t, p)
	return p
}

// durCleanup kills p when the test ends and shows its log if it failed.
func durCleanup(t *testing.T, p *durProc) {
	t.Cleanup(func() {
		p.kill()
		if t.Failed() {
			t.Logf("%s stderr (%v):\n%s", p.name, p.err, p.log.tail(60))
		}
	})
}

// durLaunch is durStart without a test, for starting several processes
// at once. The environment's LOCALSEC_* and PERSISTENCE variables are not
// passed on: the arguments say everything. On an error the process is
// gone.
func durLaunch(bin, name string, args ...string) (*durProc, error) {
	p := &durProc{name: name, log: &durLog{}, done: make(chan struct{})}
	p.cmd = exec.Command(bin, append([]string{"--addr", "127.0.0.1:0"}, args...)...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "LOCALSEC_") && !strings.HasPrefix(kv, "PERSISTENCE=") {
			p.cmd.Env = append(p.cmd.Env, kv)
		}
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	p.cmd.Stdout = w
	p.cmd.Stderr = p.log
	if err := p.cmd.Start(); err != nil {
		r.Close()
		w.Close()
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	w.Close()
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	ready := make(chan string, 1)
	go func() {
		defer r.Close()
		sc := bufio.NewScanner(r)
		prev := ""
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintf(p.log, "[stdout] %s\n", line)
			if line == "Ready." {
				_, u, _ := strings.Cut(prev, " listening on ")
				ready <- u
			}
			prev = line
		}
	}()
	select {
	case p.url = <-ready:
		if strings.HasPrefix(p.url, "http://127.0.0.1:") {
			return p, nil
		}
		err = fmt.Errorf("%s announced %q, want a loopback URL", name, p.url)
	case <-p.done:
		return nil, fmt.Errorf("%s exited before \"Ready.\": %v\n%s", name, p.err, p.log.tail(40))
	case <-time.After(60 * time.Second):
		err = fmt.Errorf("%s printed no \"Ready.\" within 60s", name)
	}
	p.kill()
	return nil, fmt.Errorf("%w\n%s", err, p.log.tail(40))
}

// kill ends the process with SIGKILL (no shutdown, nothing flushed) and
// waits for it.
func (p *durProc) kill() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Kill()
	<-p.done
}

// stop ends the process with SIGTERM and checks that it exits cleanly.
func (p *durProc) stop(t *testing.T) {
	t.Helper()
	if runtime.GOOS == "windows" {
		p.kill()
		return
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM to %s: %v", p.name, err)
	}
	select {
	case <-p.done:
		if p.err != nil {
			t.Fatalf("%s exited with %v after SIGTERM, want status 0\n%s", p.name, p.err, p.log.tail(40))
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("%s did not exit within 20s of SIGTERM", p.name)
	}
}

// durSeed returns the seed of the test's random choices: LOCALSEC_TEST_SEED
// when set (to repeat a run), else the clock. It is logged.
func durSeed(t *testing.T) uint64 {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("LOCALSEC_TEST_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("LOCALSEC_TEST_SEED: %v", err)
		}
		seed = v
	}
	t.Logf("random seed %d (LOCALSEC_TEST_SEED=%d repeats these choices)", seed, seed)
	return seed
}

// ---------------------------------------------------------------------
// Clients.

// durTarget is one localsec endpoint and the HTTP client that reaches it.
type durTarget struct {
	url string
	hc  *http.Client
}

func durNewTarget(url string) *durTarget {
	return &durTarget{url: url, hc: &http.Client{
		Transport: &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: 30 * time.Second},
		Timeout:   30 * time.Second,
	}}
}

// config signs as account (the access key id is the account) and sends
// every request once: no retries, so each answer is seen as it is.
func (tg *durTarget) config(account string) aws.Config {
	return aws.Config{
		Region:       durRegion,
		Credentials:  credentials.NewStaticCredentialsProvider(account, "localsec-secret", ""),
		BaseEndpoint: aws.String(tg.url),
		HTTPClient:   tg.hc,
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	}
}

// durUnprocessed is a 2xx answer that refused the accounts it lists
// (unprocessedAccounts).
type durUnprocessed struct {
	op     string
	result string
}

func (e *durUnprocessed) Error() string { return e.op + ": unprocessed: " + e.result }

// durNoAnswer reports whether err means that no complete answer came: the
// connection was refused or cut (what a killed server causes), or a 2xx
// answer was cut short. Such a write may or may not have been committed.
func durNoAnswer(err error) bool {
	if err == nil {
		return false
	}
	var unp *durUnprocessed
	if errors.As(err, &unp) {
		return false
	}
	// The SDK wraps a failed send in a ResponseError too, with no
	// response (status 0).
	var re *smithyhttp.ResponseError
	if !errors.As(err, &re) || re.Response == nil || re.Response.Response == nil {
		return true
	}
	code := re.HTTPStatusCode()
	return code == 0 || code >= 200 && code < 300
}

// durRefusal reports whether err is the service refusing a request: a 4xx
// API error, or an account listed as unprocessed. A 5xx (a serialization
// failure the store gave up on, say) is not a refusal.
func durRefusal(err error) bool {
	var unp *durUnprocessed
	if errors.As(err, &unp) {
		return true
	}
	var re *smithyhttp.ResponseError
	var api smithy.APIError
	return errors.As(err, &re) && errors.As(err, &api) && re.HTTPStatusCode() >= 400 && re.HTTPStatusCode() < 500
}

// durAcct is one account's whole membership state in one service, as it
// sees it through the API.
type durAcct struct {
	Enabled bool
	// Members is the account's inventory: member account -> relationship
	// status (every record, ListMembers onlyAssociated=false).
	Members map[string]string
	// Admin and AdminStatus are GetAdministratorAccount's answer.
	Admin, AdminStatus string
	// Invites is ListInvitations: sender -> relationship status shown.
	Invites map[string]string
}

func (a durAcct) String() string {
	if !a.Enabled {
		return "{disabled}"
	}
	s := fmt.Sprintf("{members=%v invites=%v", a.Members, a.Invites)
	if a.Admin != "" {
		s += " admin=" + a.Admin + ":" + a.AdminStatus
	}
	return s + "}"
}

// durSvc is one service's operations through one endpoint, on the terms
// of the load: an account administers, the others are its members.
type durSvc interface {
	name() string
	enable(ctx context.Context, acct string) error
	create(ctx context.Context, admin, member string) error
	invite(ctx context.Context, admin, member string) error
	// invitationID reads the id of admin's invitation in member's list.
	invitationID(ctx context.Context, member, admin string) (string, error)
	accept(ctx context.Context, member, admin, id string) error
	disassociate(ctx context.Context, admin, member string) error
	resign(ctx context.Context, member string) error
	remove(ctx context.Context, admin, member string) error
	observe(ctx context.Context, acct string) (durAcct, error)
	// associated reports whether a relationship status is a live
	// association.
	associated(status string) bool
	// shown returns how the member's ListInvitations shows a record in
	// status (that was invited), or false when it does not list it.
	shown(status string) (string, bool)
	// deletesAssociated: deleting an associated member ends the
	// association instead of being refused.
	deletesAssociated() bool
}

// durEmail is the address of every member.
func durEmail(acct string) string { return "m" + acct + "@example.com" }

// ---- Macie

type durMacie struct {
	tg      *durTarget
	clients sync.Map // account -> *macie2.Client
}

func durNewMacie(tg *durTarget) *durMacie { return &durMacie{tg: tg} }

func (s *durMacie) c(acct string) *macie2.Client {
	if c, ok := s.clients.Load(acct); ok {
		return c.(*macie2.Client)
	}
	c, _ := s.clients.LoadOrStore(acct, macie2.NewFromConfig(s.tg.config(acct)))
	return c.(*macie2.Client)
}

func (s *durMacie) name() string { return "macie2" }

func (s *durMacie) enable(ctx context.Context, acct string) error {
	_, err := s.c(acct).EnableMacie(ctx, &macie2.EnableMacieInput{})
	return err
}

func (s *durMacie) create(ctx context.Context, admin, member string) error {
	_, err := s.c(admin).CreateMember(ctx, &macie2.CreateMemberInput{Account: &macietypes.AccountDetail{
		AccountId: aws.String(member), Email: aws.String(durEmail(member)),
	}})
	return err
}

func durMacieUnprocessed(op string, u []macietypes.UnprocessedAccount) error {
	if len(u) == 0 {
		return nil
	}
	return &durUnprocessed{op: op, result: aws.ToString(u[0].AccountId) + " " + string(u[0].ErrorCode) + " " + aws.ToString(u[0].ErrorMessage)}
}

func (s *durMacie) invite(ctx context.Context, admin, member string) error {
	out, err := s.c(admin).CreateInvitations(ctx, &macie2.CreateInvitationsInput{AccountIds: []string{member}, DisableEmailNotification: aws.Bool(true)})
	if err != nil {
		return err
	}
	return durMacieUnprocessed("CreateInvitations", out.UnprocessedAccounts)
}

func (s *durMacie) invitationID(ctx context.Context, member, admin string) (string, error) {
	p := macie2.NewListInvitationsPaginator(s.c(member), &macie2.ListInvitationsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return "", err
		}
		for _, inv := range out.Invitations {
			if aws.ToString(inv.AccountId) == admin {
				return aws.ToString(inv.InvitationId), nil
			}
		}
	}
	return "", fmt.Errorf("%s has no invitation from %s", member, admin)
}

func (s *durMacie) accept(ctx context.Context, member, admin, id string) error {
	_, err := s.c(member).AcceptInvitation(ctx, &macie2.AcceptInvitationInput{AdministratorAccountId: aws.String(admin), InvitationId: aws.String(id)})
	return err
}

func (s *durMacie) disassociate(ctx context.Context, admin, member string) error {
	_, err := s.c(admin).DisassociateMember(ctx, &macie2.DisassociateMemberInput{Id: aws.String(member)})
	return err
}

func (s *durMacie) resign(ctx context.Context, member string) error {
	_, err := s.c(member).DisassociateFromAdministratorAccount(ctx, &macie2.DisassociateFromAdministratorAccountInput{})
	return err
}

func (s *durMacie) remove(ctx context.Context, admin, member string) error {
	_, err := s.c(admin).DeleteMember(ctx, &macie2.DeleteMemberInput{Id: aws.String(member)})
	return err
}

func (s *durMacie) observe(ctx context.Context, acct string) (durAcct, error) {
	c := s.c(acct)
	var a durAcct
	if _, err := c.GetMacieSession(ctx, &macie2.GetMacieSessionInput{}); err != nil {
		var api smithy.APIError
		if errors.As(err, &api) && api.ErrorCode() == "AccessDeniedException" {
			return a, nil
		}
		return a, fmt.Errorf("GetMacieSession as %s: %w", acct, err)
	}
	a.Enabled = true
	a.Members = map[string]string{}
	pm := macie2.NewListMembersPaginator(c, &macie2.ListMembersInput{OnlyAssociated: aws.String("false")})
	for pm.HasMorePages() {
		out, err := pm.NextPage(ctx)
		if err != nil {
			return a, fmt.Errorf("ListMembers as %s: %w", acct, err)
		}
		for _, m := range out.Members {
			a.Members[aws.ToString(m.AccountId)] = string(m.RelationshipStatus)
		}
	}
	adm, err := c.GetAdministratorAccount(ctx, &macie2.GetAdministratorAccountInput{})
	if err != nil {
		return a, fmt.Errorf("GetAdministratorAccount as %s: %w", acct, err)
	}
	if adm.Administrator != nil {
		a.Admin, a.AdminStatus = aws.ToString(adm.Administrator.AccountId), string(adm.Administrator.RelationshipStatus)
	}
	a.Invites = map[string]string{}
	pi := macie2.NewListInvitationsPaginator(c, &macie2.ListInvitationsInput{})
	for pi.HasMorePages() {
		out, err := pi.NextPage(ctx)
		if err != nil {
			return a, fmt.Errorf("ListInvitations as %s: %w", acct, err)
		}
		for _, inv := range out.Invitations {
			a.Invites[aws.ToString(inv.AccountId)] = string(inv.RelationshipStatus)
		}
	}
	return a, nil
}

func (s *durMacie) associated(status string) bool {
	return status == "Enabled" || status == "Paused"
}

// Macie lists the invitation of every invited record but a withdrawn one:
// pending, current, removed by the administrator or resigned (spec §5.1).
func (s *durMacie) shown(status string) (string, bool) {
	switch status {
	case "Invited", "Enabled", "Paused", "Removed", "Resigned":
		return status, true
	}
	return "", false
}

func (s *durMacie) deletesAssociated() bool { return true }

// ---- GuardDuty

// durDetectors remembers each account's detector id. Ids are stored
// state, the same through every process on one store.
type durDetectors struct {
	mu  sync.Mutex
	ids map[string]string
}

func (d *durDetectors) get(acct string) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.ids[acct]
}

func (d *durDetectors) set(acct, id string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ids == nil {
		d.ids = map[string]string{}
	}
	d.ids[acct] = id
}

type durGuardDuty struct {
	tg      *durTarget
	dets    *durDetectors
	clients sync.Map
}

func durNewGuardDuty(tg *durTarget, dets *durDetectors) *durGuardDuty {
	return &durGuardDuty{tg: tg, dets: dets}
}

func (s *durGuardDuty) c(acct string) *guardduty.Client {
	if c, ok := s.clients.Load(acct); ok {
		return c.(*guardduty.Client)
	}
	c, _ := s.clients.LoadOrStore(acct, guardduty.NewFromConfig(s.tg.config(acct)))
	return c.(*guardduty.Client)
}

func (s *durGuardDuty) name() string { return "guardduty" }

// detector returns acct's detector id ("" when it has none).
func (s *durGuardDuty) detector(ctx context.Context, acct string) (string, error) {
	if id := s.dets.get(acct); id != "" {
		return id, nil
	}
	out, err := s.c(acct).ListDetectors(ctx, &guardduty.ListDetectorsInput{})
	if err != nil {
		return "", fmt.Errorf("ListDetectors as %s: %w", acct, err)
	}
	switch len(out.DetectorIds) {
	case 0:
		return "", nil
	case 1:
		s.dets.set(acct, out.DetectorIds[0])
		return out.DetectorIds[0], nil
	}
	return "", fmt.Errorf("%s has %d detectors: %v", acct, len(out.DetectorIds), out.DetectorIds)
}

// mustDetector is detector for an account that must have one.
func (s *durGuardDuty) mustDetector(ctx context.Context, acct string) (*string, error) {
	id, err := s.detector(ctx, acct)
	if err == nil && id == "" {
		err = fmt.Errorf("%s has no detector", acct)
	}
	return aws.String(id), err
}

func (s *durGuardDuty) enable(ctx context.Context, acct string) error {
	out, err := s.c(acct).CreateDetector(ctx, &guardduty.CreateDetectorInput{Enable: aws.Bool(true)})
	if err != nil {
		return err
	}
	s.dets.set(acct, aws.ToString(out.DetectorId))
	return nil
}

func durGDUnprocessed(op string, u []gdtypes.UnprocessedAccount) error {
	if len(u) == 0 {
		return nil
	}
	return &durUnprocessed{op: op, result: aws.ToString(u[0].AccountId) + " " + aws.ToString(u[0].Result)}
}

func (s *durGuardDuty) create(ctx context.Context, admin, member string) error {
	det, err := s.mustDetector(ctx, admin)
	if err != nil {
		return err
	}
	out, err := s.c(admin).CreateMembers(ctx, &guardduty.CreateMembersInput{DetectorId: det, AccountDetails: []gdtypes.AccountDetail{
		{AccountId: aws.String(member), Email: aws.String(durEmail(member))},
	}})
	if err != nil {
		return err
	}
	return durGDUnprocessed("CreateMembers", out.UnprocessedAccounts)
}

func (s *durGuardDuty) invite(ctx context.Context, admin, member string) error {
	det, err := s.mustDetector(ctx, admin)
	if err != nil {
		return err
	}
	out, err := s.c(admin).InviteMembers(ctx, &guardduty.InviteMembersInput{DetectorId: det, AccountIds: []string{member}, DisableEmailNotification: aws.Bool(true)})
	if err != nil {
		return err
	}
	return durGDUnprocessed("InviteMembers", out.UnprocessedAccounts)
}

func (s *durGuardDuty) invitationID(ctx context.Context, member, admin string) (string, error) {
	p := guardduty.NewListInvitationsPaginator(s.c(member), &guardduty.ListInvitationsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return "", err
		}
		for _, inv := range out.Invitations {
			if aws.ToString(inv.AccountId) == admin {
				return aws.ToString(inv.InvitationId), nil
			}
		}
	}
	return "", fmt.Errorf("%s has no invitation from %s", member, admin)
}

func (s *durGuardDuty) accept(ctx context.Context, member, admin, id string) error {
	det, err := s.mustDetector(ctx, member)
	if err != nil {
		return err
	}
	_, err = s.c(member).AcceptAdministratorInvitation(ctx, &guardduty.AcceptAdministratorInvitationInput{
		DetectorId: det, AdministratorId: aws.String(admin), InvitationId: aws.String(id),
	})
	return err
}

func (s *durGuardDuty) disassociate(ctx context.Context, admin, member string) error {
	det, err := s.mustDetector(ctx, admin)
	if err != nil {
		return err
	}
	out, err := s.c(admin).DisassociateMembers(ctx, &guardduty.DisassociateMembersInput{DetectorId: det, AccountIds: []string{member}})
	if err != nil {
		return err
	}
	return durGDUnprocessed("DisassociateMembers", out.UnprocessedAccounts)
}

func (s *durGuardDuty) resign(ctx context.Context, member string) error {
	det, err := s.mustDetector(ctx, member)
	if err != nil {
		return err
	}
	_, err = s.c(member).DisassociateFromAdministratorAccount(ctx, &guardduty.DisassociateFromAdministratorAccountInput{DetectorId: det})
	return err
}

func (s *durGuardDuty) remove(ctx context.Context, admin, member string) error {
	det, err := s.mustDetector(ctx, admin)
	if err != nil {
		return err
	}
	out, err := s.c(admin).DeleteMembers(ctx, &guardduty.DeleteMembersInput{DetectorId: det, AccountIds: []string{member}})
	if err != nil {
		return err
	}
	return durGDUnprocessed("DeleteMembers", out.UnprocessedAccounts)
}

func (s *durGuardDuty) observe(ctx context.Context, acct string) (durAcct, error) {
	var a durAcct
	det, err := s.detector(ctx, acct)
	if err != nil || det == "" {
		return a, err
	}
	c := s.c(acct)
	a.Enabled = true
	a.Members = map[string]string{}
	pm := guardduty.NewListMembersPaginator(c, &guardduty.ListMembersInput{DetectorId: aws.String(det), OnlyAssociated: aws.String("false")})
	for pm.HasMorePages() {
		out, err := pm.NextPage(ctx)
		if err != nil {
			return a, fmt.Errorf("ListMembers as %s: %w", acct, err)
		}
		for _, m := range out.Members {
			a.Members[aws.ToString(m.AccountId)] = aws.ToString(m.RelationshipStatus)
		}
	}
	adm, err := c.GetAdministratorAccount(ctx, &guardduty.GetAdministratorAccountInput{DetectorId: aws.String(det)})
	if err != nil {
		return a, fmt.Errorf("GetAdministratorAccount as %s: %w", acct, err)
	}
	if adm.Administrator != nil {
		a.Admin, a.AdminStatus = aws.ToString(adm.Administrator.AccountId), aws.ToString(adm.Administrator.RelationshipStatus)
	}
	a.Invites = map[string]string{}
	pi := guardduty.NewListInvitationsPaginator(c, &guardduty.ListInvitationsInput{})
	for pi.HasMorePages() {
		out, err := pi.NextPage(ctx)
		if err != nil {
			return a, fmt.Errorf("ListInvitations as %s: %w", acct, err)
		}
		for _, inv := range out.Invitations {
			a.Invites[aws.ToString(inv.AccountId)] = aws.ToString(inv.RelationshipStatus)
		}
	}
	return a, nil
}

func (s *durGuardDuty) associated(status string) bool {
	return status == "Enabled" || status == "Disabled"
}

// GuardDuty lists pending invitations only, and a resigned member's
// standing one, shown as Invited (spec §7, §12.2).
func (s *durGuardDuty) shown(status string) (string, bool) {
	switch status {
	case "Invited", "Resigned":
		return "Invited", true
	}
	return "", false
}

func (s *durGuardDuty) deletesAssociated() bool { return false }

// ---------------------------------------------------------------------
// Views and invariants.

// durObserve reads every account's state through svc.
func durObserve(ctx context.Context, svc durSvc, accounts []string) (map[string]durAcct, error) {
	views := make(map[string]durAcct, len(accounts))
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make([]error, len(accounts))
	for i, acct := range accounts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := svc.observe(ctx, acct)
			errs[i] = err
			mu.Lock()
			views[acct] = v
			mu.Unlock()
		}()
	}
	wg.Wait()
	return views, errors.Join(errs...)
}

// durRender prints views in account order, one account a line.
func durRender(views map[string]durAcct) string {
	accts := make([]string, 0, len(views))
	for a := range views {
		accts = append(accts, a)
	}
	slices.Sort(accts)
	var b strings.Builder
	for _, a := range accts {
		fmt.Fprintf(&b, "  %s %v\n", a, views[a])
	}
	return b.String()
}

// durInvariants checks what must hold in any state, whoever wrote it:
//   - a member account has at most one associated administrator;
//   - the member's GetAdministratorAccount names the administrator whose
//     record says associated, with the same status, and none when no
//     record does;
//   - the member's ListInvitations agrees with the senders' records, and
//     every pending invitation is listed;
//   - nobody is an administrator and a member at once: an account with an
//     administrator has no created, invited or associated members.
//
// views must hold every account that appears in a relationship.
func durInvariants(svc durSvc, views map[string]durAcct) []string {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	accts := make([]string, 0, len(views))
	for a := range views {
		accts = append(accts, a)
	}
	slices.Sort(accts)

	admins := map[string][]string{} // member -> administrators with an associated record
	for _, admin := range accts {
		for m, st := range views[admin].Members {
			if svc.associated(st) {
				admins[m] = append(admins[m], admin)
			}
		}
	}
	for _, acct := range accts {
		v := views[acct]
		if !v.Enabled {
			continue
		}
		as := admins[acct]
		slices.Sort(as)
		if len(as) > 1 {
			bad("%s: %s is an associated member of %d administrators: %v", svc.name(), acct, len(as), as)
		}
		switch {
		case v.Admin == "" && len(as) > 0:
			bad("%s: %s has no administrator, but %v keeps it associated", svc.name(), acct, as)
		case v.Admin != "":
			st, ok := views[v.Admin].Members[acct]
			if !ok || !svc.associated(st) || st != v.AdminStatus {
				bad("%s: %s's administrator is %s (%s), whose record of it is %q", svc.name(), acct, v.Admin, v.AdminStatus, st)
			}
			for m, st := range v.Members {
				if st == "Created" || st == "Invited" || svc.associated(st) {
					bad("%s: %s is a member of %s and administers %s (%s) at once", svc.name(), acct, v.Admin, m, st)
				}
			}
		}
		for sender, shown := range v.Invites {
			sv, ok := views[sender]
			if !ok {
				continue
			}
			st, has := sv.Members[acct]
			want, listed := svc.shown(st)
			if !has || !listed || want != shown {
				bad("%s: %s lists an invitation from %s as %s, but %s's record of it is %q", svc.name(), acct, sender, shown, sender, st)
			}
		}
	}
	for _, admin := range accts {
		for m, st := range views[admin].Members {
			mv, ok := views[m]
			if st != "Invited" || !ok || !mv.Enabled {
				continue
			}
			if want, _ := svc.shown(st); mv.Invites[admin] != want {
				bad("%s: %s invited %s, whose invitations are %v", svc.name(), admin, m, mv.Invites)
			}
		}
	}
	return problems
}

// ---------------------------------------------------------------------
// The load: each worker owns one administrator and two members in one
// service and walks them through a fixed cycle of writes, so that its
// expected state is a function of the number of writes acknowledged.

// durOp is one write of a worker's sequence.
type durOp struct {
	kind string // enable, create, invite, accept, disassociate, resign, delete
	who  int    // enable: 0 the administrator, 1 and 2 the members; else the member, 0 or 1
}

func (o durOp) String() string {
	if o.kind == "enable" {
		return fmt.Sprintf("enable#%d", o.who)
	}
	return fmt.Sprintf("%s(m%d)", o.kind, o.who)
}

// durSetup enables the worker's three accounts.
var durSetup = []durOp{{"enable", 0}, {"enable", 1}, {"enable", 2}}

// durCycle is the repeated part of the sequence; after it the worker's
// accounts are back where they were before it. Each write changes the
// state visibly, so that two consecutive states never look the same.
func durCycle(svc durSvc) []durOp {
	c := []durOp{
		{"create", 0}, {"create", 1},
		{"invite", 0}, {"invite", 1},
		{"accept", 0}, {"accept", 1},
		{"disassociate", 0}, // the administrator removes m0
		{"resign", 1},       // m1 leaves its administrator
		{"invite", 0},       // m0 invited again: a new invitation
		{"accept", 0},
		{"accept", 1}, // m1 accepts its standing invitation again
	}
	if svc.deletesAssociated() {
		return append(c, durOp{"delete", 0}, durOp{"delete", 1})
	}
	return append(c, durOp{"disassociate", 0}, durOp{"delete", 0}, durOp{"disassociate", 1}, durOp{"delete", 1})
}

// durState is what a worker's writes made: which of its accounts are
// enabled, and the status of each member's record ("" when none).
type durState struct {
	enabled [3]bool
	rel     [2]string
}

func (st *durState) apply(o durOp) {
	switch o.kind {
	case "enable":
		st.enabled[o.who] = true
	case "create":
		st.rel[o.who] = "Created"
	case "invite":
		st.rel[o.who] = "Invited"
	case "accept":
		st.rel[o.who] = "Enabled"
	case "disassociate":
		st.rel[o.who] = "Removed"
	case "resign":
		st.rel[o.who] = "Resigned"
	case "delete":
		st.rel[o.who] = ""
	}
}

// durWorker is one administrator with two members in one service.
type durWorker struct {
	svcName string
	admin   string
	members [2]string
	cycle   []durOp
	// pos is how many writes of the sequence are known to be committed:
	// acknowledged, or found committed after a crash.
	pos int
	// inflight is set while the write at pos is sent and unanswered.
	inflight bool
	// lost counts writes found committed whose answer the crash ate.
	lost int
}

func (w *durWorker) accounts() []string { return []string{w.admin, w.members[0], w.members[1]} }

func (w *durWorker) op(i int) durOp {
	if i < len(durSetup) {
		return durSetup[i]
	}
	return w.cycle[(i-len(durSetup))%len(w.cycle)]
}

func (w *durWorker) state(n int) durState {
	var st durState
	for i := 0; i < n; i++ {
		st.apply(w.op(i))
	}
	return st
}

// expect is what the API must show for the worker's accounts after n
// writes of its sequence.
func (w *durWorker) expect(svc durSvc, n int) map[string]durAcct {
	st := w.state(n)
	out := map[string]durAcct{}
	admin := durAcct{Enabled: st.enabled[0]}
	if admin.Enabled {
		admin.Members, admin.Invites = map[string]string{}, map[string]string{}
		for i, rel := range st.rel {
			if rel != "" {
				admin.Members[w.members[i]] = rel
			}
		}
	}
	out[w.admin] = admin
	for i, m := range w.members {
		v := durAcct{Enabled: st.enabled[i+1]}
		if v.Enabled {
			v.Members, v.Invites = map[string]string{}, map[string]string{}
			rel := st.rel[i]
			if svc.associated(rel) {
				v.Admin, v.AdminStatus = w.admin, rel
			}
			// Every record of the cycle but a new Created one has been
			// invited.
			if shown, ok := svc.shown(rel); ok {
				v.Invites[w.admin] = shown
			}
		}
		out[m] = v
	}
	return out
}

// do sends the write at w.pos; sent is called just before the write goes
// out (the reads an accept needs first are not writes).
func (w *durWorker) do(ctx context.Context, svc durSvc, sent func()) error {
	o := w.op(w.pos)
	accts := w.accounts()
	switch o.kind {
	case "enable":
		sent()
		return svc.enable(ctx, accts[o.who])
	case "create":
		sent()
		return svc.create(ctx, w.admin, w.members[o.who])
	case "invite":
		sent()
		return svc.invite(ctx, w.admin, w.members[o.who])
	case "accept":
		id, err := svc.invitationID(ctx, w.members[o.who], w.admin)
		if err != nil {
			return err
		}
		sent()
		return svc.accept(ctx, w.members[o.who], w.admin, id)
	case "disassociate":
		sent()
		return svc.disassociate(ctx, w.admin, w.members[o.who])
	case "resign":
		sent()
		return svc.resign(ctx, w.members[o.who])
	case "delete":
		sent()
		return svc.remove(ctx, w.admin, w.members[o.who])
	}
	return fmt.Errorf("unknown op %v", o)
}

// run writes until the server goes away (killed is set before it is
// killed), calling acked after each acknowledged write. Any other failure
// is returned.
func (w *durWorker) run(ctx context.Context, svc durSvc, killed *atomic.Bool, acked func()) error {
	for {
		w.inflight = false
		err := w.do(ctx, svc, func() { w.inflight = true })
		switch {
		case err == nil:
			w.inflight = false
			w.pos++
			acked()
		case durNoAnswer(err) && killed.Load():
			return nil
		default:
			return fmt.Errorf("%s worker %s, write #%d %v: %w", w.svcName, w.admin, w.pos, w.op(w.pos), err)
		}
	}
}

// resync checks the worker's accounts in views after a crash: they must
// show every acknowledged write (the state after pos writes) or, when a
// write was in flight, possibly that one too (committed, answer lost).
// The worker continues from the state found.
func (w *durWorker) resync(svc durSvc, views map[string]durAcct) error {
	got := map[string]durAcct{}
	for _, a := range w.accounts() {
		got[a] = views[a]
	}
	if durRender(got) == durRender(w.expect(svc, w.pos)) {
		return nil
	}
	if w.inflight && durRender(got) == durRender(w.expect(svc, w.pos+1)) {
		w.pos++
		w.lost++
		return nil
	}
	msg := fmt.Sprintf("%s worker %s after %d committed writes (last %v", w.svcName, w.admin, w.pos, w.op(max(w.pos-1, 0)))
	if w.inflight {
		msg += fmt.Sprintf(", %v in flight", w.op(w.pos))
	}
	msg += ")\ngot:\n" + durRender(got) + "want:\n" + durRender(w.expect(svc, w.pos))
	if w.inflight {
		msg += "or:\n" + durRender(w.expect(svc, w.pos+1))
	}
	return errors.New(msg)
}

// durAccount makes the 12-digit account id of a worker's account.
func durAccount(prefix int, worker, role int) string {
	return fmt.Sprintf("%d%05d%06d", prefix, worker, role)
}

// durCrashTest runs the crash test on the store spec: cycles of (start,
// check, load, SIGKILL), then a last start and check.
func durCrashTest(t *testing.T, bin, store string, cycles int) {
	const admins = 6
	rng := rand.New(rand.NewPCG(durSeed(t), 0x10ca15ec))
	ctx := t.Context()
	dets := &durDetectors{}
	var workers []*durWorker
	for _, svcName := range []string{"macie2", "guardduty"} {
		prefix := 7
		if svcName == "guardduty" {
			prefix = 8 // different ids, though services never meet anyway
		}
		for i := range admins {
			workers = append(workers, &durWorker{
				svcName: svcName,
				admin:   durAccount(prefix, i, 0),
				members: [2]string{durAccount(prefix, i, 1), durAccount(prefix, i, 2)},
			})
		}
	}
	svcsFor := func(p *durProc) map[string]durSvc {
		tg := durNewTarget(p.url)
		return map[string]durSvc{"macie2": durNewMacie(tg), "guardduty": durNewGuardDuty(tg, dets)}
	}
	protos := map[string]durSvc{"macie2": durNewMacie(nil), "guardduty": durNewGuardDuty(nil, nil)}
	for _, w := range workers {
		w.cycle = durCycle(protos[w.svcName])
	}

	// verify checks every worker's accounts and the invariants through p.
	verify := func(p *durProc, cycle int) {
		t.Helper()
		svcs := svcsFor(p)
		for _, name := range []string{"macie2", "guardduty"} {
			var accts []string
			for _, w := range workers {
				if w.svcName == name {
					accts = append(accts, w.accounts()...)
				}
			}
			views, err := durObserve(ctx, svcs[name], accts)
			if err != nil {
				t.Fatalf("cycle %d: reading the state back: %v", cycle, err)
			}
			for _, w := range workers {
				if w.svcName != name {
					continue
				}
				if err := w.resync(svcs[name], views); err != nil {
					t.Errorf("cycle %d: acknowledged writes missing or unexpected state: %v", cycle, err)
				}
			}
			if problems := durInvariants(svcs[name], views); len(problems) > 0 {
				t.Errorf("cycle %d: invariants broken:\n%s\nstate:\n%s", cycle, strings.Join(problems, "\n"), durRender(views))
			}
		}
		if t.Failed() {
			t.FailNow()
		}
	}

	totalAcked := 0
	for cycle := 1; cycle <= cycles; cycle++ {
		p := durStart(t, bin, fmt.Sprintf("localsec#%d", cycle), "--store", store, "--log-level", "warn")
		verify(p, cycle)
		svcs := svcsFor(p)
		threshold := int64(20 + rng.IntN(80))
		var acks atomic.Int64
		var killed atomic.Bool
		trigger := make(chan struct{})
		var once sync.Once
		errs := make(chan error, len(workers))
		for _, w := range workers {
			go func() {
				errs <- w.run(ctx, svcs[w.svcName], &killed, func() {
					if acks.Add(1) == threshold {
						once.Do(func() { close(trigger) })
					}
				})
			}()
		}
		var failures []error
		pending := len(workers)
		select {
		case <-trigger:
		case err := <-errs:
			pending--
			failures = append(failures, fmt.Errorf("before the kill: %w", err))
		}
		killed.Store(true)
		p.kill()
		for ; pending > 0; pending-- {
			if err := <-errs; err != nil {
				failures = append(failures, err)
			}
		}
		if err := errors.Join(failures...); err != nil {
			t.Fatalf("cycle %d: %v", cycle, err)
		}
		inflight := 0
		for _, w := range workers {
			if w.inflight {
				inflight++
			}
		}
		t.Logf("cycle %d: killed after %d acknowledged writes (threshold %d), %d writes in flight", cycle, acks.Load(), threshold, inflight)
		totalAcked += int(acks.Load())
	}

	p := durStart(t, bin, "localsec#final", "--store", store, "--log-level", "warn")
	verify(p, cycles+1)
	lost, minPos := 0, -1
	for _, w := range workers {
		lost += w.lost
		if minPos < 0 || w.pos < minPos {
			minPos = w.pos
		}
	}
	t.Logf("%d cycles: %d acknowledged writes all found; %d more committed whose answers were lost; every worker is at write #%d or later",
		cycles, totalAcked, lost, minPos)
	if minPos < len(durSetup)+2 {
		t.Errorf("a worker made only %d writes in %d cycles: the load did not reach the membership operations", minPos, cycles)
	}
	p.stop(t)
}

func TestDurabilityCrashSQLite(t *testing.T) {
	bin := durBuild(t)
	durCrashTest(t, bin, "sqlite:"+filepath.Join(t.TempDir(), "data", "localsec.db"), 5)
}

func TestDurabilityCrashPostgres(t *testing.T) {
	dsn := pgtest.DSN(t)
	bin := durBuild(t)
	durCrashTest(t, bin, dsn, 5)
}

// TestDurInvariantsCatchViolations checks that durInvariants sees each
// kind of broken state, so that the crash and replica tests can fail.
func TestDurInvariantsCatchViolations(t *testing.T) {
	const a1, a2, m, x = "111111111111", "222222222222", "333333333333", "444444444444"
	en := func(members, invites map[string]string, admin, status string) durAcct {
		return durAcct{Enabled: true, Members: members, Invites: invites, Admin: admin, AdminStatus: status}
	}
	type M = map[string]string
	good := map[string]durAcct{
		a1: en(M{m: "Enabled"}, M{}, "", ""),
		a2: en(M{m: "Invited"}, M{}, "", ""),
		m:  en(M{}, M{a1: "Enabled", a2: "Invited"}, a1, "Enabled"),
	}
	for _, svc := range []durSvc{durNewMacie(nil), durNewGuardDuty(nil, nil)} {
		views := good
		if svc.name() == "guardduty" {
			views = map[string]durAcct{a1: good[a1], a2: good[a2], m: en(M{}, M{a2: "Invited"}, a1, "Enabled")}
		}
		if p := durInvariants(svc, views); len(p) != 0 {
			t.Errorf("%s: a consistent state is reported broken: %v", svc.name(), p)
		}
	}
	svc := durNewMacie(nil)
	for _, c := range []struct {
		name  string
		views map[string]durAcct
		want  string
	}{
		{"two administrators", map[string]durAcct{
			a1: en(M{m: "Enabled"}, M{}, "", ""), a2: en(M{m: "Paused"}, M{}, "", ""),
			m: en(M{}, M{a1: "Enabled", a2: "Paused"}, a1, "Enabled"),
		}, "2 administrators"},
		{"member sees no administrator", map[string]durAcct{
			a1: en(M{m: "Enabled"}, M{}, "", ""), m: en(M{}, M{a1: "Enabled"}, "", ""),
		}, "has no administrator"},
		{"member names the wrong administrator", map[string]durAcct{
			a1: en(M{m: "Removed"}, M{}, "", ""), m: en(M{}, M{a1: "Removed"}, a1, "Enabled"),
		}, "whose record of it is"},
		{"administrator and member at once", map[string]durAcct{
			a1: en(M{m: "Enabled"}, M{}, "", ""), m: en(M{x: "Invited"}, M{a1: "Enabled"}, a1, "Enabled"),
			x: en(M{}, M{m: "Invited"}, "", ""),
		}, "at once"},
		{"invitation list disagrees", map[string]durAcct{
			a1: en(M{m: "Removed"}, M{}, "", ""), m: en(M{}, M{a1: "Invited"}, "", ""),
		}, "lists an invitation"},
		{"pending invitation not listed", map[string]durAcct{
			a1: en(M{m: "Invited"}, M{}, "", ""), m: en(M{}, M{}, "", ""),
		}, "whose invitations are"},
	} {
		p := durInvariants(svc, c.views)
		if !strings.Contains(strings.Join(p, "\n"), c.want) {
			t.Errorf("%s: problems %q, want one containing %q", c.name, p, c.want)
		}
	}
}
