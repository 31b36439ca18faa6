package e2e_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	"github.com/aws/aws-sdk-go-v2/service/macie2"
	"github.com/aws/aws-sdk-go-v2/service/macie2/types"

	"github.com/localsec/localsec/internal/smtptest"
	"github.com/localsec/localsec/localsectest"
)

// seedMacie is a Macie client of a running binary, as accessKey.
func seedMacie(url, accessKey string) *macie2.Client {
	return macie2.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(accessKey, "secret", ""),
		BaseEndpoint: aws.String(url),
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	})
}

type seedEmails struct {
	Emails []struct {
		ID, Service, Region, FromAccount, ToAccount, To, From, Subject, Body, Message, InvitationID, SentAt string
	}
}

func seedGetEmails(t *testing.T, url, account string) seedEmails {
	t.Helper()
	resp, err := http.Get(url + "/_localsec/emails?account=" + account)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out seedEmails
	if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&out) != nil {
		t.Fatalf("GET /_localsec/emails: %s", resp.Status)
	}
	return out
}

// The binary starts from a seed: the relationships it describes hold at
// once for the SDK, through the seed's access keys. An invitation then
// sent lands in the outbox and, with --smtp, at a real SMTP server.
// `localsec export` writes the state, which seeds a second binary whose
// export is the same document. The seed also holds records of an engine
// of their own (store.Record), which go through the same round trip.
func TestSeedEmailsAndExportRoundTrip(t *testing.T) {
	ctx := context.Background()
	bin := durBuild(t)
	mail, err := smtptest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	defer mail.Close()
	example, err := os.ReadFile("../docs/examples/seed.yaml")
	if err != nil {
		t.Fatal(err)
	}
	seedFile := filepath.Join(t.TempDir(), "seed.yaml")
	if err := os.WriteFile(seedFile, append(example, seedRecords...), 0o600); err != nil {
		t.Fatal(err)
	}
	p := durStart(t, bin, "seeded", "--seed", seedFile, "--smtp", mail.Addr)

	admin := seedMacie(p.url, "AKIAADMINEXAMPLE0001") // the seed maps this key to 111111111111
	prod, dev := seedMacie(p.url, "222222222222"), seedMacie(p.url, "333333333333")
	if adm, _ := administratorOf(t, prod); adm != "111111111111" {
		t.Fatalf("prod's administrator = %q, want the seeded 111111111111", adm)
	}
	check(dev.EnableMacie(ctx, &macie2.EnableMacieInput{})).ok(t) // dev has no Macie in the seed
	invs := receivedInvitations(t, dev)
	if invs["111111111111"].RelationshipStatus != types.RelationshipStatusInvited {
		t.Fatalf("dev's seeded invitation: %+v", invs)
	}
	gd := guardduty.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("111111111111", "s", ""),
		BaseEndpoint: aws.String(p.url), Retryer: func() aws.Retryer { return aws.NopRetryer{} }})
	dets := check(gd.ListDetectors(ctx, &guardduty.ListDetectorsInput{})).ok(t).DetectorIds
	if len(dets) != 1 || dets[0] != "0a1b2c3d4e5f60718293a4b5c6d7e8f9" {
		t.Fatalf("seeded detector = %v", dets)
	}

	// The administrator re-sends the invitation with a message.
	check(admin.CreateInvitations(ctx, &macie2.CreateInvitationsInput{AccountIds: []string{"333333333333"}, Message: aws.String("Welcome aboard")})).ok(t)
	check(admin.CreateMember(ctx, memberInput("444444444444"))).ok(t)
	check(admin.CreateInvitations(ctx, &macie2.CreateInvitationsInput{AccountIds: []string{"444444444444"}, DisableEmailNotification: aws.Bool(true)})).ok(t)

	out := seedGetEmails(t, p.url, "333333333333")
	if len(out.Emails) != 1 {
		t.Fatalf("outbox of 333333333333 = %+v", out)
	}
	e := out.Emails[0]
	newID := aws.ToString(receivedInvitations(t, dev)["111111111111"].InvitationId)
	if e.FromAccount != "111111111111" || e.To != "dev@example.com" || e.Message != "Welcome aboard" || e.InvitationID != newID ||
		e.Service != "macie2" || !strings.Contains(e.Body, "Welcome aboard") || !strings.Contains(e.Subject, "Amazon Macie") {
		t.Fatalf("email = %+v (invitation %s)", e, newID)
	}
	if all := seedGetEmails(t, p.url, ""); len(all.Emails) != 1 {
		t.Fatalf("the invitation with disableEmailNotification made an email: %+v", all)
	}
	if !mail.Wait(1, 20*time.Second) {
		t.Fatal("the SMTP server received nothing")
	}
	msg := mail.Messages()[0]
	if len(msg.To) != 1 || msg.To[0] != "dev@example.com" || !strings.Contains(msg.Data, "Welcome aboard") || !strings.Contains(msg.Data, newID) {
		t.Fatalf("SMTP message = %+v", msg)
	}

	// Export, seed a second binary with it, export again: the same document.
	export := func(url string) []byte {
		t.Helper()
		cmd := exec.Command(bin, "export", "--url", url, "--format", "yaml")
		b, err := cmd.Output()
		if err != nil {
			t.Fatalf("localsec export: %v", err)
		}
		return b
	}
	first := export(p.url)
	file := filepath.Join(t.TempDir(), "export.yaml")
	if err := os.WriteFile(file, first, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"invitationMessage: Welcome aboard", "0a1b2c3d4e5f60718293a4b5c6d7e8f9", "secret: admin-secret", "address: dev@example.com",
		seedRecordsExport} {
		if !strings.Contains(string(first), want) {
			t.Fatalf("export lacks %q:\n%s", want, first)
		}
	}
	q := durStart(t, bin, "reseeded", "--seed", file)
	if second := export(q.url); string(second) != string(first) {
		t.Fatalf("export -> seed -> export changed the document:\n--- first\n%s\n--- second\n%s", first, second)
	}
	if adm, _ := administratorOf(t, seedMacie(q.url, "222222222222")); adm != "111111111111" {
		t.Fatalf("the re-seeded prod's administrator = %q", adm)
	}
}

