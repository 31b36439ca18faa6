package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/localsec/localsec/internal/store"
)

// The engines' own records: the records table, keyed by (kind, key).
// Keys are text compared bytewise (SQLite's BINARY collation, PostgreSQL's
// "C"), so a prefix query is a range of the primary key: key >= prefix
// AND key < prefixEnd(prefix), never LIKE (whose wildcards and collation
// rules would need escaping and might not use the index).
//
// store.CheckRecordKey keeps every key valid UTF-8 without NUL, the only
// text PostgreSQL takes. A bound computed from bytes (prefixEnd of "ÿ" is
// "\xc3\xc0"), or a Prefix or After given by the caller, need not be: such
// a bound, which PostgreSQL would refuse, is replaced by the least valid
// string not less than it (validCeil), which selects the same keys.

func (t *sqlTx) GetRecord(ctx context.Context, kind, key string) (store.Record, error) {
	if store.CheckRecordKey(kind, key) != nil {
		return store.Record{}, store.ErrNotFound // no record can have it
	}
	r := store.Record{Kind: kind, Key: key}
	err := t.tx.QueryRowContext(ctx, t.d.Rebind(`SELECT value FROM records WHERE kind = ? AND key = ?`), kind, key).Scan(&r.Value)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Record{}, store.ErrNotFound
	}
	if r.Value == nil {
		r.Value = []byte{}
	}
	return r, err
}

func (t *sqlTx) PutRecord(ctx context.Context, r store.Record) error {
	if !t.writable {
		return store.ErrReadOnly
	}
	if err := store.CheckRecordKey(r.Kind, r.Key); err != nil {
		return err
	}
	value := r.Value
	if value == nil {
		value = []byte{} // the column is NOT NULL: nil is an empty value
	}
	_, err := t.exec(ctx, `INSERT INTO records (kind, key, value) VALUES (?, ?, ?)
		ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value`, r.Kind, r.Key, value)
	return err
}

func (t *sqlTx) DeleteRecord(ctx context.Context, kind, key string) error {
	if !t.writable {
		return store.ErrReadOnly
	}
	if store.CheckRecordKey(kind, key) != nil {
		return store.ErrNotFound
	}
	return deleted(t.exec(ctx, `DELETE FROM records WHERE kind = ? AND key = ?`, kind, key))
}

func (t *sqlTx) ListRecords(ctx context.Context, q store.RecordQuery) ([]store.Record, error) {
	if store.CheckRecordKey(q.Kind, "k") != nil {
		return nil, nil // no record has that kind
	}
	// One lower bound, the greater of the prefix's and After's, so that
	// the scan starts at the page: SQLite enters an index by one bound of
	// a column only, and would walk from the prefix to After.
	low, strict := "", false // key >= low, or key > low when strict
	if q.Prefix != "" {
		ceil, ok := validCeil(q.Prefix)
		if !ok {
			return nil, nil // no key is that high
		}
		low = ceil
	}
	if q.After != "" {
		ceil, ok := validCeil(q.After)
		if !ok {
			return nil, nil
		}
		// After is a valid key (ceil == After): keys greater than it.
		// Otherwise no key equals After: keys not less than ceil.
		afterStrict := ceil == q.After
		if ceil > low || (ceil == low && afterStrict) {
			low, strict = ceil, afterStrict
		}
	}
	var b strings.Builder
	b.WriteString(`SELECT kind, key, value FROM records WHERE kind = ?`)
	args := []any{q.Kind}
	switch {
	case strict:
		b.WriteString(` AND key > ?`)
		args = append(args, low)
	case low != "":
		b.WriteString(` AND key >= ?`)
		args = append(args, low)
	}
	if end, ok := prefixEnd(q.Prefix); ok {
		if high, ok := validCeil(end); ok {
			b.WriteString(` AND key < ?`)
			args = append(args, high)
		}
	}
	b.WriteString(` ORDER BY key`)
	if q.Limit > 0 {
		b.WriteString(` LIMIT ?`)
		args = append(args, q.Limit)
	}
	return t.records(ctx, b.String(), args...)
}

func (t *sqlTx) records(ctx context.Context, query string, args ...any) ([]store.Record, error) {
	rows, err := t.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Record
	for rows.Next() {
		var r store.Record
		if err := rows.Scan(&r.Kind, &r.Key, &r.Value); err != nil {
			return nil, err
		}
		if r.Value == nil {
			r.Value = []byte{}
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// prefixEnd returns the least string greater than every string that
// starts with prefix: prefix with its last byte that is not 0xff
// incremented, and cut after it. ok is false when there is none (an empty
// prefix, or one of 0xff bytes only): the range has no upper bound.
func prefixEnd(prefix string) (end string, ok bool) {
	for i := len(prefix) - 1; i >= 0; i-- {
		if c := prefix[i]; c != 0xff {
			return prefix[:i] + string([]byte{c + 1}), true
		}
	}
	return "", false
}

// validCeil returns the least string that is a valid record key (valid
// UTF-8 without NUL; empty included) and not less than s bytewise; s
// itself when it is one. ok is false when every valid string is less than
// s. For every valid key k, k >= s exactly when k >= validCeil(s).
func validCeil(s string) (ceil string, ok bool) {
	i := 0 // s[:i] is the longest valid prefix of s
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == 0 || (r == utf8.RuneError && n <= 1) {
			break
		}
		i += n
	}
	if i == len(s) {
		return s, true
	}
	head, rest := s[:i], s[i:]
	// rest starts with no whole valid rune, so a valid string after head
	// is not less than rest exactly when its first rune's encoding is not:
	// the least is that one rune alone.
	if r, ok := leastRuneFrom(rest); ok {
		return head + string(r), true
	}
	// Every valid string that starts with head is less than s: the answer
	// is past all of them.
	return successor(head)
}

// runes is the number of valid key runes: U+0001 to U+10FFFF without the
// surrogates, numbered in order by runeAt.
const runes = utf8.MaxRune - 0x800

func runeAt(i int) rune {
	r := rune(i + 1)
	if r >= 0xd800 {
		r += 0x800 // skip the surrogates, which UTF-8 cannot encode
	}
	return r
}

// leastRuneFrom returns the valid key rune of least encoding not less than
// s. Encodings order as the runes do, so a binary search finds it.
func leastRuneFrom(s string) (rune, bool) {
	i := sort.Search(runes, func(i int) bool { return string(runeAt(i)) >= s })
	if i == runes {
		return 0, false
	}
	return runeAt(i), true
}

// successor returns the least valid string greater than every string that
// starts with the valid string s: s with its last rune that is not
// U+10FFFF replaced by the next rune, and cut after it. ok is false when
// there is none.
func successor(s string) (string, bool) {
	for s != "" {
		r, n := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-n]
		if r < utf8.MaxRune {
			r++
			if r == 0xd800 {
				r = 0xe000
			}
			return s + string(r), true
		}
	}
	return "", false
}
