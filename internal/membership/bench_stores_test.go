package membership_test

// Benchmarks of engine operations with Macie's rules, on every store
// (issue 4, point 7; the figures are in docs/stores.md). This file only
// needs the memory store, so that it also runs on versions of localsec
// from before the SQL stores, for comparison; bench_sqlstores_test.go adds
// the SQLite and PostgreSQL stores.
//
//	go test -run '^$' -bench 'BenchmarkStore' -benchmem ./internal/membership/

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/localsec/localsec/internal/membership"
	"github.com/localsec/localsec/internal/service/macie2"
	"github.com/localsec/localsec/internal/store"
	"github.com/localsec/localsec/internal/store/memstore"
)

// benchStore is a store to benchmark: open returns a new, empty one.
type benchStore struct {
	name string
	open func(b *testing.B) store.Store
}

// benchStores are the stores each benchmark runs on, in this order.
var benchStores = []benchStore{
	{"memory", func(*testing.B) store.Store { return memstore.New() }},
}

const (
	benchRegion = "us-east-1"
	// benchQuota is Macie's member quota: an administrator keeps at
	// most this many members, so the write benchmarks move to a new
	// administrator after as many.
	benchQuota = 1000
)

// benchIDs hands out invitation ids the benchmark can predict: the n-th
// is n in 32 hex digits.
type benchIDs struct{ n atomic.Uint64 }

func (g *benchIDs) NewID() string { return fmt.Sprintf("%032x", g.n.Add(1)) }
func (g *benchIDs) last() string  { return fmt.Sprintf("%032x", g.n.Load()) }

// benchEnv is Macie's engine on one store.
type benchEnv struct {
	st  store.Store
	svc *membership.Service
	ids *benchIDs
}

// benchOnStores runs fn as a sub-benchmark on each store, with a new,
// empty store for each run.
func benchOnStores(b *testing.B, fn func(b *testing.B, e *benchEnv)) {
	for _, k := range benchStores {
		b.Run(k.name, func(b *testing.B) {
			st := k.open(b)
			b.Cleanup(func() { st.Close() })
			ids := &benchIDs{}
			e := &benchEnv{st: st, ids: ids, svc: membership.New(st, membership.WithIDs(ids)).Service("macie2", macie2.Rules())}
			b.ReportAllocs()
			fn(b, e)
		})
	}
}

func benchAt(account string) membership.Caller {
	return membership.Caller{Account: account, Region: benchRegion}
}

// benchAdmin and benchMember are the account ids of the n-th
// administrator and member.
func benchAdmin(n int) string  { return fmt.Sprintf("9%011d", n) }
func benchMember(n int) string { return fmt.Sprintf("1%011d", n) }

// benchSeed writes, in one transaction, what the engine would have
// written for: administrators 0..(n-1)/benchQuota and members 0..n-1
// enabled, member i created (in status) in the inventory of administrator
// i/benchQuota. It is the setup of the benchmarks, not measured.
func benchSeed(b *testing.B, e *benchEnv, n int, status store.RelationshipStatus) {
	b.Helper()
	now := time.Now().UTC().Truncate(time.Millisecond)
	scope := store.Scope{Service: "macie2", Region: benchRegion}
	enablement := func(acct string) store.Enablement {
		return store.Enablement{AccountKey: store.AccountKey{Scope: scope, Account: acct}, Status: store.EnablementEnabled, Created: now, Updated: now}
	}
	const batch = 5000
	for from := 0; from < n; from += batch {
		err := e.st.Update(context.Background(), func(tx store.Tx) error {
			for i := from; i < min(from+batch, n); i++ {
				if i%benchQuota == 0 {
					if err := tx.PutEnablement(context.Background(), enablement(benchAdmin(i/benchQuota))); err != nil {
						return err
					}
				}
				if err := tx.PutEnablement(context.Background(), enablement(benchMember(i))); err != nil {
					return err
				}
				m := store.Member{
					MemberKey:   store.MemberKey{Scope: scope, Admin: benchAdmin(i / benchQuota), Member: benchMember(i)},
					Email:       "member@example.com",
					Status:      status,
					Association: store.AssociationInvitation,
					Created:     now,
					Updated:     now,
				}
				if err := tx.PutMember(context.Background(), m); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatalf("seeding: %v", err)
		}
	}
}

func benchOK(b *testing.B, op string, unprocessed []membership.Unprocessed, err error) {
	if err != nil || len(unprocessed) > 0 {
		b.Fatalf("%s: %v, unprocessed %v", op, err, unprocessed)
	}
}

// benchWritesPerSecond reports the acknowledged writes per second.
func benchWritesPerSecond(b *testing.B, writes int) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(writes)/s, "writes/s")
	}
}

