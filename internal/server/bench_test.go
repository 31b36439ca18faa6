package server_test

// Benchmarks of one full request through localsec's HTTP handler
// (signature scope, routing, body decoding, engine, store, JSON answer),
// on each store: memory, SQLite in a temporary directory, and PostgreSQL
// in a schema of its own of LOCALSEC_TEST_POSTGRES_DSN (skipped without
// it, unless LOCALSEC_REQUIRE_POSTGRES=1). The engine operations alone
// are benchmarked in internal/membership; the load generator is
// cmd/localsec-bench; the figures are in docs/performance.md.
//
//	go test -run '^$' -bench . -benchmem ./internal/server/
//
// BenchmarkHandler calls ServeHTTP directly; BenchmarkLoopback sends the
// request over a loopback TCP connection with net/http on both sides, next
// to the same request to a handler that only answers {} (the ceiling).

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/server"
	"github.com/localsec/localsec/internal/store"
	"github.com/localsec/localsec/internal/store/memstore"
	"github.com/localsec/localsec/internal/store/pgstore/pgtest"
	"github.com/localsec/localsec/internal/store/sqlitestore"
)

const (
	benchRegion = "us-east-1"
	benchAdmin  = "100000000001"
	benchMember = "200000000001"
	// benchOtherAdmins invite benchMember too: its ListInvitations
	// answers four invitations.
	benchOtherAdmins = 3
)

// benchStore opens a new, empty store.
type benchStore struct {
	name string
	open func(b *testing.B) store.Store
}

var benchStores = []benchStore{
	{"memory", func(*testing.B) store.Store { return memstore.New() }},
	{"sqlite", func(b *testing.B) store.Store {
		st, err := sqlitestore.Open(context.Background(), filepath.Join(b.TempDir(), "localsec.db"))
		if err != nil {
			b.Fatal(err)
		}
		return st
	}},
	{"postgres", func(b *testing.B) store.Store { return pgtest.Open(b) }},
}

// benchReq is a signed request that can be served again and again.
type benchReq struct {
	r    *http.Request
	body []byte
}

// newBenchReq signs a request as account for service, once: the server
// reads the signature without checking it, so it can be sent again.
func newBenchReq(tb testing.TB, base, method, target, account, service string, body []byte) *benchReq {
	tb.Helper()
	r, err := http.NewRequest(method, base+target, bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: account, SecretAccessKey: "bench-secret"}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, hex.EncodeToString(sum[:]), service, benchRegion, time.Now()); err != nil {
		tb.Fatal(err)
	}
	return &benchReq{r: r, body: body}
}

// discard is a ResponseWriter that keeps only the status and the size.
type discard struct {
	h      http.Header
	status int
	n      int
	keep   bool
	buf    bytes.Buffer
}

func (d *discard) Header() http.Header { return d.h }
func (d *discard) WriteHeader(code int) {
	if d.status == 0 {
		d.status = code
	}
}
func (d *discard) Write(p []byte) (int, error) {
	if d.status == 0 {
		d.status = http.StatusOK
	}
	d.n += len(p)
	if d.keep {
		d.buf.Write(p)
	}
	return len(p), nil
}

func (d *discard) reset() {
	clear(d.h)
	d.status, d.n = 0, 0
	d.buf.Reset()
}

// serve sends req through h once and returns the status.
func (q *benchReq) serve(h http.Handler, w *discard) int {
	w.reset()
	q.r.Body = io.NopCloser(bytes.NewReader(q.body))
	h.ServeHTTP(w, q.r)
	return w.status
}

// call serves one request through h during setup and fails unless it
// succeeds; it returns the answer's body.
func call(tb testing.TB, h http.Handler, method, target, account, service, body string) string {
	tb.Helper()
	var b []byte
	if body != "" {
		b = []byte(body)
	}
	q := newBenchReq(tb, "http://localsec.bench", method, target, account, service, b)
	w := &discard{h: http.Header{}, keep: true}
	if st := q.serve(h, w); st/100 != 2 {
		tb.Fatalf("%s %s as %s: %d %s", method, target, account, st, w.buf.String())
	}
	return w.buf.String()
}

// benchAccount returns the n-th account after base (12 digits).
func benchAccount(base int, n int) string { return fmt.Sprintf("%012d", base+n) }

