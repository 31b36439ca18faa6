package sqlitestore_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/localsec/localsec/internal/store"
	"github.com/localsec/localsec/internal/store/sqlitestore"
	"github.com/localsec/localsec/internal/store/storetest"
)

func open(t *testing.T) store.Store {
	t.Helper()
	st, err := sqlitestore.Open(t.Context(), filepath.Join(t.TempDir(), "localsec.db"))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestConformance(t *testing.T) { storetest.Run(t, open) }

// BenchmarkListRecords lists pages of 10 records of a kind of 10 and of
// 100,000 records: a page costs about the same.
func BenchmarkListRecords(b *testing.B) {
	for _, n := range []int{10, 100_000} {
		b.Run(fmt.Sprintf("records=%d", n), func(b *testing.B) {
			st, err := sqlitestore.Open(b.Context(), filepath.Join(b.TempDir(), "localsec.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			storetest.BenchListRecords(b, st, n)
		})
	}
}
