package e2e_test

// Terraform end to end: the machine's terraform with the hashicorp/aws
// provider from an offline filesystem mirror runs the configurations of
// testdata/terraform against an in-process localsec. Each scenario applies,
// re-plans with no changes, removes the member resources from the state and
// imports them again (the state must come back the same), re-plans with no
// changes, destroys, and then checks through the API that nothing is left.
//
// The tests skip when terraform or the provider is missing, unless
// LOCALSEC_REQUIRE_TERRAFORM=1, in which case they fail. The provider is
// looked for in LOCALSEC_TERRAFORM_PLUGIN_DIR, else in the conventional
// plugin directories (see tfMirrorRoots). Nothing is downloaded.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	"github.com/aws/aws-sdk-go-v2/service/macie2"
	macietypes "github.com/aws/aws-sdk-go-v2/service/macie2/types"

	"github.com/localsec/localsec/localsectest"
)

const (
	// tfRequireVar makes a missing terraform or provider a failure.
	tfRequireVar = "LOCALSEC_REQUIRE_TERRAFORM"
	// tfPluginDirVar names the root of a filesystem mirror that holds
	// registry.terraform.io/hashicorp/aws/<version>/<os>_<arch>/.
	tfPluginDirVar = "LOCALSEC_TERRAFORM_PLUGIN_DIR"
	// tfCommandLimit bounds one terraform command (the test deadline may
	// bound it further).
	tfCommandLimit = 5 * time.Minute
)

// tfMirrorRoots are the directories where a filesystem mirror of the
// provider is looked for when LOCALSEC_TERRAFORM_PLUGIN_DIR is not set:
// terraform's implied local mirror directories and /opt. Each one and its
// immediate subdirectories are tried.
func tfMirrorRoots() []string {
	var roots []string
	home, _ := os.UserHomeDir()
	if home != "" {
		roots = append(roots, filepath.Join(home, ".terraform.d", "plugins"))
	}
	if appData := os.Getenv("APPDATA"); appData != "" {
		roots = append(roots, filepath.Join(appData, "terraform.d", "plugins"))
	}
	dataHome := os.Getenv("XDG_DATA_HOME")
	if dataHome == "" && home != "" {
		dataHome = filepath.Join(home, ".local", "share")
	}
	if dataHome != "" {
		roots = append(roots, filepath.Join(dataHome, "terraform", "plugins"))
	}
	dataDirs := os.Getenv("XDG_DATA_DIRS")
	if dataDirs == "" {
		dataDirs = "/usr/local/share" + string(os.PathListSeparator) + "/usr/share"
	}
	for _, d := range filepath.SplitList(dataDirs) {
		if d != "" {
			roots = append(roots, filepath.Join(d, "terraform", "plugins"))
		}
	}
	return append(roots, "/opt")
}

// tfProviderBinaries lists the hashicorp/aws provider executables of the
// filesystem mirror at root for this platform.
func tfProviderBinaries(root string) []string {
	pattern := filepath.Join(root, "registry.terraform.io", "hashicorp", "aws", "*", runtime.GOOS+"_"+runtime.GOARCH, "terraform-provider-aws_*")
	matches, _ := filepath.Glob(pattern)
	var out []string
	for _, m := range matches {
		if fi, err := os.Stat(m); err == nil && fi.Mode().IsRegular() {
			out = append(out, m)
		}
	}
	return out
}

