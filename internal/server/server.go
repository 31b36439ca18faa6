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
	"github.com/localsec/localsec/internal/organizations"
	"github.com/localsec/localsec/internal/protocol"
	"github.com/localsec/localsec/internal/protocol/endpoint"
	"github.com/localsec/localsec/internal/protocol/restjson"
	"github.com/localsec/localsec/internal/protocol/sigv4"
	"github.com/localsec/localsec/internal/seed"
	"github.com/localsec/localsec/internal/service/guardduty"
	"github.com/localsec/localsec/internal/service/macie2"
	orgsvc "github.com/localsec/localsec/internal/service/organizations"
	"github.com/localsec/localsec/internal/service/sts"
	"github.com/localsec/localsec/internal/sessions"
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
	// Seed is state to load into the store when it is empty (a seed
	// document's records), before the configuration's organization is
	// made; a store that holds state keeps it.
	Seed *store.Snapshot
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
	orgs     *organizations.Engine
	sessions *sessions.Engine
	org      membership.Organization
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

// New builds a server from cfg; a failure to load cfg.Seed or to make the
// configuration's organization is logged (Open returns it).
func New(cfg Config) *Server {
	s, err := Open(cfg)
	if err != nil {
		s.logger.Error("the server's initial state could not be made", "error", err.Error())
	}
	return s
}

// Open builds a server from cfg: it loads cfg.Seed into an empty store,
// then makes the configuration's organization. It returns the server even
// with an error, which says what of the initial state is missing.
func Open(cfg Config) (*Server, error) {
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
	// AWS Organizations is the source of the organizations every
	// security service consults; the flags' organization is made in it.
	orgOpts := []organizations.Option{organizations.WithDirectory(directoryOf(cfg.Directory))}
	if cfg.Clock != nil {
		orgOpts = append(orgOpts, organizations.WithClock(cfg.Clock))
	}
	if cfg.IDs != nil {
		orgOpts = append(orgOpts, organizations.WithIDs(cfg.IDs))
	}
	orgs := organizations.New(st, orgOpts...)
	opts = append(opts, membership.WithOrganization(cfg.Organization), membership.WithOrganizations(orgs))
	if cfg.Notifier != nil {
		opts = append(opts, membership.WithNotifier(cfg.Notifier))
	}
	engine := membership.New(st, opts...)
	sess := sessions.New(st, orgs, cfg.Clock, cfg.IDs)

	s := &Server{
		engine:   engine,
		orgs:     orgs,
		sessions: sess,
		org:      cfg.Organization,
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
	for _, svc := range []service{macie2.New(engine, logger), guardduty.New(engine, logger), sts.New(sess, logger),
		orgsvc.New(orgs, logger)} {
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
	ctx := context.Background()
	if cfg.Seed != nil {
		err := engine.Import(ctx, *cfg.Seed)
		switch {
		case errors.Is(err, membership.ErrNotEmpty):
			logger.Warn("seed not loaded: the store already holds state (its accounts, keys and organization apply)")
		case err != nil:
			return s, fmt.Errorf("seed: %w", err)
		}
	}
	if err := s.seedOrganization(ctx); err != nil {
		return s, fmt.Errorf("the organization of %s: %w", cfg.Organization.ManagementAccount, err)
	}
	// Designations a seed or an older store holds were written without
	// Organizations: give them the trusted access and registrations the
	// API would have made.
	if err := engine.ReconcileOrganizations(ctx); err != nil {
		return s, fmt.Errorf("seed: %w", err)
	}
	return s, nil
}

// seedOrganization makes, in AWS Organizations, the organization the
// configuration names (the flags, a seed's organization); nothing when
// it names none.
func (s *Server) seedOrganization(ctx context.Context) error {
	if !s.org.Exists() {
		return nil
	}
	return s.orgs.Seed(ctx, s.org.ManagementAccount, s.org.Accounts)
}

// Reset forgets all state, then makes the configuration's organization
// again: what the configuration says survives a reset, as in LocalStack.
func (s *Server) Reset(ctx context.Context) error {
	if err := s.engine.Reset(ctx); err != nil {
		return err
	}
	return s.seedOrganization(ctx)
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
	sess, assumed, ok := s.session(r, sig.AccessKeyID, writeError)
	if !ok {
		return
	}
	if assumed {
		call.Account = sess.Account
		call.Role = &protocol.AssumedRole{Name: sess.RoleName, ID: sess.RoleID, SessionName: sess.SessionName}
	}
	if s.verify != nil {
		account, ok := s.verified(w, r, sig, sess, assumed, writeError)
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
func (s *Server) verified(w http.ResponseWriter, r *http.Request, sig sigv4.Signature, sess sessions.Session, assumed bool, writeError func(*protocol.APIError)) (string, bool) {
	cred, known := s.verify[sig.AccessKeyID]
	if assumed {
		// Temporary credentials sign with their secret and carry their
		// session token.
		cred, known = protocol.Credential{SecretAccessKey: sess.Secret, Account: sess.Account}, true
		if securityToken(r) != sess.Token {
			writeError(&protocol.APIError{Type: "UnrecognizedClientException", Status: http.StatusForbidden,
				Message: "The security token included in the request is invalid."})
			return "", false
		}
	}
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

// session finds the temporary credentials an access key id belongs to
// (ASIA… keys that AssumeRole gave). assumed is false for other keys. An
// expired session is refused, as AWS refuses it; on a refusal or a store
// failure it has written the error and ok is false.
func (s *Server) session(r *http.Request, accessKeyID string, writeError func(*protocol.APIError)) (sess sessions.Session, assumed, ok bool) {
	if !strings.HasPrefix(accessKeyID, "ASIA") {
		return sess, false, true
	}
	sess, found, err := s.sessions.Lookup(r.Context(), accessKeyID)
	switch {
	case err != nil:
		s.logger.Error("session lookup failed", "error", err.Error())
		writeError(&protocol.APIError{Type: "InternalFailure", Status: http.StatusInternalServerError,
			Message: "The request processing has failed because of an unknown error."})
		return sess, false, false
	case !found:
		// Not a key localsec gave: it maps like any other key.
		return sess, false, true
	case sess.Expired(s.clock.Now()):
		writeError(&protocol.APIError{Type: "ExpiredTokenException", Status: http.StatusForbidden,
			Message: "The security token included in the request is expired"})
		return sess, false, false
	}
	return sess, true, true
}

// securityToken is the session token a request carries: the
// X-Amz-Security-Token header, or the query parameter of a presigned URL.
func securityToken(r *http.Request) string {
	if t := r.Header.Get("X-Amz-Security-Token"); t != "" {
		return t
	}
	return r.URL.Query().Get("X-Amz-Security-Token")
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

// directoryOf returns the names and emails the configuration gives
// accounts, for Organizations.
func directoryOf(accounts []seed.Account) func(string) (string, string) {
	byID := map[string]seed.Account{}
	for _, a := range accounts {
		byID[a.ID] = a
	}
	return func(id string) (string, string) {
		a := byID[id]
		return a.Name, a.Email
	}
}

// failingReader is a body whose every read fails with err.
type failingReader struct{ err error }

func (f *failingReader) Read([]byte) (int, error) { return 0, f.err }
