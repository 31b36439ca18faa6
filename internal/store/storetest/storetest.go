// Package storetest is the conformance suite every store.Store
// implementation must pass, in the manner of Go CDK's docstore/drivertest.
//
// An implementation's tests call Run with a function that opens an empty
// store:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store { return memstore.New() })
//	}
//
// The suite pins the contract that store.go states in prose, plus the
// details the engine relies on without saying so:
//
//   - Every field of every record round-trips. Times are compared with
//     time.Time.Equal (the location need not survive, the instant must) and
//     the suite only uses times truncated to the millisecond, as the engine
//     does, so a SQL store keeping microseconds passes. A zero time comes
//     back zero. Settings come back byte for byte (a store must not
//     normalize the JSON, so no PostgreSQL jsonb). A nil and an empty Tags
//     map, and a nil and an empty Settings slice, are interchangeable.
//   - Keys are compared exactly: records whose keys differ in one component
//     (service, region, account, administrator or member) are distinct.
//   - Member account ids order as strings (byte order); the suite only uses
//     12-digit ids, so any collation that orders digits passes.
//   - Errors are matched with errors.Is: store.ErrNotFound,
//     store.ErrReadOnly, the error fn returned, context.Canceled.
//
// The records engines keep as documents of their own (store.Record) have
// their group, Records: keys compare bytewise within their kind, values
// come back byte for byte (1 MiB included), and prefixes and After bounds
// of any bytes (a rune cut short, 0xff) select what a bytewise filter of
// the sorted keys selects.
//
// The package also exports small benchmarks (BenchPutMember,
// BenchListMembers, BenchListRecords) that implementations can call from
// their own Benchmark functions.
package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/localsec/localsec/internal/store"
)

// Run runs the conformance suite. Every subtest calls open for a fresh,
// empty store and closes it (checking that Close succeeds) when the
// subtest ends; open should register with t.Cleanup whatever else the
// store needs released afterwards (a temporary file, a database), and
// must not close the store itself.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	t.Helper()
	fresh := func(t *testing.T) store.Store {
		t.Helper()
		s := open(t)
		if s == nil {
			t.Fatal("open returned a nil store")
		}
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		return s
	}
	with := func(fn func(t *testing.T, s store.Store)) func(t *testing.T) {
		return func(t *testing.T) { fn(t, fresh(t)) }
	}

	t.Run("Enablement", func(t *testing.T) { testRecord(t, fresh, enablementOps()) })
	t.Run("Member", func(t *testing.T) { testRecord(t, fresh, memberOps()) })
	t.Run("OrgAdmin", func(t *testing.T) { testRecord(t, fresh, orgAdminOps()) })
	t.Run("OrgConfig", func(t *testing.T) { testRecord(t, fresh, orgConfigOps()) })

	t.Run("ListMembers", with(testListMembers))
	t.Run("ListMembersReflectsWrites", with(testListMembersReflectsWrites))
	t.Run("CountMembers", with(testCountMembers))
	t.Run("ListMemberships", with(testListMemberships))
	t.Run("ListOrgAdmins", with(testListOrgAdmins))
	t.Run("ListsReturnCopies", with(testListsReturnCopies))

	t.Run("ViewIsReadOnly", with(testViewIsReadOnly))
	t.Run("ViewReturnsFnError", with(testViewReturnsFnError))
	t.Run("UpdateCommits", with(testUpdateCommits))
	t.Run("UpdateErrorRollsBack", with(testUpdateErrorRollsBack))
	t.Run("UpdatePanicRollsBack", with(testUpdatePanicRollsBack))
	t.Run("UpdateGoexitRollsBack", with(testUpdateGoexitRollsBack))
	t.Run("UpdateReadsOwnWrites", with(testUpdateReadsOwnWrites))
	t.Run("Reset", with(testReset))
	t.Run("CancelledContext", with(testCancelledContext))

	t.Run("Emails", with(testEmails))
	t.Run("EmailsRollBack", with(testEmailsRollBack))
	t.Run("All", with(testAll))

	t.Run("Records", func(t *testing.T) { testRecords(t, fresh) })

	t.Run("ConcurrentWriters", with(testConcurrentWriters))
	t.Run("ConcurrentReadersSeeWholeTransactions", with(testConcurrentReaders))
}

// ---------------------------------------------------------------------
// Fixtures.

// Times are truncated to the millisecond, like the engine's clock.
var (
	t0 = time.Date(2024, time.February, 29, 12, 34, 56, 789_000_000, time.UTC)
	t1 = time.Date(2025, time.December, 31, 23, 59, 59, 1_000_000, time.UTC)
)

const (
	macie     = "macie2"
	guardduty = "guardduty"
	usEast1   = "us-east-1"
	euWest1   = "eu-west-1"
	apSouth1  = "ap-south-1"
)

var (
	scopeA = store.Scope{Service: macie, Region: usEast1}
	scopeB = store.Scope{Service: macie, Region: euWest1}
	scopeG = store.Scope{Service: guardduty, Region: usEast1}
)

// acct returns the account id made of twelve copies of digit d (1-9).
func acct(d int) string { return strings.Repeat(fmt.Sprint(d), 12) }

func akey(s store.Scope, account string) store.AccountKey {
	return store.AccountKey{Scope: s, Account: account}
}

func mkey(s store.Scope, admin, member string) store.MemberKey {
	return store.MemberKey{Scope: s, Admin: admin, Member: member}
}

// fullEnablement sets every field, with values that depend on the key so
// that records of different keys differ.
func fullEnablement(k store.AccountKey) store.Enablement {
	id := k.Service + "/" + k.Region + "/" + k.Account
	return store.Enablement{
		AccountKey:  k,
		ResourceID:  "rid-" + id,
		Status:      store.EnablementEnabled,
		ClientToken: "token-" + id,
		// Not normalized JSON: a store must keep the bytes as given.
		Settings: []byte(`{"status": "ENABLED", "finding":"FIFTEEN_MINUTES", "id":"` + id + `", "ünï":"✓"}`),
		Tags:     map[string]string{"Name": id, "env": "test", "empty": "", "ünïcödé": "välue ✓"},
		Created:  t0,
		Updated:  t0.Add(90*time.Minute + 123*time.Millisecond),
	}
}

// otherEnablement differs from fullEnablement in every field but the key.
func otherEnablement(k store.AccountKey) store.Enablement {
	return store.Enablement{
		AccountKey:  k,
		ResourceID:  "other-rid",
		Status:      store.EnablementSuspended,
		ClientToken: "other-token",
		Settings:    []byte(`{}`),
		Tags:        map[string]string{"env": "prod"},
		Created:     t1,
		Updated:     t1.Add(time.Millisecond),
	}
}

func fullMember(k store.MemberKey) store.Member {
	id := k.Service + "/" + k.Region + "/" + k.Admin + "/" + k.Member
	return store.Member{
		MemberKey:                k,
		Email:                    k.Member + "@example.com",
		Status:                   store.StatusInvited,
		Association:              store.AssociationInvitation,
		Tags:                     map[string]string{"Name": id, "team": "sec", "empty": ""},
		Created:                  t0,
		Updated:                  t0.Add(time.Hour),
		InvitedAt:                t0.Add(30 * time.Minute),
		InvitationID:             "inv-" + id,
		InvitationMessage:        "Join \"us\"\nplease ✓ 'now'; -- " + id,
		DisableEmailNotification: true,
		Declined:                 true,
		Hidden:                   true,
	}
}

func otherMember(k store.MemberKey) store.Member {
	return store.Member{
		MemberKey:   k,
		Email:       "other@example.org",
		Status:      store.StatusEnabled,
		Association: store.AssociationOrganizations,
		Tags:        map[string]string{"team": "ops"},
		Created:     t1,
		Updated:     t1.Add(time.Second),
		// Not UTC: the instant must survive, the location need not.
		InvitedAt:         t1.Add(-time.Hour).In(time.FixedZone("IST", 5*3600+1800)),
		InvitationID:      "other-inv",
		InvitationMessage: "other message",
	}
}

func fullOrgAdmin(k store.AccountKey) store.OrgAdmin {
	return store.OrgAdmin{AccountKey: k, Status: store.OrgAdminEnabled, Created: t0.Add(time.Duration(k.Account[0]) * time.Millisecond)}
}

func otherOrgAdmin(k store.AccountKey) store.OrgAdmin {
	return store.OrgAdmin{AccountKey: k, Status: store.OrgAdminDisableInProgress, Created: t1}
}

func fullOrgConfig(k store.AccountKey) store.OrgConfig {
	return store.OrgConfig{
		AccountKey: k,
		AutoEnable: true,
		Settings:   []byte(`{"autoEnable": true,  "account":"` + k.Account + `"}`),
		Updated:    t0.Add(7 * time.Millisecond),
	}
}

func otherOrgConfig(k store.AccountKey) store.OrgConfig {
	return store.OrgConfig{AccountKey: k, Settings: []byte(`[1]`), Updated: t1}
}

// ---------------------------------------------------------------------
// Per-record tests, written once for the four record types.

// recordOps describes one record type to testRecord.
type recordOps[K comparable, R any] struct {
	key   func(R) K
	get   func(store.Tx, context.Context, K) (R, error)
	put   func(store.Tx, context.Context, R) error
	del   func(store.Tx, context.Context, K) error
	full  func(K) R // every field set
	other func(K) R // every field but the key different from full
	zero  func(K) R // only the key set
	// keys are distinct keys, each differing from keys[0] in one component.
	keys []K
	// mutate changes, in place, the maps and slices r shares with whoever
	// holds it; nil when the record has none.
	mutate func(r *R)
}

var (
	baseAccountKey = akey(scopeA, acct(1))
	accountKeys    = []store.AccountKey{
		baseAccountKey,
		akey(scopeG, acct(1)), // service
		akey(scopeB, acct(1)), // region
		akey(scopeA, acct(2)), // account
	}
	baseMemberKey = mkey(scopeA, acct(1), acct(2))
	memberKeys    = []store.MemberKey{
		baseMemberKey,
		mkey(scopeG, acct(1), acct(2)), // service
		mkey(scopeB, acct(1), acct(2)), // region
		mkey(scopeA, acct(3), acct(2)), // admin
		mkey(scopeA, acct(1), acct(3)), // member
		mkey(scopeA, acct(2), acct(1)), // admin and member swapped
	}
)

func mutateTagsAndBytes(tags map[string]string, b []byte) {
	if tags != nil {
		for k := range tags {
			tags[k] = "mutated"
		}
		tags["added-by-caller"] = "x"
	}
	for i := range b {
		b[i] = 'X'
	}
}

