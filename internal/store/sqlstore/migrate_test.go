package sqlstore_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/localsec/localsec/internal/store"
	"github.com/localsec/localsec/internal/store/pgstore"
	"github.com/localsec/localsec/internal/store/pgstore/pgtest"
	"github.com/localsec/localsec/internal/store/sqlitestore"
	"github.com/localsec/localsec/internal/store/sqlstore"
)

// migrationFiles returns the names of a dialect's migration files, sorted.
func migrationFiles(t *testing.T, dialect string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join("migrations", dialect))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	return names
}

func versionOf(t *testing.T, name string) int {
	t.Helper()
	num, _, _ := strings.Cut(name, "_")
	v, err := strconv.Atoi(num)
	if err != nil {
		t.Fatalf("migration %s: %v", name, err)
	}
	return v
}

// Both dialects have the same migrations, numbered 1, 2, 3, … without a
// gap, so that a version means one schema whatever the database.
func TestMigrationsMatch(t *testing.T) {
	sqlite, postgres := migrationFiles(t, "sqlite"), migrationFiles(t, "postgres")
	if !slices.Equal(sqlite, postgres) {
		t.Fatalf("migrations differ:\n\tsqlite   %v\n\tpostgres %v", sqlite, postgres)
	}
	for i, name := range sqlite {
		if v := versionOf(t, name); v != i+1 {
			t.Errorf("migration %s has version %d, want %d", name, v, i+1)
		}
	}
	if !slices.Contains(sqlite, "0003_records.sql") {
		t.Errorf("no 0003_records.sql among %v", sqlite)
	}
}

// A database that the localsec before records migrated (versions 1 and 2,
// with state in it) is migrated forward when opened: its state is kept
// and the records work.
func TestMigratesForward(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "old.db")
		db, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		migrateForward(t, "sqlite", db, sqlitestore.Dialect(), func(ctx context.Context) (*sqlstore.Store, error) {
			return sqlitestore.Open(ctx, path)
		})
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := pgtest.DSN(t)
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		migrateForward(t, "postgres", db, pgstore.Dialect(), func(ctx context.Context) (*sqlstore.Store, error) {
			return pgstore.Open(ctx, dsn)
		})
		// Keys order bytewise whatever the database's collation.
		var collations []string
		rows, err := db.QueryContext(t.Context(), `SELECT column_name || ' ' || COALESCE(collation_name, '') FROM information_schema.columns
			WHERE table_schema = current_schema() AND table_name = 'records' AND column_name IN ('kind', 'key') ORDER BY column_name`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				t.Fatal(err)
			}
			collations = append(collations, c)
		}
		if want := []string{"key C", "kind C"}; !slices.Equal(collations, want) {
			t.Errorf("collations of the records table's text columns = %q, want %q", collations, want)
		}
	})
}

func migrateForward(t *testing.T, dialect string, db *sql.DB, d sqlstore.Dialect, open func(context.Context) (*sqlstore.Store, error)) {
	ctx := t.Context()
	t.Cleanup(func() { db.Close() })
	exec := func(query string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, d.Rebind(query), args...); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
	}

	// The schema as the previous localsec left it.
	exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied BIGINT NOT NULL)`)
	for _, name := range migrationFiles(t, dialect) {
		v := versionOf(t, name)
		if v > 2 {
			continue
		}
		body, err := os.ReadFile(filepath.Join("migrations", dialect, name))
		if err != nil {
			t.Fatal(err)
		}
		var kept []string
		for _, line := range strings.Split(string(body), "\n") {
			if !strings.HasPrefix(strings.TrimSpace(line), "--") {
				kept = append(kept, line)
			}
		}
		for _, stmt := range strings.Split(strings.Join(kept, "\n"), ";") {
			if strings.TrimSpace(stmt) != "" {
				exec(stmt)
			}
		}
		exec(`INSERT INTO schema_migrations (version, applied) VALUES (?, ?)`, v, time.Now().Unix())
	}
	created := time.Date(2024, 2, 29, 12, 0, 0, 0, time.UTC)
	exec(`INSERT INTO enablements (service, region, account, resource_id, status, client_token, settings, tags, created, updated)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, "macie2", "us-east-1", "111111111111", "", "ENABLED", "tok", []byte(`{}`), "", created.UnixMicro(), created.UnixMicro())
	exec(`INSERT INTO emails (id, service, region, sender, recipient, address, message, invitation_id, sent) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		"e-1", "macie2", "us-east-1", "111111111111", "222222222222", "a@example.com", "hi", "inv", created.UnixMicro())

	versions := func() []int {
		t.Helper()
		rows, err := db.QueryContext(ctx, `SELECT version FROM schema_migrations ORDER BY version`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []int
		for rows.Next() {
			var v int
			if err := rows.Scan(&v); err != nil {
				t.Fatal(err)
			}
			out = append(out, v)
		}
		return out
	}
	if got := versions(); !slices.Equal(got, []int{1, 2}) {
		t.Fatalf("test bug: versions before = %v", got)
	}

	st, err := open(ctx)
	if err != nil {
		t.Fatalf("opening a database at version 2: %v", err)
	}
	want := []int{}
	for _, name := range migrationFiles(t, dialect) {
		want = append(want, versionOf(t, name))
	}
	if got := versions(); !slices.Equal(got, want) || !slices.Contains(got, 3) {
		t.Errorf("versions after opening = %v, want %v", got, want)
	}
	k := store.AccountKey{Scope: store.Scope{Service: "macie2", Region: "us-east-1"}, Account: "111111111111"}
	r := store.Record{Kind: "organization", Key: "o-1", Value: []byte(`{"id":"o-1"}`)}
	if err := st.Update(ctx, func(tx store.Tx) error { return tx.PutRecord(ctx, r) }); err != nil {
		t.Fatalf("PutRecord after migrating: %v", err)
	}
	check := func(st store.Store) {
		t.Helper()
		err := st.View(ctx, func(tx store.Tx) error {
			en, err := tx.GetEnablement(ctx, k)
			if err != nil {
				return err
			}
			if en.ClientToken != "tok" || !en.Created.Equal(created) {
				t.Errorf("enablement after migrating = %+v", en)
			}
			emails, err := tx.ListEmails(ctx, store.EmailQuery{})
			if err != nil {
				return err
			}
			if len(emails) != 1 || emails[0].ID != "e-1" {
				t.Errorf("emails after migrating = %+v", emails)
			}
			got, err := tx.ListRecords(ctx, store.RecordQuery{Kind: "organization", Prefix: "o-"})
			if err != nil {
				return err
			}
			if len(got) != 1 || got[0].Key != r.Key || string(got[0].Value) != string(r.Value) {
				t.Errorf("records after migrating = %+v", got)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	check(st)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	// Opening again applies nothing more and keeps everything.
	st, err = open(ctx)
	if err != nil {
		t.Fatalf("opening the migrated database again: %v", err)
	}
	defer st.Close()
	check(st)
	if got := versions(); !slices.Equal(got, want) {
		t.Errorf("versions after opening again = %v, want %v", got, want)
	}
}