// tfFindMirror returns the root of a filesystem mirror holding the
// provider, and the provider executables found there. It skips (or fails,
// with LOCALSEC_REQUIRE_TERRAFORM=1) when there is none.
func tfFindMirror(t *testing.T) (string, []string) {
	t.Helper()
	if root := os.Getenv(tfPluginDirVar); root != "" {
		bins := tfProviderBinaries(root)
		if len(bins) == 0 {
			t.Fatalf("%s=%s holds no registry.terraform.io/hashicorp/aws/<version>/%s_%s/terraform-provider-aws_*", tfPluginDirVar, root, runtime.GOOS, runtime.GOARCH)
		}
		return root, bins
	}
	var tried []string
	for _, base := range tfMirrorRoots() {
		candidates := []string{base}
		if subs, err := os.ReadDir(base); err == nil {
			for _, s := range subs {
				if s.IsDir() {
					candidates = append(candidates, filepath.Join(base, s.Name()))
				}
			}
		}
		for _, root := range candidates {
			if bins := tfProviderBinaries(root); len(bins) > 0 {
				return root, bins
			}
		}
		tried = append(tried, base)
	}
	msg := fmt.Sprintf("no filesystem mirror of hashicorp/aws for %s_%s in %s (or their subdirectories); set %s to its root",
		runtime.GOOS, runtime.GOARCH, strings.Join(tried, ", "), tfPluginDirVar)
	if os.Getenv(tfRequireVar) == "1" {
		t.Fatalf("%s and %s=1", msg, tfRequireVar)
	}
	t.Skipf("%s (set %s=1 to make this a failure)", msg, tfRequireVar)
	return "", nil
}

// tfWriteCLIConfig writes a CLI configuration that installs hashicorp/aws
// from the mirror at root only, and returns its path.
func tfWriteCLIConfig(t *testing.T, root string) string {
	t.Helper()
	abs, err := filepath.Abs(root)
	if err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(`provider_installation {
  filesystem_mirror {
    path    = %s
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/aws"]
  }
}
`, strconv.Quote(abs))
	path := filepath.Join(t.TempDir(), "terraform.tfrc")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// tfServer starts an in-process localsec whose access log (JSON) is kept
// for tfCheckAccessLog and printed if the test fails.
func tfServer(t *testing.T, opts ...localsectest.Option) (*localsectest.Server, *cliLogBuffer) {
	t.Helper()
	logs := &cliLogBuffer{}
	opts = append([]localsectest.Option{localsectest.WithLogger(slog.New(slog.NewJSONHandler(logs, nil)))}, opts...)
	srv := localsectest.NewServer(opts...)
	t.Cleanup(func() {
		srv.Close()
		if t.Failed() {
			t.Logf("localsec log:\n%s", logs.String())
		}
	})
	return srv, logs
}

// tfWorkspace is a terraform working directory with a clean environment.
type tfWorkspace struct {
	bin string
	dir string
	env []string
}

// tfResult is what one terraform process did.
type tfResult struct {
	args     []string
	stdout   string
	stderr   string
	exitCode int
	err      error
	took     time.Duration
}

func (r *tfResult) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "command: terraform %s\nexit code: %d", cliShellJoin(r.args), r.exitCode)
	if r.err != nil {
		fmt.Fprintf(&b, " (%v)", r.err)
	}
	fmt.Fprintf(&b, ", after %s\nstdout:\n%s\nstderr:\n%s", r.took.Round(time.Millisecond), cliIndent(r.stdout), cliIndent(r.stderr))
	return b.String()
}

// tfTools are terraform and the root of the provider mirror.
type tfTools struct {
	bin  string
	root string
}

// tfRequire finds terraform and the provider mirror, skipping when either
// is missing (see cliRequireTool and tfFindMirror).
func tfRequire(t *testing.T) tfTools {
	t.Helper()
	bin := cliRequireTool(t, "terraform", tfRequireVar)
	root, bins := tfFindMirror(t)
	t.Logf("terraform: %s; provider mirror %s: %s", bin, root, strings.Join(bins, ", "))
	return tfTools{bin: bin, root: root}
}