func enablementOps() recordOps[store.AccountKey, store.Enablement] {
	return recordOps[store.AccountKey, store.Enablement]{
		key:    func(e store.Enablement) store.AccountKey { return e.AccountKey },
		get:    store.Tx.GetEnablement,
		put:    store.Tx.PutEnablement,
		del:    store.Tx.DeleteEnablement,
		full:   fullEnablement,
		other:  otherEnablement,
		zero:   func(k store.AccountKey) store.Enablement { return store.Enablement{AccountKey: k} },
		keys:   accountKeys,
		mutate: func(e *store.Enablement) { mutateTagsAndBytes(e.Tags, e.Settings) },
	}
}

func memberOps() recordOps[store.MemberKey, store.Member] {
	return recordOps[store.MemberKey, store.Member]{
		key:    func(m store.Member) store.MemberKey { return m.MemberKey },
		get:    store.Tx.GetMember,
		put:    store.Tx.PutMember,
		del:    store.Tx.DeleteMember,
		full:   fullMember,
		other:  otherMember,
		zero:   func(k store.MemberKey) store.Member { return store.Member{MemberKey: k} },
		keys:   memberKeys,
		mutate: func(m *store.Member) { mutateTagsAndBytes(m.Tags, nil) },
	}
}

func orgAdminOps() recordOps[store.AccountKey, store.OrgAdmin] {
	return recordOps[store.AccountKey, store.OrgAdmin]{
		key:   func(a store.OrgAdmin) store.AccountKey { return a.AccountKey },
		get:   store.Tx.GetOrgAdmin,
		put:   store.Tx.PutOrgAdmin,
		del:   store.Tx.DeleteOrgAdmin,
		full:  fullOrgAdmin,
		other: otherOrgAdmin,
		zero:  func(k store.AccountKey) store.OrgAdmin { return store.OrgAdmin{AccountKey: k} },
		keys:  accountKeys,
	}
}

func orgConfigOps() recordOps[store.AccountKey, store.OrgConfig] {
	return recordOps[store.AccountKey, store.OrgConfig]{
		key:    func(c store.OrgConfig) store.AccountKey { return c.AccountKey },
		get:    store.Tx.GetOrgConfig,
		put:    store.Tx.PutOrgConfig,
		del:    store.Tx.DeleteOrgConfig,
		full:   fullOrgConfig,
		other:  otherOrgConfig,
		zero:   func(k store.AccountKey) store.OrgConfig { return store.OrgConfig{AccountKey: k} },
		keys:   accountKeys,
		mutate: func(c *store.OrgConfig) { mutateTagsAndBytes(nil, c.Settings) },
	}
}

func testRecord[K comparable, R any](t *testing.T, fresh func(*testing.T) store.Store, ops recordOps[K, R]) {
	k := ops.keys[0]

	t.Run("FixturesSetEveryField", func(t *testing.T) {
		// Guards the suite itself: a field added to a record must be
		// given a value here, or the round trip would not cover it.
		checkAllFieldsSet(t, "full", ops.full(k))
		checkAllFieldsDiffer(t, ops.full(k), ops.other(k))
	})

	t.Run("RoundTrip", func(t *testing.T) {
		s := fresh(t)
		ctx := t.Context()
		want := ops.full(k)
		mustUpdate(t, s, func(tx store.Tx) error {
			if err := ops.put(tx, ctx, want); err != nil {
				return fmt.Errorf("put: %w", err)
			}
			got, err := ops.get(tx, ctx, k)
			if err != nil {
				return fmt.Errorf("get in the same transaction: %w", err)
			}
			checkEqual(t, "get in the same transaction", ops.full(k), got)
			return nil
		})
		checkEqual(t, "get from View", ops.full(k), mustGet(t, s, ops, k))
		checkEqual(t, "get from Update", ops.full(k), mustGetInUpdate(t, s, ops, k))
	})

	t.Run("ZeroValues", func(t *testing.T) {
		s := fresh(t)
		ctx := t.Context()
		mustUpdate(t, s, func(tx store.Tx) error { return ops.put(tx, ctx, ops.zero(k)) })
		got := mustGet(t, s, ops, k)
		checkEqual(t, "zero record", ops.zero(k), got)
		checkZeroTimes(t, got)
	})

	t.Run("NotFound", func(t *testing.T) {
		s := fresh(t)
		ctx := t.Context()
		mustView(t, s, func(tx store.Tx) error {
			_, err := ops.get(tx, ctx, k)
			checkErrorIs(t, "Get of an absent key in View", err, store.ErrNotFound)
			return nil
		})
		mustUpdate(t, s, func(tx store.Tx) error {
			_, err := ops.get(tx, ctx, k)
			checkErrorIs(t, "Get of an absent key in Update", err, store.ErrNotFound)
			checkErrorIs(t, "Delete of an absent key", ops.del(tx, ctx, k), store.ErrNotFound)
			return nil
		})
		// A record under a sibling key does not make k present.
		mustUpdate(t, s, func(tx store.Tx) error { return ops.put(tx, ctx, ops.full(ops.keys[1])) })
		mustUpdate(t, s, func(tx store.Tx) error {
			_, err := ops.get(tx, ctx, k)
			checkErrorIs(t, "Get of an absent key next to a present one", err, store.ErrNotFound)
			checkErrorIs(t, "Delete of an absent key next to a present one", ops.del(tx, ctx, k), store.ErrNotFound)
			return nil
		})
	})

	t.Run("Overwrite", func(t *testing.T) {
		s := fresh(t)
		ctx := t.Context()
		for i, want := range []R{ops.full(k), ops.other(k), ops.zero(k), ops.full(k), ops.other(k)} {
			mustUpdate(t, s, func(tx store.Tx) error { return ops.put(tx, ctx, want) })
			checkEqual(t, fmt.Sprintf("after put #%d", i+1), want, mustGet(t, s, ops, k))
		}
		// Overwrites within one transaction: the last one wins.
		mustUpdate(t, s, func(tx store.Tx) error {
			for _, r := range []R{ops.zero(k), ops.other(k), ops.full(k)} {
				if err := ops.put(tx, ctx, r); err != nil {
					return err
				}
			}
			return nil
		})
		checkEqual(t, "after three puts in one transaction", ops.full(k), mustGet(t, s, ops, k))
	})

	t.Run("Delete", func(t *testing.T) {
		s := fresh(t)
		ctx := t.Context()
		mustUpdate(t, s, func(tx store.Tx) error { return ops.put(tx, ctx, ops.full(k)) })
		mustUpdate(t, s, func(tx store.Tx) error { return ops.del(tx, ctx, k) })
		mustView(t, s, func(tx store.Tx) error {
			_, err := ops.get(tx, ctx, k)
			checkErrorIs(t, "Get after Delete", err, store.ErrNotFound)
			return nil
		})
		mustUpdate(t, s, func(tx store.Tx) error {
			checkErrorIs(t, "second Delete", ops.del(tx, ctx, k), store.ErrNotFound)
			return nil
		})
		// Put again after Delete: the record is back, whole.
		mustUpdate(t, s, func(tx store.Tx) error { return ops.put(tx, ctx, ops.other(k)) })
		checkEqual(t, "put after delete", ops.other(k), mustGet(t, s, ops, k))
		// Delete then Get in the same transaction.
		mustUpdate(t, s, func(tx store.Tx) error {
			if err := ops.del(tx, ctx, k); err != nil {
				return err
			}
			_, err := ops.get(tx, ctx, k)
			checkErrorIs(t, "Get after Delete in the same transaction", err, store.ErrNotFound)
			return nil
		})
	})

	t.Run("KeysAreDistinct", func(t *testing.T) {
		s := fresh(t)
		ctx := t.Context()
		mustUpdate(t, s, func(tx store.Tx) error {
			for _, k := range ops.keys {
				if err := ops.put(tx, ctx, ops.full(k)); err != nil {
					return err
				}
			}
			return nil
		})
		for _, k := range ops.keys {
			checkEqual(t, fmt.Sprintf("record %v", k), ops.full(k), mustGet(t, s, ops, k))
		}
		// Overwriting and deleting keys[0] leaves its siblings alone.
		mustUpdate(t, s, func(tx store.Tx) error { return ops.put(tx, ctx, ops.other(k)) })
		mustUpdate(t, s, func(tx store.Tx) error { return ops.del(tx, ctx, k) })
		for _, sib := range ops.keys[1:] {
			checkEqual(t, fmt.Sprintf("record %v after its sibling was deleted", sib), ops.full(sib), mustGet(t, s, ops, sib))
		}
	})

	t.Run("ReturnsCopies", func(t *testing.T) {
		if ops.mutate == nil {
			t.Skip("record has no maps or slices")
		}
		s := fresh(t)
		ctx := t.Context()

		// The caller keeps its record after Put: changing it does not
		// change the store.
		given := ops.full(k)
		mustUpdate(t, s, func(tx store.Tx) error {
			if err := ops.put(tx, ctx, given); err != nil {
				return err
			}
			ops.mutate(&given)
			got, err := ops.get(tx, ctx, k)
			if err != nil {
				return err
			}
			checkEqual(t, "after mutating the put record, same transaction", ops.full(k), got)
			return nil
		})
		ops.mutate(&given)
		checkEqual(t, "after mutating the put record", ops.full(k), mustGet(t, s, ops, k))

		// Records returned by Get belong to the caller.
		mustView(t, s, func(tx store.Tx) error {
			got, err := ops.get(tx, ctx, k)
			if err != nil {
				return err
			}
			ops.mutate(&got)
			again, err := ops.get(tx, ctx, k)
			if err != nil {
				return err
			}
			checkEqual(t, "after mutating a record from View", ops.full(k), again)
			return nil
		})
		mustUpdate(t, s, func(tx store.Tx) error {
			got, err := ops.get(tx, ctx, k)
			if err != nil {
				return err
			}
			ops.mutate(&got)
			again, err := ops.get(tx, ctx, k)
			if err != nil {
				return err
			}
			checkEqual(t, "after mutating a record from Update, same transaction", ops.full(k), again)
			return nil
		})
		checkEqual(t, "after mutating returned records", ops.full(k), mustGet(t, s, ops, k))
	})
}

func mustGet[K comparable, R any](t *testing.T, s store.Store, ops recordOps[K, R], k K) R {
	t.Helper()
	var r R
	mustView(t, s, func(tx store.Tx) (err error) {
		r, err = ops.get(tx, t.Context(), k)
		return err
	})
	return r
}

func mustGetInUpdate[K comparable, R any](t *testing.T, s store.Store, ops recordOps[K, R], k K) R {
	t.Helper()
	var r R
	mustUpdate(t, s, func(tx store.Tx) (err error) {
		r, err = ops.get(tx, t.Context(), k)
		return err
	})
	return r
}

