package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/localsec/localsec/internal/store"
)

// testRecords is the Records group: the records engines keep as documents
// of their own (store.Record), each subtest on a fresh store.
//
// Keys order bytewise within their kind, so the model of every query is a
// filter of the records sorted with sort.Strings. The keys used are valid
// UTF-8 without NUL (store.CheckRecordKey), many of them with bytes of
// 0x80 and above; prefixes and After bounds may be any bytes, including
// cut runes and 0xff.
func testRecords(t *testing.T, fresh func(*testing.T) store.Store) {
	with := func(fn func(t *testing.T, s store.Store)) func(t *testing.T) {
		return func(t *testing.T) { fn(t, fresh(t)) }
	}
	t.Run("RoundTrip", with(testRecordRoundTrip))
	t.Run("Overwrite", with(testRecordOverwrite))
	t.Run("Delete", with(testRecordDelete))
	t.Run("KindsAreApart", with(testRecordKindsAreApart))
	t.Run("ReturnsCopies", with(testRecordReturnsCopies))
	t.Run("InvalidKeys", with(testRecordInvalidKeys))
	t.Run("LargeValues", with(testRecordLargeValues))
	t.Run("Prefix", with(testRecordPrefix))
	t.Run("PrefixBytes", with(testRecordPrefixBytes))
	t.Run("Paging", with(testRecordPaging))
	t.Run("Random", with(testRecordRandom))
	t.Run("ViewIsReadOnly", with(testRecordViewIsReadOnly))
	t.Run("UpdateErrorRollsBack", with(testRecordUpdateErrorRollsBack))
	t.Run("UpdatePanicRollsBack", with(testRecordUpdatePanicRollsBack))
	t.Run("UpdateGoexitRollsBack", with(testRecordUpdateGoexitRollsBack))
	t.Run("UpdateReadsOwnWrites", with(testRecordUpdateReadsOwnWrites))
	t.Run("Reset", with(testRecordReset))
	t.Run("All", with(testRecordAll))
	t.Run("ConcurrentWriters", with(testRecordConcurrentWriters))
}

// ---------------------------------------------------------------------
// Fixtures.

const (
	kindAccount = "account"
	kindOrg     = "organization"
)

// recordValue is a value that depends on kind and key, with bytes that are
// no text: a NUL, 0xff, a cut rune.
func recordValue(kind, key string) []byte {
	return append([]byte(`{"kind":"`+kind+`", "key":"`+key+`"}`), 0, 0xff, 0xc3, '\n')
}

func rec(kind, key string) store.Record {
	return store.Record{Kind: kind, Key: key, Value: recordValue(kind, key)}
}

// otherRec differs from rec in its value only.
func otherRec(kind, key string) store.Record {
	return store.Record{Kind: kind, Key: key, Value: []byte("other " + kind + " " + key)}
}

func getRecord(t *testing.T, s store.Store, kind, key string) (store.Record, error) {
	t.Helper()
	var r store.Record
	err := s.View(t.Context(), func(tx store.Tx) (err error) {
		r, err = tx.GetRecord(t.Context(), kind, key)
		return err
	})
	return r, err
}

func mustGetRecord(t *testing.T, s store.Store, kind, key string) store.Record {
	t.Helper()
	r, err := getRecord(t, s, kind, key)
	if err != nil {
		t.Fatalf("GetRecord(%q, %q): %v", kind, key, err)
	}
	return r
}

func listRecords(t *testing.T, s store.Store, q store.RecordQuery) []store.Record {
	t.Helper()
	var out []store.Record
	mustView(t, s, func(tx store.Tx) (err error) {
		out, err = tx.ListRecords(t.Context(), q)
		return err
	})
	return out
}

func allRecords(t *testing.T, s store.Store) []store.Record {
	t.Helper()
	var snap store.Snapshot
	mustView(t, s, func(tx store.Tx) (err error) {
		snap, err = tx.All(t.Context())
		return err
	})
	return snap.Records
}

func putRecords(ctx context.Context, tx store.Tx, rs ...store.Record) error {
	for _, r := range rs {
		if err := tx.PutRecord(ctx, r); err != nil {
			return fmt.Errorf("PutRecord(%q, %q): %w", r.Kind, r.Key, err)
		}
	}
	return nil
}

// sortRecords orders records by kind, then key, bytewise: the order of All.
func sortRecords(rs []store.Record) []store.Record {
	sort.Slice(rs, func(i, j int) bool {
		if rs[i].Kind != rs[j].Kind {
			return rs[i].Kind < rs[j].Kind
		}
		return rs[i].Key < rs[j].Key
	})
	return rs
}

// modelRecords is what ListRecords must return for q from all, sorted by
// kind then key.
func modelRecords(all []store.Record, q store.RecordQuery) []store.Record {
	var out []store.Record
	for _, r := range all {
		if r.Kind != q.Kind || !strings.HasPrefix(r.Key, q.Prefix) || r.Key <= q.After {
			continue
		}
		out = append(out, r)
		if q.Limit > 0 && len(out) == q.Limit {
			break
		}
	}
	return out
}

func fmtQuery(q store.RecordQuery) string {
	return fmt.Sprintf("{Kind:%q Prefix:%q After:%q Limit:%d}", q.Kind, q.Prefix, q.After, q.Limit)
}

func recordKeys(rs []store.Record) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = fmt.Sprintf("%q", r.Kind+"/"+r.Key)
	}
	return out
}

// checkRecords compares records, keys first for a readable failure.
func checkRecords(t *testing.T, what string, want, got []store.Record) {
	t.Helper()
	if w, g := recordKeys(want), recordKeys(got); !slices.Equal(w, g) {
		t.Errorf("%s: keys\n\tgot  %v\n\twant %v", what, g, w)
		return
	}
	checkEqual(t, what, want, got)
}

// ---------------------------------------------------------------------
// One record at a time.

