package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/localsec/localsec/internal/protocol"
	"github.com/localsec/localsec/internal/protocol/endpoint"
	"github.com/localsec/localsec/internal/server"
)

// Limits (issue 7, point 3): a body over the bound is refused with 413
// in the service's own error shape before the server has read it (so a
// client cannot make localsec swallow 64 MiB); a header over the
// binary's MaxHeaderBytes is refused. The member quotas are tested end to
// end (e2e: TestMacie13_8_MemberQuota, TestGuardDutyMemberQuota).

// limitsTotal is what a hostile client offers to send.
const limitsTotal = 64 << 20

// limitsReadBound is the most the client may have written when the
// answer comes: the body bound (1 MiB), what net/http reads after the
// handler (256 KiB), the client's send buffer (set small) and the
// server's receive buffer (autotuned: 6 MiB at most by default on Linux,
// more on tuned hosts), with room to spare. A server that reads the
// whole body lets the client write limitsTotal.
const limitsReadBound = limitsTotal / 2

// limitsKey is the access key of the strict-mode tests.
const limitsKey = "AKIDLIMITSEXAMPLE001"

// limitsTarget is one service's request with an oversized body.
type limitsTarget struct {
	service     string
	method      string
	path        string
	contentType string
	prefix      string // the body begins with this; 'v's follow
}

var limitsTargets = []limitsTarget{
	{"macie2", "POST", "/members", "application/json",
		`{"account":{"accountId":"222222222222","email":"m@example.com"},"tags":{"k":"`},
	{"guardduty", "POST", "/detector", "application/json", `{"enable":true,"tags":{"k":"`},
	{"sts", "POST", "/", "application/x-www-form-urlencoded; charset=utf-8", "Action=GetCallerIdentity&Version=2011-06-15&Pad="},
}

// limitsAnswer is what the server answered, and how much of the body it
// had taken by then.
type limitsAnswer struct {
	status  int
	header  http.Header
	body    []byte
	written int64 // body bytes the client had written when the answer came
	all     bool  // the client had written the whole body by then
}

// limitsSend writes the signed request's head on a raw connection, then
// streams the body (limitsTotal bytes, with a Content-Length or chunked)
// while it reads the answer. The writer stops as soon as the answer is
// in, so what it counts is what the server took (plus socket buffers).
func limitsSend(t *testing.T, addr string, tg limitsTarget, accessKey string, chunked bool, extraHeader string) limitsAnswer {
	t.Helper()
	req, err := http.NewRequest(tg.method, "http://"+addr+tg.path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", tg.contentType)
	req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	creds := aws.Credentials{AccessKeyID: accessKey, SecretAccessKey: "localsec-secret"}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, "UNSIGNED-PAYLOAD", tg.service, "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	var head bytes.Buffer
	fmt.Fprintf(&head, "%s %s HTTP/1.1\r\nHost: %s\r\n", tg.method, tg.path, addr)
	for k, vs := range req.Header {
		for _, v := range vs {
			fmt.Fprintf(&head, "%s: %s\r\n", k, v)
		}
	}
	if extraHeader != "" {
		fmt.Fprintf(&head, "X-Pad: %s\r\n", extraHeader)
	}
	if chunked {
		head.WriteString("Transfer-Encoding: chunked\r\n\r\n")
	} else {
		fmt.Fprintf(&head, "Content-Length: %d\r\n\r\n", limitsTotal)
	}

	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetWriteBuffer(256 << 10)
	}
	if err := conn.SetDeadline(time.Now().Add(2 * time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Write(head.Bytes()); err != nil {
		t.Fatalf("writing the request head: %v", err)
	}

	var written atomic.Int64
	var all atomic.Bool
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		filler := bytes.Repeat([]byte("v"), 64<<10)
		first := append([]byte(tg.prefix), filler[len(tg.prefix):]...)
		for n := int64(0); n < limitsTotal; {
			select {
			case <-stop:
				return
			default:
			}
			chunk := filler
			if n == 0 {
				chunk = first
			}
			if rest := limitsTotal - n; int64(len(chunk)) > rest {
				chunk = chunk[:rest]
			}
			frame := chunk
			if chunked {
				frame = append(append([]byte(fmt.Sprintf("%x\r\n", len(chunk))), chunk...), "\r\n"...)
			}
			if _, err := conn.Write(frame); err != nil {
				return // the server closed the connection
			}
			n += int64(len(chunk))
			written.Store(n)
		}
		if chunked {
			_, _ = conn.Write([]byte("0\r\n\r\n"))
		}
		all.Store(true)
	}()

	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		close(stop)
		_ = conn.Close()
		wg.Wait()
		t.Fatalf("%s: no answer (%d bytes of the body written): %v", tg.service, written.Load(), err)
	}
	ans := limitsAnswer{status: resp.StatusCode, header: resp.Header, written: written.Load(), all: all.Load()}
	ans.body, err = io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s: reading the answer: %v", tg.service, err)
	}
	close(stop)
	_ = conn.Close()
	wg.Wait()
	return ans
}

