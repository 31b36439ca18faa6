// Package server composes localsec's HTTP side: it reads who is calling
// from the SigV4 scope, hands the request to the service the signature
// names, serves the /_localsec admin endpoints, and logs every request.
// It holds no domain logic.
package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/localsec/localsec/internal/clock"
	"github.com/localsec/localsec/internal/ids"
	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/protocol"
	"github.com/localsec/localsec/internal/protocol/endpoint"
	"github.com/localsec/localsec/internal/protocol/restjson"
	"github.com/localsec/localsec/internal/protocol/sigv4"
	"github.com/localsec/localsec/internal/seed"
	"github.com/localsec/localsec/internal/service/guardduty"
	"github.com/localsec/localsec/internal/service/macie2"
	"github.com/localsec/localsec/internal/service/sts"
	"github.com/localsec/localsec/internal/store"
	"github.com/localsec/localsec/internal/store/memstore"
)

// Version is localsec's version, reported by the health endpoint.
const Version = "0.1.0"

// DefaultRegion is the default of Config.DefaultRegion.
const DefaultRegion = "us-east-1"

// Config configures a Server. The zero value is a working in-memory server.
type Config struct {
	// Store keeps the state; nil means a new in-memory store.
	Store store.Store
	// StoreKind names the store in the health endpoint ("memory",
	// "sqlite", "postgres"); empty means "memory".
	StoreKind string
	// Accounts maps access keys to accounts.
	Accounts protocol.Accounts
	// Credentials, when not nil, turns signature verification on (the
	// binary's --sigv4 strict): every request must be signed with the
	// secret of one of these access keys, and its account is the one
	// given here. Nil reads signatures without checking them.
	Credentials map[string]protocol.Credential
	// AdminToken, when set, must be presented (Authorization: Bearer
	// TOKEN, or X-Localsec-Admin-Token) to every admin endpoint but the
	// health check.
	AdminToken string
	// AdminDisabled turns the admin endpoints but the health check off:
	// the binary sets it when it listens beyond loopback without a token.
	AdminDisabled bool
	// DefaultRegion is the region of requests whose signature names none
	// (SigV4a with a multi-region or absent X-Amz-Region-Set); empty
	// means DefaultRegion.
	DefaultRegion string
	// Organization is the AWS Organizations organization, if any.
	Organization membership.Organization
	// Directory lists the accounts (names, emails) for the state export
	// and the console; access keys and the organization come from
	// Accounts, Credentials and Organization.
	Directory []seed.Account
	// Notifier hears of the invitation emails put in the outbox (the SMTP
	// relay); nil keeps them in the outbox only.
	Notifier func(context.Context, []store.Email)
	// Clock and IDs replace the system clock and random ids (tests).
	Clock clock.Clock
	IDs   ids.Generator
	// Logger receives the access log and errors; nil discards them.
	Logger *slog.Logger
}

// service is what the server needs of a service adapter.
type service interface {
	http.Handler
	SigningName() string
	// WriteError writes an error the server answers for the service
	// (a refused signature) in the service's own error form.
	WriteError(w http.ResponseWriter, call *protocol.Call, e *protocol.APIError)
}

// Server is localsec's HTTP handler with its engine.
type Server struct {
	engine   *membership.Engine
	accounts protocol.Accounts
	dir      []seed.Account
	verify   map[string]protocol.Credential
	clock    clock.Clock
	token    string
	adminOff bool
	region   string
	store    string
	logger   *slog.Logger
	services map[string]service
	started  time.Time
	handler  http.Handler
}

