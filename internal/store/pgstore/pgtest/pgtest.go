// Package pgtest gives each test a PostgreSQL schema of its own in the
// test database named by LOCALSEC_TEST_POSTGRES_DSN, dropped when the test
// ends, so that tests on one database never see each other's records.
//
// Without the variable a test skips, unless LOCALSEC_REQUIRE_POSTGRES=1
// (CI), where a missing PostgreSQL is a failure.
package pgtest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"sync/atomic"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver

	"github.com/localsec/localsec/internal/store"
	"github.com/localsec/localsec/internal/store/pgstore"
)

var schemas atomic.Int64 // numbers the schemas of one test process

// DSN returns the test database's DSN with search_path set to a new,
// empty schema.
func DSN(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv("LOCALSEC_TEST_POSTGRES_DSN")
	if base == "" {
		if os.Getenv("LOCALSEC_REQUIRE_POSTGRES") == "1" {
			tb.Fatal("LOCALSEC_REQUIRE_POSTGRES=1 but LOCALSEC_TEST_POSTGRES_DSN is not set")
		}
		tb.Skip("no PostgreSQL: set LOCALSEC_TEST_POSTGRES_DSN (see .ci/postgres.sh)")
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		tb.Fatalf("LOCALSEC_TEST_POSTGRES_DSN must be a postgres:// URL: %q (%v)", base, err)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { admin.Close() })
	schema := fmt.Sprintf("t%d_%d", os.Getpid(), schemas.Add(1))
	if _, err := admin.ExecContext(context.Background(), "CREATE SCHEMA "+schema); err != nil {
		tb.Fatalf("creating schema %s: %v", schema, err)
	}
	tb.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Errorf("dropping schema %s: %v", schema, err)
		}
	})
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Open opens a pgstore on a new schema (see DSN).
func Open(tb testing.TB) store.Store {
	tb.Helper()
	st, err := pgstore.Open(context.Background(), DSN(tb))
	if err != nil {
		tb.Fatal(err)
	}
	return st
}
