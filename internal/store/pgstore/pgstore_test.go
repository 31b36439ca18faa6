package pgstore_test

import (
	"fmt"
	"testing"

	"github.com/localsec/localsec/internal/store"
	"github.com/localsec/localsec/internal/store/pgstore/pgtest"
	"github.com/localsec/localsec/internal/store/storetest"
)

func open(t *testing.T) store.Store { return pgtest.Open(t) }

func TestConformance(t *testing.T) { storetest.Run(t, open) }

// BenchmarkListRecords lists pages of 10 records of a kind of 10 and of
// 100,000 records: a page costs about the same.
func BenchmarkListRecords(b *testing.B) {
	for _, n := range []int{10, 100_000} {
		b.Run(fmt.Sprintf("records=%d", n), func(b *testing.B) {
			st := pgtest.Open(b)
			defer st.Close()
			storetest.BenchListRecords(b, st, n)
		})
	}
}