func testRecordRoundTrip(t *testing.T, s store.Store) {
	ctx := t.Context()
	values := map[string][]byte{
		"json":   []byte(`{"Id": "o-exampleorgid", "Arn":"arn:aws:organizations::111111111111:organization/o-exampleorgid" , "n": 1.50}`),
		"binary": {0, 1, 2, 0x7f, 0x80, 0xfe, 0xff, 0, 0},
		"text":   []byte("ünïcödé ✓\r\n\t'quoted' \"double\" -- ; DROP TABLE records"),
		"empty":  {},
	}
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(255 - i)
	}
	values["every byte"] = all
	var want []store.Record
	for name, v := range values {
		want = append(want, store.Record{Kind: kindAccount, Key: "o-1/" + name, Value: v})
	}
	sortRecords(want)
	mustUpdate(t, s, func(tx store.Tx) error {
		for _, r := range want {
			if err := tx.PutRecord(ctx, r); err != nil {
				return err
			}
			got, err := tx.GetRecord(ctx, r.Kind, r.Key)
			if err != nil {
				return fmt.Errorf("GetRecord in the same transaction: %w", err)
			}
			checkEqual(t, "GetRecord in the same transaction", r, got)
		}
		return nil
	})
	for _, r := range want {
		checkEqual(t, fmt.Sprintf("GetRecord(%q) from View", r.Key), r, mustGetRecord(t, s, r.Kind, r.Key))
	}
	mustUpdate(t, s, func(tx store.Tx) error {
		for _, r := range want {
			got, err := tx.GetRecord(ctx, r.Kind, r.Key)
			if err != nil {
				return err
			}
			checkEqual(t, fmt.Sprintf("GetRecord(%q) from Update", r.Key), r, got)
		}
		return nil
	})
	checkRecords(t, "ListRecords", want, listRecords(t, s, store.RecordQuery{Kind: kindAccount}))
	checkRecords(t, "All", want, allRecords(t, s))

	// A nil value is stored as an empty one.
	mustUpdate(t, s, func(tx store.Tx) error { return tx.PutRecord(ctx, store.Record{Kind: kindOrg, Key: "nil"}) })
	if got := mustGetRecord(t, s, kindOrg, "nil"); len(got.Value) != 0 || got.Kind != kindOrg || got.Key != "nil" {
		t.Errorf("record put with a nil value = %+v", got)
	}
}

func testRecordOverwrite(t *testing.T, s store.Store) {
	ctx := t.Context()
	k := "o-1/111111111111"
	for i, want := range []store.Record{rec(kindAccount, k), otherRec(kindAccount, k), {Kind: kindAccount, Key: k}, rec(kindAccount, k)} {
		mustUpdate(t, s, func(tx store.Tx) error { return tx.PutRecord(ctx, want) })
		checkEqual(t, fmt.Sprintf("after put #%d", i+1), want, mustGetRecord(t, s, kindAccount, k))
		if got := listRecords(t, s, store.RecordQuery{Kind: kindAccount}); len(got) != 1 {
			t.Errorf("ListRecords after put #%d lists %d records: overwriting duplicated the key", i+1, len(got))
		}
	}
	// Overwrites within one transaction: the last one wins.
	mustUpdate(t, s, func(tx store.Tx) error {
		return putRecords(ctx, tx, rec(kindAccount, k), store.Record{Kind: kindAccount, Key: k}, otherRec(kindAccount, k))
	})
	checkEqual(t, "after three puts in one transaction", otherRec(kindAccount, k), mustGetRecord(t, s, kindAccount, k))
	checkRecords(t, "All after overwrites", []store.Record{otherRec(kindAccount, k)}, allRecords(t, s))
}

func testRecordDelete(t *testing.T, s store.Store) {
	ctx := t.Context()
	k, sib := "o-1/111111111111", "o-1/111111111112"
	_, err := getRecord(t, s, kindAccount, k)
	checkErrorIs(t, "GetRecord in an empty store", err, store.ErrNotFound)
	mustUpdate(t, s, func(tx store.Tx) error {
		_, err := tx.GetRecord(ctx, kindAccount, k)
		checkErrorIs(t, "GetRecord of an absent key in Update", err, store.ErrNotFound)
		checkErrorIs(t, "DeleteRecord of an absent key", tx.DeleteRecord(ctx, kindAccount, k), store.ErrNotFound)
		return nil
	})
	mustUpdate(t, s, func(tx store.Tx) error { return putRecords(ctx, tx, rec(kindAccount, k), rec(kindAccount, sib)) })
	mustUpdate(t, s, func(tx store.Tx) error { return tx.DeleteRecord(ctx, kindAccount, k) })
	_, err = getRecord(t, s, kindAccount, k)
	checkErrorIs(t, "GetRecord after DeleteRecord", err, store.ErrNotFound)
	checkEqual(t, "sibling after DeleteRecord", rec(kindAccount, sib), mustGetRecord(t, s, kindAccount, sib))
	checkRecords(t, "ListRecords after DeleteRecord", []store.Record{rec(kindAccount, sib)}, listRecords(t, s, store.RecordQuery{Kind: kindAccount}))
	mustUpdate(t, s, func(tx store.Tx) error {
		checkErrorIs(t, "second DeleteRecord", tx.DeleteRecord(ctx, kindAccount, k), store.ErrNotFound)
		// Keys near a present one are absent: no prefix match.
		for _, near := range []string{"o-1/11111111111", "o-1/1111111111120", "O-1/111111111112", "o-1/111111111112 "} {
			_, err := tx.GetRecord(ctx, kindAccount, near)
			checkErrorIs(t, fmt.Sprintf("GetRecord(%q)", near), err, store.ErrNotFound)
			checkErrorIs(t, fmt.Sprintf("DeleteRecord(%q)", near), tx.DeleteRecord(ctx, kindAccount, near), store.ErrNotFound)
		}
		return nil
	})
	// Put again after Delete: the record is back, whole.
	mustUpdate(t, s, func(tx store.Tx) error { return tx.PutRecord(ctx, otherRec(kindAccount, k)) })
	checkEqual(t, "put after delete", otherRec(kindAccount, k), mustGetRecord(t, s, kindAccount, k))
	// Delete then Get and List in the same transaction.
	mustUpdate(t, s, func(tx store.Tx) error {
		if err := tx.DeleteRecord(ctx, kindAccount, k); err != nil {
			return err
		}
		_, err := tx.GetRecord(ctx, kindAccount, k)
		checkErrorIs(t, "GetRecord after DeleteRecord in the same transaction", err, store.ErrNotFound)
		got, err := tx.ListRecords(ctx, store.RecordQuery{Kind: kindAccount})
		checkRecords(t, "ListRecords after DeleteRecord in the same transaction", []store.Record{rec(kindAccount, sib)}, got)
		return err
	})
	// Deleting the last record of a kind leaves nothing of it.
	mustUpdate(t, s, func(tx store.Tx) error { return tx.DeleteRecord(ctx, kindAccount, sib) })
	if got := listRecords(t, s, store.RecordQuery{Kind: kindAccount}); len(got) != 0 {
		t.Errorf("ListRecords of an emptied kind = %v", recordKeys(got))
	}
	if got := allRecords(t, s); len(got) != 0 {
		t.Errorf("All after deleting every record = %v", recordKeys(got))
	}
}

