package e2e_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/png" // image.Decode reads the screenshot
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/macie2"
	"github.com/aws/aws-sdk-go-v2/service/macie2/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/localsec/localsec/localsectest"
)

// The web console in a real browser: headless Chromium (Debian's chromium
// package) loads /_localsec/ui from a localsec holding a known state, and
// the test reads what the browser made of the page (its DOM) and takes a
// screenshot of it.

// conChromiumTimeout bounds every Chromium run.
const conChromiumTimeout = 90 * time.Second

// conMessage is the custom message of the invitation the test sends: the
// browser must show it as text, never as markup.
const conMessage = `Join the security account <b>today</b> & thanks`

// conOUName is the name of the OU the test makes in the seed's
// organization: text too.
const conOUName = `Security <i>tooling</i>`

// conChromium finds Chromium on PATH. When it is absent the test is
// skipped, or fails if LOCALSEC_REQUIRE_CHROMIUM=1.
func conChromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("LOCALSEC_REQUIRE_CHROMIUM") == "1" {
		t.Fatal("neither chromium nor chromium-browser is on PATH and LOCALSEC_REQUIRE_CHROMIUM=1")
	}
	t.Skip("neither chromium nor chromium-browser is on PATH (set LOCALSEC_REQUIRE_CHROMIUM=1 to make this a failure)")
	return ""
}

// conRunChromium runs headless Chromium on url with extra flags, in a new
// profile, bounded by conChromiumTimeout, and returns its stdout.
func conRunChromium(t *testing.T, bin, url string, extra ...string) string {
	t.Helper()
	args := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(),
	}
	args = append(append(args, extra...), url)
	ctx, cancel := context.WithTimeout(context.Background(), conChromiumTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	// Chromium's helper processes may keep its output open after it is
	// killed: do not wait for them forever.
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("chromium %s did not finish within %v\nstderr:\n%s", strings.Join(extra, " "), conChromiumTimeout, stderr.String())
	}
	if err != nil {
		t.Fatalf("chromium %s: %v\nstderr:\n%s", strings.Join(extra, " "), err, stderr.String())
	}
	t.Logf("chromium %s: %v", strings.Join(extra, " "), time.Since(start).Round(time.Millisecond))
	return stdout.String()
}

// conArtifactDir is where the screenshot is kept: $LOCALSEC_ARTIFACTS if
// set, else a directory removed after the test.
func conArtifactDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("LOCALSEC_ARTIFACTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// conColours counts the distinct colours of img and reports whether it
// holds a colour close to each of want.
func conColours(img image.Image, want ...[3]uint8) (int, []bool) {
	seen := map[[3]uint8]bool{}
	found := make([]bool, len(want))
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			c := [3]uint8{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8)}
			seen[c] = true
			for i, w := range want {
				if conNear(c, w) {
					found[i] = true
				}
			}
		}
	}
	return len(seen), found
}

func conNear(a, b [3]uint8) bool {
	for i := range a {
		d := int(a[i]) - int(b[i])
		if d < -12 || d > 12 {
			return false
		}
	}
	return true
}

