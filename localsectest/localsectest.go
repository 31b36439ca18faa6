// Package localsectest runs localsec inside a Go test, the way
// net/http/httptest runs an HTTP server: NewServer starts an isolated
// emulator on a loopback port, AWSConfig hands out a ready aws.Config for
// any account, and Close stops it.
//
// Every Server has its own state: two servers in one process never see
// each other's accounts, members or invitations.
package localsectest

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/localsec/localsec/internal/ids"
	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/protocol"
	"github.com/localsec/localsec/internal/seed"
	"github.com/localsec/localsec/internal/server"
	"github.com/localsec/localsec/internal/store"
)

// Server is a localsec emulator listening on a loopback port.
type Server struct {
	// URL is the base URL of the server, http://127.0.0.1:<port>.
	URL string
	// Listener is the server's listener.
	Listener net.Listener

	srv     *server.Server
	http    *http.Server
	region  string
	secrets map[string]string
	client  *http.Client
	closeMu sync.Once
	done    chan struct{}
}

type options struct {
	region   string
	cfg      server.Config
	secrets  map[string]string
	seedFile string
	wrap     func(http.Handler) http.Handler
}

// Option configures a Server.
type Option func(*options)

// WithRegion sets the region of the aws.Configs AWSConfig returns
// (default us-east-1).
func WithRegion(region string) Option { return func(o *options) { o.region = region } }

// WithOrganization declares an AWS Organizations organization: its
// management account and its other accounts (none means every account is
// in it). Without it there is no organization, as for standalone accounts.
func WithOrganization(management string, accounts ...string) Option {
	return func(o *options) {
		o.cfg.Organization = membership.Organization{ManagementAccount: management, Accounts: accounts}
	}
}

// WithAccessKey maps an access key id that is not itself a 12-digit
// account id to an account.
func WithAccessKey(accessKeyID, account string) Option {
	return func(o *options) {
		if o.cfg.Accounts.Keys == nil {
			o.cfg.Accounts.Keys = map[string]string{}
		}
		o.cfg.Accounts.Keys[accessKeyID] = account
	}
}

// WithSigV4Credentials registers an access key with its secret and
// account and turns signature verification on (the binary's --sigv4
// strict): from then on, only requests signed with a registered key's
// secret are served. AWSConfigForKey returns a config that signs with it.
func WithSigV4Credentials(accessKeyID, secretAccessKey, account string) Option {
	return func(o *options) {
		if o.cfg.Credentials == nil {
			o.cfg.Credentials = map[string]protocol.Credential{}
		}
		o.cfg.Credentials[accessKeyID] = protocol.Credential{SecretAccessKey: secretAccessKey, Account: account}
		o.secrets[accessKeyID] = secretAccessKey
	}
}

// WithSeedFile starts the server from a seed document (JSON or YAML, the
// format of `localsec --seed` and `localsec export`): its accounts, access
// keys, organization and relationships. NewServer panics if the file is
// not a valid seed.
func WithSeedFile(path string) Option { return func(o *options) { o.seedFile = path } }

// WithClock makes the server read the time from now instead of the system
// clock, for tests that pin timestamps.
func WithClock(now func() time.Time) Option {
	return func(o *options) { o.cfg.Clock = clockFunc(now) }
}

type clockFunc func() time.Time

func (f clockFunc) Now() time.Time { return f() }

// WithLogger sends the server's access log and errors to l (default: discarded).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.cfg.Logger = l } }

// WithMiddleware puts wrap around the server's handler, to record or check
// the traffic of a test (localsec's own tests check every success answer
// against the service's model with it).
func WithMiddleware(wrap func(http.Handler) http.Handler) Option {
	return func(o *options) { o.wrap = wrap }
}