// testRecordKindsAreApart: one key in several kinds is several records,
// and kinds that are prefixes of one another do not mix.
func testRecordKindsAreApart(t *testing.T, s store.Store) {
	ctx := t.Context()
	kinds := []string{"a", "a/", "a/b", "ab", "b", "é", kindAccount}
	keys := []string{"1", "b/1", "é", "o-1"}
	var all []store.Record
	for _, kind := range kinds {
		for _, key := range keys {
			all = append(all, rec(kind, key))
		}
	}
	mustUpdate(t, s, func(tx store.Tx) error { return putRecords(ctx, tx, all...) })
	sortRecords(all)
	for _, kind := range kinds {
		checkRecords(t, fmt.Sprintf("ListRecords(%q)", kind), modelRecords(all, store.RecordQuery{Kind: kind}),
			listRecords(t, s, store.RecordQuery{Kind: kind}))
		for _, key := range keys {
			checkEqual(t, fmt.Sprintf("GetRecord(%q, %q)", kind, key), rec(kind, key), mustGetRecord(t, s, kind, key))
		}
		// A prefix does not reach into another kind.
		checkRecords(t, fmt.Sprintf("ListRecords(%q, prefix b)", kind), modelRecords(all, store.RecordQuery{Kind: kind, Prefix: "b"}),
			listRecords(t, s, store.RecordQuery{Kind: kind, Prefix: "b"}))
	}
	for _, kind := range []string{"A", "a/b/", "c", "éé"} {
		if got := listRecords(t, s, store.RecordQuery{Kind: kind}); len(got) != 0 {
			t.Errorf("ListRecords of kind %q, which has no records = %v", kind, recordKeys(got))
		}
		if _, err := getRecord(t, s, kind, "1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetRecord(%q, 1): err = %v, want ErrNotFound", kind, err)
		}
	}
	// Overwriting and deleting in one kind leaves the others alone.
	mustUpdate(t, s, func(tx store.Tx) error {
		if err := tx.PutRecord(ctx, otherRec("a", "1")); err != nil {
			return err
		}
		return tx.DeleteRecord(ctx, "a/b", "1")
	})
	want := slices.DeleteFunc(slices.Clone(all), func(r store.Record) bool { return r.Kind == "a/b" && r.Key == "1" })
	want[slices.IndexFunc(want, func(r store.Record) bool { return r.Kind == "a" && r.Key == "1" })] = otherRec("a", "1")
	checkRecords(t, "All after an overwrite and a delete", want, allRecords(t, s))
}

func testRecordReturnsCopies(t *testing.T, s store.Store) {
	ctx := t.Context()
	k := "o-1/111111111111"
	want := rec(kindAccount, k)
	mutate := func(b []byte) {
		for i := range b {
			b[i] = 'X'
		}
	}

	// The caller keeps its value after Put: changing it does not change
	// the store.
	given := rec(kindAccount, k)
	mustUpdate(t, s, func(tx store.Tx) error {
		if err := tx.PutRecord(ctx, given); err != nil {
			return err
		}
		mutate(given.Value)
		got, err := tx.GetRecord(ctx, kindAccount, k)
		checkEqual(t, "after mutating the put value, same transaction", want, got)
		return err
	})
	mutate(given.Value)
	checkEqual(t, "after mutating the put value", want, mustGetRecord(t, s, kindAccount, k))

	// Values returned by Get, List and All belong to the caller.
	for _, update := range []bool{false, true} {
		run := mustView
		if update {
			run = mustUpdate
		}
		run(t, s, func(tx store.Tx) error {
			got, err := tx.GetRecord(ctx, kindAccount, k)
			if err != nil {
				return err
			}
			mutate(got.Value)
			list, err := tx.ListRecords(ctx, store.RecordQuery{Kind: kindAccount})
			if err != nil {
				return err
			}
			if len(list) != 1 {
				return fmt.Errorf("ListRecords returned %d records, want 1", len(list))
			}
			mutate(list[0].Value)
			list, err = tx.ListRecords(ctx, store.RecordQuery{Kind: kindAccount, Prefix: "o-1/", Limit: 1})
			if err != nil {
				return err
			}
			if len(list) != 1 {
				return fmt.Errorf("ListRecords with a prefix returned %d records, want 1", len(list))
			}
			mutate(list[0].Value)
			snap, err := tx.All(ctx)
			if err != nil {
				return err
			}
			mutate(snap.Records[0].Value)
			again, err := tx.GetRecord(ctx, kindAccount, k)
			checkEqual(t, fmt.Sprintf("after mutating returned values (Update: %v), same transaction", update), want, again)
			return err
		})
	}
	checkEqual(t, "after mutating returned values", want, mustGetRecord(t, s, kindAccount, k))
	checkRecords(t, "ListRecords after mutating returned values", []store.Record{want}, listRecords(t, s, store.RecordQuery{Kind: kindAccount}))
}

