package server_test

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	otypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/seed"
	"github.com/localsec/localsec/internal/server"
)

// The console tests render the page for a known state (the seed example,
// then invitations, a decline and a disassociation made through the API)
// and read the HTML back as a tree.

const consoleScript = `Welcome <script>alert("pwned")</script> & "thanks"`

// conState starts a server from docs/examples/seed.yaml and changes it
// through the Macie API: 111111111111 re-invites 333333333333 with a
// message holding a script, invites 444444444444, and invites (without
// an email) then removes 555555555555; 333333333333 enables Macie and
// declines.
func conState(t *testing.T, cfg server.Config) (*server.Server, *httptest.Server) {
	t.Helper()
	raw, err := os.ReadFile("../../docs/examples/seed.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := seed.Parse(raw, "seed.yaml")
	if err != nil {
		t.Fatal(err)
	}
	n := 0 // ids unlike those of the server's ids.Sequence
	dir, snap, err := seed.Load(doc, epoch, func() string { n++; return fmt.Sprintf("5eed%028x", n) })
	if err != nil {
		t.Fatal(err)
	}
	cfg.Directory, cfg.Organization = dir.Accounts, dir.Organization
	cfg.Accounts.Keys = dir.Keys
	cfg.Seed = &snap
	srv, err := server.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	calls := []struct{ account, method, target, body string }{
		{admin, "POST", "/invitations", `{"accountIds":["333333333333"],"message":` + strconv.Quote(consoleScript) + `}`},
		{admin, "POST", "/members", `{"account":{"accountId":"444444444444","email":"new@example.com"}}`},
		{admin, "POST", "/invitations", `{"accountIds":["444444444444"]}`},
		{admin, "POST", "/members", `{"account":{"accountId":"555555555555","email":"gone@example.com"}}`},
		{admin, "POST", "/invitations", `{"accountIds":["555555555555"],"disableEmailNotification":true}`},
		{admin, "POST", "/members/disassociate/555555555555", ``},
		{"333333333333", "POST", "/macie", `{}`},
		{"333333333333", "POST", "/invitations/decline", `{"accountIds":["111111111111"]}`},
	}
	for _, c := range calls {
		res := macie(t, ts, c.account, "us-east-1", c.method, c.target, c.body)
		if res.Status != 200 {
			t.Fatalf("%s %s as %s: %d %s", c.method, c.target, c.account, res.Status, res.Body)
		}
	}
	return srv, ts
}

// conGet fetches a console URL and checks it is an HTML page.
func conGet(t *testing.T, ts *httptest.Server, target string) (*conNode, string) {
	t.Helper()
	resp, err := ts.Client().Get(ts.URL + target)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", target, resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Fatalf("GET %s: Content-Type %q", target, ct)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Fatalf("GET %s: Content-Security-Policy %q", target, csp)
	}
	return conParse(t, string(body)), string(body)
}

// conNode is an element of a parsed page (or its root).
type conNode struct {
	Name     string
	Attr     map[string]string
	Children []*conNode
	text     strings.Builder
}

// conParse reads an HTML page into a tree with encoding/xml in its
// lenient HTML mode (void elements close themselves). It fails on what
// is not well nested, which the template must never produce.
func conParse(t *testing.T, page string) *conNode {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(page))
	d.Strict = false
	d.AutoClose = xml.HTMLAutoClose
	d.Entity = xml.HTMLEntity
	root := &conNode{Name: "#root"}
	stack := []*conNode{root}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the page does not parse: %v\n%s", err, page)
		}
		top := stack[len(stack)-1]
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &conNode{Name: strings.ToLower(tok.Name.Local), Attr: map[string]string{}}
			for _, a := range tok.Attr {
				name := a.Name.Local
				if a.Name.Space != "" {
					name = a.Name.Space + ":" + name
				}
				n.Attr[strings.ToLower(name)] = a.Value
			}
			top.Children = append(top.Children, n)
			stack = append(stack, n)
		case xml.EndElement:
			if len(stack) == 1 || stack[len(stack)-1].Name != strings.ToLower(tok.Name.Local) {
				t.Fatalf("the page closes </%s> inside <%s>", tok.Name.Local, top.Name)
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			for _, n := range stack {
				n.text.Write(tok)
			}
		}
	}
	if len(stack) != 1 {
		t.Fatalf("the page leaves <%s> open", stack[len(stack)-1].Name)
	}
	return root
}

// Text is the text inside n, spaces collapsed.
func (n *conNode) Text() string { return strings.Join(strings.Fields(n.text.String()), " ") }

// hasClass reports whether n's class attribute lists c.
func (n *conNode) hasClass(c string) bool { return slices.Contains(strings.Fields(n.Attr["class"]), c) }

// all returns the elements under n (n included) that match.
func (n *conNode) all(match func(*conNode) bool) []*conNode {
	var out []*conNode
	var walk func(*conNode)
	walk = func(m *conNode) {
		if match(m) {
			out = append(out, m)
		}
		for _, c := range m.Children {
			walk(c)
		}
	}
	walk(n)
	return out
}

// elems returns the elements named name having class (if not empty).
func (n *conNode) elems(name, class string) []*conNode {
	return n.all(func(m *conNode) bool { return m.Name == name && (class == "" || m.hasClass(class)) })
}

