// Package smtptest runs a minimal SMTP server on loopback for tests, the
// way net/http/httptest runs an HTTP server: enough of RFC 5321 for
// net/smtp's client, recording every message it receives.
package smtptest

import (
	"bufio"
	"net"
	"strings"
	"sync"
	"time"
)

// Message is one message the server received.
type Message struct {
	From string
	To   []string
	Data string
}

// Server is an SMTP server listening on a loopback port.
type Server struct {
	// Addr is host:port.
	Addr string

	ln       net.Listener
	mu       sync.Mutex
	messages []Message
	got      chan struct{}
}

// NewServer starts a server; Close stops it.
func NewServer() (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{Addr: ln.Addr().String(), ln: ln, got: make(chan struct{}, 1024)}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s, nil
}

// Close stops accepting connections.
func (s *Server) Close() error { return s.ln.Close() }

// Messages returns what was received so far, in order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// Wait returns once n messages have been received in all, or false after
// timeout.
func (s *Server) Wait(n int, timeout time.Duration) bool {
	deadline := time.After(timeout)
	for {
		if len(s.Messages()) >= n {
			return true
		}
		select {
		case <-s.got:
		case <-deadline:
			return len(s.Messages()) >= n
		}
	}
}

func (s *Server) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(line string) { _, _ = c.Write([]byte(line + "\r\n")) }
	say("220 smtptest ESMTP")
	var cur Message
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		trimmed := strings.TrimSpace(line)
		cmd := strings.ToUpper(trimmed)
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250 smtptest")
		case strings.HasPrefix(cmd, "MAIL FROM:"):
			cur = Message{From: strings.Trim(trimmed[len("MAIL FROM:"):], "<> ")}
			say("250 OK")
		case strings.HasPrefix(cmd, "RCPT TO:"):
			cur.To = append(cur.To, strings.Trim(trimmed[len("RCPT TO:"):], "<> "))
			say("250 OK")
		case cmd == "DATA":
			say("354 end with <CRLF>.<CRLF>")
			var data strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" || l == ".\n" {
					break
				}
				data.WriteString(strings.TrimPrefix(l, "."))
			}
			cur.Data = data.String()
			s.mu.Lock()
			s.messages = append(s.messages, cur)
			s.mu.Unlock()
			select {
			case s.got <- struct{}{}:
			default:
			}
			say("250 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("250 OK")
		}
	}
}