// tfNewWorkspace copies the configuration testdata/terraform/<config> into
// a temporary directory and prepares an environment: an empty HOME, a CLI
// configuration that installs from the mirror only, no AWS_* variables,
// and vars as TF_VAR_* variables.
func tfNewWorkspace(t *testing.T, tools tfTools, config string, vars map[string]string) *tfWorkspace {
	t.Helper()

	dir := t.TempDir()
	src := filepath.Join("testdata", "terraform", config)
	files, err := filepath.Glob(filepath.Join(src, "*.tf"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no .tf files in %s: %v", src, err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	env := []string{
		"HOME=" + t.TempDir(),
		"TF_CLI_CONFIG_FILE=" + tfWriteCLIConfig(t, tools.root),
		"TF_IN_AUTOMATION=1",
		"TF_INPUT=0",
		"CHECKPOINT_DISABLE=1",
	}
	for _, name := range []string{"PATH", "SYSTEMROOT", "TMPDIR", "TEMP", "TMP"} {
		if v, ok := os.LookupEnv(name); ok {
			env = append(env, name+"="+v)
		}
	}
	names := make([]string, 0, len(vars))
	for k := range vars {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		env = append(env, "TF_VAR_"+k+"="+vars[k])
	}
	return &tfWorkspace{bin: tools.bin, dir: dir, env: env}
}

// tfContext bounds a command by tfCommandLimit and by the test's deadline,
// keeping a margin for the cleanup.
func tfContext(t *testing.T) (context.Context, context.CancelFunc) {
	t.Helper()
	limit := tfCommandLimit
	if d, ok := t.Deadline(); ok {
		if left := time.Until(d) - 30*time.Second; left < limit {
			limit = left
		}
	}
	if limit <= 0 {
		t.Fatalf("no time left before the test deadline to run terraform")
	}
	return context.WithTimeout(context.Background(), limit)
}

// run runs terraform with args in the workspace, with extraEnv added to
// its environment. An interrupted command gets SIGINT (terraform then
// stops its providers) and is killed 15 s later.
func (w *tfWorkspace) run(t *testing.T, extraEnv []string, args ...string) *tfResult {
	t.Helper()
	ctx, cancel := tfContext(t)
	defer cancel()
	cmd := exec.CommandContext(ctx, w.bin, args...)
	cmd.Dir = w.dir
	cmd.Env = append(append([]string{}, w.env...), extraEnv...)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 15 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	res := &tfResult{args: args, stdout: stdout.String(), stderr: stderr.String(), exitCode: processExitCode(err), err: err, took: time.Since(start)}
	if ctx.Err() != nil {
		res.exitCode = -1
		res.err = fmt.Errorf("%w (%v)", ctx.Err(), err)
	}
	t.Logf("terraform %s: exit %d after %s", cliShellJoin(args), res.exitCode, res.took.Round(time.Millisecond))
	return res
}

// ok runs a command that must succeed.
func (w *tfWorkspace) ok(t *testing.T, args ...string) *tfResult {
	t.Helper()
	r := w.run(t, nil, args...)
	if r.exitCode != 0 || r.err != nil {
		t.Fatalf("terraform failed, want success\n%s", r)
	}
	return r
}

// planClean runs `plan -detailed-exitcode` (saving the plan to planFile
// when it is not empty) and fails unless terraform found no changes.
func (w *tfWorkspace) planClean(t *testing.T, when, planFile string) {
	t.Helper()
	args := []string{"plan", "-detailed-exitcode", "-input=false", "-no-color"}
	if planFile != "" {
		args = append(args, "-out="+planFile)
	}
	r := w.run(t, nil, args...)
	switch {
	case r.exitCode == 0 && r.err == nil:
	case r.exitCode == 2:
		t.Fatalf("the plan %s shows changes, want none\n%s", when, r)
	default:
		t.Fatalf("the plan %s failed\n%s", when, r)
	}
}

// tfResource is a resource of `terraform show -json` output.
type tfResource struct {
	Address string         `json:"address"`
	Mode    string         `json:"mode"`
	Values  map[string]any `json:"values"`
}

type tfModule struct {
	Resources    []tfResource `json:"resources"`
	ChildModules []tfModule   `json:"child_modules"`
}

type tfStateValues struct {
	RootModule tfModule `json:"root_module"`
}

// resources returns the managed resources of the module tree by address.
func (m tfModule) resources(into map[string]map[string]any) map[string]map[string]any {
	if into == nil {
		into = map[string]map[string]any{}
	}
	for _, r := range m.Resources {
		if r.Mode == "managed" {
			into[r.Address] = r.Values
		}
	}
	for _, c := range m.ChildModules {
		c.resources(into)
	}
	return into
}

// stateValues returns the managed resources of the state, by address.
func (w *tfWorkspace) stateValues(t *testing.T) map[string]map[string]any {
	t.Helper()
	r := w.ok(t, "show", "-json", "-no-color")
	var out struct {
		Values *tfStateValues `json:"values"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("terraform show -json: %v\n%s", err, r)
	}
	if out.Values == nil {
		return map[string]map[string]any{}
	}
	return out.Values.RootModule.resources(nil)
}

// priorState returns the managed resources of a saved plan's prior state:
// the state as refreshed by that plan, by address.
func (w *tfWorkspace) priorState(t *testing.T, planFile string) map[string]map[string]any {
	t.Helper()
	r := w.ok(t, "show", "-json", "-no-color", planFile)
	var out struct {
		PriorState *struct {
			Values *tfStateValues `json:"values"`
		} `json:"prior_state"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("terraform show -json %s: %v\n%s", planFile, err, r)
	}
	if out.PriorState == nil || out.PriorState.Values == nil {
		t.Fatalf("the plan %s has no prior state\n%s", planFile, r)
	}
	return out.PriorState.Values.RootModule.resources(nil)
}

// tfNormalize drops null and empty attributes: after an import the
// provider writes `tags = {}` where the resource created by apply had
// none, which says the same thing.
func tfNormalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if n := tfNormalize(e); n != nil {
				out[k] = n
			}
		}
		if len(out) == 0 {
			return nil
		}
		return out
	case []any:
		if len(x) == 0 {
			return nil
		}
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = tfNormalize(e)
		}
		return out
	}
	return v
}