// testRecordInvalidKeys: PutRecord refuses an empty kind or key, and
// what not every store can keep (a key that is not UTF-8, a NUL), without
// spoiling the transaction; no record can be found under such names.
func testRecordInvalidKeys(t *testing.T, s store.Store) {
	ctx := t.Context()
	bad := []store.Record{
		{Kind: "", Key: "k", Value: []byte("v")},
		{Kind: kindAccount, Key: "", Value: []byte("v")},
		{Kind: "", Key: ""},
		{Kind: kindAccount, Key: "a\xffb", Value: []byte("v")},
		{Kind: kindAccount, Key: "\xc3", Value: []byte("v")},
		{Kind: kindAccount, Key: "\xed\xa0\x80", Value: []byte("v")}, // a surrogate
		{Kind: kindAccount, Key: "a\x00b", Value: []byte("v")},
		{Kind: "\xff", Key: "k", Value: []byte("v")},
		{Kind: "ac\x00count", Key: "k", Value: []byte("v")},
	}
	good := rec(kindAccount, "k")
	mustUpdate(t, s, func(tx store.Tx) error {
		for _, r := range bad {
			err := tx.PutRecord(ctx, r)
			if err == nil {
				t.Errorf("PutRecord(%q, %q) succeeded, want an error", r.Kind, r.Key)
			} else if errors.Is(err, store.ErrReadOnly) || errors.Is(err, store.ErrNotFound) {
				t.Errorf("PutRecord(%q, %q): err = %v, want one that names the invalid kind or key", r.Kind, r.Key, err)
			}
		}
		// The transaction goes on: a refused put is not a failed statement.
		return tx.PutRecord(ctx, good)
	})
	checkRecords(t, "All after refused puts", []store.Record{good}, allRecords(t, s))
	mustUpdate(t, s, func(tx store.Tx) error {
		for _, r := range bad {
			if _, err := tx.GetRecord(ctx, r.Kind, r.Key); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("GetRecord(%q, %q): err = %v, want ErrNotFound", r.Kind, r.Key, err)
			}
			if err := tx.DeleteRecord(ctx, r.Kind, r.Key); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("DeleteRecord(%q, %q): err = %v, want ErrNotFound", r.Kind, r.Key, err)
			}
			if store.CheckRecordKey(r.Kind, "k") == nil {
				continue // a valid kind, with the good record
			}
			got, err := tx.ListRecords(ctx, store.RecordQuery{Kind: r.Kind, Prefix: r.Key})
			if err != nil {
				t.Errorf("ListRecords(%q): %v", r.Kind, err)
			} else if len(got) != 0 {
				t.Errorf("ListRecords(%q) = %v, want none", r.Kind, recordKeys(got))
			}
		}
		return nil
	})
	for _, r := range bad {
		if err := store.CheckRecordKey(r.Kind, r.Key); err == nil {
			t.Errorf("CheckRecordKey(%q, %q) = nil, want an error", r.Kind, r.Key)
		}
	}
	if err := store.CheckRecordKey(kindAccount, "o-1/é/\U0010ffff"); err != nil {
		t.Errorf("CheckRecordKey of a valid key: %v", err)
	}
}

// testRecordLargeValues: values of 1 MiB, any bytes, round-trip whole.
func testRecordLargeValues(t *testing.T, s store.Store) {
	ctx := t.Context()
	r := rand.New(rand.NewPCG(3, 4))
	big := func() []byte {
		b := make([]byte, 1<<20)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return b
	}
	a, b := store.Record{Kind: kindOrg, Key: "big/a", Value: big()}, store.Record{Kind: kindOrg, Key: "big/b", Value: big()}
	mustUpdate(t, s, func(tx store.Tx) error { return putRecords(ctx, tx, a, b) })
	for _, want := range []store.Record{a, b} {
		if got := mustGetRecord(t, s, want.Kind, want.Key); !bytes.Equal(got.Value, want.Value) {
			t.Errorf("GetRecord(%q): %d bytes, not the %d put", want.Key, len(got.Value), len(want.Value))
		}
	}
	got := listRecords(t, s, store.RecordQuery{Kind: kindOrg, Prefix: "big/"})
	if len(got) != 2 || !bytes.Equal(got[0].Value, a.Value) || !bytes.Equal(got[1].Value, b.Value) {
		t.Errorf("ListRecords of two 1 MiB records: %d records, values differ", len(got))
	}
	// Overwrite with another large value, then with a small one.
	a.Value = big()
	mustUpdate(t, s, func(tx store.Tx) error { return tx.PutRecord(ctx, a) })
	if got := mustGetRecord(t, s, a.Kind, a.Key); !bytes.Equal(got.Value, a.Value) {
		t.Errorf("GetRecord after overwriting 1 MiB with 1 MiB: the value differs")
	}
	all := allRecords(t, s)
	if len(all) != 2 || !bytes.Equal(all[0].Value, a.Value) || !bytes.Equal(all[1].Value, b.Value) {
		t.Errorf("All of two 1 MiB records: %d records, values differ", len(all))
	}
	mustUpdate(t, s, func(tx store.Tx) error { return tx.PutRecord(ctx, rec(kindOrg, "big/a")) })
	checkEqual(t, "GetRecord after overwriting 1 MiB with a small value", rec(kindOrg, "big/a"), mustGetRecord(t, s, kindOrg, "big/a"))
}

// ---------------------------------------------------------------------
// Queries.

// prefixKeys are keys laid out as an engine would (kind-specific paths),
// plus keys whose bytes reach 0x80 and above, up to U+10FFFF (f4 8f bf bf):
// a prefix that ends in a rune's last byte, or in 0xbf, has an upper bound
// that is no UTF-8.
var prefixKeys = []string{
	"o-1", "o-1/", "o-1/a", "o-1/a/1", "o-1/a/2", "o-1/b", "o-10", "o-1~", "o-1\x7f", "o-2/a",
	"\x01", "~", "\x7f", "\u0080", "é", "é/1", "éa", "ê", "\u00ff", "\u00ff/x", "\u0100", "\u07ff", "\u07ff\u07ff", "\u0800",
	"日本", "日本/東京", "日本語", "\ud7ff", "\ue000", "\ufffd", "\uffff", "\uffff/1", "\U00010000",
	"\U0010fffe", "\U0010ffff", "\U0010ffff\U0010ffff", "\U0010ffff/a", "\U0010ffffa",
}