func TestConsoleInChromium(t *testing.T) {
	bin := conChromium(t)
	example, err := filepath.Abs("../docs/examples/seed.yaml")
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(t, localsectest.WithSeedFile(example))
	ctx := context.Background()

	// Beyond the seed: the administrator invites a new account with a
	// custom message (and so an email), through the SDK.
	const newAcct = "444444444444"
	adminC := macieClient(srv, adminAcct)
	check(adminC.CreateMember(ctx, &macie2.CreateMemberInput{Account: &types.AccountDetail{AccountId: aws.String(newAcct), Email: aws.String("new@example.com")}})).ok(t)
	check(adminC.CreateInvitations(ctx, &macie2.CreateInvitationsInput{AccountIds: []string{newAcct}, Message: aws.String(conMessage)})).ok(t)
	newC := macieClient(srv, newAcct)
	check(newC.EnableMacie(ctx, &macie2.EnableMacieInput{})).ok(t)
	invs := check(newC.ListInvitations(ctx, &macie2.ListInvitationsInput{})).ok(t).Invitations
	if len(invs) != 1 || aws.ToString(invs[0].AccountId) != adminAcct {
		t.Fatalf("%s's invitations: %+v", newAcct, invs)
	}
	invitationID := aws.ToString(invs[0].InvitationId)

	// In the seed's organization, through the Organizations API: an OU
	// holding the administrator account, and an invitation to the new
	// account that stays open.
	mgmtOrg := orgClient(srv, "999999999999")
	orgID := aws.ToString(check(mgmtOrg.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})).ok(t).Organization.Id)
	rootID := aws.ToString(check(mgmtOrg.ListRoots(ctx, &organizations.ListRootsInput{})).ok(t).Roots[0].Id)
	ouID := aws.ToString(check(mgmtOrg.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{
		ParentId: aws.String(rootID), Name: aws.String(conOUName)})).ok(t).OrganizationalUnit.Id)
	check(mgmtOrg.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(adminAcct),
		SourceParentId: aws.String(rootID), DestinationParentId: aws.String(ouID)})).ok(t)
	handshakeID := aws.ToString(check(mgmtOrg.InviteAccountToOrganization(ctx, &organizations.InviteAccountToOrganizationInput{
		Target: &otypes.HandshakeParty{Id: aws.String(newAcct), Type: otypes.HandshakePartyTypeAccount}})).ok(t).Handshake.Id)

	url := srv.URL + "/_localsec/ui?service=macie2&region=us-east-1"

	t.Run("dom", func(t *testing.T) {
		dom := conRunChromium(t, bin, url, "--dump-dom")
		if !strings.Contains(dom, "<title>localsec · Amazon Macie · us-east-1</title>") {
			t.Fatalf("the browser did not load the console:\n%s", dom)
		}
		for _, acct := range []string{adminAcct, memberAcct, thirdAcct, newAcct, "999999999999"} {
			if !strings.Contains(dom, `data-account="`+acct+`"`) {
				t.Errorf("account %s is not shown", acct)
			}
		}
		// The graph: one edge per member record, its status written on it.
		edgeRE := regexp.MustCompile(`<g class="edge (\w+)" data-admin="(\d{12})" data-member="(\d{12})" data-status="(\w+)">[\s\S]*?<text class="label"[^>]*>(\w+)</text>`)
		edges := map[string]string{}
		for _, m := range edgeRE.FindAllStringSubmatch(dom, -1) {
			if m[4] != m[5] {
				t.Errorf("edge %s>%s: data-status %s, label %s", m[2], m[3], m[4], m[5])
			}
			edges[m[2]+">"+m[3]] = m[1] + " " + m[5]
		}
		want := map[string]string{
			adminAcct + ">" + memberAcct: "associated Enabled",
			adminAcct + ">" + thirdAcct:  "pending Invited",
			adminAcct + ">" + newAcct:    "pending Invited",
		}
		if fmt.Sprint(edges) != fmt.Sprint(want) {
			t.Errorf("edges in the browser = %v, want %v", edges, want)
		}
		if n := strings.Count(dom, "<svg"); n != 1 {
			t.Errorf("%d svg elements", n)
		}
		// The pending invitation, with its id and the message as text.
		invRE := regexp.MustCompile(`<tr class="invitation" data-admin="` + adminAcct + `" data-member="` + newAcct + `">[\s\S]*?</tr>`)
		row := invRE.FindString(dom)
		if row == "" || !strings.Contains(row, invitationID) || !strings.Contains(row, "no answer yet") {
			t.Errorf("pending invitation row of %s (invitation %s) = %q", newAcct, invitationID, row)
		}
		if !strings.Contains(row, "Join the security account &lt;b&gt;today&lt;/b&gt; &amp; thanks") || strings.Contains(dom, "<b>today") {
			t.Errorf("the message is not shown as text: %q", row)
		}
		// The outbox: the email of that invitation.
		emailRE := regexp.MustCompile(`<tr class="email" data-from="` + adminAcct + `" data-to="` + newAcct + `">[\s\S]*?</tr>`)
		email := emailRE.FindString(dom)
		if !strings.Contains(email, "Amazon Macie invitation from AWS account "+adminAcct) || !strings.Contains(email, "new@example.com") {
			t.Errorf("outbox row = %q", email)
		}
		// The organization: the OU, its name as text, holding the
		// administrator account, and the open invitation.
		org := regexp.MustCompile(`<div class="org" data-org="` + orgID + `">[\s\S]*?</div>`).FindString(dom)
		ou := regexp.MustCompile(`<li class="ou" data-id="` + ouID + `">[\s\S]*?</li>`).FindString(org)
		if !strings.Contains(ou, "Security &lt;i&gt;tooling&lt;/i&gt;") || !strings.Contains(ou, `<li class="org-member" data-account="`+adminAcct+`">`) ||
			strings.Contains(dom, "<i>tooling") {
			t.Errorf("the OU %s of organization %s in the browser = %q", ouID, orgID, ou)
		}
		if !regexp.MustCompile(`<tr class="handshake" data-handshake="` + handshakeID + `" data-state="OPEN" data-target="` + newAcct + `">`).MatchString(org) {
			t.Errorf("organization %s does not show the open handshake %s to %s:\n%s", orgID, handshakeID, newAcct, org)
		}
		if !strings.Contains(dom, `<meta http-equiv="refresh" content="5">`) {
			t.Error("the page does not refresh itself")
		}
	})

	t.Run("screenshot", func(t *testing.T) {
		shot := filepath.Join(conArtifactDir(t), "console-macie2-us-east-1.png")
		_ = os.Remove(shot)
		conRunChromium(t, bin, url, "--screenshot="+shot, "--window-size=1280,1024", "--hide-scrollbars")
		t.Logf("screenshot: %s", shot)
		f, err := os.Open(shot)
		if err != nil {
			t.Fatalf("no screenshot: %v", err)
		}
		defer f.Close()
		img, format, err := image.Decode(f)
		if err != nil || format != "png" {
			t.Fatalf("the screenshot is not a PNG: %q %v", format, err)
		}
		if b := img.Bounds(); b.Dx() != 1280 || b.Dy() != 1024 {
			t.Errorf("screenshot size %v, want 1280x1024", b.Size())
		}
		// Not blank: many colours, among them the green and the amber of
		// the associated and pending edges of the graph.
		green, amber := [3]uint8{0x1a, 0x7f, 0x37}, [3]uint8{0xd9, 0x77, 0x06}
		n, found := conColours(img, green, amber)
		if n < 16 {
			t.Errorf("the screenshot has %d colours: blank?", n)
		}
		if !found[0] || !found[1] {
			t.Errorf("the screenshot lacks the edge colours (green %v, amber %v)", found[0], found[1])
		}
	})
}
