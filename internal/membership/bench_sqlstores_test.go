package membership_test

// The SQL stores of the benchmarks of bench_stores_test.go: SQLite in a
// temporary directory, and PostgreSQL in a schema of its own of the test
// database LOCALSEC_TEST_POSTGRES_DSN (skipped without it, unless
// LOCALSEC_REQUIRE_POSTGRES=1).

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/localsec/localsec/internal/store"
	"github.com/localsec/localsec/internal/store/pgstore"
	"github.com/localsec/localsec/internal/store/sqlitestore"
)

func init() {
	benchStores = append(benchStores,
		benchStore{"sqlite", benchOpenSQLite},
		benchStore{"postgres", benchOpenPostgres},
	)
}

func benchOpenSQLite(b *testing.B) store.Store {
	st, err := sqlitestore.Open(context.Background(), filepath.Join(b.TempDir(), "localsec.db"))
	if err != nil {
		b.Fatal(err)
	}
	return st
}

var benchSchemas atomic.Int64

func benchOpenPostgres(b *testing.B) store.Store {
	base := os.Getenv("LOCALSEC_TEST_POSTGRES_DSN")
	if base == "" {
		if os.Getenv("LOCALSEC_REQUIRE_POSTGRES") == "1" {
			b.Fatal("LOCALSEC_REQUIRE_POSTGRES=1 but LOCALSEC_TEST_POSTGRES_DSN is not set")
		}
		b.Skip("no PostgreSQL: set LOCALSEC_TEST_POSTGRES_DSN (see .ci/postgres.sh)")
	}
	db, err := sql.Open("pgx", base)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	schema := fmt.Sprintf("bench_%d_%d", os.Getpid(), benchSchemas.Add(1))
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if _, err := db.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			b.Errorf("drop schema: %v", err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		b.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	st, err := pgstore.Open(context.Background(), u.String())
	if err != nil {
		b.Fatal(err)
	}
	return st
}