// ---------------------------------------------------------------------
// Queries.

var allStatuses = []store.RelationshipStatus{
	store.StatusCreated,
	store.StatusInvited,
	store.StatusEnabled,
	store.StatusSuspended,
	store.StatusRemoved,
	store.StatusResigned,
	store.StatusEmailVerificationInProgress,
	store.StatusEmailVerificationFailed,
	store.StatusRegionDisabled,
	store.StatusAccountSuspended,
}

// inventory is the administrator whose members the query tests list, with
// member ids that are not all one repeated digit.
var inventory = akey(scopeA, "100000000001")

func inventoryID(i int) string { return fmt.Sprintf("2000000000%02d", i) }

const inventorySize = 20

// inventoryStatuses cycles over five statuses; StatusResigned is never used.
var inventoryStatuses = []store.RelationshipStatus{
	store.StatusCreated, store.StatusInvited, store.StatusEnabled, store.StatusSuspended, store.StatusRemoved,
}

func inventoryMember(i int) store.Member {
	m := fullMember(mkey(inventory.Scope, inventory.Account, inventoryID(i)))
	m.Status = inventoryStatuses[i%len(inventoryStatuses)]
	return m
}

// seedInventory writes the inventory in a scrambled order, plus records
// that a query for the inventory must not return: the same administrator
// in another region and another service, another administrator in the
// same scope with overlapping member ids, and records in which the
// inventory's administrator is the member.
func seedInventory(t *testing.T, s store.Store) []store.Member {
	t.Helper()
	ctx := t.Context()
	var want []store.Member
	mustUpdate(t, s, func(tx store.Tx) error {
		want = want[:0]
		for n := range inventorySize {
			i := (n * 7) % inventorySize // 0, 7, 14, 1, 8, …
			m := inventoryMember(i)
			if err := tx.PutMember(ctx, m); err != nil {
				return err
			}
			want = append(want, m)
		}
		var noise []store.Member
		for _, i := range []int{0, 3, 10, 19, 25} {
			noise = append(noise,
				fullMember(mkey(scopeB, inventory.Account, inventoryID(i))),
				fullMember(mkey(scopeG, inventory.Account, inventoryID(i))),
				fullMember(mkey(scopeA, "100000000002", inventoryID(i))),
				fullMember(mkey(store.Scope{Service: macie, Region: "us-east-2"}, inventory.Account, inventoryID(i))),
			)
		}
		noise = append(noise,
			fullMember(mkey(scopeA, "100000000000", inventory.Account)),
			fullMember(mkey(scopeA, inventoryID(3), inventory.Account)),
			fullMember(mkey(scopeA, "100000000003", inventoryID(2))),
		)
		for _, m := range noise {
			m.Status = store.StatusEnabled
			if err := tx.PutMember(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	sort.Slice(want, func(i, j int) bool { return want[i].Member < want[j].Member })
	return want
}

// modelList is what ListMembers must return for q from all, the
// administrator's records sorted by member id.
func modelList(all []store.Member, q store.MemberQuery) []store.Member {
	var out []store.Member
	for _, m := range all {
		if m.Member <= q.After {
			continue
		}
		if q.Statuses != nil && !slices.Contains(q.Statuses, m.Status) {
			continue
		}
		out = append(out, m)
		if q.Limit > 0 && len(out) == q.Limit {
			break
		}
	}
	return out
}

func listMembers(t *testing.T, s store.Store, q store.MemberQuery) []store.Member {
	t.Helper()
	var out []store.Member
	mustView(t, s, func(tx store.Tx) (err error) {
		out, err = tx.ListMembers(t.Context(), q)
		return err
	})
	return out
}

func testListMembers(t *testing.T, s store.Store) {
	all := seedInventory(t, s)
	ids := func(ms []store.Member) []string {
		out := make([]string, len(ms))
		for i, m := range ms {
			out[i] = m.Member
		}
		return out
	}
	st := func(ss ...store.RelationshipStatus) []store.RelationshipStatus { return ss }
	cases := []struct {
		name string
		q    store.MemberQuery
		want int // expected length, to keep the model honest
	}{
		{"All", store.MemberQuery{}, inventorySize},
		{"AfterFirst", store.MemberQuery{After: inventoryID(0)}, inventorySize - 1},
		{"AfterMiddleIsExclusive", store.MemberQuery{After: inventoryID(9)}, inventorySize - 10},
		{"AfterAbsentID", store.MemberQuery{After: inventoryID(4) + "5"}, inventorySize - 5},
		{"AfterBeforeAll", store.MemberQuery{After: "0"}, inventorySize},
		{"AfterLast", store.MemberQuery{After: inventoryID(inventorySize - 1)}, 0},
		{"AfterBeyondAll", store.MemberQuery{After: "9"}, 0},
		{"Limit1", store.MemberQuery{Limit: 1}, 1},
		{"Limit7", store.MemberQuery{Limit: 7}, 7},
		{"LimitEqualsCount", store.MemberQuery{Limit: inventorySize}, inventorySize},
		{"LimitAboveCount", store.MemberQuery{Limit: 1000}, inventorySize},
		{"AfterAndLimit", store.MemberQuery{After: inventoryID(5), Limit: 3}, 3},
		{"AfterAndLimitPastEnd", store.MemberQuery{After: inventoryID(17), Limit: 5}, 2},
		{"OneStatus", store.MemberQuery{Statuses: st(store.StatusEnabled)}, 4},
		{"TwoStatuses", store.MemberQuery{Statuses: st(store.StatusSuspended, store.StatusCreated)}, 8},
		{"AllStatuses", store.MemberQuery{Statuses: allStatuses}, inventorySize},
		{"StatusWithNoRecords", store.MemberQuery{Statuses: st(store.StatusResigned)}, 0},
		{"EmptyNonNilStatusesKeepNone", store.MemberQuery{Statuses: []store.RelationshipStatus{}}, 0},
		{"StatusesAndLimitCountsMatchesOnly", store.MemberQuery{Statuses: st(store.StatusRemoved), Limit: 3}, 3},
		{"StatusesAndAfter", store.MemberQuery{Statuses: st(store.StatusInvited), After: inventoryID(6)}, 2},
		{"StatusesAfterAndLimit", store.MemberQuery{Statuses: st(store.StatusCreated, store.StatusInvited), After: inventoryID(1), Limit: 4}, 4},
		{"StatusesAfterNotMatching", store.MemberQuery{Statuses: st(store.StatusEnabled), After: inventoryID(3), Limit: 2}, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.q
			q.Admin = inventory
			want := modelList(all, q)
			if len(want) != tc.want {
				t.Fatalf("suite bug: model returns %d records, case expects %d", len(want), tc.want)
			}
			got := listMembers(t, s, q)
			if !slices.Equal(ids(got), ids(want)) {
				t.Fatalf("ListMembers(%+v) = %v, want %v", q, ids(got), ids(want))
			}
			checkEqual(t, "records", want, got)
		})
	}

	t.Run("OtherAdministratorsAndScopes", func(t *testing.T) {
		for _, tc := range []struct {
			admin store.AccountKey
			want  []string
		}{
			{akey(scopeB, inventory.Account), []string{inventoryID(0), inventoryID(3), inventoryID(10), inventoryID(19), inventoryID(25)}},
			{akey(scopeA, "100000000002"), []string{inventoryID(0), inventoryID(3), inventoryID(10), inventoryID(19), inventoryID(25)}},
			{akey(scopeA, "100000000003"), []string{inventoryID(2)}},
			{akey(scopeA, inventoryID(3)), []string{inventory.Account}},
			{akey(scopeA, "100000000009"), nil},
			{akey(store.Scope{Service: guardduty, Region: euWest1}, inventory.Account), nil},
		} {
			got := ids(listMembers(t, s, store.MemberQuery{Admin: tc.admin}))
			if !slices.Equal(got, tc.want) {
				t.Errorf("ListMembers(%v) = %v, want %v", tc.admin, got, tc.want)
			}
		}
	})

	t.Run("Paging", func(t *testing.T) {
		for _, statuses := range [][]store.RelationshipStatus{nil, st(store.StatusInvited, store.StatusRemoved)} {
			for _, limit := range []int{1, 2, 3, 6, inventorySize} {
				var got []string
				q := store.MemberQuery{Admin: inventory, Statuses: statuses, Limit: limit}
				for pages := 0; ; pages++ {
					if pages > inventorySize+1 {
						t.Fatalf("paging with %+v does not end", q)
					}
					page := listMembers(t, s, q)
					if len(page) > limit {
						t.Fatalf("ListMembers(%+v) returned %d records", q, len(page))
					}
					got = append(got, ids(page)...)
					if len(page) < limit {
						break
					}
					q.After = page[len(page)-1].Member
				}
				want := ids(modelList(all, store.MemberQuery{Statuses: statuses}))
				if !slices.Equal(got, want) {
					t.Errorf("pages of %d with statuses %v = %v, want %v", limit, statuses, got, want)
				}
			}
		}
	})

	t.Run("Random", func(t *testing.T) {
		r := rand.New(rand.NewPCG(1, 2))
		for range 200 {
			var q store.MemberQuery
			q.Admin = inventory
			switch r.IntN(3) {
			case 1:
				q.After = inventoryID(r.IntN(inventorySize + 2))
			case 2:
				q.After = inventoryID(r.IntN(inventorySize)) + fmt.Sprint(r.IntN(10))
			}
			if r.IntN(2) == 1 {
				q.Statuses = []store.RelationshipStatus{}
				for _, s := range allStatuses {
					if r.IntN(3) == 0 {
						q.Statuses = append(q.Statuses, s)
					}
				}
				if len(q.Statuses) == 0 {
					// nil and empty may differ; the contract only says nil keeps all.
					q.Statuses = []store.RelationshipStatus{allStatuses[r.IntN(len(allStatuses))]}
				}
			}
			q.Limit = r.IntN(8)
			want := ids(modelList(all, q))
			if got := ids(listMembers(t, s, q)); !slices.Equal(got, want) {
				t.Fatalf("ListMembers(%+v) = %v, want %v", q, got, want)
			}
		}
	})
}

// testListMembersReflectsWrites checks that the index behind ListMembers
// follows overwrites (status changes), deletes and re-puts.
func testListMembersReflectsWrites(t *testing.T, s store.Store) {
	ctx := t.Context()
	all := seedInventory(t, s)
	resigned := func() []string {
		var out []string
		for _, m := range listMembers(t, s, store.MemberQuery{Admin: inventory, Statuses: []store.RelationshipStatus{store.StatusResigned}}) {
			out = append(out, m.Member)
		}
		return out
	}
	if got := resigned(); len(got) != 0 {
		t.Fatalf("Resigned members before any change = %v", got)
	}
	// Overwrite two records with a new status.
	mustUpdate(t, s, func(tx store.Tx) error {
		for _, i := range []int{12, 4} {
			m := inventoryMember(i)
			m.Status = store.StatusResigned
			if err := tx.PutMember(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	if got, want := resigned(), []string{inventoryID(4), inventoryID(12)}; !slices.Equal(got, want) {
		t.Errorf("Resigned members after overwrite = %v, want %v", got, want)
	}
	// Their old status no longer finds them.
	old := listMembers(t, s, store.MemberQuery{Admin: inventory, Statuses: []store.RelationshipStatus{inventoryStatuses[4%len(inventoryStatuses)]}})
	for _, m := range old {
		if m.Member == inventoryID(4) {
			t.Errorf("member %s still listed under its old status %s", m.Member, m.Status)
		}
	}
	// Overwriting does not duplicate.
	if got := listMembers(t, s, store.MemberQuery{Admin: inventory}); len(got) != inventorySize {
		t.Errorf("ListMembers after overwrites returned %d records, want %d", len(got), inventorySize)
	}
	// Delete one, then put it back with another status.
	mustUpdate(t, s, func(tx store.Tx) error { return tx.DeleteMember(ctx, inventoryMember(4).MemberKey) })
	if got, want := resigned(), []string{inventoryID(12)}; !slices.Equal(got, want) {
		t.Errorf("Resigned members after delete = %v, want %v", got, want)
	}
	got := listMembers(t, s, store.MemberQuery{Admin: inventory})
	if len(got) != inventorySize-1 || slices.ContainsFunc(got, func(m store.Member) bool { return m.Member == inventoryID(4) }) {
		t.Errorf("ListMembers after delete lists %d records (deleted one included: %v)", len(got),
			slices.ContainsFunc(got, func(m store.Member) bool { return m.Member == inventoryID(4) }))
	}
	mustUpdate(t, s, func(tx store.Tx) error { return tx.PutMember(ctx, otherMember(inventoryMember(4).MemberKey)) })
	want := slices.Clone(all)
	want[4] = otherMember(inventoryMember(4).MemberKey)
	want[12].Status = store.StatusResigned
	checkEqual(t, "ListMembers after delete and put", want, listMembers(t, s, store.MemberQuery{Admin: inventory}))
}

func countMembers(t *testing.T, s store.Store, admin store.AccountKey) int {
	t.Helper()
	var n int
	mustView(t, s, func(tx store.Tx) (err error) {
		n, err = tx.CountMembers(t.Context(), admin)
		return err
	})
	return n
}

func testCountMembers(t *testing.T, s store.Store) {
	ctx := t.Context()
	if n := countMembers(t, s, inventory); n != 0 {
		t.Errorf("CountMembers in an empty store = %d", n)
	}
	seedInventory(t, s)
	for _, tc := range []struct {
		admin store.AccountKey
		want  int
	}{
		{inventory, inventorySize},
		{akey(scopeB, inventory.Account), 5},
		{akey(scopeG, inventory.Account), 5},
		{akey(scopeA, "100000000002"), 5},
		{akey(scopeA, "100000000003"), 1},
		{akey(scopeA, "100000000009"), 0},
		{akey(store.Scope{Service: guardduty, Region: euWest1}, inventory.Account), 0},
	} {
		if n := countMembers(t, s, tc.admin); n != tc.want {
			t.Errorf("CountMembers(%v) = %d, want %d", tc.admin, n, tc.want)
		}
	}
	// Overwrites do not count twice; deletes and new records do count.
	mustUpdate(t, s, func(tx store.Tx) error {
		if err := tx.PutMember(ctx, otherMember(inventoryMember(3).MemberKey)); err != nil {
			return err
		}
		if err := tx.PutMember(ctx, inventoryMember(3)); err != nil {
			return err
		}
		if err := tx.DeleteMember(ctx, inventoryMember(5).MemberKey); err != nil {
			return err
		}
		if err := tx.DeleteMember(ctx, inventoryMember(6).MemberKey); err != nil {
			return err
		}
		return tx.PutMember(ctx, fullMember(mkey(inventory.Scope, inventory.Account, "300000000000")))
	})
	if n := countMembers(t, s, inventory); n != inventorySize-1 {
		t.Errorf("CountMembers after overwrite, 2 deletes and 1 put = %d, want %d", n, inventorySize-1)
	}
	if n := countMembers(t, s, akey(scopeA, "100000000002")); n != 5 {
		t.Errorf("CountMembers of another administrator changed to %d", n)
	}
}

func testListMemberships(t *testing.T, s store.Store) {
	ctx := t.Context()
	x := "500000000005"
	in := func(region, admin string) store.Member {
		return fullMember(mkey(store.Scope{Service: macie, Region: region}, admin, x))
	}
	mustUpdate(t, s, func(tx store.Tx) error {
		for _, m := range []store.Member{
			in(usEast1, "300000000003"),
			in(euWest1, "200000000002"),
			in(usEast1, "100000000001"),
			in(apSouth1, "400000000004"),
			in(usEast1, "200000000002"),
			// Not x's memberships in macie2:
			fullMember(mkey(scopeG, "100000000001", x)),
			fullMember(mkey(scopeA, x, "600000000006")),
			fullMember(mkey(scopeB, x, "100000000001")),
			fullMember(mkey(scopeA, "100000000001", "500000000006")),
			fullMember(mkey(scopeA, "100000000001", "50000000000")),
		} {
			if err := tx.PutMember(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	list := func(q store.MembershipQuery) []store.Member {
		t.Helper()
		var out []store.Member
		mustView(t, s, func(tx store.Tx) (err error) {
			out, err = tx.ListMemberships(ctx, q)
			return err
		})
		return out
	}
	for _, tc := range []struct {
		name string
		q    store.MembershipQuery
		want []store.Member
	}{
		{"AllRegions", store.MembershipQuery{Service: macie, Account: x}, []store.Member{
			in(apSouth1, "400000000004"),
			in(euWest1, "200000000002"),
			in(usEast1, "100000000001"),
			in(usEast1, "200000000002"),
			in(usEast1, "300000000003"),
		}},
		{"OneRegion", store.MembershipQuery{Service: macie, Region: usEast1, Account: x}, []store.Member{
			in(usEast1, "100000000001"),
			in(usEast1, "200000000002"),
			in(usEast1, "300000000003"),
		}},
		{"OtherRegion", store.MembershipQuery{Service: macie, Region: euWest1, Account: x}, []store.Member{
			in(euWest1, "200000000002"),
		}},
		{"RegionWithoutRecords", store.MembershipQuery{Service: macie, Region: "sa-east-1", Account: x}, nil},
		{"OtherService", store.MembershipQuery{Service: guardduty, Account: x}, []store.Member{
			fullMember(mkey(scopeG, "100000000001", x)),
		}},
		{"OtherServiceOtherRegion", store.MembershipQuery{Service: guardduty, Region: euWest1, Account: x}, nil},
		{"AccountWithoutMemberships", store.MembershipQuery{Service: macie, Account: "600000000007"}, nil},
		{"AnotherMember", store.MembershipQuery{Service: macie, Account: "600000000006"}, []store.Member{
			fullMember(mkey(scopeA, x, "600000000006")),
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkEqual(t, fmt.Sprintf("ListMemberships(%+v)", tc.q), tc.want, list(tc.q))
		})
	}

	t.Run("FollowsWrites", func(t *testing.T) {
		mustUpdate(t, s, func(tx store.Tx) error {
			if err := tx.DeleteMember(ctx, in(usEast1, "200000000002").MemberKey); err != nil {
				return err
			}
			// Overwrite: still one record, with the new fields.
			return tx.PutMember(ctx, otherMember(in(euWest1, "200000000002").MemberKey))
		})
		checkEqual(t, "ListMemberships after delete and overwrite", []store.Member{
			in(apSouth1, "400000000004"),
			otherMember(in(euWest1, "200000000002").MemberKey),
			in(usEast1, "100000000001"),
			in(usEast1, "300000000003"),
		}, list(store.MembershipQuery{Service: macie, Account: x}))
	})
}

func testListOrgAdmins(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustUpdate(t, s, func(tx store.Tx) error {
		for _, a := range []store.OrgAdmin{
			fullOrgAdmin(akey(scopeA, acct(3))),
			otherOrgAdmin(akey(scopeA, acct(1))),
			fullOrgAdmin(akey(scopeA, "200000000000")),
			fullOrgAdmin(akey(scopeB, acct(2))),
			fullOrgAdmin(akey(scopeG, acct(4))),
			fullOrgAdmin(akey(store.Scope{Service: guardduty, Region: euWest1}, acct(1))),
		} {
			if err := tx.PutOrgAdmin(ctx, a); err != nil {
				return err
			}
		}
		return nil
	})
	list := func(sc store.Scope) []store.OrgAdmin {
		t.Helper()
		var out []store.OrgAdmin
		mustView(t, s, func(tx store.Tx) (err error) {
			out, err = tx.ListOrgAdmins(ctx, sc)
			return err
		})
		return out
	}
	checkEqual(t, "ListOrgAdmins(scopeA)", []store.OrgAdmin{
		otherOrgAdmin(akey(scopeA, acct(1))),
		fullOrgAdmin(akey(scopeA, "200000000000")),
		fullOrgAdmin(akey(scopeA, acct(3))),
	}, list(scopeA))
	checkEqual(t, "ListOrgAdmins(scopeB)", []store.OrgAdmin{fullOrgAdmin(akey(scopeB, acct(2)))}, list(scopeB))
	checkEqual(t, "ListOrgAdmins(scopeG)", []store.OrgAdmin{fullOrgAdmin(akey(scopeG, acct(4)))}, list(scopeG))
	checkEqual(t, "ListOrgAdmins(empty scope)", []store.OrgAdmin(nil), list(store.Scope{Service: macie, Region: apSouth1}))

	mustUpdate(t, s, func(tx store.Tx) error {
		if err := tx.DeleteOrgAdmin(ctx, akey(scopeA, "200000000000")); err != nil {
			return err
		}
		return tx.PutOrgAdmin(ctx, fullOrgAdmin(akey(scopeA, acct(1))))
	})
	checkEqual(t, "ListOrgAdmins(scopeA) after delete and overwrite", []store.OrgAdmin{
		fullOrgAdmin(akey(scopeA, acct(1))),
		fullOrgAdmin(akey(scopeA, acct(3))),
	}, list(scopeA))
}

func testListsReturnCopies(t *testing.T, s store.Store) {
	ctx := t.Context()
	k := mkey(scopeA, acct(1), acct(2))
	mustUpdate(t, s, func(tx store.Tx) error { return tx.PutMember(ctx, fullMember(k)) })
	mustView(t, s, func(tx store.Tx) error {
		ms, err := tx.ListMembers(ctx, store.MemberQuery{Admin: k.AdminKey()})
		if err != nil {
			return err
		}
		if len(ms) != 1 {
			return fmt.Errorf("ListMembers returned %d records, want 1", len(ms))
		}
		mutateTagsAndBytes(ms[0].Tags, nil)
		ms, err = tx.ListMemberships(ctx, store.MembershipQuery{Service: k.Service, Account: k.Member})
		if err != nil {
			return err
		}
		if len(ms) != 1 {
			return fmt.Errorf("ListMemberships returned %d records, want 1", len(ms))
		}
		mutateTagsAndBytes(ms[0].Tags, nil)
		return nil
	})
	checkEqual(t, "member after mutating listed records", fullMember(k), mustGet(t, s, memberOps(), k))
	got := listMembers(t, s, store.MemberQuery{Admin: k.AdminKey()})
	checkEqual(t, "ListMembers after mutating listed records", []store.Member{fullMember(k)}, got)
}

// ---------------------------------------------------------------------
// Transactions.

var errSentinel = errors.New("storetest: fn failed on purpose")

func testViewIsReadOnly(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustUpdate(t, s, seedWorld(ctx))
	before := takeSnapshot(t, s)
	ek, mk := akey(scopeA, acct(1)), mkey(scopeA, acct(1), acct(2))
	newEK, newMK := akey(scopeA, acct(6)), mkey(scopeA, acct(6), acct(1))
	mustView(t, s, func(tx store.Tx) error {
		for _, c := range []struct {
			name string
			err  error
		}{
			{"PutEnablement (new)", tx.PutEnablement(ctx, fullEnablement(newEK))},
			{"PutEnablement (overwrite)", tx.PutEnablement(ctx, otherEnablement(ek))},
			{"DeleteEnablement", tx.DeleteEnablement(ctx, ek)},
			{"PutMember (new)", tx.PutMember(ctx, fullMember(newMK))},
			{"PutMember (overwrite)", tx.PutMember(ctx, otherMember(mk))},
			{"DeleteMember", tx.DeleteMember(ctx, mk)},
			{"PutOrgAdmin (new)", tx.PutOrgAdmin(ctx, fullOrgAdmin(newEK))},
			{"PutOrgAdmin (overwrite)", tx.PutOrgAdmin(ctx, otherOrgAdmin(ek))},
			{"DeleteOrgAdmin", tx.DeleteOrgAdmin(ctx, ek)},
			{"PutOrgConfig (new)", tx.PutOrgConfig(ctx, fullOrgConfig(newEK))},
			{"PutOrgConfig (overwrite)", tx.PutOrgConfig(ctx, otherOrgConfig(ak(scopeB, 1)))},
			{"DeleteOrgConfig", tx.DeleteOrgConfig(ctx, ek)},
		} {
			checkErrorIs(t, c.name+" in View", c.err, store.ErrReadOnly)
		}
		// The transaction still reads, and reads what was there.
		checkSnapshot(t, "inside View after refused writes", before, snapshotTx(ctx, t, tx))
		return nil
	})
	checkSnapshot(t, "after View", before, takeSnapshot(t, s))
}

func ak(sc store.Scope, d int) store.AccountKey { return akey(sc, acct(d)) }

func testViewReturnsFnError(t *testing.T, s store.Store) {
	ran := false
	err := s.View(t.Context(), func(tx store.Tx) error {
		ran = true
		return errSentinel
	})
	if !ran {
		t.Fatal("View did not run fn")
	}
	checkErrorIs(t, "View", err, errSentinel)
}

func testUpdateCommits(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustUpdate(t, s, seedWorld(ctx))
	seeded := takeSnapshot(t, s)
	if len(seeded.Members) == 0 || len(seeded.Enablements) == 0 || len(seeded.OrgAdmins) == 0 || len(seeded.OrgConfigs) == 0 {
		t.Fatalf("suite bug: seed left a record type empty: %+v", seeded)
	}
	var inTx snapshot
	mustUpdate(t, s, func(tx store.Tx) error {
		if err := mutateWorld(ctx)(tx); err != nil {
			return err
		}
		inTx = snapshotTx(ctx, t, tx)
		return nil
	})
	if len(diff(seeded, inTx)) == 0 {
		t.Fatal("suite bug: mutateWorld changed nothing")
	}
	checkSnapshot(t, "after commit (want what the transaction saw)", inTx, takeSnapshot(t, s))
}

func testUpdateErrorRollsBack(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustUpdate(t, s, seedWorld(ctx))
	before := takeSnapshot(t, s)

	var inTx snapshot
	err := s.Update(ctx, func(tx store.Tx) error {
		if err := mutateWorld(ctx)(tx); err != nil {
			return err
		}
		inTx = snapshotTx(ctx, t, tx)
		return fmt.Errorf("wrapped: %w", errSentinel)
	})
	checkErrorIs(t, "Update", err, errSentinel)
	if len(diff(before, inTx)) == 0 {
		t.Fatal("suite bug: mutateWorld changed nothing")
	}
	checkSnapshot(t, "after failed Update (want the state before it)", before, takeSnapshot(t, s))

	// A failure reported by the store itself (deleting an absent record)
	// and returned by fn rolls back too.
	err = s.Update(ctx, func(tx store.Tx) error {
		if err := tx.PutEnablement(ctx, fullEnablement(ak(scopeA, 9))); err != nil {
			return err
		}
		if err := tx.PutMember(ctx, fullMember(mkey(scopeA, acct(9), acct(8)))); err != nil {
			return err
		}
		return tx.DeleteOrgAdmin(ctx, ak(scopeA, 9))
	})
	checkErrorIs(t, "Update returning a Delete's error", err, store.ErrNotFound)
	checkSnapshot(t, "after Update failing with ErrNotFound", before, takeSnapshot(t, s))

	// The store works after rollbacks, and the same writes commit.
	mustUpdate(t, s, mutateWorld(ctx))
	checkSnapshot(t, "after the same writes committed", inTx, takeSnapshot(t, s))
}

type panicValue struct{ msg string }

// txWorld is a state the transaction tests write and compare: the
// membership records (memberWorld) or the generic records (recordsWorld).
// seed writes it and returns what a transaction then reads; mutate changes
// it every way the kind allows; snapshot reads it back.
type txWorld struct {
	name     string
	seed     func(*testing.T, store.Store) any
	mutate   func(context.Context) func(store.Tx) error
	snapshot func(*testing.T, store.Store) any
}

var memberWorld = txWorld{
	name: "membership state",
	seed: func(t *testing.T, s store.Store) any {
		mustUpdate(t, s, seedWorld(t.Context()))
		return takeSnapshot(t, s)
	},
	mutate:   mutateWorld,
	snapshot: func(t *testing.T, s store.Store) any { return takeSnapshot(t, s) },
}

func testUpdatePanicRollsBack(t *testing.T, s store.Store) { checkPanicRollsBack(t, s, memberWorld) }

func testUpdateGoexitRollsBack(t *testing.T, s store.Store) { checkGoexitRollsBack(t, s, memberWorld) }

// checkPanicRollsBack: fn panics after writing; Update re-panics with fn's
// value and keeps nothing, and the store is still usable (no lock left
// held, no transaction open).
func checkPanicRollsBack(t *testing.T, s store.Store, w txWorld) {
	ctx := t.Context()
	before := w.seed(t, s)
	want := &panicValue{"storetest: fn panics on purpose"}
	var err error
	got := func() (p any) {
		defer func() { p = recover() }()
		err = s.Update(ctx, func(tx store.Tx) error {
			if err := w.mutate(ctx)(tx); err != nil {
				return err
			}
			panic(want)
		})
		return nil
	}()
	switch {
	case got == nil:
		t.Fatalf("Update swallowed fn's panic and returned %v", err)
	case got != any(want):
		t.Fatalf("Update panicked with %#v, want fn's panic value %#v", got, want)
	}
	checkEqual(t, w.name+" after an Update whose fn panicked", before, w.snapshot(t, s))
	mustUpdate(t, s, w.mutate(ctx))
	if len(diff(before, w.snapshot(t, s))) == 0 {
		t.Error("Update after a panic did not write")
	}
}

// checkGoexitRollsBack: fn that neither returns nor panics (it calls
// runtime.Goexit, as t.FailNow does) did not return nil, so nothing it
// wrote may be kept.
func checkGoexitRollsBack(t *testing.T, s store.Store, w txWorld) {
	ctx := t.Context()
	before := w.seed(t, s)
	done := make(chan struct{})
	wrote := false
	go func() {
		defer close(done)
		_ = s.Update(ctx, func(tx store.Tx) error {
			if err := w.mutate(ctx)(tx); err != nil {
				return err
			}
			wrote = true
			runtime.Goexit()
			return nil
		})
	}()
	<-done
	if !wrote {
		t.Fatal("suite bug: fn did not write before exiting")
	}
	checkEqual(t, w.name+" after an Update whose fn called runtime.Goexit", before, w.snapshot(t, s))
	mustUpdate(t, s, w.mutate(ctx))
	if len(diff(before, w.snapshot(t, s))) == 0 {
		t.Error("Update after a Goexit did not write")
	}
}

func testUpdateReadsOwnWrites(t *testing.T, s store.Store) {
	ctx := t.Context()
	mustUpdate(t, s, seedWorld(ctx))
	admin := ak(scopeA, 1)
	newM := fullMember(mkey(scopeA, acct(1), acct(5)))
	mustUpdate(t, s, func(tx store.Tx) error {
		count0, err := tx.CountMembers(ctx, admin)
		if err != nil {
			return err
		}
		if err := tx.PutMember(ctx, newM); err != nil {
			return err
		}
		got, err := tx.GetMember(ctx, newM.MemberKey)
		if err != nil {
			return fmt.Errorf("GetMember of a member put in this transaction: %w", err)
		}
		checkEqual(t, "GetMember after PutMember", newM, got)
		ms, err := tx.ListMembers(ctx, store.MemberQuery{Admin: admin})
		if err != nil {
			return err
		}
		if i := slices.IndexFunc(ms, func(m store.Member) bool { return m.Member == newM.Member }); i < 0 {
			t.Errorf("ListMembers does not list the member put in this transaction: %v", memberIDs(ms))
		} else {
			checkEqual(t, "listed new member", newM, ms[i])
		}
		if !slices.IsSortedFunc(ms, func(a, b store.Member) int { return strings.Compare(a.Member, b.Member) }) {
			t.Errorf("ListMembers in a transaction is not ordered: %v", memberIDs(ms))
		}
		ms, err = tx.ListMembers(ctx, store.MemberQuery{Admin: admin, Statuses: []store.RelationshipStatus{newM.Status}, After: acct(4), Limit: 1})
		if err != nil {
			return err
		}
		if len(ms) != 1 || ms[0].Member != newM.Member {
			t.Errorf("ListMembers(Statuses, After, Limit) in the transaction = %v, want [%s]", memberIDs(ms), newM.Member)
		}
		if n, err := tx.CountMembers(ctx, admin); err != nil {
			return err
		} else if n != count0+1 {
			t.Errorf("CountMembers after a put = %d, want %d", n, count0+1)
		}
		ms, err = tx.ListMemberships(ctx, store.MembershipQuery{Service: macie, Region: usEast1, Account: acct(5)})
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(ms, func(m store.Member) bool { return m.MemberKey == newM.MemberKey }) {
			t.Errorf("ListMemberships does not list the member put in this transaction: %+v", ms)
		}

		// Overwrite: the new status is what the filter sees.
		changed := otherMember(newM.MemberKey)
		if err := tx.PutMember(ctx, changed); err != nil {
			return err
		}
		ms, err = tx.ListMembers(ctx, store.MemberQuery{Admin: admin, Statuses: []store.RelationshipStatus{newM.Status}, After: acct(4)})
		if err != nil {
			return err
		}
		if len(ms) != 0 {
			t.Errorf("ListMembers by the old status after an overwrite = %v, want none", memberIDs(ms))
		}
		ms, err = tx.ListMembers(ctx, store.MemberQuery{Admin: admin, Statuses: []store.RelationshipStatus{changed.Status}, After: acct(4)})
		if err != nil {
			return err
		}
		checkEqual(t, "ListMembers by the new status after an overwrite", []store.Member{changed}, ms)

		// Delete: gone from Get, lists and count.
		if err := tx.DeleteMember(ctx, mkey(scopeA, acct(1), acct(2))); err != nil {
			return err
		}
		if _, err := tx.GetMember(ctx, mkey(scopeA, acct(1), acct(2))); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetMember after DeleteMember in the transaction: err = %v, want ErrNotFound", err)
		}
		ms, err = tx.ListMembers(ctx, store.MemberQuery{Admin: admin})
		if err != nil {
			return err
		}
		if slices.ContainsFunc(ms, func(m store.Member) bool { return m.Member == acct(2) }) {
			t.Errorf("ListMembers lists a member deleted in this transaction: %v", memberIDs(ms))
		}
		if n, err := tx.CountMembers(ctx, admin); err != nil {
			return err
		} else if n != count0 {
			t.Errorf("CountMembers after a put and a delete = %d, want %d", n, count0)
		}
		ms, err = tx.ListMemberships(ctx, store.MembershipQuery{Service: macie, Account: acct(2)})
		if err != nil {
			return err
		}
		if slices.ContainsFunc(ms, func(m store.Member) bool { return m.MemberKey == mkey(scopeA, acct(1), acct(2)) }) {
			t.Errorf("ListMemberships lists a member deleted in this transaction")
		}

		// The other record types.
		if err := tx.PutOrgAdmin(ctx, fullOrgAdmin(ak(scopeA, 2))); err != nil {
			return err
		}
		as, err := tx.ListOrgAdmins(ctx, scopeA)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(as, func(a store.OrgAdmin) bool { return a.Account == acct(2) }) {
			t.Errorf("ListOrgAdmins does not list the administrator put in this transaction: %+v", as)
		}
		if err := tx.PutEnablement(ctx, otherEnablement(ak(scopeA, 1))); err != nil {
			return err
		}
		e, err := tx.GetEnablement(ctx, ak(scopeA, 1))
		if err != nil {
			return err
		}
		checkEqual(t, "GetEnablement after overwrite", otherEnablement(ak(scopeA, 1)), e)
		if err := tx.DeleteOrgConfig(ctx, ak(scopeA, 1)); err != nil {
			return err
		}
		if _, err := tx.GetOrgConfig(ctx, ak(scopeA, 1)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetOrgConfig after DeleteOrgConfig in the transaction: err = %v, want ErrNotFound", err)
		}
		return nil
	})
}

func testReset(t *testing.T, s store.Store) {
	ctx := t.Context()
	empty := takeSnapshot(t, s)
	if err := s.Reset(ctx); err != nil {
		t.Fatalf("Reset of an empty store: %v", err)
	}
	checkSnapshot(t, "after Reset of an empty store", empty, takeSnapshot(t, s))
	mustUpdate(t, s, seedWorld(ctx))
	seeded := takeSnapshot(t, s)
	mustUpdate(t, s, mutateWorld(ctx))
	seedInventory(t, s)
	if err := s.Reset(ctx); err != nil {
		t.Fatalf("Reset: %v", err)
	}
	checkSnapshot(t, "after Reset", empty, takeSnapshot(t, s))
	if n := countMembers(t, s, inventory); n != 0 {
		t.Errorf("CountMembers after Reset = %d", n)
	}
	if ms := listMembers(t, s, store.MemberQuery{Admin: inventory}); len(ms) != 0 {
		t.Errorf("ListMembers after Reset = %v", memberIDs(ms))
	}
	// Usable afterwards, indexes included, with no residue: seeding again
	// gives the state the first seeding gave.
	mustUpdate(t, s, seedWorld(ctx))
	checkSnapshot(t, "seeded after Reset", seeded, takeSnapshot(t, s))
	all := seedInventory(t, s)
	checkEqual(t, "ListMembers after Reset and reseed", all, listMembers(t, s, store.MemberQuery{Admin: inventory}))
}

func testCancelledContext(t *testing.T, s store.Store) {
	mustUpdate(t, s, seedWorld(t.Context()))
	before := takeSnapshot(t, s)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	ran := false
	err := s.Update(ctx, func(tx store.Tx) error {
		ran = true
		return mutateWorld(ctx)(tx)
	})
	if ran {
		t.Error("Update ran fn with a cancelled context")
	}
	checkErrorIs(t, "Update with a cancelled context", err, context.Canceled)
	ran = false
	err = s.View(ctx, func(tx store.Tx) error {
		ran = true
		return nil
	})
	if ran {
		t.Error("View ran fn with a cancelled context")
	}
	checkErrorIs(t, "View with a cancelled context", err, context.Canceled)
	checkSnapshot(t, "after cancelled calls", before, takeSnapshot(t, s))
}

// ---------------------------------------------------------------------
// Concurrency. Run these under -race.

type counterDoc struct {
	N int `json:"n"`
}

func readCounter(settings []byte) (int, error) {
	var d counterDoc
	if err := json.Unmarshal(settings, &d); err != nil {
		return 0, fmt.Errorf("counter settings %q: %w", settings, err)
	}
	return d.N, nil
}

func writeCounter(n int) []byte {
	b, _ := json.Marshal(counterDoc{N: n})
	return b
}

func testConcurrentWriters(t *testing.T, s store.Store) {
	const (
		writers    = 8
		increments = 25
	)
	ctx := t.Context()
	counter := akey(scopeA, acct(1))
	admin := akey(scopeA, acct(2))
	mustUpdate(t, s, func(tx store.Tx) error {
		e := fullEnablement(counter)
		e.Settings = writeCounter(0)
		return tx.PutEnablement(ctx, e)
	})
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range increments {
				// fn may run more than once: it only reads and writes tx.
				err := s.Update(ctx, func(tx store.Tx) error {
					e, err := tx.GetEnablement(ctx, counter)
					if err != nil {
						return err
					}
					n, err := readCounter(e.Settings)
					if err != nil {
						return err
					}
					e.Settings = writeCounter(n + 1)
					if err := tx.PutEnablement(ctx, e); err != nil {
						return err
					}
					return tx.PutMember(ctx, fullMember(mkey(admin.Scope, admin.Account, fmt.Sprintf("9%05d%06d", w, i))))
				})
				if err != nil {
					t.Errorf("writer %d, increment %d: %v", w, i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	e := mustGet(t, s, enablementOps(), counter)
	n, err := readCounter(e.Settings)
	if err != nil {
		t.Fatal(err)
	}
	if n != writers*increments {
		t.Errorf("counter = %d after %d increments: %d updates lost", n, writers*increments, writers*increments-n)
	}
	if c := countMembers(t, s, admin); c != writers*increments {
		t.Errorf("CountMembers = %d after %d concurrent puts", c, writers*increments)
	}
	if ms := listMembers(t, s, store.MemberQuery{Admin: admin}); len(ms) != writers*increments {
		t.Errorf("ListMembers lists %d records after %d concurrent puts", len(ms), writers*increments)
	}
}

// testConcurrentReaders runs one writer against several readers. Each
// committed transaction moves a member from one administrator to another
// (delete, then put) and bumps a version kept in two records of other
// types; every other transaction writes a ghost record and a bad version,
// then fails. Readers must always see one whole committed state.
func testConcurrentReaders(t *testing.T, s store.Store) {
	const (
		readers     = 4
		minCommits  = 100
		minReads    = 200
		maxAttempts = 50_000
	)
	ctx := t.Context()
	adminA, adminB := akey(scopeA, acct(1)), akey(scopeA, acct(2))
	member := acct(5)
	keyOf := func(admin store.AccountKey) store.MemberKey { return mkey(admin.Scope, admin.Account, member) }
	ghost := mkey(scopeA, acct(1), acct(7))
	vkey := akey(scopeA, acct(3))

	mustUpdate(t, s, func(tx store.Tx) error {
		e := fullEnablement(vkey)
		e.Settings = writeCounter(0)
		c := fullOrgConfig(vkey)
		c.Settings = writeCounter(0)
		if err := tx.PutEnablement(ctx, e); err != nil {
			return err
		}
		if err := tx.PutOrgConfig(ctx, c); err != nil {
			return err
		}
		return tx.PutMember(ctx, fullMember(keyOf(adminA)))
	})

	var (
		reads atomic.Int64
		done  = make(chan struct{})
		wg    sync.WaitGroup
	)
	// check reads one state and verifies its invariants.
	check := func(tx store.Tx) (version int, err error) {
		e, err := tx.GetEnablement(ctx, vkey)
		if err != nil {
			return 0, err
		}
		v, err := readCounter(e.Settings)
		if err != nil {
			return 0, err
		}
		c, err := tx.GetOrgConfig(ctx, vkey)
		if err != nil {
			return 0, err
		}
		v2, err := readCounter(c.Settings)
		if err != nil {
			return 0, err
		}
		if v < 0 || v2 != v {
			return 0, fmt.Errorf("versions in enablement and org config = %d, %d: a failed or half-applied transaction is visible", v, v2)
		}
		want, notWant := adminA, adminB
		if v%2 == 1 {
			want, notWant = adminB, adminA
		}
		if _, err := tx.GetMember(ctx, keyOf(want)); err != nil {
			return 0, fmt.Errorf("version %d: member under %s: %w", v, want.Account, err)
		}
		if _, err := tx.GetMember(ctx, keyOf(notWant)); !errors.Is(err, store.ErrNotFound) {
			return 0, fmt.Errorf("version %d: member also under %s (err = %v)", v, notWant.Account, err)
		}
		if _, err := tx.GetMember(ctx, ghost); !errors.Is(err, store.ErrNotFound) {
			return 0, fmt.Errorf("version %d: the ghost of a failed transaction is visible (err = %v)", v, err)
		}
		ms, err := tx.ListMemberships(ctx, store.MembershipQuery{Service: macie, Account: member})
		if err != nil {
			return 0, err
		}
		if len(ms) != 1 || ms[0].Admin != want.Account {
			return 0, fmt.Errorf("version %d: ListMemberships = %+v, want one record under %s", v, ms, want.Account)
		}
		na, err := tx.CountMembers(ctx, adminA)
		if err != nil {
			return 0, err
		}
		nb, err := tx.CountMembers(ctx, adminB)
		if err != nil {
			return 0, err
		}
		la, err := tx.ListMembers(ctx, store.MemberQuery{Admin: adminA})
		if err != nil {
			return 0, err
		}
		lb, err := tx.ListMembers(ctx, store.MemberQuery{Admin: adminB})
		if err != nil {
			return 0, err
		}
		if na+nb != 1 || len(la)+len(lb) != 1 {
			return 0, fmt.Errorf("version %d: counts A=%d B=%d, listed A=%v B=%v; want exactly one record", v, na, nb, memberIDs(la), memberIDs(lb))
		}
		return v, nil
	}

	for r := range readers {
		wg.Go(func() {
			last := -1
			for {
				finished := false
				select {
				case <-done:
					finished = true // one last read after the writer stopped
				default:
				}
				var v int
				err := s.View(ctx, func(tx store.Tx) (err error) {
					v, err = check(tx)
					return err
				})
				if err != nil {
					t.Errorf("reader %d: %v", r, err)
					return
				}
				if v < last {
					t.Errorf("reader %d: version went back from %d to %d", r, last, v)
					return
				}
				last = v
				reads.Add(1)
				if finished {
					return
				}
			}
		})
	}

	commits := 0
	for attempt := 0; attempt < maxAttempts && (commits < minCommits || reads.Load() < minReads); attempt++ {
		if t.Failed() {
			break
		}
		if attempt%2 == 1 {
			err := s.Update(ctx, func(tx store.Tx) error {
				if err := tx.PutMember(ctx, fullMember(ghost)); err != nil {
					return err
				}
				e, err := tx.GetEnablement(ctx, vkey)
				if err != nil {
					return err
				}
				e.Settings = writeCounter(-1)
				if err := tx.PutEnablement(ctx, e); err != nil {
					return err
				}
				return errSentinel
			})
			if !errors.Is(err, errSentinel) {
				t.Errorf("failing Update returned %v", err)
				break
			}
			continue
		}
		err := s.Update(ctx, func(tx store.Tx) error {
			e, err := tx.GetEnablement(ctx, vkey)
			if err != nil {
				return err
			}
			v, err := readCounter(e.Settings)
			if err != nil {
				return err
			}
			from, to := adminA, adminB
			if v%2 == 1 {
				from, to = adminB, adminA
			}
			m, err := tx.GetMember(ctx, keyOf(from))
			if err != nil {
				return err
			}
			if err := tx.DeleteMember(ctx, m.MemberKey); err != nil {
				return err
			}
			m.MemberKey = keyOf(to)
			m.Updated = t0.Add(time.Duration(v+1) * time.Millisecond)
			if err := tx.PutMember(ctx, m); err != nil {
				return err
			}
			e.Settings = writeCounter(v + 1)
			if err := tx.PutEnablement(ctx, e); err != nil {
				return err
			}
			c, err := tx.GetOrgConfig(ctx, vkey)
			if err != nil {
				return err
			}
			c.Settings = writeCounter(v + 1)
			return tx.PutOrgConfig(ctx, c)
		})
		if err != nil {
			t.Errorf("moving Update: %v", err)
			break
		}
		commits++
	}
	close(done)
	wg.Wait()
	t.Logf("%d commits, %d reads", commits, reads.Load())

	var v int
	mustView(t, s, func(tx store.Tx) (err error) {
		v, err = check(tx)
		return err
	})
	if v != commits {
		t.Errorf("final version = %d, want %d commits", v, commits)
	}
}

// ---------------------------------------------------------------------
// A world of records of every type, used by the transaction tests.

var (
	worldScopes   = []store.Scope{scopeA, scopeB, scopeG, {Service: guardduty, Region: euWest1}}
	worldAccounts = []string{acct(1), acct(2), acct(3), acct(4), acct(5), acct(6)}
)

func seedWorld(ctx context.Context) func(store.Tx) error {
	return func(tx store.Tx) error {
		for _, k := range []store.AccountKey{ak(scopeA, 1), ak(scopeA, 2), ak(scopeB, 1), ak(scopeG, 1)} {
			if err := tx.PutEnablement(ctx, fullEnablement(k)); err != nil {
				return err
			}
		}
		for _, k := range []store.MemberKey{
			mkey(scopeA, acct(1), acct(2)),
			mkey(scopeA, acct(1), acct(3)),
			mkey(scopeA, acct(1), acct(4)),
			mkey(scopeA, acct(5), acct(2)),
			mkey(scopeB, acct(1), acct(2)),
			mkey(scopeG, acct(1), acct(3)),
		} {
			if err := tx.PutMember(ctx, fullMember(k)); err != nil {
				return err
			}
		}
		for _, k := range []store.AccountKey{ak(scopeA, 1), ak(scopeA, 3), ak(scopeB, 1)} {
			if err := tx.PutOrgAdmin(ctx, fullOrgAdmin(k)); err != nil {
				return err
			}
		}
		for _, k := range []store.AccountKey{ak(scopeA, 1), ak(scopeB, 1)} {
			if err := tx.PutOrgConfig(ctx, fullOrgConfig(k)); err != nil {
				return err
			}
		}
		return nil
	}
}

// mutateWorld puts new records, overwrites and deletes records of every
// type in the seeded world, touching the member indexes every way.
func mutateWorld(ctx context.Context) func(store.Tx) error {
	return func(tx store.Tx) error {
		steps := []error{
			tx.PutEnablement(ctx, fullEnablement(ak(scopeA, 3))),
			tx.PutEnablement(ctx, otherEnablement(ak(scopeA, 1))),
			tx.DeleteEnablement(ctx, ak(scopeA, 2)),

			tx.PutMember(ctx, fullMember(mkey(scopeA, acct(1), acct(5)))),  // new, existing administrator
			tx.PutMember(ctx, fullMember(mkey(scopeB, acct(6), acct(2)))),  // new administrator, another region
			tx.PutMember(ctx, otherMember(mkey(scopeA, acct(1), acct(2)))), // overwrite, status changes
			tx.DeleteMember(ctx, mkey(scopeA, acct(1), acct(3))),
			tx.PutMember(ctx, fullMember(mkey(scopeA, acct(1), acct(6)))), // put, then delete
			tx.DeleteMember(ctx, mkey(scopeA, acct(1), acct(6))),
			tx.DeleteMember(ctx, mkey(scopeA, acct(5), acct(2))), // delete, then put back changed
			tx.PutMember(ctx, otherMember(mkey(scopeA, acct(5), acct(2)))),
			tx.DeleteMember(ctx, mkey(scopeG, acct(1), acct(3))), // empties an administrator

			tx.PutOrgAdmin(ctx, fullOrgAdmin(ak(scopeA, 2))),
			tx.PutOrgAdmin(ctx, otherOrgAdmin(ak(scopeA, 1))),
			tx.DeleteOrgAdmin(ctx, ak(scopeA, 3)),

			tx.PutOrgConfig(ctx, fullOrgConfig(ak(scopeA, 2))),
			tx.PutOrgConfig(ctx, otherOrgConfig(ak(scopeB, 1))),
			tx.DeleteOrgConfig(ctx, ak(scopeA, 1)),
		}
		for i, err := range steps {
			if err != nil {
				return fmt.Errorf("mutateWorld step %d: %w", i+1, err)
			}
		}
		return nil
	}
}

// snapshot is everything a Tx can tell about the world's keys.
type snapshot struct {
	Enablements   map[store.AccountKey]store.Enablement
	Members       map[store.MemberKey]store.Member
	OrgAdmins     map[store.AccountKey]store.OrgAdmin
	OrgConfigs    map[store.AccountKey]store.OrgConfig
	ListMembers   map[store.AccountKey][]store.Member
	CountMembers  map[store.AccountKey]int
	Memberships   map[store.MembershipQuery][]store.Member
	OrgAdminLists map[store.Scope][]store.OrgAdmin
}

func (s *snapshot) init() {
	s.Enablements = map[store.AccountKey]store.Enablement{}
	s.Members = map[store.MemberKey]store.Member{}
	s.OrgAdmins = map[store.AccountKey]store.OrgAdmin{}
	s.OrgConfigs = map[store.AccountKey]store.OrgConfig{}
	s.ListMembers = map[store.AccountKey][]store.Member{}
	s.CountMembers = map[store.AccountKey]int{}
	s.Memberships = map[store.MembershipQuery][]store.Member{}
	s.OrgAdminLists = map[store.Scope][]store.OrgAdmin{}
}

func takeSnapshot(t *testing.T, s store.Store) snapshot {
	t.Helper()
	var snap snapshot
	mustView(t, s, func(tx store.Tx) error {
		snap = snapshotTx(t.Context(), t, tx)
		return nil
	})
	return snap
}

func snapshotTx(ctx context.Context, t *testing.T, tx store.Tx) snapshot {
	t.Helper()
	var snap snapshot
	snap.init()
	fail := func(what string, err error) {
		t.Helper()
		t.Fatalf("snapshot: %s: %v", what, err)
	}
	regions := []string{""}
	for _, sc := range worldScopes {
		if !slices.Contains(regions, sc.Region) {
			regions = append(regions, sc.Region)
		}
	}
	for _, sc := range worldScopes {
		for _, a := range worldAccounts {
			k := akey(sc, a)
			if e, err := tx.GetEnablement(ctx, k); err == nil {
				snap.Enablements[k] = e
			} else if !errors.Is(err, store.ErrNotFound) {
				fail("GetEnablement", err)
			}
			if o, err := tx.GetOrgAdmin(ctx, k); err == nil {
				snap.OrgAdmins[k] = o
			} else if !errors.Is(err, store.ErrNotFound) {
				fail("GetOrgAdmin", err)
			}
			if c, err := tx.GetOrgConfig(ctx, k); err == nil {
				snap.OrgConfigs[k] = c
			} else if !errors.Is(err, store.ErrNotFound) {
				fail("GetOrgConfig", err)
			}
			for _, b := range worldAccounts {
				mk := mkey(sc, a, b)
				if m, err := tx.GetMember(ctx, mk); err == nil {
					snap.Members[mk] = m
				} else if !errors.Is(err, store.ErrNotFound) {
					fail("GetMember", err)
				}
			}
			ms, err := tx.ListMembers(ctx, store.MemberQuery{Admin: k})
			if err != nil {
				fail("ListMembers", err)
			}
			snap.ListMembers[k] = ms
			n, err := tx.CountMembers(ctx, k)
			if err != nil {
				fail("CountMembers", err)
			}
			snap.CountMembers[k] = n
		}
		as, err := tx.ListOrgAdmins(ctx, sc)
		if err != nil {
			fail("ListOrgAdmins", err)
		}
		snap.OrgAdminLists[sc] = as
	}
	for _, svc := range []string{macie, guardduty} {
		for _, r := range regions {
			for _, a := range worldAccounts {
				q := store.MembershipQuery{Service: svc, Region: r, Account: a}
				ms, err := tx.ListMemberships(ctx, q)
				if err != nil {
					fail("ListMemberships", err)
				}
				snap.Memberships[q] = ms
			}
		}
	}
	return snap
}

func checkSnapshot(t *testing.T, what string, want, got snapshot) {
	t.Helper()
	if d := diff(want, got); len(d) > 0 {
		t.Errorf("%s: state differs:\n%s", what, strings.Join(d, "\n"))
	}
}

// ---------------------------------------------------------------------
// Helpers.

func mustUpdate(t testing.TB, s store.Store, fn func(store.Tx) error) {
	t.Helper()
	if err := s.Update(t.Context(), fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

func mustView(t testing.TB, s store.Store, fn func(store.Tx) error) {
	t.Helper()
	if err := s.View(t.Context(), fn); err != nil {
		t.Fatalf("View: %v", err)
	}
}

func checkErrorIs(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: err = %v, want %v", what, err, target)
	}
}

func checkEqual(t *testing.T, what string, want, got any) {
	t.Helper()
	if d := diff(want, got); len(d) > 0 {
		t.Errorf("%s differs:\n%s", what, strings.Join(d, "\n"))
	}
}

func memberIDs(ms []store.Member) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Admin + "/" + m.Member
	}
	return out
}

var timeType = reflect.TypeFor[time.Time]()

// diff compares want and got field by field and returns one line per
// difference. Times are compared with Equal; a nil and an empty map or
// slice are equal; []byte is compared as bytes.
func diff(want, got any) []string {
	var out []string
	diffValue("", reflect.ValueOf(want), reflect.ValueOf(got), &out)
	return out
}

func diffValue(path string, w, g reflect.Value, out *[]string) {
	if !w.IsValid() || !g.IsValid() {
		if w.IsValid() != g.IsValid() {
			*out = append(*out, fmt.Sprintf("%s: got %v, want %v", path, g, w))
		}
		return
	}
	if w.Type() != g.Type() {
		*out = append(*out, fmt.Sprintf("%s: got type %v, want %v", path, g.Type(), w.Type()))
		return
	}
	if w.Type() == timeType {
		wt, gt := w.Interface().(time.Time), g.Interface().(time.Time)
		if !wt.Equal(gt) || wt.IsZero() != gt.IsZero() {
			*out = append(*out, fmt.Sprintf("%s: got %s, want %s", path, fmtTime(gt), fmtTime(wt)))
		}
		return
	}
	switch w.Kind() {
	case reflect.Struct:
		for i := range w.NumField() {
			diffValue(path+"."+w.Type().Field(i).Name, w.Field(i), g.Field(i), out)
		}
	case reflect.Map:
		keys := w.MapKeys()
		for _, k := range g.MapKeys() {
			if !w.MapIndex(k).IsValid() {
				keys = append(keys, k)
			}
		}
		sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j]) })
		for _, k := range keys {
			p := fmt.Sprintf("%s[%v]", path, k)
			wv, gv := w.MapIndex(k), g.MapIndex(k)
			switch {
			case !gv.IsValid():
				*out = append(*out, fmt.Sprintf("%s: missing, want %s", p, fmtValue(wv)))
			case !wv.IsValid():
				*out = append(*out, fmt.Sprintf("%s: got %s, want none", p, fmtValue(gv)))
			default:
				diffValue(p, wv, gv, out)
			}
		}
	case reflect.Slice:
		if w.Type().Elem().Kind() == reflect.Uint8 {
			if !bytes.Equal(w.Bytes(), g.Bytes()) {
				*out = append(*out, fmt.Sprintf("%s: got %q, want %q", path, g.Bytes(), w.Bytes()))
			}
			return
		}
		if w.Len() != g.Len() {
			*out = append(*out, fmt.Sprintf("%s: got %d elements, want %d:\n\tgot  %s\n\twant %s", path, g.Len(), w.Len(), fmtValue(g), fmtValue(w)))
			return
		}
		for i := range w.Len() {
			diffValue(fmt.Sprintf("%s[%d]", path, i), w.Index(i), g.Index(i), out)
		}
	case reflect.Pointer, reflect.Interface:
		if w.IsNil() || g.IsNil() {
			if w.IsNil() != g.IsNil() {
				*out = append(*out, fmt.Sprintf("%s: got %s, want %s", path, fmtValue(g), fmtValue(w)))
			}
			return
		}
		diffValue(path, w.Elem(), g.Elem(), out)
	default:
		if !w.Equal(g) {
			*out = append(*out, fmt.Sprintf("%s: got %s, want %s", path, fmtValue(g), fmtValue(w)))
		}
	}
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "zero time"
	}
	return t.Format(time.RFC3339Nano)
}

func fmtValue(v reflect.Value) string {
	switch {
	case v.Type() == timeType:
		return fmtTime(v.Interface().(time.Time))
	case v.Kind() == reflect.String:
		return fmt.Sprintf("%q", v.String())
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8:
		return fmt.Sprintf("%q", v.Bytes())
	case v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeFor[store.Member]():
		return fmt.Sprint(memberIDs(v.Interface().([]store.Member)))
	case v.Kind() == reflect.Struct:
		var b strings.Builder
		b.WriteString("{")
		for i := range v.NumField() {
			if i > 0 {
				b.WriteString(" ")
			}
			fmt.Fprintf(&b, "%s:%s", v.Type().Field(i).Name, fmtValue(v.Field(i)))
		}
		b.WriteString("}")
		return b.String()
	case v.Kind() == reflect.Slice:
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = fmtValue(v.Index(i))
		}
		return "[" + strings.Join(parts, " ") + "]"
	}
	return fmt.Sprintf("%+v", v.Interface())
}

// checkAllFieldsSet fails for every leaf field of v left at its zero value
// (an empty map or slice counts as zero).
func checkAllFieldsSet(t *testing.T, what string, v any) {
	t.Helper()
	var walk func(path string, v reflect.Value)
	walk = func(path string, v reflect.Value) {
		if v.Type() != timeType && v.Kind() == reflect.Struct {
			for i := range v.NumField() {
				walk(path+"."+v.Type().Field(i).Name, v.Field(i))
			}
			return
		}
		zero := v.IsZero()
		if v.Kind() == reflect.Map || v.Kind() == reflect.Slice {
			zero = v.Len() == 0
		}
		if zero {
			t.Errorf("suite bug: fixture %s leaves %s unset; give it a value so the round trip covers it", what, path)
		}
	}
	walk(reflect.TypeOf(v).Name(), reflect.ValueOf(v))
}

// checkAllFieldsDiffer fails for every field of other, but the record's
// key, equal to the same field of full: Overwrite must change them all.
func checkAllFieldsDiffer(t *testing.T, full, other any) {
	t.Helper()
	fv, ov := reflect.ValueOf(full), reflect.ValueOf(other)
	for i := range fv.NumField() {
		f := fv.Type().Field(i)
		if f.Anonymous {
			continue // the key
		}
		if len(diff(fv.Field(i).Interface(), ov.Field(i).Interface())) == 0 {
			t.Errorf("suite bug: fixtures full and other of %s agree on %s", fv.Type().Name(), f.Name)
		}
	}
}

// checkZeroTimes fails if a zero time.Time field of a record read back is
// not zero (a store turned "never" into a date).
func checkZeroTimes(t *testing.T, v any) {
	t.Helper()
	rv := reflect.ValueOf(v)
	for i := range rv.NumField() {
		if f := rv.Field(i); f.Type() == timeType && !f.Interface().(time.Time).IsZero() {
			t.Errorf("%s.%s = %s, want the zero time", rv.Type().Name(), rv.Type().Field(i).Name, fmtTime(f.Interface().(time.Time)))
		}
	}
}

// ---------------------------------------------------------------------
// Benchmarks, for implementations to call from their own Benchmark
// functions.

// BenchPutMember measures one Update that puts one member record into an
// inventory of up to 10,000 members.
func BenchPutMember(b *testing.B, s store.Store) {
	ctx := b.Context()
	m := fullMember(mkey(scopeA, acct(1), ""))
	ids := make([]string, 10_000)
	for i := range ids {
		ids[i] = fmt.Sprintf("%012d", i)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m.Member = ids[i%len(ids)]
		i++
		if err := s.Update(ctx, func(tx store.Tx) error { return tx.PutMember(ctx, m) }); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchListMembers measures one View that lists a page of 25 members
// from an inventory of 10,000, starting at varying places.
func BenchListMembers(b *testing.B, s store.Store) {
	const (
		n    = 10_000
		page = 25
	)
	ctx := b.Context()
	admin := akey(scopeA, acct(1))
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("%012d", i*3)
	}
	if err := s.Update(ctx, func(tx store.Tx) error {
		for i, id := range ids {
			m := fullMember(mkey(admin.Scope, admin.Account, id))
			m.Status = inventoryStatuses[i%len(inventoryStatuses)]
			if err := tx.PutMember(ctx, m); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		after := ids[(i*7919)%(n-page)]
		i++
		var got []store.Member
		if err := s.View(ctx, func(tx store.Tx) (err error) {
			got, err = tx.ListMembers(ctx, store.MemberQuery{Admin: admin, After: after, Limit: page})
			return err
		}); err != nil {
			b.Fatal(err)
		}
		if len(got) != page {
			b.Fatalf("ListMembers after %s returned %d records, want %d", after, len(got), page)
		}
	}
}