// tfDiff lists the attributes whose values differ between two resource
// states (see tfNormalize).
func tfDiff(before, after map[string]any) []string {
	keys := map[string]bool{}
	for k := range before {
		keys[k] = true
	}
	for k := range after {
		keys[k] = true
	}
	var diffs []string
	for k := range keys {
		b, a := tfNormalize(before[k]), tfNormalize(after[k])
		if !reflect.DeepEqual(b, a) {
			diffs = append(diffs, fmt.Sprintf("%s: before %s, after import %s", k, tfJSON(b), tfJSON(a)))
		}
	}
	sort.Strings(diffs)
	return diffs
}

func tfJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// tfURLPattern finds the request URLs in the provider's debug log.
var tfURLPattern = regexp.MustCompile(`http\.url="?([^"\s]+)`)

// tfCheckProviderURLs checks that every HTTP request the provider logged
// went to localsec: with no endpoint for some service, the provider
// would try AWS itself.
func tfCheckProviderURLs(t *testing.T, logPath, endpoint string) {
	t.Helper()
	data, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatalf("reading the provider's debug log: %v", err)
	}
	seen := 0
	var foreign []string
	for _, m := range tfURLPattern.FindAllStringSubmatch(string(data), -1) {
		seen++
		if !strings.HasPrefix(m[1], endpoint+"/") && m[1] != endpoint {
			foreign = append(foreign, m[1])
		}
	}
	if len(foreign) > 0 {
		t.Fatalf("the provider sent requests elsewhere than localsec (%s): %v", endpoint, foreign)
	}
	if seen == 0 {
		t.Logf("the provider's debug log shows no http.url; the endpoints were not checked")
	}
}

// tfLoggedRequest is one request of localsec's JSON access log.
type tfLoggedRequest struct {
	Service   string `json:"service"`
	Operation string `json:"operation"`
	Account   string `json:"account"`
	Status    int    `json:"status"`
	line      string // as logged, for failure messages
}

// tfLoggedRequests returns the requests of localsec's JSON access log in
// order. A line that is not JSON fails the test at once; a line logged at
// level ERROR, request or not, is reported as an error of the test.
func tfLoggedRequests(t *testing.T, logs *cliLogBuffer) []tfLoggedRequest {
	t.Helper()
	var requests []tfLoggedRequest
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		if line == "" {
			continue
		}
		var rec struct {
			Level string `json:"level"`
			Msg   string `json:"msg"`
			tfLoggedRequest
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("localsec log line %q is not JSON: %v", line, err)
		}
		if rec.Level == "ERROR" {
			t.Errorf("localsec logged an error: %s", line)
		}
		if rec.Msg == "request" {
			rec.line = line
			requests = append(requests, rec.tfLoggedRequest)
		}
	}
	return requests
}

