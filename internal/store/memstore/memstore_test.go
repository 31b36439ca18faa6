package memstore_test

import (
	"fmt"
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

// BenchmarkListRecords lists pages of 10 records of a kind of 10 and of
// 100,000 records: a page costs about the same.
func BenchmarkListRecords(b *testing.B) {
	for _, n := range []int{10, 100_000} {
		b.Run(fmt.Sprintf("records=%d", n), func(b *testing.B) {
			storetest.BenchListRecords(b, memstore.New(), n)
		})
	}
}