// NewServer starts a server and returns it. It panics if it cannot listen
// on a loopback port, as httptest.NewServer does. Call Close when done.
func NewServer(opts ...Option) *Server {
	o := options{region: "us-east-1", secrets: map[string]string{}}
	for _, opt := range opts {
		opt(&o)
	}
	o.cfg.DefaultRegion = o.region
	var snap *store.Snapshot
	if o.seedFile != "" {
		s, err := loadSeed(&o)
		if err != nil {
			panic(fmt.Sprintf("localsectest: seed %s: %v", o.seedFile, err))
		}
		snap = &s
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		if ln, err = net.Listen("tcp6", "[::1]:0"); err != nil {
			panic(fmt.Sprintf("localsectest: failed to listen on a loopback port: %v", err))
		}
	}
	o.cfg.Seed = snap
	srv, err := server.Open(o.cfg)
	if err != nil {
		ln.Close()
		panic(fmt.Sprintf("localsectest: seed %s: %v", o.seedFile, err))
	}
	var handler http.Handler = srv
	if o.wrap != nil {
		handler = o.wrap(handler)
	}
	s := &Server{
		URL:      "http://" + ln.Addr().String(),
		Listener: ln,
		srv:      srv,
		http:     &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second},
		region:   o.region,
		secrets:  o.secrets,
		client:   &http.Client{Transport: &http.Transport{}},
		done:     make(chan struct{}),
	}
	go func() {
		defer close(s.done)
		_ = s.http.Serve(ln)
	}()
	return s
}

// Close shuts the server down and blocks until outstanding requests have
// completed. Calling it again does nothing.
func (s *Server) Close() {
	s.closeMu.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = s.http.Shutdown(ctx)
		<-s.done
		s.client.CloseIdleConnections()
	})
}

// Client returns the HTTP client that the aws.Configs of this server use;
// its idle connections are closed by Close.
func (s *Server) Client() *http.Client { return s.client }

// AWSConfig returns an aws.Config that calls this server as account (a
// 12-digit account id, used as the access key id) in the server's region.
func (s *Server) AWSConfig(account string) aws.Config {
	return s.AWSConfigIn(account, s.region)
}

// AWSConfigIn is AWSConfig for another region.
func (s *Server) AWSConfigIn(account, region string) aws.Config {
	return aws.Config{
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider(account, "localsec-secret", ""),
		BaseEndpoint: aws.String(s.URL),
		HTTPClient:   s.client,
	}
}

// AWSConfigForKey returns an aws.Config that signs with accessKeyID and,
// when it was registered with WithSigV4Credentials, its secret.
func (s *Server) AWSConfigForKey(accessKeyID string) aws.Config {
	cfg := s.AWSConfig(accessKeyID)
	if secret, ok := s.secrets[accessKeyID]; ok {
		cfg.Credentials = credentials.NewStaticCredentialsProvider(accessKeyID, secret, "")
	}
	return cfg
}

// Reset forgets all state, as POST /_localsec/reset does.
func (s *Server) Reset() {
	if err := s.srv.Reset(context.Background()); err != nil {
		panic(fmt.Sprintf("localsectest: reset: %v", err))
	}
}

// loadSeed reads the seed file into the options: the directory, access
// keys and organization, and returns the records to import.
func loadSeed(o *options) (store.Snapshot, error) {
	raw, err := os.ReadFile(o.seedFile)
	if err != nil {
		return store.Snapshot{}, err
	}
	doc, err := seed.Parse(raw, o.seedFile)
	if err != nil {
		return store.Snapshot{}, err
	}
	now := time.Now().UTC()
	if o.cfg.Clock != nil {
		now = o.cfg.Clock.Now().UTC()
	}
	dir, snap, err := seed.Load(doc, now.Truncate(time.Millisecond), ids.Random{}.NewID)
	if err != nil {
		return store.Snapshot{}, err
	}
	o.cfg.Directory = dir.Accounts
	if dir.Organization.Exists() {
		o.cfg.Organization = dir.Organization
	}
	if o.cfg.Accounts.Keys == nil {
		o.cfg.Accounts.Keys = map[string]string{}
	}
	for k, a := range dir.Keys {
		o.cfg.Accounts.Keys[k] = a
	}
	return snap, nil
}