// tfCheckAccessLog checks localsec's access log: besides Macie and
// GuardDuty, the provider only called STS GetCallerIdentity (which
// answered 200), and it did so as each of accounts; nothing was logged
// at level ERROR. It logs what the other calls were.
func tfCheckAccessLog(t *testing.T, logs *cliLogBuffer, accounts ...string) {
	t.Helper()
	type key struct {
		service, operation, account string
		status                      int
	}
	counts := map[key]int{}
	identified := map[string]bool{}
	for _, rec := range tfLoggedRequests(t, logs) {
		if rec.Service == "macie2" || rec.Service == "guardduty" {
			continue
		}
		counts[key{rec.Service, rec.Operation, rec.Account, rec.Status}]++
		if rec.Service == "sts" && rec.Operation == "GetCallerIdentity" && rec.Status == 200 {
			identified[rec.Account] = true
			continue
		}
		t.Errorf("a request other than Macie, GuardDuty or STS GetCallerIdentity 200: %s", rec.line)
	}
	var summary []string
	for k, n := range counts {
		summary = append(summary, fmt.Sprintf("%s %s as %s -> %d: %d×", k.service, k.operation, k.account, k.status, n))
	}
	sort.Strings(summary)
	t.Logf("requests other than Macie and GuardDuty:\n  %s", strings.Join(summary, "\n  "))
	for _, a := range accounts {
		if !identified[a] {
			t.Errorf("the provider never called STS GetCallerIdentity as %s", a)
		}
	}
}

// tfImport is a resource to remove from the state and import again.
type tfImport struct {
	address string
	id      string
}

// tfScenario is one configuration's run.
type tfScenario struct {
	config string            // directory under testdata/terraform
	vars   map[string]string // TF_VAR_* besides endpoint
	// accounts are the provider aliases' accounts.
	accounts []string
	// applied checks through the API what the apply did, and returns
	// the member resources to import again with their import ids.
	applied func(t *testing.T) []tfImport
	// destroyed checks through the API that nothing is left.
	destroyed func(t *testing.T)
}