// byID returns the element with id, failing the test if there is none.
func (n *conNode) byID(t *testing.T, id string) *conNode {
	t.Helper()
	found := n.all(func(m *conNode) bool { return m.Attr["id"] == id })
	if len(found) != 1 {
		t.Fatalf("%d elements with id %q", len(found), id)
	}
	return found[0]
}

// child returns n's first child element named name, or nil.
func (n *conNode) child(name string) *conNode {
	for _, c := range n.Children {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// conExport returns the macie2 us-east-1 state and the outbox of srv.
func conExport(t *testing.T, srv *server.Server) (seed.Service, []seed.Email) {
	t.Helper()
	doc, err := srv.Export(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range doc.Services {
		if s.Service == "macie2" && s.Region == "us-east-1" {
			return s, doc.Emails
		}
	}
	t.Fatal("no macie2 us-east-1 state")
	return seed.Service{}, nil
}

func TestConsolePage(t *testing.T) {
	srv, ts := conState(t, testConfig())
	page, raw := conGet(t, ts, "/_localsec/ui?service=macie2&region=us-east-1")
	state, emails := conExport(t, srv)

	t.Run("refresh", func(t *testing.T) {
		metas := page.all(func(n *conNode) bool { return n.Name == "meta" && strings.EqualFold(n.Attr["http-equiv"], "refresh") })
		if len(metas) != 1 || metas[0].Attr["content"] != "5" {
			t.Fatalf("refresh meta = %v", metas)
		}
	})

	t.Run("selector", func(t *testing.T) {
		nav := page.elems("nav", "pairs")
		if len(nav) != 1 {
			t.Fatalf("%d selectors", len(nav))
		}
		var hrefs, current []string
		for _, a := range nav[0].elems("a", "") {
			hrefs = append(hrefs, a.Attr["href"])
			if a.hasClass("current") {
				current = append(current, a.Attr["href"])
			}
		}
		want := []string{"?service=guardduty&region=us-east-1", "?service=macie2&region=us-east-1"}
		if !slices.Equal(hrefs, want) || !slices.Equal(current, want[1:]) {
			t.Fatalf("selector links %v (current %v), want %v (current the macie2 one)", hrefs, current, want)
		}
	})

	t.Run("accounts", func(t *testing.T) {
		rows := page.byID(t, "accounts").elems("tr", "account")
		got := map[string]string{}
		for _, r := range rows {
			got[r.Attr["data-account"]] = r.Text()
		}
		for id, want := range map[string][]string{
			"111111111111": {"security-tooling", "security@example.com", "ENABLED", "administrator of 4 members", "delegated administrator", "AKIAADMINEXAMPLE0001"},
			"222222222222": {"workload-prod", "prod@example.com", "ENABLED", "member of 111111111111 (Enabled)"},
			"333333333333": {"workload-dev", "dev@example.com", "ENABLED", "member of 111111111111 (Invited)"},
			"444444444444": {"new@example.com", "not enabled"},
			"555555555555": {"gone@example.com", "member of 111111111111 (Removed)"},
			"999999999999": {"management", "root@example.com", "management"},
		} {
			text, ok := got[id]
			if !ok {
				t.Errorf("no row for account %s", id)
				continue
			}
			for _, w := range want {
				if !strings.Contains(text, w) {
					t.Errorf("row of %s = %q, lacks %q", id, text, w)
				}
			}
		}
		if len(rows) != 6 {
			t.Errorf("%d account rows, want 6", len(rows))
		}
		if strings.Contains(raw, "admin-secret") {
			t.Error("the page shows a secret access key")
		}
	})

	t.Run("graph", func(t *testing.T) {
		svgs := page.byID(t, "graph").elems("svg", "")
		if len(svgs) != 1 {
			t.Fatalf("%d svg elements in the graph section", len(svgs))
		}
		svg := svgs[0]
		edges := svg.elems("g", "edge")
		if len(edges) != len(state.Members) || len(edges) != 4 {
			t.Fatalf("%d edges, want one per member record (%d, 4)", len(edges), len(state.Members))
		}
		class := map[string]string{"Enabled": "associated", "Invited": "pending", "Removed": "apart"}
		seen := map[[2]string]bool{}
		for _, e := range edges {
			key := [2]string{e.Attr["data-admin"], e.Attr["data-member"]}
			seen[key] = true
			var rec *seed.Member
			for i := range state.Members {
				if state.Members[i].Administrator == key[0] && state.Members[i].Account == key[1] {
					rec = &state.Members[i]
				}
			}
			if rec == nil {
				t.Errorf("edge %v has no member record", key)
				continue
			}
			label := e.elems("text", "label")
			if len(label) != 1 || label[0].Text() != rec.Status || e.Attr["data-status"] != rec.Status {
				t.Errorf("edge %v: label %v, data-status %q, want %q", key, label, e.Attr["data-status"], rec.Status)
			}
			if want := class[rec.Status]; !e.hasClass(want) {
				t.Errorf("edge %v (%s): class %q, want %q", key, rec.Status, e.Attr["class"], want)
			}
			if p := e.child("path"); p == nil || !strings.HasPrefix(p.Attr["d"], "M") {
				t.Errorf("edge %v has no path", key)
			}
		}
		if len(seen) != len(edges) {
			t.Errorf("edges repeat a pair: %v", seen)
		}
		for want, status := range map[[2]string]string{
			{admin, member}: "Enabled", {admin, "333333333333"}: "Invited", {admin, "444444444444"}: "Invited", {admin, "555555555555"}: "Removed",
		} {
			if !seen[want] {
				t.Errorf("no %s edge %v", status, want)
			}
		}
		// Administrators on the left, members on the right.
		for _, n := range svg.elems("g", "node") {
			x, _ := strconv.Atoi(n.child("rect").Attr["x"])
			switch {
			case n.hasClass("admin") && x > 100, n.hasClass("member") && x < 400:
				t.Errorf("node %s (%s) at x=%d", n.Attr["data-account"], n.Attr["class"], x)
			}
		}
		if admins := svg.elems("g", "admin"); len(admins) != 1 || admins[0].Attr["data-account"] != admin || !admins[0].hasClass("delegated") {
			t.Errorf("administrator nodes: %v", admins)
		}
		if members := svg.elems("g", "member"); len(members) != 4 {
			t.Errorf("%d member nodes, want 4", len(members))
		}
	})

	t.Run("invitations", func(t *testing.T) {
		rows := page.byID(t, "invitations").elems("tr", "invitation")
		got := map[string]*conNode{}
		for _, r := range rows {
			got[r.Attr["data-admin"]+">"+r.Attr["data-member"]] = r
		}
		if len(rows) != 2 || got[admin+">333333333333"] == nil || got[admin+">444444444444"] == nil {
			t.Fatalf("pending invitations: %d rows %v", len(rows), got)
		}
		for _, m := range state.Members {
			r := got[m.Administrator+">"+m.Account]
			if r == nil {
				continue
			}
			if m.InvitationID == "" || !strings.Contains(r.Text(), m.InvitationID) || !strings.Contains(r.Text(), m.InvitedAt.UTC().Format("2006-01-02 15:04:05Z")) {
				t.Errorf("row %q lacks invitation %s at %v", r.Text(), m.InvitationID, m.InvitedAt)
			}
		}
		if d := got[admin+">333333333333"].Text(); !strings.Contains(d, "declined") || !strings.Contains(d, consoleScript) {
			t.Errorf("333333333333's invitation row = %q, want declined with the message", d)
		}
		if d := got[admin+">444444444444"].Text(); strings.Contains(d, "declined") || !strings.Contains(d, "no answer yet") {
			t.Errorf("444444444444's invitation row = %q", d)
		}
	})

	t.Run("delegated", func(t *testing.T) {
		rows := page.byID(t, "delegated").elems("tr", "delegated")
		if len(rows) != 1 || rows[0].Attr["data-account"] != admin || !strings.Contains(rows[0].Text(), "ENABLED") {
			t.Fatalf("delegated administrators: %v", rows)
		}
	})

	t.Run("outbox", func(t *testing.T) {
		rows := page.byID(t, "outbox").elems("tr", "email")
		if len(emails) != 2 || len(rows) != 2 {
			t.Fatalf("%d email rows, %d emails in the state, want 2", len(rows), len(emails))
		}
		// Newest first: the invitation of 444444444444 was sent last.
		if rows[0].Attr["data-to"] != "444444444444" || rows[1].Attr["data-to"] != "333333333333" {
			t.Errorf("outbox order: %s then %s", rows[0].Attr["data-to"], rows[1].Attr["data-to"])
		}
		r := rows[1].Text()
		for _, want := range []string{"dev@example.com", "Amazon Macie invitation from AWS account 111111111111", emails[0].InvitationID, consoleScript, "2024-05-01 12:00:00Z"} {
			if !strings.Contains(r, want) {
				t.Errorf("email row %q lacks %q", r, want)
			}
		}
	})

	t.Run("escaping", func(t *testing.T) {
		if scripts := page.elems("script", ""); len(scripts) != 0 {
			t.Fatalf("the page has %d script elements", len(scripts))
		}
		if strings.Contains(raw, "<script") {
			t.Fatal("the message's <script> is in the page unescaped")
		}
		if n := strings.Count(raw, "Welcome &lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt; &amp; &#34;thanks&#34;"); n < 2 {
			t.Fatalf("the escaped message appears %d times, want it in the invitation and in the email", n)
		}
	})

	t.Run("offline", func(t *testing.T) {
		conNoExternal(t, page, raw)
	})
}

// conNoExternal checks a page references nothing outside itself.
func conNoExternal(t *testing.T, page *conNode, raw string) {
	t.Helper()
	for _, n := range page.all(func(*conNode) bool { return true }) {
		for _, a := range []string{"src", "href", "action", "xlink:href", "srcset", "poster", "data"} {
			v, ok := n.Attr[a]
			if !ok {
				continue
			}
			if strings.Contains(v, "//") || (strings.Contains(v, ":") && !strings.HasPrefix(v, "data:")) {
				t.Errorf("<%s %s=%q> points outside the page", n.Name, a, v)
			}
		}
		if n.Name == "script" || n.Name == "iframe" || n.Name == "object" || n.Name == "embed" || n.Name == "img" {
			t.Errorf("the page has a <%s>", n.Name)
		}
		if n.Name == "link" && n.Attr["rel"] != "icon" {
			t.Errorf("the page has <link rel=%q>", n.Attr["rel"])
		}
	}
	for _, bad := range []string{"http://", "https://", "@import", "url(", "@font-face"} {
		if strings.Contains(raw, bad) {
			t.Errorf("the page contains %q", bad)
		}
	}
}

// ?account= keeps the emails that account sent or received.
func TestConsoleAccountFilter(t *testing.T) {
	_, ts := conState(t, testConfig())
	for _, tc := range []struct {
		account string
		to      []string
	}{
		{"", []string{"444444444444", "333333333333"}},
		{"444444444444", []string{"444444444444"}},
		{"333333333333", []string{"333333333333"}},
		{admin, []string{"444444444444", "333333333333"}},
		{member, nil},
		{"<b>x</b>", nil},
	} {
		page, raw := conGet(t, ts, "/_localsec/ui?service=macie2&region=us-east-1&account="+url.QueryEscape(tc.account))
		var to []string
		for _, r := range page.byID(t, "outbox").elems("tr", "email") {
			to = append(to, r.Attr["data-to"])
			if tc.account != "" && r.Attr["data-to"] != tc.account && r.Attr["data-from"] != tc.account {
				t.Errorf("?account=%s shows an email from %s to %s", tc.account, r.Attr["data-from"], r.Attr["data-to"])
			}
		}
		if !slices.Equal(to, tc.to) {
			t.Errorf("?account=%s: emails to %v, want %v", tc.account, to, tc.to)
		}
		if tc.account != "" && len(tc.to) == 0 && !strings.Contains(page.byID(t, "outbox").Text(), "No email here was sent by or to account "+tc.account) {
			t.Errorf("?account=%s: the outbox does not say it is empty: %q", tc.account, page.byID(t, "outbox").Text())
		}
		if strings.Contains(raw, "<b>x") {
			t.Errorf("?account=%s is in the page unescaped", tc.account)
		}
		// The other sections are not filtered.
		if n := len(page.byID(t, "graph").elems("g", "edge")); n != 4 {
			t.Errorf("?account=%s: %d edges, want 4", tc.account, n)
		}
	}
}

// A pair with no state is a page that says so, never an error; so is any
// query string.
func TestConsoleNothingAndOddQueries(t *testing.T) {
	srv, ts := conState(t, testConfig())
	page, _ := conGet(t, ts, "/_localsec/ui?service=nope&region=mars-1")
	nothing := page.byID(t, "nothing").Text()
	if !strings.Contains(nothing, "There is nothing in nope (nope) in mars-1") {
		t.Fatalf("nothing section = %q", nothing)
	}
	if n := len(page.elems("svg", "")); n != 0 {
		t.Fatalf("an empty pair draws %d graphs", n)
	}
	if n := len(page.byID(t, "outbox").elems("tr", "email")); n != 0 {
		t.Fatalf("an empty pair lists %d emails", n)
	}
	// The selector still offers the pairs with state.
	if n := len(page.elems("nav", "pairs")[0].elems("a", "")); n != 2 {
		t.Fatalf("%d pairs offered, want 2", n)
	}

	// An empty server says there is nothing anywhere.
	empty := httptest.NewServer(server.New(testConfig()))
	defer empty.Close()
	page, _ = conGet(t, empty, "/_localsec/ui")
	if !strings.Contains(page.byID(t, "nothing").Text(), "Amazon Macie (macie2) in us-east-1") ||
		!strings.Contains(page.elems("nav", "pairs")[0].Text(), "none has any state yet") {
		t.Fatalf("empty server page: %q", page.Text())
	}

	// Without an admin token a token in the query is not needed: it is
	// not copied into the links.
	if _, raw := conGet(t, ts, "/_localsec/ui?token=n0t-needed"); strings.Contains(raw, "n0t-needed") {
		t.Fatal("a token the server does not need is copied into the page")
	}

	h := srv.Handler()
	for _, target := range []string{
		"/_localsec/ui?service=%ff&region=%zz",
		"/_localsec/ui?service=&region=&account=",
		"/_localsec/ui?refresh=-1&refresh=abc",
		"/_localsec/ui?refresh=99999999999999999999",
		"/_localsec/ui?service=guardduty",
		"/_localsec/ui?region=us-east-1",
		"/_localsec/ui?service=macie2&service=guardduty&region=us-east-1&account=" + strings.Repeat("9", 5000),
		"/_localsec/ui?service=%3Cscript%3Ealert(1)%3C/script%3E&region=%22%3E%3Cimg",
		"/_localsec/ui/?;;;&&&==",
	} {
		for _, method := range []string{"GET", "HEAD"} {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(method, target, nil))
			if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
				t.Errorf("%s %s: %d %q", method, target, w.Code, w.Header().Get("Content-Type"))
				continue
			}
			if method == "HEAD" {
				if w.Body.Len() != 0 {
					t.Errorf("HEAD %s has a body", target)
				}
				continue
			}
			body := w.Body.String()
			conParse(t, body)
			if strings.Contains(body, "<script") || strings.Contains(body, "<img") {
				t.Errorf("GET %s echoes markup unescaped", target)
			}
		}
	}
}

// The default pair, GuardDuty's detector ids, and the refresh setting.
func TestConsoleSelectionAndRefresh(t *testing.T) {
	_, ts := conState(t, testConfig())
	page, _ := conGet(t, ts, "/_localsec/ui")
	if title := page.elems("title", "")[0].Text(); title != "localsec · Amazon Macie · us-east-1" {
		t.Fatalf("default page title %q", title)
	}

	page, _ = conGet(t, ts, "/_localsec/ui?service=guardduty&region=us-east-1")
	var detector string
	for _, r := range page.byID(t, "accounts").elems("tr", "account") {
		if r.Attr["data-account"] == admin {
			detector = r.Text()
		}
	}
	if !strings.Contains(detector, "0a1b2c3d4e5f60718293a4b5c6d7e8f9") {
		t.Fatalf("GuardDuty row of %s = %q, want its detector id", admin, detector)
	}
	edges := page.elems("g", "edge")
	if len(edges) != 1 || edges[0].Attr["data-status"] != "Disabled" || !edges[0].hasClass("associated") {
		t.Fatalf("GuardDuty edges: %v", edges)
	}
	if n := len(page.byID(t, "outbox").elems("tr", "email")); n != 0 {
		t.Fatalf("GuardDuty shows %d Macie emails", n)
	}

	page, _ = conGet(t, ts, "/_localsec/ui?service=macie2&region=us-east-1&refresh=0")
	if metas := page.all(func(n *conNode) bool { return n.Name == "meta" && n.Attr["http-equiv"] != "" }); len(metas) != 0 {
		t.Fatalf("refresh=0 still refreshes: %v", metas[0].Attr)
	}
	for _, a := range page.elems("nav", "pairs")[0].elems("a", "") {
		if !strings.HasSuffix(a.Attr["href"], "&refresh=0") {
			t.Fatalf("link %q loses refresh=0", a.Attr["href"])
		}
	}
	page, _ = conGet(t, ts, "/_localsec/ui?refresh=30")
	if metas := page.all(func(n *conNode) bool { return n.Name == "meta" && n.Attr["http-equiv"] == "refresh" }); len(metas) != 1 || metas[0].Attr["content"] != "30" {
		t.Fatalf("refresh=30: %v", metas)
	}
}

// With --admin-token the console needs it, and takes it in the query
// string (a browser cannot send a header); its links keep it. Unknown
// pages under /_localsec/ui/ and other methods are AWS-shaped errors.
func TestConsoleTokenAndErrors(t *testing.T) {
	cfg := testConfig()
	cfg.AdminToken = "t0k&n"
	srv, ts := conState(t, cfg)
	h := srv.Handler()
	for _, tc := range []struct {
		method, target string
		header         map[string]string
		status         int
		errType        string
	}{
		{"GET", "/_localsec/ui", nil, 403, "AccessDeniedException"},
		{"GET", "/_localsec/ui?token=wrong", nil, 403, "AccessDeniedException"},
		{"GET", "/_localsec/ui?token=t0k%26n", nil, 200, ""},
		{"GET", "/_localsec/ui", map[string]string{"Authorization": "Bearer t0k&n"}, 200, ""},
		{"GET", "/_localsec/ui/nope?token=t0k%26n", nil, 404, "NotFoundException"},
		{"GET", "/_localsec/ui/assets/app.js?token=t0k%26n", nil, 404, "NotFoundException"},
		{"POST", "/_localsec/ui?token=t0k%26n", nil, 405, "MethodNotAllowedException"},
		{"DELETE", "/_localsec/ui/?token=t0k%26n", nil, 405, "MethodNotAllowedException"},
	} {
		w := adminCall(t, h, tc.method, tc.target, tc.header)
		if w.Code != tc.status {
			t.Errorf("%s %s: %d %s, want %d", tc.method, tc.target, w.Code, w.Body, tc.status)
			continue
		}
		if tc.errType != "" {
			wantError(t, response{w.Code, w.Header(), w.Body.Bytes()}, tc.status, tc.errType)
		}
	}
	page, _ := conGet(t, ts, "/_localsec/ui?token=t0k%26n&service=macie2&region=us-east-1")
	var links []string
	for _, a := range page.all(func(n *conNode) bool { return n.Name == "a" }) {
		links = append(links, a.Attr["href"])
	}
	sort.Strings(links)
	if len(links) < 2 {
		t.Fatalf("links: %v", links)
	}
	for _, l := range links {
		if !strings.HasSuffix(l, "&token=t0k%26n") {
			t.Errorf("link %q loses the token", l)
		}
	}
	if r := page.all(func(n *conNode) bool { return n.Name == "input" && n.Attr["name"] == "token" }); len(r) != 1 || r[0].Attr["value"] != "t0k&n" {
		t.Errorf("the outbox filter form does not keep the token: %v", r)
	}
}

// Many member records of several administrators: one edge each, and no
// two status labels on top of each other.
func TestConsoleGraphLayout(t *testing.T) {
	ts := newTestServer(t, testConfig())
	admins := []string{"100000000001", "100000000002", "100000000003"}
	want := 0
	for i, a := range admins {
		if res := macie(t, ts, a, "us-east-1", "POST", "/macie", `{}`); res.Status != 200 {
			t.Fatalf("EnableMacie: %d %s", res.Status, res.Body)
		}
		for j := 0; j < 4+3*i; j++ {
			// Administrators share some members: the member column is
			// not a simple split.
			m := strconv.Itoa(200000000000 + j)
			body := `{"account":{"accountId":"` + m + `","email":"m` + m + `@example.com"}}`
			if res := macie(t, ts, a, "us-east-1", "POST", "/members", body); res.Status != 200 {
				t.Fatalf("CreateMember: %d %s", res.Status, res.Body)
			}
			want++
			if j%2 == 0 {
				if res := macie(t, ts, a, "us-east-1", "POST", "/invitations", `{"accountIds":["`+m+`"]}`); res.Status != 200 {
					t.Fatalf("CreateInvitations: %d %s", res.Status, res.Body)
				}
			}
		}
	}
	page, raw := conGet(t, ts, "/_localsec/ui?service=macie2&region=us-east-1")
	edges := page.elems("g", "edge")
	if len(edges) != want {
		t.Fatalf("%d edges, want %d", len(edges), want)
	}
	type box struct{ x, y int }
	var labels []box
	for _, e := range edges {
		l := e.elems("text", "label")[0]
		x, _ := strconv.Atoi(l.Attr["x"])
		y, _ := strconv.Atoi(l.Attr["y"])
		labels = append(labels, box{x, y})
	}
	for i := range labels {
		for j := range i {
			if labels[i].x == labels[j].x && abs(labels[i].y-labels[j].y) < 16 {
				t.Errorf("labels %d and %d overlap at %v and %v", i, j, labels[i], labels[j])
			}
		}
	}
	// Every edge ends inside its member's box and starts inside its
	// administrator's.
	nodes := map[string]*conNode{}
	for _, n := range page.elems("g", "node") {
		side := "member"
		if n.hasClass("admin") {
			side = "admin"
		}
		nodes[side+n.Attr["data-account"]] = n
	}
	num := regexp.MustCompile(`-?\d+`)
	for _, e := range edges {
		d := num.FindAllString(e.child("path").Attr["d"], -1)
		y1, _ := strconv.Atoi(d[1])
		y2, _ := strconv.Atoi(d[len(d)-2])
		for _, end := range []struct {
			key string
			y   int
		}{{"admin" + e.Attr["data-admin"], y1}, {"member" + e.Attr["data-member"], y2}} {
			n := nodes[end.key]
			if n == nil {
				t.Fatalf("no node %s", end.key)
			}
			top, _ := strconv.Atoi(n.child("rect").Attr["y"])
			h, _ := strconv.Atoi(n.child("rect").Attr["height"])
			if end.y <= top || end.y >= top+h {
				t.Errorf("edge %s>%s touches %s at y=%d outside [%d,%d]", e.Attr["data-admin"], e.Attr["data-member"], end.key, end.y, top, top+h)
			}
		}
	}
	conNoExternal(t, page, raw)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// HEAD answers the headers of GET.
func TestConsoleHead(t *testing.T) {
	_, ts := conState(t, testConfig())
	resp, err := ts.Client().Head(ts.URL + "/_localsec/ui")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" || resp.ContentLength <= 0 {
		t.Fatalf("HEAD: %d %v length %d", resp.StatusCode, resp.Header, resp.ContentLength)
	}
}

// Beyond what the picture draws, the page says how many records it left
// out, and the table still lists them all.
func TestConsoleGraphCap(t *testing.T) {
	doc := seed.Document{Version: seed.Version, Services: []seed.Service{{
		Service: "macie2", Region: "us-east-1", Enabled: []seed.Enablement{{Account: admin}},
	}}}
	const records = 410
	for i := range records {
		doc.Services[0].Members = append(doc.Services[0].Members, seed.Member{
			Administrator: admin, Account: strconv.Itoa(300000000000 + i), Email: "m@example.com", Status: "Created"})
	}
	_, snap, err := seed.Load(doc, epoch, func() string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig()
	cfg.Seed = &snap
	srv, err := server.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	page, _ := conGet(t, ts, "/_localsec/ui")
	graph := page.byID(t, "graph")
	if n := len(graph.elems("g", "edge")); n != 400 {
		t.Fatalf("%d edges drawn, want 400", n)
	}
	if !strings.Contains(graph.Text(), "10 more member records are not drawn") {
		t.Fatalf("the page does not say what it left out: %q", graph.Text())
	}
	if n := len(graph.elems("tr", "member")); n != records {
		t.Fatalf("the table lists %d records, want %d", n, records)
	}
}

// conOrgClient is an Organizations client (the Go SDK) of account on ts.
func conOrgClient(ts *httptest.Server, account string) *organizations.Client {
	return organizations.New(organizations.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(ts.URL),
		Credentials:  credentials.NewStaticCredentialsProvider(account, "localsec-secret", ""),
		HTTPClient:   ts.Client(),
		Retryer:      aws.NopRetryer{},
	})
}

// conResult is the answer of an SDK call, for conCall(…).ok(t).
type conResult[T any] struct {
	v   T
	err error
}

func conCall[T any](v T, err error) conResult[T] { return conResult[T]{v, err} }

// ok fails the test on the call's error and returns its output.
func (r conResult[T]) ok(t *testing.T) T {
	t.Helper()
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.v
}

// The organizations section shows what the Organizations API made: the
// tree of the root and OUs, every account, the open handshakes and the
// answered ones, trusted access and delegated administrators; names and
// notes in it are text, never markup.
func TestConsoleOrganizations(t *testing.T) {
	const (
		mgmt     = "999999999999"
		invited  = admin  // joins by invitation, then is moved into an OU and registered
		pending  = member // holds an open invitation
		ouName   = `Workloads <script>alert("ou")</script>`
		accName  = `Dev <b>team</b> & co`
		accEmail = "dev-team@example.com"
		notes    = `<i>please</i> join`
	)
	ctx := context.Background()
	ts := newTestServer(t, testConfig())

	// No organization yet: the section says so.
	page, _ := conGet(t, ts, "/_localsec/ui")
	if text := page.byID(t, "organizations").Text(); !strings.Contains(text, "No organization") ||
		len(page.byID(t, "organizations").elems("div", "org")) != 0 {
		t.Fatalf("organizations section with no organization = %q", text)
	}

	m := conOrgClient(ts, mgmt)
	org := conCall(m.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: otypes.OrganizationFeatureSetAll})).ok(t).Organization
	orgID := aws.ToString(org.Id)
	rootID := aws.ToString(conCall(m.ListRoots(ctx, &organizations.ListRootsInput{})).ok(t).Roots[0].Id)

	accepted := conCall(m.InviteAccountToOrganization(ctx, &organizations.InviteAccountToOrganizationInput{
		Target: &otypes.HandshakeParty{Id: aws.String(invited), Type: otypes.HandshakePartyTypeAccount}})).ok(t).Handshake
	conCall(conOrgClient(ts, invited).AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: accepted.Id})).ok(t)
	open := conCall(m.InviteAccountToOrganization(ctx, &organizations.InviteAccountToOrganizationInput{
		Target: &otypes.HandshakeParty{Id: aws.String(pending), Type: otypes.HandshakePartyTypeAccount}, Notes: aws.String(notes)})).ok(t).Handshake

	car := conCall(m.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(accName), Email: aws.String(accEmail)})).ok(t).CreateAccountStatus
	created := aws.ToString(conCall(m.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{
		CreateAccountRequestId: car.Id})).ok(t).CreateAccountStatus.AccountId)

	workloads := aws.ToString(conCall(m.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{
		ParentId: aws.String(rootID), Name: aws.String(ouName)})).ok(t).OrganizationalUnit.Id)
	prod := aws.ToString(conCall(m.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{
		ParentId: aws.String(workloads), Name: aws.String("Prod")})).ok(t).OrganizationalUnit.Id)
	conCall(m.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(invited),
		SourceParentId: aws.String(rootID), DestinationParentId: aws.String(prod)})).ok(t)

	conCall(m.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("macie.amazonaws.com")})).ok(t)
	conCall(m.RegisterDelegatedAdministrator(ctx, &organizations.RegisterDelegatedAdministratorInput{
		AccountId: aws.String(invited), ServicePrincipal: aws.String("macie.amazonaws.com")})).ok(t)

	// Whatever service and region the page shows, the organization is
	// the same (Organizations is global).
	for _, target := range []string{"/_localsec/ui", "/_localsec/ui?service=guardduty&region=eu-west-3"} {
		page, raw := conGet(t, ts, target)
		section := page.byID(t, "organizations")
		orgs := section.elems("div", "org")
		if len(orgs) != 1 || orgs[0].Attr["data-org"] != orgID {
			t.Fatalf("%s: organizations %v, want %s", target, orgs, orgID)
		}
		o := orgs[0]
		if s := o.elems("p", "org-summary"); len(s) != 1 || !strings.Contains(s[0].Text(), "management account "+mgmt) ||
			!strings.Contains(s[0].Text(), "feature set ALL") {
			t.Errorf("%s: summary %v", target, s)
		}

		// The tree: the root holds the management account, the created
		// account and the OU; the OU holds Prod; Prod holds the invited
		// account.
		parent := map[string]string{} // element id or account → its parent's id
		name := map[string]string{}
		for _, li := range o.elems("li", "") {
			id := li.Attr["data-id"] + li.Attr["data-account"]
			if span := li.elems("span", "parent-name"); len(span) > 0 && li.Attr["data-id"] != "" {
				name[id] = span[0].Text()
			}
			if ul := li.child("ul"); ul != nil {
				for _, c := range ul.Children {
					parent[c.Attr["data-id"]+c.Attr["data-account"]] = id
				}
			}
		}
		wantParent := map[string]string{mgmt: rootID, created: rootID, workloads: rootID, prod: workloads, invited: prod}
		for child, want := range wantParent {
			if parent[child] != want {
				t.Errorf("%s: in the tree, %s is under %q, want %q", target, child, parent[child], want)
			}
		}
		if name[rootID] != "Root" || name[workloads] != ouName || name[prod] != "Prod" {
			t.Errorf("%s: tree names %v", target, name)
		}

		// Every account with its facts.
		rows := map[string]string{}
		for _, r := range o.elems("tr", "org-account") {
			rows[r.Attr["data-account"]] = r.Text()
			if want := wantParent[r.Attr["data-account"]]; r.Attr["data-parent"] != want {
				t.Errorf("%s: account %s has data-parent %q, want %q", target, r.Attr["data-account"], r.Attr["data-parent"], want)
			}
		}
		for id, want := range map[string][]string{
			mgmt:    {"management", "ACTIVE", "INVITED", "2024-05-01 12:00:00Z", "Root " + rootID},
			invited: {"account-" + invited, "ACTIVE", "INVITED", "Prod " + prod},
			created: {accName, accEmail, "ACTIVE", "CREATED", "Root " + rootID, "OrganizationAccountAccessRole"},
		} {
			for _, w := range want {
				if !strings.Contains(rows[id], w) {
					t.Errorf("%s: account row of %s = %q, lacks %q", target, id, rows[id], w)
				}
			}
		}
		if len(rows) != 3 {
			t.Errorf("%s: %d account rows, want 3: %v", target, len(rows), rows)
		}

		// The open handshake, and the accepted one apart.
		var openRows, closedRows []*conNode
		for _, r := range o.elems("tr", "handshake") {
			if r.Attr["data-state"] == "OPEN" {
				openRows = append(openRows, r)
			} else {
				closedRows = append(closedRows, r)
			}
		}
		if len(openRows) != 1 || openRows[0].Attr["data-handshake"] != aws.ToString(open.Id) || openRows[0].Attr["data-target"] != pending {
			t.Fatalf("%s: open handshakes %v, want %s to %s", target, openRows, aws.ToString(open.Id), pending)
		}
		for _, w := range []string{orgID, mgmt, "account " + pending, "OPEN", "2024-05-01 12:00:00Z", "2024-05-16 12:00:00Z", notes} {
			if !strings.Contains(openRows[0].Text(), w) {
				t.Errorf("%s: open handshake row %q lacks %q", target, openRows[0].Text(), w)
			}
		}
		if len(closedRows) != 1 || closedRows[0].Attr["data-handshake"] != aws.ToString(accepted.Id) || closedRows[0].Attr["data-state"] != "ACCEPTED" {
			t.Errorf("%s: answered handshakes %v, want %s ACCEPTED", target, closedRows, aws.ToString(accepted.Id))
		}

		if rows := o.elems("tr", "service-access"); len(rows) != 1 || rows[0].Attr["data-principal"] != "macie.amazonaws.com" {
			t.Errorf("%s: trusted access %v", target, rows)
		}
		if rows := o.elems("tr", "org-delegated"); len(rows) != 1 || rows[0].Attr["data-principal"] != "macie.amazonaws.com" ||
			rows[0].Attr["data-account"] != invited || !strings.Contains(rows[0].Text(), "account-"+invited) {
			t.Errorf("%s: delegated administrators %v", target, rows)
		}

		// The accounts table above knows each account's place.
		for _, r := range page.byID(t, "accounts").elems("tr", "account") {
			want := map[string]string{mgmt: "management · " + orgID, invited: "member · " + orgID, created: "member · " + orgID}[r.Attr["data-account"]]
			if want != "" && !strings.Contains(r.Text(), want) {
				t.Errorf("%s: accounts row %q lacks %q", target, r.Text(), want)
			}
			if r.Attr["data-account"] == created && !strings.Contains(r.Text(), accName) {
				t.Errorf("%s: accounts row of the created account %q lacks its name", target, r.Text())
			}
		}

		// Names and notes are text.
		if strings.Contains(raw, "<script") || strings.Contains(raw, "<b>") || strings.Contains(raw, "<i>") {
			t.Errorf("%s: markup of a name or note is in the page unescaped", target)
		}
		for _, escaped := range []string{
			"Workloads &lt;script&gt;alert(&#34;ou&#34;)&lt;/script&gt;", "Dev &lt;b&gt;team&lt;/b&gt; &amp; co", "&lt;i&gt;please&lt;/i&gt; join",
		} {
			if !strings.Contains(raw, escaped) {
				t.Errorf("%s: the page lacks %q", target, escaped)
			}
		}
		conNoExternal(t, page, raw)
	}
}

// An organization made from --org-management-account alone is open: the
// page says so, and counts in it the accounts of no organization, which
// join as soon as a security service asks about them.
func TestConsoleOpenOrganization(t *testing.T) {
	cfg := testConfig()
	cfg.Organization = membership.Organization{ManagementAccount: "999999999999"}
	// An account the directory knows and no service has asked about.
	cfg.Directory = []seed.Account{{ID: admin, Name: "security-tooling"}}
	ts := newTestServer(t, cfg)
	page, _ := conGet(t, ts, "/_localsec/ui")
	orgs := page.byID(t, "organizations").elems("div", "org")
	if len(orgs) != 1 || !strings.Contains(orgs[0].elems("p", "org-summary")[0].Text(), "open every account of no organization") {
		t.Fatalf("organizations %v", orgs)
	}
	orgID := orgs[0].Attr["data-org"]
	rows := map[string]string{}
	for _, r := range page.byID(t, "accounts").elems("tr", "account") {
		rows[r.Attr["data-account"]] = r.Text()
	}
	if !strings.Contains(rows["999999999999"], "management · "+orgID) || !strings.Contains(rows[admin], "member · "+orgID+" (open)") {
		t.Fatalf("accounts %v", rows)
	}
}