func seedPrefixKeys(t *testing.T, s store.Store) []store.Record {
	t.Helper()
	ctx := t.Context()
	var all []store.Record
	for _, key := range prefixKeys {
		all = append(all, rec(kindAccount, key))
	}
	// Noise: the same keys in a kind next to it.
	noise := make([]store.Record, 0, len(all))
	for _, key := range prefixKeys {
		noise = append(noise, rec(kindAccount+"s", key))
	}
	mustUpdate(t, s, func(tx store.Tx) error {
		for i := range all { // backwards, unlike the key order
			if err := tx.PutRecord(ctx, all[len(all)-1-i]); err != nil {
				return err
			}
		}
		return putRecords(ctx, tx, noise...)
	})
	return sortRecords(all)
}

func testRecordPrefix(t *testing.T, s store.Store) {
	all := seedPrefixKeys(t, s)
	for _, tc := range []struct {
		prefix string
		want   int // to keep the model honest
	}{
		{"", len(prefixKeys)},
		{"o", 10},
		{"o-1", 9},
		{"o-1/", 5},
		{"o-1/a", 3},
		{"o-1/a/", 2},
		{"o-1/a/1", 1},
		{"o-1/a/3", 0},
		{"o-2", 1},
		{"o-3", 0},
		{"p", 0},
		{"a", 0},
		{"~", 1},
		{"\x01", 1},
		{"é", 3},
		{"é/", 1},
		{"日本", 3},
		{"日本/", 1},
		{"日", 3},
		{"\u00ff", 2}, // upper bound c3 c0
		{"\u07ff", 2}, // upper bound df c0
		{"\uffff", 2}, // upper bound ef bf c0
		{"\U0010ffff", 4},
		{"\U0010ffff\U0010ffff", 1},
		{"\U0010fffe", 1},
		{"zz", 0},
	} {
		q := store.RecordQuery{Kind: kindAccount, Prefix: tc.prefix}
		want := modelRecords(all, q)
		if len(want) != tc.want {
			t.Fatalf("suite bug: the model gives %d records for prefix %q, the table says %d", len(want), tc.prefix, tc.want)
		}
		checkRecords(t, fmt.Sprintf("ListRecords(prefix %q)", tc.prefix), want, listRecords(t, s, q))
		// With After and Limit as well.
		for _, after := range []string{"", "o-1/a", "é", "\U0010ffff"} {
			for _, limit := range []int{0, 1, 2} {
				q := store.RecordQuery{Kind: kindAccount, Prefix: tc.prefix, After: after, Limit: limit}
				checkRecords(t, fmt.Sprintf("ListRecords(%s)", fmtQuery(q)), modelRecords(all, q), listRecords(t, s, q))
			}
		}
	}
}

// testRecordPrefixBytes: prefixes and After bounds that are no valid key:
// ending in 0xff bytes, a rune cut short, a NUL, 0xff alone.
func testRecordPrefixBytes(t *testing.T, s store.Store) {
	all := seedPrefixKeys(t, s)
	bounds := []string{
		"\xff", "\xff\xff", "\xff\xff\xff", "o\xff", "o-1\xff", "o-1/\xff", "o-1/a\xff\xff", "é\xff", "\U0010ffff\xff",
		"\xc3", "\xc3\xbf\xff", "\xe6\x97", "\xe6", "\xef\xbf", "\xf4\x8f\xbf", "\xf4\x8f", "\xf4", "\xf5", "\xf0",
		"\xed", "\xed\x9f", "\xed\xa0", "\x80", "\xc0", "\xc1\xbf", "o-1\x00", "\x00", "\xc3\xa9\xc3", "o-1/a\xc3",
	}
	for _, b := range bounds {
		for _, q := range []store.RecordQuery{
			{Kind: kindAccount, Prefix: b},
			{Kind: kindAccount, After: b},
			{Kind: kindAccount, Prefix: b, Limit: 1},
			{Kind: kindAccount, After: b, Limit: 2},
			{Kind: kindAccount, Prefix: b[:1], After: b},
		} {
			checkRecords(t, fmt.Sprintf("ListRecords(%s)", fmtQuery(q)), modelRecords(all, q), listRecords(t, s, q))
		}
	}
	// The model itself: a cut rune is a prefix of the runes it starts.
	if n := len(modelRecords(all, store.RecordQuery{Kind: kindAccount, Prefix: "\xc3"})); n != 6 {
		t.Fatalf("suite bug: the model gives %d records for prefix \\xc3, want 6", n)
	}
}