// fillMembers adds n Enabled members (member ids 3xxxxxxxxxxx) to
// benchAdmin's Macie inventory straight through the store, as a
// delegated administrator's would be (quotas do not apply to the store),
// in transactions of 5,000.
func fillMembers(b *testing.B, st store.Store, n int, status store.RelationshipStatus) {
	b.Helper()
	now := time.Now().UTC().Truncate(time.Millisecond)
	scope := store.Scope{Service: "macie2", Region: benchRegion}
	for from := 0; from < n; from += 5000 {
		err := st.Update(context.Background(), func(tx store.Tx) error {
			for i := from; i < min(from+5000, n); i++ {
				m := benchAccount(300000000000, i)
				err := tx.PutMember(context.Background(), store.Member{
					MemberKey:   store.MemberKey{Scope: scope, Admin: benchAdmin, Member: m},
					Email:       "bench+" + m + "@example.com",
					Status:      status,
					Association: store.AssociationOrganizations,
					Created:     now,
					Updated:     now,
				})
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// benchServer is a server on a new store with benchAdmin and benchMember
// enabled, benchMember invited by benchAdmin and by benchOtherAdmins
// more administrators.
func benchServer(b *testing.B, bs benchStore) (*server.Server, store.Store) {
	b.Helper()
	st := bs.open(b)
	b.Cleanup(func() { st.Close() })
	srv := server.New(server.Config{Store: st, StoreKind: bs.name})
	h := srv.Handler()
	admins := []string{benchAdmin}
	for i := range benchOtherAdmins {
		admins = append(admins, benchAccount(100000000002, i))
	}
	call(b, h, "POST", "/macie", benchMember, "macie2", `{}`)
	for _, a := range admins {
		call(b, h, "POST", "/macie", a, "macie2", `{}`)
		call(b, h, "POST", "/members", a, "macie2", `{"account":{"accountId":"`+benchMember+`","email":"member@example.com"}}`)
		call(b, h, "POST", "/invitations", a, "macie2", `{"accountIds":["`+benchMember+`"]}`)
	}
	return srv, st
}

// benchOp is one request, repeated b.N times; next, when set, gives the
// request of iteration i instead of req.
type benchOp struct {
	name  string
	setup func(b *testing.B, h http.Handler, st store.Store) (req *benchReq, next func(i int) *benchReq)
}

func fixed(q *benchReq) func(*testing.B, http.Handler, store.Store) (*benchReq, func(int) *benchReq) {
	return func(*testing.B, http.Handler, store.Store) (*benchReq, func(int) *benchReq) { return q, nil }
}

// listMembersPage asks for the page after the middle member of an
// inventory of n: the store must seek, not scan from the start.
func listMembersPage(n int, status store.RelationshipStatus, query string) func(*testing.B, http.Handler, store.Store) (*benchReq, func(int) *benchReq) {
	return func(b *testing.B, h http.Handler, st store.Store) (*benchReq, func(int) *benchReq) {
		fillMembers(b, st, n, status)
		token := pageToken(benchAccount(300000000000, n/2))
		return newBenchReq(b, "http://localsec.bench", "GET", "/members?maxResults=25&nextToken="+token+query, benchAdmin, "macie2", nil), nil
	}
}

// pageToken is the nextToken of a ListMembers page that ended at member.
// It follows membership.encodeToken; BenchmarkHandler checks that the
// answer is a full page, so a change of format shows.
func pageToken(member string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("ls1:members:" + member))
}

var benchOps = []benchOp{
	{name: "Health", setup: fixed(&benchReq{r: httptest.NewRequest("GET", "/_localsec/health", nil)})},
	{name: "ListInvitations", setup: func(b *testing.B, _ http.Handler, _ store.Store) (*benchReq, func(int) *benchReq) {
		return newBenchReq(b, "http://localsec.bench", "GET", "/invitations", benchMember, "macie2", nil), nil
	}},
	{name: "GetMember", setup: func(b *testing.B, _ http.Handler, _ store.Store) (*benchReq, func(int) *benchReq) {
		return newBenchReq(b, "http://localsec.bench", "GET", "/members/"+benchMember, benchAdmin, "macie2", nil), nil
	}},
	{name: "CreateInvitations", setup: func(b *testing.B, _ http.Handler, _ store.Store) (*benchReq, func(int) *benchReq) {
		// Macie sends an invited member a new invitation: one write.
		return newBenchReq(b, "http://localsec.bench", "POST", "/invitations", benchAdmin, "macie2", []byte(`{"accountIds":["`+benchMember+`"]}`)), nil
	}},
	{name: "CreateMember+DeleteMember", setup: func(b *testing.B, _ http.Handler, _ store.Store) (*benchReq, func(int) *benchReq) {
		// Two requests an iteration: the inventory stays the same size.
		const fresh = "400000000001"
		create := newBenchReq(b, "http://localsec.bench", "POST", "/members", benchAdmin, "macie2", []byte(`{"account":{"accountId":"`+fresh+`","email":"fresh@example.com"}}`))
		del := newBenchReq(b, "http://localsec.bench", "DELETE", "/members/"+fresh, benchAdmin, "macie2", nil)
		return nil, func(i int) *benchReq {
			if i%2 == 0 {
				return create
			}
			return del
		}
	}},
	{name: "ListMembersPage/members=1000", setup: listMembersPage(1000, store.StatusEnabled, "")},
	{name: "ListMembersPage/members=100000", setup: listMembersPage(100000, store.StatusEnabled, "")},
	// onlyAssociated (Macie's default) over an inventory where no member
	// is associated: the answer is empty whatever the size, so its cost
	// is the store's filtering.
	{name: "ListMembersAssociatedNoneMatch/members=1000", setup: listMembersPage(1000, store.StatusCreated, "&onlyAssociated=true")},
	{name: "ListMembersAssociatedNoneMatch/members=100000", setup: listMembersPage(100000, store.StatusCreated, "&onlyAssociated=true")},
}

// BenchmarkHandler serves one request b.N times through the handler, per
// store and operation.
func BenchmarkHandler(b *testing.B) {
	for _, bs := range benchStores {
		b.Run(bs.name, func(b *testing.B) {
			for _, op := range benchOps {
				b.Run(op.name, func(b *testing.B) {
					srv, st := benchServer(b, bs)
					h := srv.Handler()
					req, next := op.setup(b, h, st)
					w := &discard{h: http.Header{}}
					// One request before timing, which must succeed.
					first := req
					if next != nil {
						first = next(0)
					}
					w.keep = true
					if status := first.serve(h, w); status/100 != 2 {
						b.Fatalf("%s: %d %s", op.name, status, w.buf.String())
					}
					if strings.HasPrefix(op.name, "ListMembersPage/") && strings.Count(w.buf.String(), `"accountId"`) != 25 {
						b.Fatalf("%s: not a full page: %.300s", op.name, w.buf.String())
					}
					w.keep = false
					if next != nil {
						// Put the pair back where it started.
						next(1).serve(h, w)
					}
					b.ReportAllocs()
					b.ResetTimer()
					for i := 0; b.Loop(); i++ {
						q := req
						if next != nil {
							q = next(i)
						}
						if status := q.serve(h, w); status/100 != 2 {
							b.Fatalf("%s: iteration %d: status %d", op.name, i, status)
						}
					}
				})
			}
		})
	}
}

// BenchmarkLoopback sends one request over a loopback TCP connection
// (keep-alive, net/http client and server) to localsec on each store,
// and to a handler that answers {} (the ceiling).
func BenchmarkLoopback(b *testing.B) {
	run := func(b *testing.B, h http.Handler, target, account string) {
		ts := httptest.NewServer(h)
		b.Cleanup(ts.Close)
		client := &http.Client{Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 4}}
		b.Cleanup(client.CloseIdleConnections)
		q := newBenchReq(b, ts.URL, "GET", target, account, "macie2", nil)
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			resp, err := client.Do(q.r)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	}
	b.Run("ceiling/ListInvitations", func(b *testing.B) {
		run(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte("{}"))
		}), "/invitations", benchMember)
	})
	for _, bs := range benchStores {
		b.Run(bs.name+"/ListInvitations", func(b *testing.B) {
			srv, _ := benchServer(b, bs)
			run(b, srv.Handler(), "/invitations", benchMember)
		})
	}
}

