// Package outbox renders the invitation emails the engine keeps in its
// outbox, and relays them to an SMTP server when asked to (--smtp).
//
// The wording is localsec's: AWS's invitation emails were not available
// to copy (docs/fidelity.md). What they say is what AWS's say: who
// invites whom, to which service and region, the custom message, and how
// to accept.
package outbox

import (
	"context"
	"fmt"
	"log/slog"
	"net/smtp"
	"strings"
	"sync"
	"time"

	"github.com/localsec/localsec/internal/store"
)

// serviceName is the name an email gives a service.
func serviceName(service string) string {
	switch service {
	case "macie2":
		return "Amazon Macie"
	case "guardduty":
		return "Amazon GuardDuty"
	}
	return service
}

// Sender is the address the emails come from.
func Sender(e store.Email) string {
	switch e.Service {
	case "macie2":
		return "no-reply@macie.localsec.invalid"
	case "guardduty":
		return "no-reply@guardduty.localsec.invalid"
	}
	return "no-reply@localsec.invalid"
}

// Subject is an email's subject line.
func Subject(e store.Email) string {
	return fmt.Sprintf("%s invitation from AWS account %s", serviceName(e.Service), e.From)
}

// Body is an email's text.
func Body(e store.Email) string {
	var b strings.Builder
	name := serviceName(e.Service)
	fmt.Fprintf(&b, "AWS account %s has invited your AWS account %s to become a member account of its %s administrator account in the %s Region.\n\n",
		e.From, e.To, name, e.Region)
	if e.Message != "" {
		fmt.Fprintf(&b, "Message from the administrator account:\n\n    %s\n\n", e.Message)
	}
	fmt.Fprintf(&b, "To accept, enable %s in %s and accept the invitation (invitation ID %s) from the %s console or API.\n",
		name, e.Region, e.InvitationID, name)
	fmt.Fprintf(&b, "\nSent by localsec, an emulator: no real AWS account was involved.\n")
	return b.String()
}

// Message renders an email as an RFC 5322 message for SMTP.
func Message(e store.Email) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s@localsec.invalid>\r\n",
		Sender(e), e.Address, Subject(e), e.Sent.UTC().Format(time.RFC1123Z), e.ID)
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
	b.WriteString(strings.ReplaceAll(Body(e), "\n", "\r\n"))
	return []byte(b.String())
}

// Relay delivers outbox emails to an SMTP server, in the background and in
// order. Delivery is best effort: a failure is logged, never retried, and
// never fails the API call that made the email (it is in the outbox
// either way).
type Relay struct {
	addr   string
	logger *slog.Logger
	queue  chan store.Email
	done   chan struct{}

	mu     sync.Mutex // guards closed and sends on queue
	closed bool
}

// queueSize bounds how many emails wait for the SMTP server; beyond it
// new ones are dropped (and logged) rather than slowing the API down.
const queueSize = 1024

// NewRelay starts a relay to the SMTP server at addr (host:port).
func NewRelay(addr string, logger *slog.Logger) *Relay {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	r := &Relay{addr: addr, logger: logger, queue: make(chan store.Email, queueSize), done: make(chan struct{})}
	go r.run()
	return r
}

// Notify queues emails for delivery; it never blocks.
func (r *Relay) Notify(_ context.Context, emails []store.Email) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	for _, e := range emails {
		select {
		case r.queue <- e:
		default:
			r.logger.Warn("smtp relay queue full: email not relayed (it stays in the outbox)", "email", e.ID, "to", e.Address)
		}
	}
}

func (r *Relay) run() {
	defer close(r.done)
	for e := range r.queue {
		if err := smtp.SendMail(r.addr, nil, Sender(e), []string{e.Address}, Message(e)); err != nil {
			r.logger.Warn("smtp relay failed", "email", e.ID, "to", e.Address, "smtp", r.addr, "error", err.Error())
			continue
		}
		r.logger.Info("email relayed", "email", e.ID, "to", e.Address, "service", e.Service, "smtp", r.addr)
	}
}

// Close delivers what is queued, waiting at most until ctx is done.
func (r *Relay) Close(ctx context.Context) error {
	r.mu.Lock()
	if !r.closed {
		r.closed = true
		close(r.queue)
	}
	r.mu.Unlock()
	select {
	case <-r.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
