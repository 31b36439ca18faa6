// Package sts serves the one AWS STS call that tools make to learn which
// account their credentials belong to: GetCallerIdentity. With it the
// Terraform AWS provider finds each provider alias's account from its
// access key, with no skip_requesting_account_id.
//
// STS speaks the awsQuery protocol: a form-encoded POST (or a GET with a
// query string) naming an Action, answered in XML.
package sts

import (
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/url"

	"github.com/localsec/localsec/internal/awsarn"
	"github.com/localsec/localsec/internal/protocol"
)

// SigningName is STS's SigV4 service name.
const SigningName = "sts"

const namespace = "https://sts.amazonaws.com/doc/2011-06-15/"

// maxBody bounds the form body; GetCallerIdentity's is a few dozen bytes.
const maxBody = 64 << 10

// Service serves STS.
type Service struct{}

// New returns the STS adapter.
func New() *Service { return &Service{} }

// SigningName returns "sts".
func (s *Service) SigningName() string { return SigningName }

// ServeHTTP serves one STS request; its context carries the protocol.Call.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	call := protocol.CallFrom(r.Context())
	params := r.URL.Query()
	if r.Method == http.MethodPost {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			writeError(w, call, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "The request body is larger than the service accepts.")
			return
		case err != nil:
			writeError(w, call, http.StatusBadRequest, "ValidationError", "The request body could not be read.")
			return
		}
		form, err := url.ParseQuery(string(body))
		if err != nil {
			writeError(w, call, http.StatusBadRequest, "MalformedQueryString", "The request body is not a valid form.")
			return
		}
		for k, v := range form {
			params[k] = v
		}
	}
	action := params.Get("Action")
	call.Operation = action
	switch action {
	case "GetCallerIdentity":
		s.getCallerIdentity(w, call)
	case "":
		writeError(w, call, http.StatusBadRequest, "MissingAction", "The request must contain the parameter Action.")
	default:
		writeError(w, call, http.StatusBadRequest, "InvalidAction",
			"Could not find operation "+action+" for version 2011-06-15: localsec's STS serves GetCallerIdentity only.")
	}
}

func (s *Service) getCallerIdentity(w http.ResponseWriter, call *protocol.Call) {
	type result struct {
		Arn     string `xml:"Arn"`
		UserID  string `xml:"UserId"`
		Account string `xml:"Account"`
	}
	type response struct {
		XMLName   xml.Name `xml:"GetCallerIdentityResponse"`
		Xmlns     string   `xml:"xmlns,attr"`
		Result    result   `xml:"GetCallerIdentityResult"`
		RequestID string   `xml:"ResponseMetadata>RequestId"`
	}
	// The credentials are an account's root credentials: the same ARN and
	// user id AWS gives the root user.
	writeXML(w, http.StatusOK, response{
		Xmlns: namespace,
		Result: result{
			Arn:     "arn:" + awsarn.Partition(call.Region) + ":iam::" + call.Account + ":root",
			UserID:  call.Account,
			Account: call.Account,
		},
		RequestID: call.RequestID,
	})
}

func writeError(w http.ResponseWriter, call *protocol.Call, status int, code, message string) {
	type errorBody struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	type response struct {
		XMLName   xml.Name  `xml:"ErrorResponse"`
		Xmlns     string    `xml:"xmlns,attr"`
		Error     errorBody `xml:"Error"`
		RequestID string    `xml:"RequestId"`
	}
	w.Header().Set("X-Amzn-ErrorType", code)
	writeXML(w, status, response{Xmlns: namespace, Error: errorBody{Type: "Sender", Code: code, Message: message}, RequestID: call.RequestID})
}

func writeXML(w http.ResponseWriter, status int, v any) {
	b, err := xml.Marshal(v)
	if err != nil {
		// The shapes above are fixed structs of strings; Marshal cannot fail.
		panic(err)
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	_, _ = w.Write(append([]byte(xml.Header), b...))
}