// BenchmarkMembersHeap adds members through the handler to a memory
// store and reports the live heap each member takes once collected
// (heap-B/member) besides the time to add them all (ns/op):
// "guardduty" adds them 50 to a CreateMembers request (administrators of
// 5,000), "macie" one to a CreateMember request (a delegated
// administrator's 10,000). Every request is signed anew, as over the
// network, so that what a record keeps of its request shows. With
// LOCALSEC_BENCH_HEAPPROFILE=PATH it writes a heap profile with the
// members alive to PATH.<case>.
func BenchmarkMembersHeap(b *testing.B) {
	cases := []struct {
		name string
		n    int
		add  func(testing.TB, http.Handler, int)
	}{
		{"guardduty/members=10000", 10000, addMembers},
		{"guardduty/members=100000", 100000, addMembers},
		{"macie/members=10000", 10000, addMacieMembers},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var perMember float64
			for b.Loop() {
				b.StopTimer()
				runtime.GC()
				var before runtime.MemStats
				runtime.ReadMemStats(&before)
				srv := server.New(server.Config{Organization: membership.Organization{ManagementAccount: benchManagement}})
				b.StartTimer()
				c.add(b, srv.Handler(), c.n)
				b.StopTimer()
				runtime.GC()
				var after runtime.MemStats
				runtime.ReadMemStats(&after)
				perMember = float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / float64(c.n)
				if path := os.Getenv("LOCALSEC_BENCH_HEAPPROFILE"); path != "" {
					// A heap profile with the members alive, for
					// go tool pprof -sample_index=inuse_space.
					writeHeapProfile(b, path+"."+strings.NewReplacer("/", "-", "=", "").Replace(c.name))
				}
				runtime.KeepAlive(srv)
				b.StartTimer()
			}
			b.ReportMetric(perMember, "heap-B/member")
		})
	}
}