// notReadToEnd checks that the server answered before it had the body.
func (a limitsAnswer) notReadToEnd(t *testing.T, what string) {
	t.Helper()
	t.Logf("%s: %d of %d body bytes written when the answer came", what, a.written, int64(limitsTotal))
	if a.all || a.written > limitsReadBound {
		t.Errorf("%s: the client had written %d of %d bytes (all: %v) when the answer came; the server reads past the bound", what, a.written, limitsTotal, a.all)
	}
}

// shape checks the service's error shape of a 413 and returns "" or what
// is wrong with it.
func (a limitsAnswer) shape(service string) string {
	errType := a.header.Get("X-Amzn-ErrorType")
	if a.header.Get("x-amzn-RequestId") == "" {
		return "no x-amzn-RequestId"
	}
	switch service {
	case "sts":
		var e struct {
			XMLName xml.Name `xml:"ErrorResponse"`
			Error   struct {
				Code    string `xml:"Code"`
				Message string `xml:"Message"`
			} `xml:"Error"`
		}
		if err := xml.Unmarshal(a.body, &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
			return fmt.Sprintf("body %.200q is not an STS ErrorResponse with a Code and a Message", a.body)
		}
		if a.status != http.StatusRequestEntityTooLarge {
			return fmt.Sprintf("status %d %s, want 413", a.status, e.Error.Code)
		}
		return ""
	}
	var body map[string]any
	if err := json.Unmarshal(a.body, &body); err != nil {
		return fmt.Sprintf("body %.200q is not a JSON object", a.body)
	}
	if msg, _ := body["message"].(string); msg == "" {
		return fmt.Sprintf("body %s has no message", a.body)
	}
	want := map[string]string{"macie2": "ValidationException", "guardduty": "BadRequestException"}[service]
	if a.status != http.StatusRequestEntityTooLarge || errType != want {
		return fmt.Sprintf("answer %d %s %s, want 413 %s", a.status, errType, a.body, want)
	}
	if service == "guardduty" && body["__type"] != "InvalidInputException" {
		return fmt.Sprintf("GuardDuty body %s without __type InvalidInputException", a.body)
	}
	return ""
}

func limitsCheck(t *testing.T, key string, service string, a limitsAnswer) {
	t.Helper()
	a.notReadToEnd(t, key)
	if problem := a.shape(service); problem != "" {
		t.Errorf("%s: %s", key, problem)
	}
}

