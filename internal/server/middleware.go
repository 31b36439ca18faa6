package server

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/localsec/localsec/internal/protocol"
	"github.com/localsec/localsec/internal/protocol/restjson"
)

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if !r.wrote {
		r.status, r.wrote = http.StatusOK, true
	}
	return r.ResponseWriter.Write(b)
}

// withRequest gives every request an id (x-amzn-RequestId on every
// answer), a protocol.Call in its context, a last-resort recover, and an
// access log line.
func (s *Server) withRequest(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		call := &protocol.Call{RequestID: protocol.NewRequestID()}
		// The canonical form of x-amzn-RequestId, set without
		// canonicalizing it again on every request.
		w.Header()["X-Amzn-Requestid"] = []string{call.RequestID}
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				s.logger.Error("panic outside a service", "request_id", call.RequestID,
					"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				if !rec.wrote {
					restjson.WriteError(rec, &protocol.APIError{Type: "InternalFailure", Status: http.StatusInternalServerError,
						Message: "The request processing has failed because of an unknown error."})
				}
			}
			s.logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("request_id", call.RequestID),
				slog.String("method", r.Method),
				slog.String("path", r.URL.EscapedPath()),
				slog.String("account", call.Account),
				slog.String("region", call.Region),
				slog.String("service", call.Service),
				slog.String("operation", call.Operation),
				slog.Int("status", rec.status),
				slog.Duration("latency", time.Since(start)),
			)
		}()
		next.ServeHTTP(rec, r.WithContext(protocol.WithCall(r.Context(), call)))
	})
}