// seedRecords is a records section for the example seed, and
// seedRecordsExport how an export writes it: in the store's order, JSON
// values in their order (written as YAML, a number too large for a float
// tagged as the integer it is), other values in base64, an empty value as
// nothing.
const (
	seedRecords = `records:
  - kind: organization
    key: o-exampleorgid
    value: {"Id": "o-exampleorgid", "MasterAccountId": "999999999999", "FeatureSet": "ALL", "Big": 12345678901234567890123}
  - kind: account
    key: o-exampleorgid/222222222222
    value:
      Id: "222222222222"
      Name: workload-prod
      Status: ACTIVE
  - kind: account
    key: o-exampleorgid/111111111111
    base64: AP8K
  - kind: handshake
    key: h-ünïcödé
`
	seedRecordsExport = `records:
  - kind: account
    key: o-exampleorgid/111111111111
    base64: AP8K
  - kind: account
    key: o-exampleorgid/222222222222
    value:
      Id: "222222222222"
      Name: workload-prod
      Status: ACTIVE
  - kind: handshake
    key: h-ünïcödé
  - kind: organization
    key: o-exampleorgid
    value:
      Id: o-exampleorgid
      MasterAccountId: "999999999999"
      FeatureSet: ALL
      Big: !!int 12345678901234567890123
`
)

// A broken seed stops the binary with the place of the mistake.
func TestSeedErrors(t *testing.T) {
	bin := durBuild(t)
	file := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(file, []byte("version: 1\nservices:\n  - service: macie2\n    region: us-east-1\n    enabled: [{account: \"111111111111\"}]\n    members:\n      - {administrator: \"111111111111\", account: \"222222222222\", status: Enabeld}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "--addr", "127.0.0.1:0", "--seed", file).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "services[0].members[0]") || !strings.Contains(string(out), "Enabeld") {
		t.Fatalf("localsec with a broken seed: %v\n%s", err, out)
	}
}

// Go tests can start from a seed too.
func TestEmbeddedSeed(t *testing.T) {
	srv := newServer(t, localsectest.WithSeedFile("../docs/examples/seed.yaml"))
	prod := macieClient(srv, "222222222222")
	if adm, _ := administratorOf(t, prod); adm != "111111111111" {
		t.Fatalf("administrator = %q", adm)
	}
	admin := macie2.NewFromConfig(srv.AWSConfigForKey("AKIAADMINEXAMPLE0001"))
	if got := listedMembers(t, admin, aws.String("false")); len(got) != 2 {
		t.Fatalf("members through the seeded key = %v", got)
	}
}