// recordPagingKeys returns n distinct keys made of segments an engine
// might use, many with bytes of 0x80 and above, in a scrambled order.
func recordPagingKeys(r *rand.Rand, n int) []string {
	segments := []string{
		"a", "b", "o-", "ou-", "r-", "/", "-", "0", "1", "9", "~", "\x7f", "é", "ÿ", "ā", "\u07ff", "\u0800",
		"日", "本", "\ud7ff", "\ue000", "\ufffd", "\uffff", "\U00010000", "\U0010ffff",
	}
	seen := map[string]bool{}
	var keys []string
	for len(keys) < n {
		var b strings.Builder
		for range 1 + r.IntN(6) {
			b.WriteString(segments[r.IntN(len(segments))])
		}
		if k := b.String(); !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	return keys
}

const pagingKeys = 300

// seedPagingKeys puts pagingKeys records of kindAccount, and noise in
// kinds next to it, and returns the records of kindAccount sorted.
func seedPagingKeys(t *testing.T, s store.Store, r *rand.Rand) []store.Record {
	t.Helper()
	ctx := t.Context()
	keys := recordPagingKeys(r, pagingKeys)
	var all, noise []store.Record
	for i, key := range keys {
		all = append(all, rec(kindAccount, key))
		if i%5 == 0 {
			noise = append(noise, rec(kindAccount+"/", key), rec("accoun", key), rec("b", key))
		}
	}
	mustUpdate(t, s, func(tx store.Tx) error { return putRecords(ctx, tx, append(slices.Clone(all), noise...)...) })
	return sortRecords(all)
}

func testRecordPaging(t *testing.T, s store.Store) {
	all := seedPagingKeys(t, s, rand.New(rand.NewPCG(5, 6)))
	for _, prefix := range []string{"", "a", "o-", "é", "日", "\U0010ffff", "\xc3", "a\xff"} {
		for _, limit := range []int{1, 7, 50, pagingKeys} {
			var got []store.Record
			q := store.RecordQuery{Kind: kindAccount, Prefix: prefix, Limit: limit}
			for pages := 0; ; pages++ {
				if pages > pagingKeys+1 {
					t.Fatalf("paging with %s does not end", fmtQuery(q))
				}
				page := listRecords(t, s, q)
				if len(page) > limit {
					t.Fatalf("ListRecords(%s) returned %d records", fmtQuery(q), len(page))
				}
				got = append(got, page...)
				if len(page) < limit {
					break
				}
				q.After = page[len(page)-1].Key
			}
			checkRecords(t, fmt.Sprintf("pages of %d with prefix %q", limit, prefix), modelRecords(all, store.RecordQuery{Kind: kindAccount, Prefix: prefix}), got)
		}
	}
}

func testRecordRandom(t *testing.T, s store.Store) {
	r := rand.New(rand.NewPCG(7, 8))
	all := seedPagingKeys(t, s, r)
	key := func() string { return all[r.IntN(len(all))].Key }
	cut := func(k string) string { return k[:1+r.IntN(len(k))] } // may cut a rune
	specials := []string{"\xff", "\xc3", "\xf4\x8f\xbf", "\U0010ffff", "\x00", "\x7f", "\u0080"}
	for range 500 {
		q := store.RecordQuery{Kind: kindAccount}
		switch r.IntN(6) {
		case 1, 2:
			q.Prefix = cut(key())
		case 3:
			q.Prefix = cut(key()) + "\xff"
		case 4:
			q.Prefix = recordPagingKeys(r, 1)[0]
		case 5:
			q.Prefix = specials[r.IntN(len(specials))]
		}
		switch r.IntN(6) {
		case 1, 2:
			q.After = key()
		case 3:
			q.After = cut(key())
		case 4:
			q.After = key() + []string{"\xff", "\x00", "\xc3"}[r.IntN(3)]
		case 5:
			q.After = specials[r.IntN(len(specials))]
		}
		q.Limit = r.IntN(12)
		if got, want := listRecords(t, s, q), modelRecords(all, q); !slices.Equal(recordKeys(got), recordKeys(want)) {
			t.Fatalf("ListRecords(%s) = %v, want %v", fmtQuery(q), recordKeys(got), recordKeys(want))
		} else {
			checkEqual(t, fmt.Sprintf("ListRecords(%s)", fmtQuery(q)), want, got)
		}
	}
}

// ---------------------------------------------------------------------
// Transactions.

// recordWorld is a few records of three kinds; mutateRecords changes it
// every way: new keys, a new kind, overwrites, deletes, a kind emptied, a
// key deleted then put back.
func recordWorld() []store.Record {
	return []store.Record{
		rec(kindAccount, "o-1/111111111111"),
		rec(kindAccount, "o-1/222222222222"),
		rec(kindAccount, "o-1/333333333333"),
		rec(kindAccount, "o-2/444444444444"),
		rec(kindOrg, "o-1"),
		rec(kindOrg, "o-2"),
		rec("handshake", "h-1"),
	}
}

func mutateRecords(ctx context.Context) func(store.Tx) error {
	return func(tx store.Tx) error {
		steps := []error{
			tx.PutRecord(ctx, rec(kindAccount, "o-1/000000000000")),      // new, first in order
			tx.PutRecord(ctx, rec(kindAccount, "o-1/222222222222/x")),    // new, in the middle
			tx.PutRecord(ctx, otherRec(kindAccount, "o-1/111111111111")), // overwrite
			tx.DeleteRecord(ctx, kindAccount, "o-1/333333333333"),
			tx.DeleteRecord(ctx, kindAccount, "o-2/444444444444"), // delete, then put back changed
			tx.PutRecord(ctx, otherRec(kindAccount, "o-2/444444444444")),
			tx.PutRecord(ctx, rec(kindAccount, "o-3/555555555555")), // put, then delete
			tx.DeleteRecord(ctx, kindAccount, "o-3/555555555555"),
			tx.DeleteRecord(ctx, "handshake", "h-1"), // empties a kind
			tx.PutRecord(ctx, rec("policy", "p-1")),  // a new kind
			tx.PutRecord(ctx, rec("policy", "p-0")),
			tx.PutRecord(ctx, otherRec(kindOrg, "o-2")),
		}
		for i, err := range steps {
			if err != nil {
				return fmt.Errorf("mutateRecords step %d: %w", i+1, err)
			}
		}
		return nil
	}
}

// recordSnapshot is everything a Tx tells about the records of the world's
// kinds and keys.
type recordSnapshot struct {
	All   []store.Record
	Lists map[string][]store.Record // by kind, then kind + " prefix o-1/"
	Gets  map[string]store.Record   // by kind + " " + key, for the keys present
}

var (
	recordWorldKinds = []string{kindAccount, kindOrg, "handshake", "policy"}
	recordWorldKeys  = []string{
		"o-1/000000000000", "o-1/111111111111", "o-1/222222222222", "o-1/222222222222/x", "o-1/333333333333",
		"o-2/444444444444", "o-3/555555555555", "o-1", "o-2", "h-1", "p-0", "p-1",
	}
)

func takeRecordSnapshot(t *testing.T, s store.Store) recordSnapshot {
	t.Helper()
	var snap recordSnapshot
	mustView(t, s, func(tx store.Tx) error {
		snap = recordSnapshotTx(t.Context(), t, tx)
		return nil
	})
	return snap
}

func recordSnapshotTx(ctx context.Context, t *testing.T, tx store.Tx) recordSnapshot {
	t.Helper()
	snap := recordSnapshot{Lists: map[string][]store.Record{}, Gets: map[string]store.Record{}}
	all, err := tx.All(ctx)
	if err != nil {
		t.Fatalf("record snapshot: All: %v", err)
	}
	snap.All = all.Records
	for _, kind := range recordWorldKinds {
		for name, q := range map[string]store.RecordQuery{
			kind:                  {Kind: kind},
			kind + " prefix o-1/": {Kind: kind, Prefix: "o-1/"},
			kind + " after o-1/1": {Kind: kind, After: "o-1/111111111111", Limit: 2},
		} {
			rs, err := tx.ListRecords(ctx, q)
			if err != nil {
				t.Fatalf("record snapshot: ListRecords(%s): %v", fmtQuery(q), err)
			}
			snap.Lists[name] = rs
		}
		for _, key := range recordWorldKeys {
			r, err := tx.GetRecord(ctx, kind, key)
			switch {
			case err == nil:
				snap.Gets[kind+" "+key] = r
			case !errors.Is(err, store.ErrNotFound):
				t.Fatalf("record snapshot: GetRecord(%q, %q): %v", kind, key, err)
			}
		}
	}
	return snap
}

func seedRecordWorld(t *testing.T, s store.Store) recordSnapshot {
	t.Helper()
	mustUpdate(t, s, func(tx store.Tx) error { return putRecords(t.Context(), tx, recordWorld()...) })
	snap := takeRecordSnapshot(t, s)
	if len(snap.All) != len(recordWorld()) {
		t.Fatalf("suite bug: the seeded world has %d records, want %d", len(snap.All), len(recordWorld()))
	}
	return snap
}

func testRecordViewIsReadOnly(t *testing.T, s store.Store) {
	ctx := t.Context()
	before := seedRecordWorld(t, s)
	mustView(t, s, func(tx store.Tx) error {
		for _, c := range []struct {
			name string
			err  error
		}{
			{"PutRecord (new)", tx.PutRecord(ctx, rec(kindAccount, "o-9/999999999999"))},
			{"PutRecord (new kind)", tx.PutRecord(ctx, rec("policy", "p-1"))},
			{"PutRecord (overwrite)", tx.PutRecord(ctx, otherRec(kindAccount, "o-1/111111111111"))},
			{"PutRecord (empty key)", tx.PutRecord(ctx, store.Record{Kind: kindAccount})},
			{"DeleteRecord", tx.DeleteRecord(ctx, kindAccount, "o-1/111111111111")},
			{"DeleteRecord (absent)", tx.DeleteRecord(ctx, kindAccount, "o-9/999999999999")},
		} {
			checkErrorIs(t, c.name+" in View", c.err, store.ErrReadOnly)
		}
		// The transaction still reads, and reads what was there.
		checkEqual(t, "records inside View after refused writes", before, recordSnapshotTx(ctx, t, tx))
		return nil
	})
	checkEqual(t, "records after View", before, takeRecordSnapshot(t, s))
}

func testRecordUpdateErrorRollsBack(t *testing.T, s store.Store) {
	ctx := t.Context()
	before := seedRecordWorld(t, s)
	var inTx recordSnapshot
	err := s.Update(ctx, func(tx store.Tx) error {
		if err := mutateRecords(ctx)(tx); err != nil {
			return err
		}
		inTx = recordSnapshotTx(ctx, t, tx)
		return fmt.Errorf("wrapped: %w", errSentinel)
	})
	checkErrorIs(t, "Update", err, errSentinel)
	if len(diff(before, inTx)) == 0 {
		t.Fatal("suite bug: mutateRecords changed nothing")
	}
	checkEqual(t, "records after a failed Update (want the state before it)", before, takeRecordSnapshot(t, s))

	// A failure reported by the store (deleting an absent record) and
	// returned by fn rolls back too.
	err = s.Update(ctx, func(tx store.Tx) error {
		if err := putRecords(ctx, tx, rec(kindAccount, "o-1/0"), otherRec(kindOrg, "o-1")); err != nil {
			return err
		}
		return tx.DeleteRecord(ctx, kindAccount, "o-9/999999999999")
	})
	checkErrorIs(t, "Update returning DeleteRecord's error", err, store.ErrNotFound)
	checkEqual(t, "records after an Update failing with ErrNotFound", before, takeRecordSnapshot(t, s))

	// The store works after rollbacks, and the same writes commit.
	mustUpdate(t, s, mutateRecords(ctx))
	checkEqual(t, "records after the same writes committed", inTx, takeRecordSnapshot(t, s))
}

var recordsWorld = txWorld{
	name:     "records",
	seed:     func(t *testing.T, s store.Store) any { return seedRecordWorld(t, s) },
	mutate:   mutateRecords,
	snapshot: func(t *testing.T, s store.Store) any { return takeRecordSnapshot(t, s) },
}

func testRecordUpdatePanicRollsBack(t *testing.T, s store.Store) {
	checkPanicRollsBack(t, s, recordsWorld)
}

func testRecordUpdateGoexitRollsBack(t *testing.T, s store.Store) {
	checkGoexitRollsBack(t, s, recordsWorld)
}

func testRecordUpdateReadsOwnWrites(t *testing.T, s store.Store) {
	ctx := t.Context()
	seedRecordWorld(t, s)
	mustUpdate(t, s, func(tx store.Tx) error {
		if err := mutateRecords(ctx)(tx); err != nil {
			return err
		}
		got, err := tx.ListRecords(ctx, store.RecordQuery{Kind: kindAccount})
		if err != nil {
			return err
		}
		checkRecords(t, "ListRecords after writes in the transaction", []store.Record{
			rec(kindAccount, "o-1/000000000000"),
			otherRec(kindAccount, "o-1/111111111111"),
			rec(kindAccount, "o-1/222222222222"),
			rec(kindAccount, "o-1/222222222222/x"),
			otherRec(kindAccount, "o-2/444444444444"),
		}, got)
		got, err = tx.ListRecords(ctx, store.RecordQuery{Kind: kindAccount, Prefix: "o-1/2", After: "o-1/222222222222", Limit: 5})
		if err != nil {
			return err
		}
		checkRecords(t, "ListRecords(prefix, After) in the transaction", []store.Record{rec(kindAccount, "o-1/222222222222/x")}, got)
		got, err = tx.ListRecords(ctx, store.RecordQuery{Kind: "policy"})
		if err != nil {
			return err
		}
		checkRecords(t, "ListRecords of a kind new in the transaction", []store.Record{rec("policy", "p-0"), rec("policy", "p-1")}, got)
		got, err = tx.ListRecords(ctx, store.RecordQuery{Kind: "handshake"})
		if err != nil {
			return err
		}
		checkRecords(t, "ListRecords of a kind emptied in the transaction", nil, got)
		if _, err := tx.GetRecord(ctx, kindAccount, "o-1/333333333333"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetRecord after DeleteRecord in the transaction: err = %v, want ErrNotFound", err)
		}
		r, err := tx.GetRecord(ctx, kindOrg, "o-2")
		checkEqual(t, "GetRecord after an overwrite in the transaction", otherRec(kindOrg, "o-2"), r)
		return err
	})
}

func testRecordReset(t *testing.T, s store.Store) {
	ctx := t.Context()
	seeded := seedRecordWorld(t, s)
	mustUpdate(t, s, mutateRecords(ctx))
	seedPagingKeys(t, s, rand.New(rand.NewPCG(9, 10)))
	if err := s.Reset(ctx); err != nil {
		t.Fatalf("Reset: %v", err)
	}
	if got := allRecords(t, s); len(got) != 0 {
		t.Fatalf("All after Reset lists %d records", len(got))
	}
	for _, kind := range append(slices.Clone(recordWorldKinds), kindAccount+"/", "b") {
		if got := listRecords(t, s, store.RecordQuery{Kind: kind}); len(got) != 0 {
			t.Errorf("ListRecords(%q) after Reset = %v", kind, recordKeys(got))
		}
	}
	if _, err := getRecord(t, s, kindAccount, "o-1/111111111111"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetRecord after Reset: err = %v, want ErrNotFound", err)
	}
	// Usable afterwards, with no residue: seeding again gives the state
	// the first seeding gave.
	checkEqual(t, "records seeded after Reset", seeded, seedRecordWorld(t, s))
}

// testRecordAll: All lists every record, ordered by kind then key
// bytewise, whatever the order of the puts.
func testRecordAll(t *testing.T, s store.Store) {
	ctx := t.Context()
	var want []store.Record
	for _, kind := range []string{"b", "a", "a/", "ab", "é", "A", "\U0010ffff"} {
		for _, key := range []string{"2", "10", "1", "é", "z", "\u00ff", "\U00010000"} {
			want = append(want, rec(kind, key))
		}
	}
	mustUpdate(t, s, func(tx store.Tx) error { return putRecords(ctx, tx, want...) })
	sortRecords(want)
	var snap store.Snapshot
	mustView(t, s, func(tx store.Tx) (err error) {
		snap, err = tx.All(ctx)
		return err
	})
	checkRecords(t, "All", want, snap.Records)
	if len(snap.Enablements)+len(snap.Members)+len(snap.OrgAdmins)+len(snap.OrgConfigs)+len(snap.Emails) != 0 {
		t.Errorf("All of a store of records only lists other records: %+v", snap)
	}
}

// testRecordConcurrentWriters: read-modify-write of one record by several
// writers loses no update (the SQL stores retry their conflicts), and the
// records each writer adds are all there.
func testRecordConcurrentWriters(t *testing.T, s store.Store) {
	const (
		writers    = 6
		increments = 15
	)
	ctx := t.Context()
	mustUpdate(t, s, func(tx store.Tx) error {
		return tx.PutRecord(ctx, store.Record{Kind: kindOrg, Key: "counter", Value: writeCounter(0)})
	})
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range increments {
				err := s.Update(ctx, func(tx store.Tx) error {
					r, err := tx.GetRecord(ctx, kindOrg, "counter")
					if err != nil {
						return err
					}
					n, err := readCounter(r.Value)
					if err != nil {
						return err
					}
					// A page read in the transaction, as an engine checks a
					// quota before it adds.
					if _, err := tx.ListRecords(ctx, store.RecordQuery{Kind: kindAccount, Prefix: fmt.Sprintf("w%d/", w), Limit: 3}); err != nil {
						return err
					}
					r.Value = writeCounter(n + 1)
					if err := tx.PutRecord(ctx, r); err != nil {
						return err
					}
					return tx.PutRecord(ctx, rec(kindAccount, fmt.Sprintf("w%d/%03d", w, i)))
				})
				if err != nil {
					t.Errorf("writer %d, increment %d: %v", w, i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	n, err := readCounter(mustGetRecord(t, s, kindOrg, "counter").Value)
	if err != nil {
		t.Fatal(err)
	}
	if n != writers*increments {
		t.Errorf("counter = %d after %d increments: %d updates lost", n, writers*increments, writers*increments-n)
	}
	if got := listRecords(t, s, store.RecordQuery{Kind: kindAccount}); len(got) != writers*increments {
		t.Errorf("ListRecords lists %d records after %d concurrent puts", len(got), writers*increments)
	}
}

// ---------------------------------------------------------------------
// Benchmark.

// BenchListRecords measures one View that lists a page of 10 records of
// a kind holding n records (plus as many of another kind), with a prefix
// and After as an engine pages, starting at varying places (at the first
// key when n is 10 or less). A page should cost about the same whatever
// n.
func BenchListRecords(b *testing.B, s store.Store, n int) {
	const page = 10
	ctx := b.Context()
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("o-exampleorgid/%012d", i*3)
	}
	value := recordValue(kindAccount, keys[0])
	const batch = 5000 // puts per Update, to seed quickly
	for lo := 0; lo < n; lo += batch {
		if err := s.Update(ctx, func(tx store.Tx) error {
			for _, key := range keys[lo:min(lo+batch, n)] {
				for _, kind := range []string{kindAccount, kindOrg} {
					if err := tx.PutRecord(ctx, store.Record{Kind: kind, Key: key, Value: value}); err != nil {
						return err
					}
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		var after string
		if n > page {
			after = keys[(i*7919)%(n-page)]
		}
		i++
		var got []store.Record
		if err := s.View(ctx, func(tx store.Tx) (err error) {
			got, err = tx.ListRecords(ctx, store.RecordQuery{Kind: kindAccount, Prefix: "o-exampleorgid/", After: after, Limit: page})
			return err
		}); err != nil {
			b.Fatal(err)
		}
		if want := min(page, n); len(got) != want {
			b.Fatalf("ListRecords after %q returned %d records, want %d", after, len(got), want)
		}
	}
}
