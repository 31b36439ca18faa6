// Package sqlstore implements the store on a SQL database through
// database/sql: one implementation of the records and queries, two
// dialects (SQLite via modernc.org/sqlite, PostgreSQL via pgx). The
// sqlitestore and pgstore packages open it with the right driver and
// settings.
//
// Every Update is one database transaction: SERIALIZABLE on PostgreSQL,
// BEGIN IMMEDIATE (one writer) on SQLite. A transaction that fails with a
// serialization conflict is run again, a bounded number of times; fn must
// therefore have no effect outside the transaction.
package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/localsec/localsec/internal/store"
)

// Dialect is what differs between the SQL databases.
type Dialect struct {
	// Name is "sqlite" or "postgres"; it names the migrations folder.
	Name string
	// Rebind turns the ? placeholders of a query into the database's own.
	Rebind func(query string) string
	// Retryable reports whether err is a serialization conflict after
	// which the whole transaction may be run again.
	Retryable func(err error) bool
	// WriteTx and ReadTx are the options of Update's and View's
	// transactions.
	WriteTx, ReadTx *sql.TxOptions
	// LockMigrations, when set, runs inside the migration transaction
	// before anything else, so that two processes starting at once on one
	// database apply the migrations once.
	LockMigrations string
}

// Store is a store on a SQL database.
type Store struct {
	write, read *sql.DB
	dialect     Dialect
	// maxAttempts bounds how often Update runs a conflicting transaction.
	maxAttempts int
	closers     []func() error
}

var _ store.Store = (*Store)(nil)

//go:embed migrations
var migrations embed.FS

// Open returns a store on write (the connections Update uses) and read
// (View's; may be the same pool), applying the schema migrations first.
// closers run on Close, after the pools are closed.
func Open(ctx context.Context, d Dialect, write, read *sql.DB, closers ...func() error) (*Store, error) {
	s := &Store{write: write, read: read, dialect: d, maxAttempts: 20, closers: closers}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// migrate applies the embedded migrations of the dialect that the
// database has not seen yet, in one transaction, and refuses a database
// whose schema is newer than this build knows.
func (s *Store) migrate(ctx context.Context) error {
	files, err := fs.Glob(migrations, "migrations/"+s.dialect.Name+"/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(files)
	// The default isolation (READ COMMITTED on PostgreSQL), not WriteTx:
	// under SERIALIZABLE the snapshot would be taken before the advisory
	// lock is granted, and a replica that waited for another's migration
	// would not see it and apply it again.
	return s.run(ctx, s.write, nil, func(tx *sql.Tx) error {
		if s.dialect.LockMigrations != "" {
			if _, err := tx.ExecContext(ctx, s.dialect.LockMigrations); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied BIGINT NOT NULL)`); err != nil {
			return err
		}
		var current sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&current); err != nil {
			return err
		}
		latest := 0
		for _, f := range files {
			v, err := migrationVersion(f)
			if err != nil {
				return err
			}
			latest = max(latest, v)
			if int64(v) <= current.Int64 {
				continue
			}
			body, err := migrations.ReadFile(f)
			if err != nil {
				return err
			}
			for _, stmt := range statements(string(body)) {
				if strings.TrimSpace(stmt) == "" {
					continue
				}
				if _, err := tx.ExecContext(ctx, stmt); err != nil {
					return fmt.Errorf("migration %s: %w", f, err)
				}
			}
			if _, err := tx.ExecContext(ctx, s.dialect.Rebind(`INSERT INTO schema_migrations (version, applied) VALUES (?, ?)`), v, time.Now().Unix()); err != nil {
				return err
			}
		}
		if current.Int64 > int64(latest) {
			return fmt.Errorf("the database's schema version %d is newer than this localsec knows (%d): use a newer localsec", current.Int64, latest)
		}
		return nil
	})
}

// statements splits a migration file into statements at semicolons,
// after dropping its "--" comment lines (which may hold semicolons).
func statements(body string) []string {
	var kept []string
	for _, line := range strings.Split(body, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "--") {
			kept = append(kept, line)
		}
	}
	return strings.Split(strings.Join(kept, "\n"), ";")
}

// migrationVersion reads the number a migration file name starts with.
func migrationVersion(path string) (int, error) {
	name := path[strings.LastIndex(path, "/")+1:]
	num, _, _ := strings.Cut(name, "_")
	v, err := strconv.Atoi(num)
	if err != nil {
		return 0, fmt.Errorf("migration %s: name must start with its version number", name)
	}
	return v, nil
}

// Update runs fn in a read-write transaction, again after a serialization
// conflict, and commits when fn returns nil.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var err error
	for attempt := 1; ; attempt++ {
		err = s.run(ctx, s.write, s.dialect.WriteTx, func(tx *sql.Tx) error {
			return fn(&sqlTx{ctx: ctx, tx: tx, d: s.dialect, writable: true})
		})
		if err == nil || !s.dialect.Retryable(err) || attempt == s.maxAttempts || ctx.Err() != nil {
			return err
		}
		// Back off a little, with jitter, so that the conflicting
		// transactions do not meet again at once.
		wait := time.Duration(attempt*attempt) * time.Millisecond
		wait += time.Duration(rand.Int64N(int64(wait) + 1))
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return err
		}
	}
}

// View runs fn in a read-only transaction that sees one snapshot.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.run(ctx, s.read, s.dialect.ReadTx, func(tx *sql.Tx) error {
		return fn(&sqlTx{ctx: ctx, tx: tx, d: s.dialect})
	})
}

// run begins a transaction and commits it only when fn returns nil: an
// error, a panic or a runtime.Goexit in fn rolls it back.
func (s *Store) run(ctx context.Context, db *sql.DB, opts *sql.TxOptions, fn func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, opts)
	if err != nil {
		return err
	}
	committed := false
	defer func() {
		if !committed {
			_ = tx.Rollback()
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	committed = true
	return tx.Commit()
}

// Reset deletes every record.
func (s *Store) Reset(ctx context.Context) error {
	return s.run(ctx, s.write, s.dialect.WriteTx, func(tx *sql.Tx) error {
		for _, table := range []string{"members", "enablements", "org_admins", "org_configs", "emails", "records"} {
			if _, err := tx.ExecContext(ctx, "DELETE FROM "+table); err != nil {
				return err
			}
		}
		return nil
	})
}

// Close closes the database pools.
func (s *Store) Close() error {
	errs := []error{s.write.Close()}
	if s.read != s.write {
		errs = append(errs, s.read.Close())
	}
	for _, c := range s.closers {
		errs = append(errs, c())
	}
	return errors.Join(errs...)
}
