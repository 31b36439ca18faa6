package server_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/localsec/localsec/internal/server"
)

func adminCall(t *testing.T, h http.Handler, method, path string, header map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, path, nil)
	for k, v := range header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// With a token, reset needs it (either header form); health never does.
func TestAdminToken(t *testing.T) {
	srv := server.New(server.Config{AdminToken: "s3cret"})
	for _, tc := range []struct {
		name   string
		method string
		path   string
		header map[string]string
		status int
	}{
		{"health is open", "GET", "/_localsec/health", nil, 200},
		{"localstack health is open", "GET", "/_localstack/health", nil, 200},
		{"reset without token", "POST", "/_localsec/reset", nil, 403},
		{"reset with wrong token", "POST", "/_localsec/reset", map[string]string{"Authorization": "Bearer nope"}, 403},
		{"reset with bearer token", "POST", "/_localsec/reset", map[string]string{"Authorization": "Bearer s3cret"}, 200},
		{"reset with header token", "POST", "/_localsec/reset", map[string]string{"X-Localsec-Admin-Token": "s3cret"}, 200},
		{"localstack reset without token", "POST", "/_localstack/state/reset", nil, 403},
		{"localstack reset with token", "POST", "/_localstack/state/reset", map[string]string{"X-Localsec-Admin-Token": "s3cret"}, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := adminCall(t, srv, tc.method, tc.path, tc.header)
			if w.Code != tc.status {
				t.Fatalf("%s %s: %d %s, want %d", tc.method, tc.path, w.Code, w.Body, tc.status)
			}
			if w.Code == 403 && (w.Header().Get("X-Amzn-ErrorType") != "AccessDeniedException" || !strings.Contains(w.Body.String(), "admin token")) {
				t.Fatalf("refusal is not AWS-shaped: %v %s", w.Header(), w.Body)
			}
		})
	}
}

// Turned off (listening beyond loopback without a token): reset is
// refused, health still answers.
func TestAdminDisabled(t *testing.T) {
	srv := server.New(server.Config{AdminDisabled: true})
	if w := adminCall(t, srv, "POST", "/_localsec/reset", map[string]string{"Authorization": "Bearer anything"}); w.Code != 403 || !strings.Contains(w.Body.String(), "off") {
		t.Fatalf("reset while off: %d %s", w.Code, w.Body)
	}
	if w := adminCall(t, srv, "GET", "/_localsec/health", nil); w.Code != 200 {
		t.Fatalf("health while off: %d", w.Code)
	}
}
