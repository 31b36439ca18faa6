package memstore_test

import (
	"testing"

	"github.com/localsec/localsec/internal/store"
	"github.com/localsec/localsec/internal/store/memstore"
	"github.com/localsec/localsec/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return memstore.New() })
}

func BenchmarkPutMember(b *testing.B) {
	storetest.BenchPutMember(b, memstore.New())
}

// BenchmarkListMembers lists pages of 25 from 10,000 members.
func BenchmarkListMembers(b *testing.B) {
	storetest.BenchListMembers(b, memstore.New())
}
