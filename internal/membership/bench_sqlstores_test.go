package membership_test

// The SQL stores of the benchmarks of bench_stores_test.go: SQLite in a
// temporary directory, and PostgreSQL in a schema of its own of the test
// database LOCALSEC_TEST_POSTGRES_DSN (skipped without it, unless
// LOCALSEC_REQUIRE_POSTGRES=1).

import (
	"context"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/localsec/localsec/internal/store"
	"github.com/localsec/localsec/internal/store/pgstore/pgtest"
	"github.com/localsec/localsec/internal/store/sqlitestore"
)

func init() {
	benchStores = append(benchStores,
		benchStore{"sqlite", benchOpenSQLite},
		benchStore{"postgres", func(b *testing.B) store.Store { return pgtest.Open(b) }},
	)
}

func benchOpenSQLite(b *testing.B) store.Store {
	st, err := sqlitestore.Open(context.Background(), filepath.Join(b.TempDir(), "localsec.db"))
	if err != nil {
		b.Fatal(err)
	}
	return st
}
