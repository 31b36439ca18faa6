package outbox_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/localsec/localsec/internal/outbox"
	"github.com/localsec/localsec/internal/smtptest"
	"github.com/localsec/localsec/internal/store"
)

func email(id, to string) store.Email {
	return store.Email{ID: id, Service: "macie2", Region: "eu-west-1", From: "111111111111", To: to,
		Address: to + "@example.com", Message: "Please join", InvitationID: strings.Repeat("a", 32),
		Sent: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)}
}

// The relay delivers each email, in order, to the SMTP server, as a
// message that names the sender, the service, the region and the message.
func TestRelayDeliversToSMTP(t *testing.T) {
	srv, err := smtptest.NewServer()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	relay := outbox.NewRelay(srv.Addr, nil)
	relay.Notify(context.Background(), []store.Email{email("e1", "222222222222"), email("e2", "333333333333")})
	if !srv.Wait(2, 10*time.Second) {
		t.Fatalf("the SMTP server received %d messages, want 2", len(srv.Messages()))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := relay.Close(ctx); err != nil {
		t.Fatal(err)
	}
	got := srv.Messages()
	if len(got) != 2 || got[0].To[0] != "222222222222@example.com" || got[1].To[0] != "333333333333@example.com" {
		t.Fatalf("received = %+v", got)
	}
	data := got[0].Data
	for _, want := range []string{"Subject: Amazon Macie invitation from AWS account 111111111111", "To: 222222222222@example.com",
		"eu-west-1", "Please join", strings.Repeat("a", 32)} {
		if !strings.Contains(data, want) {
			t.Errorf("message lacks %q:\n%s", want, data)
		}
	}
	if got[0].From != outbox.Sender(email("e1", "x")) {
		t.Errorf("MAIL FROM %q", got[0].From)
	}
	// After Close, Notify is a no-op rather than a panic.
	relay.Notify(context.Background(), []store.Email{email("e3", "444444444444")})
}

// A failing SMTP server fails nothing else: the relay logs and goes on.
func TestRelayToNowhere(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	relay := outbox.NewRelay(addr, nil)
	relay.Notify(context.Background(), []store.Email{email("e1", "222222222222")})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := relay.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
}