// New builds a server from cfg.
func New(cfg Config) *Server {
	st := cfg.Store
	if st == nil {
		st = memstore.New()
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	var opts []membership.Option
	if cfg.Clock != nil {
		opts = append(opts, membership.WithClock(cfg.Clock))
	}
	if cfg.IDs != nil {
		opts = append(opts, membership.WithIDs(cfg.IDs))
	}
	opts = append(opts, membership.WithOrganization(cfg.Organization))
	if cfg.Notifier != nil {
		opts = append(opts, membership.WithNotifier(cfg.Notifier))
	}
	engine := membership.New(st, opts...)

	s := &Server{
		engine:   engine,
		accounts: cfg.Accounts,
		dir:      cfg.Directory,
		verify:   cfg.Credentials,
		clock:    cfg.Clock,
		token:    cfg.AdminToken,
		adminOff: cfg.AdminDisabled,
		region:   cfg.DefaultRegion,
		store:    cfg.StoreKind,
		logger:   logger,
		services: map[string]service{},
		started:  time.Now(),
	}
	for _, svc := range []service{macie2.New(engine, logger), guardduty.New(engine, logger), sts.New(logger)} {
		s.services[svc.SigningName()] = svc
	}
	if s.region == "" {
		s.region = DefaultRegion
	}
	if s.store == "" {
		s.store = "memory"
	}
	if s.clock == nil {
		s.clock = clock.Real{}
	}
	s.handler = s.withRequest(http.HandlerFunc(s.route))
	return s
}

// Handler returns the server's http.Handler.
func (s *Server) Handler() http.Handler { return s.handler }

// ServeHTTP serves one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Engine returns the membership engine.
func (s *Server) Engine() *membership.Engine { return s.engine }

// ServiceNames returns the signing names served, sorted.
func (s *Server) ServiceNames() []string {
	names := make([]string, 0, len(s.services))
	for n := range s.services {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// route sends a request to the admin endpoints or to the service its
// signature names.
func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if strings.HasPrefix(path, "/_localsec/") || strings.HasPrefix(path, "/_localstack/") {
		s.admin(w, r)
		return
	}
	call := protocol.CallFrom(r.Context())
	sig, err := sigv4.FromRequest(r)
	if err != nil {
		var malformed *sigv4.MalformedError
		switch {
		case errors.As(err, &malformed):
			restjson.WriteError(w, &protocol.APIError{Type: "IncompleteSignatureException", Status: http.StatusBadRequest, Message: malformed.Reason})
		default:
			restjson.WriteError(w, &protocol.APIError{Type: "MissingAuthenticationTokenException", Status: http.StatusForbidden, Message: "Missing Authentication Token"})
		}
		return
	}
	// Copies: sig's strings share the Authorization header's memory,
	// which records built from the call would otherwise keep alive.
	sig.Service = strings.Clone(sig.Service)
	sig.Region = strings.Clone(sig.Region)
	sig.AccessKeyID = strings.Clone(sig.AccessKeyID)
	call.Service = sig.Service
	call.Region = sig.Region
	if call.Region == "" {
		call.Region = sigv4.RegionSet(r)
	}
	if call.Region == "" {
		call.Region = s.region
	}
	call.AccessKeyID = sig.AccessKeyID
	call.Account = s.accounts.Account(sig.AccessKeyID)
	svc, known := s.services[sig.Service]
	// Refusals of the signature are written in the form of the service
	// the request is for, when localsec serves it.
	writeError := func(e *protocol.APIError) { restjson.WriteError(w, e) }
	if known {
		writeError = func(e *protocol.APIError) { svc.WriteError(w, call, e) }
	}
	if s.verify != nil {
		account, ok := s.verified(w, r, sig, writeError)
		if !ok {
			return
		}
		call.Account = account
	}
	if !known {
		restjson.WriteError(w, &protocol.APIError{
			Type:   "UnknownServiceException",
			Status: http.StatusBadRequest,
			Message: fmt.Sprintf("localsec does not emulate the service %q named in the credential scope; it serves %s.",
				sig.Service, strings.Join(s.ServiceNames(), ", ")),
		})
		return
	}
	svc.ServeHTTP(w, r)
}

// verified checks the signature of r against the configured credentials
// and returns the caller's account; on failure it has written the AWS
// error and returns false. The body is read here (within the bound) and
// put back for the service.
func (s *Server) verified(w http.ResponseWriter, r *http.Request, sig sigv4.Signature, writeError func(*protocol.APIError)) (string, bool) {
	cred, known := s.verify[sig.AccessKeyID]
	if !known {
		writeError(&protocol.APIError{Type: "UnrecognizedClientException", Status: http.StatusForbidden,
			Message: "The security token included in the request is invalid."})
		return "", false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, endpoint.DefaultMaxBodyBytes))
	if err != nil {
		// Too large (or unreadable) to verify: the service refuses it in
		// its own error shape, reading the same error from the body.
		r.Body = io.NopCloser(&failingReader{err: err})
		return cred.Account, true
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err := sigv4.Verify(r, body, sig, cred.SecretAccessKey, s.clock.Now()); err != nil {
		var ve *sigv4.VerifyError
		if errors.As(err, &ve) {
			writeError(&protocol.APIError{Type: ve.Code, Status: ve.Status(), Message: ve.Message})
		} else {
			writeError(&protocol.APIError{Type: "InvalidSignatureException", Status: http.StatusForbidden, Message: err.Error()})
		}
		return "", false
	}
	return cred.Account, true
}

// Export returns the whole state as a seed document: the accounts with
// their access keys, the organization, and every record.
func (s *Server) Export(ctx context.Context) (seed.Document, error) {
	snap, err := s.engine.Export(ctx)
	if err != nil {
		return seed.Document{}, err
	}
	return seed.Build(s.directory(), snap), nil
}

// directory merges the configured accounts with the access keys that map
// to them, so that an export seeds the same mapping.
func (s *Server) directory() seed.Directory {
	accounts := append([]seed.Account(nil), s.dir...)
	index := map[string]int{}
	// Secrets the directory knows are kept even when signatures are not
	// verified, so that an export seeds a strict server too.
	secrets := map[string]string{}
	for i, a := range accounts {
		for _, k := range a.AccessKeys {
			secrets[k.ID] = k.Secret
		}
		accounts[i].AccessKeys = nil
		index[a.ID] = i
	}
	add := func(key, account, secret string) {
		i, ok := index[account]
		if !ok {
			accounts = append(accounts, seed.Account{ID: account})
			i = len(accounts) - 1
			index[account] = i
		}
		accounts[i].AccessKeys = append(accounts[i].AccessKeys, seed.AccessKey{ID: key, Secret: secret})
	}
	keys := make([]string, 0, len(s.accounts.Keys)+len(s.verify))
	seen := map[string]bool{}
	for k := range s.accounts.Keys {
		keys, seen[k] = append(keys, k), true
	}
	for k := range s.verify {
		if !seen[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		if cred, ok := s.verify[k]; ok {
			add(k, cred.Account, cred.SecretAccessKey)
		} else {
			add(k, s.accounts.Keys[k], secrets[k])
		}
	}
	return seed.Directory{Accounts: accounts, Organization: s.engine.Organization()}
}

// failingReader is a body whose every read fails with err.
type failingReader struct{ err error }

func (f *failingReader) Read([]byte) (int, error) { return 0, f.err }
