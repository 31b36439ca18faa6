package pgstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"sync/atomic"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/localsec/localsec/internal/store"
	"github.com/localsec/localsec/internal/store/pgstore"
	"github.com/localsec/localsec/internal/store/storetest"
)

// dsn returns the test database's DSN from LOCALSEC_TEST_POSTGRES_DSN.
// Without it the test skips, unless LOCALSEC_REQUIRE_POSTGRES=1 (CI),
// where a missing PostgreSQL is a failure.
func dsn(t *testing.T) string {
	t.Helper()
	d := os.Getenv("LOCALSEC_TEST_POSTGRES_DSN")
	if d == "" {
		if os.Getenv("LOCALSEC_REQUIRE_POSTGRES") == "1" {
			t.Fatal("LOCALSEC_REQUIRE_POSTGRES=1 but LOCALSEC_TEST_POSTGRES_DSN is not set")
		}
		t.Skip("no PostgreSQL: set LOCALSEC_TEST_POSTGRES_DSN (see .ci/postgres.sh)")
	}
	return d
}

var schemas atomic.Int64

// open gives each test its own schema of the test database, dropped at
// the end, so that tests never see each other's records.
func open(t *testing.T) store.Store {
	t.Helper()
	base := dsn(t)
	schema := fmt.Sprintf("t%d_%d", os.Getpid(), schemas.Add(1))
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	if _, err := admin.ExecContext(t.Context(), "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema: %v", err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	st, err := pgstore.Open(t.Context(), u.String())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestConformance(t *testing.T) { storetest.Run(t, open) }