// tfRun runs a scenario against srv, whose access log is logs.
func tfRun(t *testing.T, tools tfTools, srv *localsectest.Server, logs *cliLogBuffer, sc tfScenario) {
	t.Helper()
	vars := map[string]string{"endpoint": srv.URL}
	for k, v := range sc.vars {
		vars[k] = v
	}
	w := tfNewWorkspace(t, tools, sc.config, vars)

	if r := w.run(t, nil, "version"); r.exitCode == 0 {
		t.Logf("%s", strings.SplitN(r.stdout, "\n", 2)[0])
	}
	w.ok(t, "init", "-input=false", "-no-color")
	lock, err := os.ReadFile(filepath.Join(w.dir, ".terraform.lock.hcl"))
	if err != nil || !strings.Contains(string(lock), `"registry.terraform.io/hashicorp/aws"`) {
		t.Fatalf("terraform init left no lock entry for hashicorp/aws (%v):\n%s", err, lock)
	}

	// The apply runs with the provider's debug log, to see where its
	// requests go.
	providerLog := filepath.Join(w.dir, "provider-debug.log")
	if r := w.run(t, []string{"TF_LOG_PROVIDER=DEBUG", "TF_LOG_PATH=" + providerLog}, "apply", "-auto-approve", "-input=false", "-no-color"); r.exitCode != 0 || r.err != nil {
		t.Fatalf("terraform apply failed\n%s", r)
	}
	tfCheckProviderURLs(t, providerLog, srv.URL)
	imports := sc.applied(t)

	w.planClean(t, "after apply", "clean.tfplan")
	before := w.priorState(t, "clean.tfplan")

	rm := []string{"state", "rm", "-no-color"}
	for _, im := range imports {
		if before[im.address] == nil {
			t.Fatalf("%s is not in the refreshed state; it has %v", im.address, tfKeys(before))
		}
		rm = append(rm, im.address)
	}
	w.ok(t, rm...)
	for _, im := range imports {
		w.ok(t, "import", "-input=false", "-no-color", im.address, im.id)
	}
	after := w.stateValues(t)
	for _, im := range imports {
		if after[im.address] == nil {
			t.Fatalf("%s is not in the state after terraform import %s; it has %v", im.address, im.id, tfKeys(after))
		}
		if d := tfDiff(before[im.address], after[im.address]); len(d) > 0 {
			t.Errorf("terraform import %s %s did not reproduce the state:\n  %s", im.address, im.id, strings.Join(d, "\n  "))
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	w.planClean(t, "after terraform import", "")

	w.ok(t, "destroy", "-auto-approve", "-input=false", "-no-color")
	if r := w.ok(t, "state", "list", "-no-color"); strings.TrimSpace(r.stdout) != "" {
		t.Fatalf("resources left in the state after destroy:\n%s", r)
	}
	sc.destroyed(t)
	tfCheckAccessLog(t, logs, sc.accounts...)
}

func tfKeys(m map[string]map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// tfDetector returns account's only GuardDuty detector.
func tfDetector(t *testing.T, srv *localsectest.Server, account string) string {
	t.Helper()
	ids := check(gdClient(srv, account).ListDetectors(context.Background(), &guardduty.ListDetectorsInput{})).ok(t).DetectorIds
	if len(ids) != 1 {
		t.Fatalf("%s has detectors %v, want exactly one", account, ids)
	}
	return ids[0]
}

// tfNoDetectors checks that the accounts have no GuardDuty detector.
func tfNoDetectors(t *testing.T, srv *localsectest.Server, accounts ...string) {
	t.Helper()
	for _, a := range accounts {
		if ids := check(gdClient(srv, a).ListDetectors(context.Background(), &guardduty.ListDetectorsInput{})).ok(t).DetectorIds; len(ids) != 0 {
			t.Errorf("%s still has GuardDuty detectors %v after destroy", a, ids)
		}
	}
}

// tfMacieOff checks that Macie is not enabled in the accounts.
func tfMacieOff(t *testing.T, srv *localsectest.Server, accounts ...string) {
	t.Helper()
	for _, a := range accounts {
		_, err := macieClient(srv, a).GetMacieSession(context.Background(), &macie2.GetMacieSessionInput{})
		wantAPIError(t, err, "AccessDeniedException", 403, "Macie is not enabled")
	}
}

// tfGuardDutyAdmins returns the GuardDuty delegated administrators that
// the management account sees, as "account:status".
func tfGuardDutyAdmins(t *testing.T, srv *localsectest.Server, management string) []string {
	t.Helper()
	out := check(gdClient(srv, management).ListOrganizationAdminAccounts(context.Background(), &guardduty.ListOrganizationAdminAccountsInput{})).ok(t)
	var admins []string
	for _, a := range out.AdminAccounts {
		admins = append(admins, aws.ToString(a.AdminAccountId)+":"+string(a.AdminStatus))
	}
	return admins
}

// tfMacieAdmins is tfGuardDutyAdmins for Macie.
func tfMacieAdmins(t *testing.T, srv *localsectest.Server, management string) []string {
	t.Helper()
	out := check(macieClient(srv, management).ListOrganizationAdminAccounts(context.Background(), &macie2.ListOrganizationAdminAccountsInput{})).ok(t)
	var admins []string
	for _, a := range out.AdminAccounts {
		admins = append(admins, aws.ToString(a.AccountId)+":"+string(a.Status))
	}
	return admins
}

// The invitation flows of both services between two accounts, one provider
// alias each: aws_macie2_account, aws_macie2_member (invite = true),
// aws_macie2_invitation_accepter, aws_guardduty_detector,
// aws_guardduty_member (invite = true), aws_guardduty_invite_accepter.
func TestTerraformInvitations(t *testing.T) {
	tools := tfRequire(t)
	admin, member := adminAcct, memberAcct
	srv, logs := tfServer(t)
	ctx := context.Background()
	tfRun(t, tools, srv, logs, tfScenario{
		config:   "invitations",
		vars:     map[string]string{"admin_account": admin, "member_account": member},
		accounts: []string{admin, member},
		applied: func(t *testing.T) []tfImport {
			m := check(macieClient(srv, admin).GetMember(ctx, &macie2.GetMemberInput{Id: aws.String(member)})).ok(t)
			if m.RelationshipStatus != macietypes.RelationshipStatusEnabled {
				t.Fatalf("Macie member %s is %s after apply, want Enabled", member, m.RelationshipStatus)
			}
			a := check(macieClient(srv, member).GetAdministratorAccount(ctx, &macie2.GetAdministratorAccountInput{})).ok(t)
			if a.Administrator == nil || aws.ToString(a.Administrator.AccountId) != admin {
				t.Fatalf("Macie administrator of %s after apply = %+v, want %s", member, a.Administrator, admin)
			}

			adminDet, memberDet := tfDetector(t, srv, admin), tfDetector(t, srv, member)
			gm := check(gdClient(srv, admin).GetMembers(ctx, &guardduty.GetMembersInput{DetectorId: aws.String(adminDet), AccountIds: []string{member}})).ok(t)
			if len(gm.Members) != 1 || aws.ToString(gm.Members[0].RelationshipStatus) != "Enabled" || aws.ToString(gm.Members[0].DetectorId) != memberDet {
				t.Fatalf("GuardDuty members of %s after apply = %+v (unprocessed %+v), want %s Enabled with detector %s", admin, gm.Members, gm.UnprocessedAccounts, member, memberDet)
			}
			ga := check(gdClient(srv, member).GetAdministratorAccount(ctx, &guardduty.GetAdministratorAccountInput{DetectorId: aws.String(memberDet)})).ok(t)
			if ga.Administrator == nil || aws.ToString(ga.Administrator.AccountId) != admin {
				t.Fatalf("GuardDuty administrator of %s after apply = %+v, want %s", member, ga.Administrator, admin)
			}
			return []tfImport{
				{"aws_macie2_member.member", member},
				{"aws_guardduty_member.member", adminDet + ":" + member},
			}
		},
		destroyed: func(t *testing.T) {
			tfMacieOff(t, srv, admin, member)
			tfNoDetectors(t, srv, admin, member)
			// Enabled again, Macie shows no member, administrator or
			// invitation left over.
			enable(t, srv, admin, member)
			ms := check(macieClient(srv, admin).ListMembers(ctx, &macie2.ListMembersInput{OnlyAssociated: aws.String("false")})).ok(t)
			if len(ms.Members) != 0 {
				t.Errorf("Macie members of %s after destroy: %+v", admin, ms.Members)
			}
			a := check(macieClient(srv, member).GetAdministratorAccount(ctx, &macie2.GetAdministratorAccountInput{})).ok(t)
			if a.Administrator != nil {
				t.Errorf("Macie administrator of %s after destroy: %+v", member, a.Administrator)
			}
			inv := check(macieClient(srv, member).ListInvitations(ctx, &macie2.ListInvitationsInput{})).ok(t)
			if len(inv.Invitations) != 0 {
				t.Errorf("Macie invitations of %s after destroy: %+v", member, inv.Invitations)
			}
			gi := check(gdClient(srv, member).ListInvitations(ctx, &guardduty.ListInvitationsInput{})).ok(t)
			if len(gi.Invitations) != 0 {
				t.Errorf("GuardDuty invitations of %s after destroy: %+v", member, gi.Invitations)
			}
		},
	})
}

// Delegated administration through Organizations, three accounts with a
// provider alias each (management, delegated administrator, member):
// aws_macie2_organization_admin_account and
// aws_guardduty_organization_admin_account, with aws_macie2_account and
// aws_guardduty_detector in each account, and the member added by the
// delegated GuardDuty administrator (aws_guardduty_member of an
// Organizations account).
func TestTerraformOrganizationAdmin(t *testing.T) {
	tools := tfRequire(t)
	management, admin, member := adminAcct, memberAcct, thirdAcct
	srv, logs := tfServer(t, localsectest.WithOrganization(management, admin, member))
	ctx := context.Background()
	tfRun(t, tools, srv, logs, tfScenario{
		config:   "orgadmin",
		vars:     map[string]string{"management_account": management, "admin_account": admin, "member_account": member},
		accounts: []string{management, admin, member},
		applied: func(t *testing.T) []tfImport {
			want := []string{admin + ":ENABLED"}
			if got := tfMacieAdmins(t, srv, management); !reflect.DeepEqual(got, want) {
				t.Fatalf("Macie delegated administrators after apply = %v, want %v", got, want)
			}
			if got := tfGuardDutyAdmins(t, srv, management); !reflect.DeepEqual(got, want) {
				t.Fatalf("GuardDuty delegated administrators after apply = %v, want %v", got, want)
			}
			// One detector each: designating the administrator did not
			// make a second one beside Terraform's.
			adminDet := tfDetector(t, srv, admin)
			tfDetector(t, srv, management)
			memberDet := tfDetector(t, srv, member)
			gm := check(gdClient(srv, admin).GetMembers(ctx, &guardduty.GetMembersInput{DetectorId: aws.String(adminDet), AccountIds: []string{member}})).ok(t)
			if len(gm.Members) != 1 || aws.ToString(gm.Members[0].RelationshipStatus) != "Enabled" || aws.ToString(gm.Members[0].DetectorId) != memberDet {
				t.Fatalf("GuardDuty members of %s after apply = %+v (unprocessed %+v), want %s Enabled with detector %s", admin, gm.Members, gm.UnprocessedAccounts, member, memberDet)
			}
			return []tfImport{{"aws_guardduty_member.member", adminDet + ":" + member}}
		},
		destroyed: func(t *testing.T) {
			tfMacieOff(t, srv, management, admin, member)
			tfNoDetectors(t, srv, management, admin, member)
			if got := tfGuardDutyAdmins(t, srv, management); len(got) != 0 {
				t.Errorf("GuardDuty delegated administrators after destroy: %v", got)
			}
			// Macie answers the management account only while enabled.
			enable(t, srv, management)
			if got := tfMacieAdmins(t, srv, management); len(got) != 0 {
				t.Errorf("Macie delegated administrators after destroy: %v", got)
			}
		},
	})
}

// The helpers themselves, without terraform: the mirror layout is found,
// and the import comparison sees a changed attribute but not tags = {}.
func TestTerraformHelpers(t *testing.T) {
	root := t.TempDir()
	if bins := tfProviderBinaries(root); len(bins) != 0 {
		t.Fatalf("empty mirror: found %v", bins)
	}
	dir := filepath.Join(root, "registry.terraform.io", "hashicorp", "aws", "5.100.0", runtime.GOOS+"_"+runtime.GOARCH)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "terraform-provider-aws_v5.100.0_x5")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if bins := tfProviderBinaries(root); !reflect.DeepEqual(bins, []string{bin}) {
		t.Fatalf("mirror at %s: found %v, want [%s]", root, bins, bin)
	}
	t.Setenv(tfPluginDirVar, root)
	if got, _ := tfFindMirror(t); got != root {
		t.Fatalf("with %s=%s: found %s", tfPluginDirVar, root, got)
	}

	before := map[string]any{"id": "x", "relationship_status": "Enabled", "tags": nil, "timeouts": nil}
	same := map[string]any{"id": "x", "relationship_status": "Enabled", "tags": map[string]any{}}
	if d := tfDiff(before, same); len(d) != 0 {
		t.Fatalf("tfDiff of equivalent states = %v", d)
	}
	changed := map[string]any{"id": "x", "relationship_status": "Invited", "tags": map[string]any{"k": "v"}}
	if d := tfDiff(before, changed); len(d) != 2 {
		t.Fatalf("tfDiff of changed states = %v, want relationship_status and tags", d)
	}
}