// TestBodyOverBoundIsNotReadToEnd sends 64 MiB bodies to each service,
// with a Content-Length and chunked, signatures read or verified.
func TestBodyOverBoundIsNotReadToEnd(t *testing.T) {
	if endpoint.DefaultMaxBodyBytes >= limitsReadBound/4 {
		t.Fatalf("the body bound %d is too close to what this test allows the server to read (%d)", endpoint.DefaultMaxBodyBytes, limitsReadBound)
	}
	for _, mode := range []string{"", "strict/"} {
		cfg := testConfig()
		if mode != "" {
			cfg.Clock = nil // signatures are checked against the real time
			cfg.Credentials = map[string]protocol.Credential{limitsKey: {SecretAccessKey: "localsec-secret", Account: admin}}
		}
		ts := httptest.NewServer(server.New(cfg))
		t.Cleanup(ts.Close)
		addr := strings.TrimPrefix(ts.URL, "http://")
		for _, tg := range limitsTargets {
			for _, chunked := range []bool{false, true} {
				name := mode + tg.service
				if chunked {
					name += "/chunked"
				}
				t.Run(name, func(t *testing.T) {
					limitsCheck(t, mode+tg.service, tg.service, limitsSend(t, addr, tg, limitsKey, chunked, ""))
				})
			}
		}
	}
}

// TestBinaryLimits runs the localsec binary and checks the limits its
// http.Server sets: MaxHeaderBytes (64 KiB) refuses a 100 KiB header of
// every service, a 32 KiB header is still served, and the body bound
// holds there too.
func TestBinaryLimits(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not on PATH: cannot build the binary")
	}
	bin := filepath.Join(t.TempDir(), "localsec")
	if out, err := exec.Command(goTool, "build", "-o", bin, "github.com/localsec/localsec/cmd/localsec").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "--addr", "127.0.0.1:0")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	addr := limitsWaitReady(t, stdout)

	for _, tg := range limitsTargets {
		t.Run(tg.service+"/header 100 KiB", func(t *testing.T) {
			status := limitsHeaderCall(t, addr, tg, strings.Repeat("h", 100<<10))
			if status != http.StatusRequestHeaderFieldsTooLarge {
				t.Errorf("a 100 KiB header: status %d, want 431", status)
			}
		})
		t.Run(tg.service+"/header 32 KiB", func(t *testing.T) {
			status := limitsHeaderCall(t, addr, tg, strings.Repeat("h", 32<<10))
			if status == http.StatusRequestHeaderFieldsTooLarge || status >= 500 {
				t.Errorf("a 32 KiB header: status %d, want it served", status)
			}
		})
		t.Run(tg.service+"/body 64 MiB", func(t *testing.T) {
			limitsCheck(t, tg.service, tg.service, limitsSend(t, addr, tg, "111111111111", false, ""))
		})
	}
}

// limitsHeaderCall sends tg's request with a small body and an X-Pad
// header of pad, and returns the status.
func limitsHeaderCall(t *testing.T, addr string, tg limitsTarget, pad string) int {
	t.Helper()
	body := tg.prefix
	r, err := http.NewRequest(tg.method, "http://"+addr+tg.path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", tg.contentType)
	r.Header.Set("X-Pad", pad)
	r = sign(t, r, []byte(body), "111111111111", tg.service, "us-east-1")
	client := &http.Client{Transport: &http.Transport{}, Timeout: time.Minute}
	defer client.CloseIdleConnections()
	resp, err := client.Do(r)
	if err != nil {
		t.Fatalf("%s with a %d-byte header: %v", tg.service, len(pad), err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// limitsWaitReady reads the binary's stdout up to "Ready." and returns
// the host:port it listens on.
func limitsWaitReady(t *testing.T, r io.Reader) string {
	t.Helper()
	got := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(r)
		addr := ""
		for sc.Scan() {
			line := sc.Text()
			if i := strings.LastIndex(line, " listening on http://"); i >= 0 {
				addr = line[i+len(" listening on http://"):]
			}
			if line == "Ready." {
				got <- addr
				_, _ = io.Copy(io.Discard, r)
				return
			}
		}
		got <- ""
	}()
	select {
	case addr := <-got:
		if addr == "" {
			t.Fatal("the binary printed no address before Ready.")
		}
		return addr
	case <-time.After(time.Minute):
		t.Fatal("the binary was not ready within a minute")
	}
	return ""
}