const benchManagement = "999999999999"

// addMacieMembers makes benchAdmin the organization's delegated Macie
// administrator and adds n members to it, one CreateMember each.
func addMacieMembers(tb testing.TB, h http.Handler, n int) {
	call(tb, h, "POST", "/macie", benchManagement, "macie2", `{}`)
	call(tb, h, "POST", "/admin", benchManagement, "macie2", `{"adminAccountId":"`+benchAdmin+`"}`)
	call(tb, h, "POST", "/macie", benchAdmin, "macie2", `{}`)
	w := &discard{h: http.Header{}, keep: true}
	for i := range n {
		m := benchAccount(600000000000, i)
		q := newBenchReq(tb, "http://localsec.bench", "POST", "/members", benchAdmin, "macie2",
			[]byte(`{"account":{"accountId":"`+m+`","email":"bench+`+m+`@example.com"}}`))
		if st := q.serve(h, w); st != http.StatusOK {
			tb.Fatalf("CreateMember: %d %s", st, w.buf.String())
		}
	}
}

func writeHeapProfile(b *testing.B, path string) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := pprof.WriteHeapProfile(f); err != nil {
		b.Fatal(err)
	}
}

// addMembers adds n members to a server through its handler.
func addMembers(tb testing.TB, h http.Handler, n int) {
	const perAdmin, batch = 5000, 50
	var detector string
	w := &discard{h: http.Header{}, keep: true}
	for first := 0; first < n; first += batch {
		admin := benchAccount(500000000000, first/perAdmin)
		if first%perAdmin == 0 {
			out := call(tb, h, "POST", "/detector", admin, "guardduty", `{"enable":true}`)
			detector = strings.Split(strings.Split(out, `"detectorId":"`)[1], `"`)[0]
		}
		var body strings.Builder
		body.WriteString(`{"accountDetails":[`)
		for i := first; i < min(first+batch, n); i++ {
			if i > first {
				body.WriteByte(',')
			}
			m := benchAccount(600000000000, i)
			fmt.Fprintf(&body, `{"accountId":%q,"email":"bench+%s@example.com"}`, m, m)
		}
		body.WriteString(`]}`)
		q := newBenchReq(tb, "http://localsec.bench", "POST", "/detector/"+detector+"/member", admin, "guardduty", []byte(body.String()))
		if st := q.serve(h, w); st != http.StatusOK || strings.Contains(w.buf.String(), `"accountId"`) {
			tb.Fatalf("CreateMembers: %d %s", st, w.buf.String())
		}
	}
}
