// Package archtest holds the test that keeps the dependency direction of
// the code: protocol, then service adapters, then the membership engine,
// then the store.
package archtest
