package server

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/localsec/localsec/internal/protocol"
	"github.com/localsec/localsec/internal/protocol/restjson"
)

// The console is read-only HTML rendered on the server from one state
// export: no script, no external asset (the CSS is inline, the graph an
// inline SVG), so that it works offline and in any browser.

//go:embed consoleui/console.html
var consoleFS embed.FS

// consoleTemplate is the page; html/template escapes every value put in it.
var consoleTemplate = template.Must(template.New("console.html").ParseFS(consoleFS, "consoleui/console.html"))

// Refresh bounds of ?refresh= (seconds; 0 turns the refresh off).
const (
	consoleDefaultRefresh = 5
	consoleMaxRefresh     = 3600
)

// consoleCSP forbids the page any resource but its inline style and data:
// images: even a mistake in the template cannot make a browser fetch
// anything, online or not.
const consoleCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// consoleQuery is what a console URL asks for.
type consoleQuery struct {
	service, region string // empty: chosen from the state
	account         string // outbox filter
	token           string // kept in links when the token came in the query
	refresh         int
}

func parseConsoleQuery(r *http.Request) consoleQuery {
	q := r.URL.Query()
	// What is shown of the query must be valid UTF-8 for the page to be.
	get := func(name string) string { return strings.ToValidUTF8(q.Get(name), "\uFFFD") }
	cq := consoleQuery{
		service: get("service"),
		region:  get("region"),
		account: get("account"),
		token:   get("token"),
		refresh: consoleDefaultRefresh,
	}
	if v := q.Get("refresh"); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n >= 0 {
			cq.refresh = min(n, consoleMaxRefresh)
		}
	}
	return cq
}

// href is a link to the console page for service, region and account,
// keeping the token and refresh of the current query.
func (q consoleQuery) href(service, region, account string) string {
	var b strings.Builder
	param := func(name, value string) {
		if b.Len() == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString(name + "=" + url.QueryEscape(value))
	}
	param("service", service)
	param("region", region)
	if account != "" {
		param("account", account)
	}
	if q.refresh != consoleDefaultRefresh {
		param("refresh", strconv.Itoa(q.refresh))
	}
	if q.token != "" {
		param("token", q.token)
	}
	return b.String()
}

// console serves the read-only web console under /_localsec/ui.
func (s *Server) console(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/_localsec/ui" && r.URL.Path != "/_localsec/ui/" {
		restjson.WriteError(w, &protocol.APIError{Type: "NotFoundException", Status: http.StatusNotFound,
			Message: "The console has no page " + r.URL.Path + "; open /_localsec/ui?service=SERVICE&region=REGION."})
		return
	}
	doc, err := s.Export(r.Context())
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	// Organizations is read through its engine, in a transaction of its
	// own: the page may be a moment apart between the two reads, as it is
	// between two refreshes.
	orgs, err := s.orgs.Overviews(r.Context())
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	q := parseConsoleQuery(r)
	if s.token == "" {
		q.token = "" // nothing to keep
	}
	view := buildConsoleView(doc, orgs, q, s.region, s.clock.Now())
	var buf bytes.Buffer
	if err := consoleTemplate.Execute(&buf, view); err != nil {
		s.internalError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", consoleCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	// The token may be in the URL: never send it to another site.
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(buf.Bytes())
	}
}