// BenchmarkStoreCreateMember: one write, CreateMembers of one new account,
// one after the other.
func BenchmarkStoreCreateMember(b *testing.B) {
	benchOnStores(b, func(b *testing.B, e *benchEnv) {
		ctx := context.Background()
		var admin membership.Caller
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if i%benchQuota == 0 {
				b.StopTimer()
				admin = benchAt(benchAdmin(i / benchQuota))
				if _, err := e.svc.Enable(ctx, admin, membership.EnableInput{}); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			unp, err := e.svc.CreateMembers(ctx, admin, []membership.NewMember{{Account: benchMember(i), Email: "member@example.com"}})
			benchOK(b, "CreateMembers", unp, err)
		}
		b.StopTimer()
		benchWritesPerSecond(b, b.N)
	})
}

// BenchmarkStoreCreateMemberParallel: the same write from 4 goroutines per
// CPU at once, each its own administrator.
func BenchmarkStoreCreateMemberParallel(b *testing.B) {
	benchOnStores(b, func(b *testing.B, e *benchEnv) {
		ctx := context.Background()
		var admins, members atomic.Int64
		b.SetParallelism(4)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			n := 0
			var admin membership.Caller
			for pb.Next() {
				if n%benchQuota == 0 {
					admin = benchAt(benchAdmin(int(admins.Add(1))))
					if _, err := e.svc.Enable(ctx, admin, membership.EnableInput{}); err != nil {
						b.Error(err)
						return
					}
				}
				n++
				unp, err := e.svc.CreateMembers(ctx, admin, []membership.NewMember{{Account: benchMember(int(members.Add(1))), Email: "member@example.com"}})
				if err != nil || len(unp) > 0 {
					b.Errorf("CreateMembers: %v, unprocessed %v", err, unp)
					return
				}
			}
		})
		b.StopTimer()
		benchWritesPerSecond(b, b.N)
	})
}

// BenchmarkStoreInviteAccept: two writes, the administrator invites a
// created member and the member accepts.
func BenchmarkStoreInviteAccept(b *testing.B) {
	benchOnStores(b, func(b *testing.B, e *benchEnv) {
		ctx := context.Background()
		benchSeed(b, e, b.N, store.StatusCreated)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			admin := benchAdmin(i / benchQuota)
			unp, err := e.svc.InviteMembers(ctx, benchAt(admin), []string{benchMember(i)}, membership.InviteOptions{})
			benchOK(b, "InviteMembers", unp, err)
			if err := e.svc.AcceptInvitation(ctx, benchAt(benchMember(i)), admin, e.ids.last()); err != nil {
				b.Fatalf("AcceptInvitation: %v", err)
			}
		}
		b.StopTimer()
		benchWritesPerSecond(b, 2*b.N)
	})
}

// BenchmarkStoreListMembers: a read, one page of 25 of an administrator's
// 1,000 members, paging through them again and again.
func BenchmarkStoreListMembers(b *testing.B) {
	benchOnStores(b, func(b *testing.B, e *benchEnv) {
		ctx := context.Background()
		benchSeed(b, e, benchQuota, store.StatusEnabled)
		admin := benchAt(benchAdmin(0))
		token := ""
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			page, next, err := e.svc.ListMembers(ctx, admin, false, membership.Page{Token: token, Limit: 25})
			if err != nil || len(page) != 25 {
				b.Fatalf("ListMembers: %d members, %v", len(page), err)
			}
			token = next
		}
	})
}

// BenchmarkStoreGetMember: a read, one member of an administrator's 1,000.
func BenchmarkStoreGetMember(b *testing.B) {
	benchOnStores(b, func(b *testing.B, e *benchEnv) {
		ctx := context.Background()
		benchSeed(b, e, benchQuota, store.StatusEnabled)
		admin := benchAt(benchAdmin(0))
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := e.svc.GetMember(ctx, admin, benchMember(i%benchQuota)); err != nil {
				b.Fatalf("GetMember: %v", err)
			}
		}
	})
}
