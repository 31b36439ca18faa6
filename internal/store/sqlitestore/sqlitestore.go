// Package sqlitestore is the embedded, durable store: one SQLite file
// (modernc.org/sqlite, pure Go, no cgo) in WAL mode.
//
// A committed Update is on disk: synchronous=FULL makes SQLite fsync the
// write-ahead log at every commit, so an acknowledged write survives a
// crash of the process or of the machine. One connection writes (BEGIN
// IMMEDIATE, so transactions never deadlock upgrading a read lock); a few
// others read a snapshot each, concurrently with the writer.
package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/localsec/localsec/internal/store/sqlstore"
)

// readers is the number of connections that serve View.
const readers = 4

// Open opens (creating if needed) the SQLite database at path and applies
// the schema migrations.
func Open(ctx context.Context, path string) (*sqlstore.Store, error) {
	if path == "" {
		return nil, errors.New("sqlitestore: empty path")
	}
	base := "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)"
	write, err := sql.Open("sqlite", base+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: %w", err)
	}
	write.SetMaxOpenConns(1)
	read, err := sql.Open("sqlite", base)
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlitestore: %w", err)
	}
	read.SetMaxOpenConns(readers)
	st, err := sqlstore.Open(ctx, Dialect(), write, read)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: open %s: %w", path, err)
	}
	return st, nil
}

// Dialect is SQLite's: ? placeholders, and a busy or locked database
// (another process writing) as the retryable conflict.
func Dialect() sqlstore.Dialect {
	return sqlstore.Dialect{
		Name:   "sqlite",
		Rebind: func(q string) string { return q },
		Retryable: func(err error) bool {
			var e *sqlite.Error
			if !errors.As(err, &e) {
				return false
			}
			code := e.Code() & 0xff // the primary result code
			return code == sqlite3.SQLITE_BUSY || code == sqlite3.SQLITE_LOCKED
		},
	}
}
