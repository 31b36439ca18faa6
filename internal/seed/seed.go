// Package seed reads and writes localsec's state as a document (JSON or
// YAML): the accounts with their access keys and emails, AWS
// Organizations' organizations, and per service and region the
// enablements, member records, delegated administrators and the outbox.
// `--seed FILE` loads one at start; `localsec export` and GET
// /_localsec/state write one, in the same format, so that an export
// seeds an identical state.
//
// AWS Organizations' state is the organizations section (organizations.go),
// readable and written by hand as well as by an export. The records
// section holds the other records engines keep as documents of their own
// (store.Record: STS sessions…), and AWS Organizations' own records in
// documents exported before the section, each with its kind, its key and
// its value in one of two fields:
//
//	records:
//	  - kind: organization
//	    key: o-exampleorgid
//	    value: {"Id": "o-exampleorgid", "FeatureSet": "ALL"}
//	  - kind: blob
//	    key: b-1
//	    base64: AP8K
//
// value holds a value that is a JSON document, written as that document
// (in YAML, as the same value: mappings keep their order, numbers their
// digits); base64 holds any other value, in standard base64 with padding.
// A record with neither has an empty value; one with both is an error.
// A JSON value is read back compact ({"a":1}), as the engines write
// them; an export writes a value as JSON only when reading it back gives
// the same bytes, in both formats, and otherwise in base64, so that an
// export seeds records identical to the byte. Records are written in the
// store's order (by kind, then key) and may be given in any order.
package seed

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Version is the document format this build reads and writes.
const Version = 1

// Document is the whole state.
type Document struct {
	Version      int           `json:"version" yaml:"version"`
	Accounts     []Account     `json:"accounts,omitempty" yaml:"accounts,omitempty"`
	Organization *Organization `json:"organization,omitempty" yaml:"organization,omitempty"`
	// Organizations are AWS Organizations' organizations in full, and
	// StandaloneAccounts the accounts it knows outside any (see
	// organizations.go).
	Organizations      []OrganizationState `json:"organizations,omitempty" yaml:"organizations,omitempty"`
	StandaloneAccounts []StandaloneAccount `json:"standaloneAccounts,omitempty" yaml:"standaloneAccounts,omitempty"`
	Services           []Service           `json:"services,omitempty" yaml:"services,omitempty"`
	Emails             []Email             `json:"emails,omitempty" yaml:"emails,omitempty"`
	Records            []Record            `json:"records,omitempty" yaml:"records,omitempty"`
}

// Account is an AWS account as localsec knows it: how callers reach it
// (access keys) and its email address (the default address of its member
// records).
type Account struct {
	ID         string      `json:"id" yaml:"id"`
	Name       string      `json:"name,omitempty" yaml:"name,omitempty"`
	Email      string      `json:"email,omitempty" yaml:"email,omitempty"`
	AccessKeys []AccessKey `json:"accessKeys,omitempty" yaml:"accessKeys,omitempty"`
}

// AccessKey maps a key id to its account; the secret matters only when
// signatures are verified.
type AccessKey struct {
	ID     string `json:"id" yaml:"id"`
	Secret string `json:"secret,omitempty" yaml:"secret,omitempty"`
}

// Organization is the shortcut for an AWS Organizations organization, as
// the flags --org-management-account and --org-accounts give it: made at
// start with its accounts as CREATED accounts of its root (open to every
// account without accounts). The organizations section describes
// organizations in full.
type Organization struct {
	ManagementAccount string   `json:"managementAccount" yaml:"managementAccount"`
	Accounts          []string `json:"accounts,omitempty" yaml:"accounts,omitempty"`
}

// Service is the state of one service in one region.
type Service struct {
	Service             string               `json:"service" yaml:"service"`
	Region              string               `json:"region" yaml:"region"`
	Enabled             []Enablement         `json:"enabled,omitempty" yaml:"enabled,omitempty"`
	Members             []Member             `json:"members,omitempty" yaml:"members,omitempty"`
	OrganizationAdmins  []OrganizationAdmin  `json:"organizationAdmins,omitempty" yaml:"organizationAdmins,omitempty"`
	OrganizationConfigs []OrganizationConfig `json:"organizationConfigs,omitempty" yaml:"organizationConfigs,omitempty"`
}

// Enablement is an account that turned the service on (a Macie session, a
// GuardDuty detector).
type Enablement struct {
	Account string `json:"account" yaml:"account"`
	// Status is ENABLED, or PAUSED (Macie), DISABLED (GuardDuty),
	// SUSPENDED (any).
	Status string `json:"status,omitempty" yaml:"status,omitempty"`
	// ResourceID is the detector id (GuardDuty); made up when absent.
	ResourceID  string            `json:"resourceId,omitempty" yaml:"resourceId,omitempty"`
	ClientToken string            `json:"clientToken,omitempty" yaml:"clientToken,omitempty"`
	Settings    any               `json:"settings,omitempty" yaml:"settings,omitempty"`
	Tags        map[string]string `json:"tags,omitempty" yaml:"tags,omitempty"`
	CreatedAt   *time.Time        `json:"createdAt,omitempty" yaml:"createdAt,omitempty"`
	UpdatedAt   *time.Time        `json:"updatedAt,omitempty" yaml:"updatedAt,omitempty"`
}

