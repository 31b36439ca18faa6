// Package pgstore is the shared store: PostgreSQL through pgx v5, for
// several localsec replicas serving one state.
//
// Every Update is a SERIALIZABLE transaction: PostgreSQL aborts one of two
// transactions whose reads and writes conflict (an invitee accepting two
// invitations on two replicas at once), and the store runs it again,
// where it then sees the other's result. Views are REPEATABLE READ, READ
// ONLY: one snapshot.
package pgstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/localsec/localsec/internal/store/sqlstore"
)

// maxConns bounds the pool of one localsec process.
const maxConns = 16

// Open connects to the database of dsn (a postgres:// URL or a key=value
// string) and applies the schema migrations.
func Open(ctx context.Context, dsn string) (*sqlstore.Store, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("pgstore: %w", err)
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("pgstore: connect: %w", err)
	}
	st, err := sqlstore.Open(ctx, Dialect(), db, db)
	if err != nil {
		return nil, fmt.Errorf("pgstore: %w", err)
	}
	return st, nil
}

// Dialect is PostgreSQL's: $n placeholders, serialization failures and
// deadlocks as retryable conflicts, an advisory lock around migrations.
func Dialect() sqlstore.Dialect {
	return sqlstore.Dialect{
		Name:   "postgres",
		Rebind: rebind,
		Retryable: func(err error) bool {
			var e *pgconn.PgError
			return errors.As(err, &e) && (e.Code == "40001" || e.Code == "40P01")
		},
		WriteTx:        &sql.TxOptions{Isolation: sql.LevelSerializable},
		ReadTx:         &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true},
		LockMigrations: "SELECT pg_advisory_xact_lock(4566)",
	}
}

// rebind numbers the ? placeholders: $1, $2, …. localsec's queries have
// no ? inside literals.
func rebind(q string) string {
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
