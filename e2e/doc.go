// Package e2e holds localsec's end-to-end tests: real clients (the Go SDK,
// the AWS CLI) against a started localsec, with two or more accounts.
package e2e