// Member is an administrator's record of a member account, with the
// invitation it last sent.
type Member struct {
	Administrator string `json:"administrator" yaml:"administrator"`
	Account       string `json:"account" yaml:"account"`
	// Email defaults to the account's email.
	Email string `json:"email,omitempty" yaml:"email,omitempty"`
	// Status is the service's relationship status: Created, Invited,
	// Enabled, Paused (Macie) or Disabled (GuardDuty), Removed, Resigned, …
	Status string `json:"status" yaml:"status"`
	// Association is INVITATION (the default) or ORGANIZATIONS.
	Association              string            `json:"association,omitempty" yaml:"association,omitempty"`
	InvitationID             string            `json:"invitationId,omitempty" yaml:"invitationId,omitempty"`
	InvitationMessage        string            `json:"invitationMessage,omitempty" yaml:"invitationMessage,omitempty"`
	DisableEmailNotification bool              `json:"disableEmailNotification,omitempty" yaml:"disableEmailNotification,omitempty"`
	Declined                 bool              `json:"declined,omitempty" yaml:"declined,omitempty"`
	DeletedByMember          bool              `json:"deletedByMember,omitempty" yaml:"deletedByMember,omitempty"`
	Tags                     map[string]string `json:"tags,omitempty" yaml:"tags,omitempty"`
	CreatedAt                *time.Time        `json:"createdAt,omitempty" yaml:"createdAt,omitempty"`
	UpdatedAt                *time.Time        `json:"updatedAt,omitempty" yaml:"updatedAt,omitempty"`
	InvitedAt                *time.Time        `json:"invitedAt,omitempty" yaml:"invitedAt,omitempty"`
}

// OrganizationAdmin is a delegated administrator.
type OrganizationAdmin struct {
	Account   string     `json:"account" yaml:"account"`
	Status    string     `json:"status,omitempty" yaml:"status,omitempty"`
	CreatedAt *time.Time `json:"createdAt,omitempty" yaml:"createdAt,omitempty"`
}

// OrganizationConfig is a delegated administrator's organization
// configuration.
type OrganizationConfig struct {
	Account    string     `json:"account" yaml:"account"`
	AutoEnable bool       `json:"autoEnable,omitempty" yaml:"autoEnable,omitempty"`
	Settings   any        `json:"settings,omitempty" yaml:"settings,omitempty"`
	UpdatedAt  *time.Time `json:"updatedAt,omitempty" yaml:"updatedAt,omitempty"`
}

// Email is an invitation email in the outbox.
type Email struct {
	ID           string     `json:"id" yaml:"id"`
	Service      string     `json:"service" yaml:"service"`
	Region       string     `json:"region" yaml:"region"`
	From         string     `json:"from" yaml:"from"`
	To           string     `json:"to" yaml:"to"`
	Address      string     `json:"address" yaml:"address"`
	Message      string     `json:"message,omitempty" yaml:"message,omitempty"`
	InvitationID string     `json:"invitationId,omitempty" yaml:"invitationId,omitempty"`
	SentAt       *time.Time `json:"sentAt,omitempty" yaml:"sentAt,omitempty"`
}

// Record is a record an engine keeps as a document of its own: its value
// is in Value when it is JSON, in Base64 otherwise (see the package
// documentation).
type Record struct {
	Kind  string    `json:"kind" yaml:"kind"`
	Key   string    `json:"key" yaml:"key"`
	Value JSONValue `json:"value,omitzero" yaml:"value,omitempty"`
	// Base64 is the value in standard base64, when it is not JSON.
	Base64 string `json:"base64,omitempty" yaml:"base64,omitempty"`
}

// Parse reads a document: YAML for .yaml/.yml names, JSON for .json names,
// and by its first character otherwise. Unknown fields are errors, so
// that a misspelt key is not silently ignored.
func Parse(data []byte, name string) (Document, error) {
	var doc Document
	ext := strings.ToLower(filepath.Ext(name))
	trimmed := bytes.TrimSpace(data)
	asJSON := ext == ".json" || (ext != ".yaml" && ext != ".yml" && len(trimmed) > 0 && trimmed[0] == '{')
	if asJSON {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&doc); err != nil {
			return doc, fmt.Errorf("%s: %w", name, err)
		}
	} else {
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
			return doc, fmt.Errorf("%s: %w", name, err)
		}
	}
	if doc.Version != Version {
		return doc, fmt.Errorf("%s: version %d is not %d, the version this localsec reads", name, doc.Version, Version)
	}
	return doc, nil
}

// JSON writes doc as indented JSON.
func (doc Document) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(doc, "", "  ")
	return append(b, '\n'), err
}

// YAML writes doc as YAML.
func (doc Document) YAML() ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), enc.Close()
}
