// Package memstore is the in-memory store, localsec's default.
//
// One writer at a time, many readers: Update holds the write lock for the
// whole transaction and keeps an undo log, so a transaction sees its own
// writes and a failed one is rolled back before any reader can see it.
package memstore

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/localsec/localsec/internal/store"
)

// Store keeps every record in maps guarded by one lock.
type Store struct {
	mu   sync.RWMutex
	data data
}

var _ store.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	s := &Store{}
	s.data.init()
	return s
}

type serviceAccount struct{ service, account string }

// recordKey names one record of an engine's own.
type recordKey struct{ kind, key string }

type adminStatus struct {
	admin  store.AccountKey
	status store.RelationshipStatus
}

type data struct {
	enablements map[store.AccountKey]store.Enablement
	members     map[store.MemberKey]store.Member
	// byAdmin holds each administrator's member account ids, sorted, so
	// that pages cost O(log n + page) whatever the inventory size.
	byAdmin map[store.AccountKey][]string
	// byStatus holds each administrator's member account ids per status,
	// sorted, so that a page of some statuses (the associated members)
	// costs O(log n + page) too, however many records have other ones.
	byStatus map[adminStatus][]string
	// byMember finds the records in which an account is the member.
	byMember   map[serviceAccount][]store.MemberKey
	orgAdmins  map[store.AccountKey]store.OrgAdmin
	orgConfigs map[store.AccountKey]store.OrgConfig
	// emails is the outbox, in the order the emails were put.
	emails []store.Email
	// records holds the engines' own records, and recordKeys each kind's
	// keys, sorted, so that a page costs O(log n + page), as byAdmin does
	// for members.
	records    map[recordKey][]byte
	recordKeys map[string][]string
}

func (d *data) init() {
	d.enablements = map[store.AccountKey]store.Enablement{}
	d.members = map[store.MemberKey]store.Member{}
	d.byAdmin = map[store.AccountKey][]string{}
	d.byStatus = map[adminStatus][]string{}
	d.byMember = map[serviceAccount][]store.MemberKey{}
	d.orgAdmins = map[store.AccountKey]store.OrgAdmin{}
	d.orgConfigs = map[store.AccountKey]store.OrgConfig{}
	d.emails = nil
	d.records = map[recordKey][]byte{}
	d.recordKeys = map[string][]string{}
}

// Update runs fn under the write lock and undoes its writes unless fn
// returns nil: an error, a panic, or a runtime.Goexit inside fn all roll
// back.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tx := &tx{d: &s.data, writable: true}
	committed := false
	defer func() {
		// Anything but a nil return from fn leaves no write behind; a
		// panic then continues to the recover layer.
		if !committed {
			tx.rollback()
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	committed = true
	return nil
}

// View runs fn under the read lock.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return fn(&tx{d: &s.data})
}

// Reset drops every record.
func (s *Store) Reset(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.data.init()
	return nil
}

// Close does nothing: there is nothing to release.
func (s *Store) Close() error { return nil }

type tx struct {
	d        *data
	writable bool
	undo     []func()
}

func (t *tx) rollback() {
	for i := len(t.undo) - 1; i >= 0; i-- {
		t.undo[i]()
	}
	t.undo = nil
}

func (t *tx) check(ctx context.Context) error {
	if !t.writable {
		return store.ErrReadOnly
	}
	return nil
}

func cloneEnablement(e store.Enablement) store.Enablement {
	e.Settings = store.CloneBytes(e.Settings)
	e.Tags = store.CloneTags(e.Tags)
	return e
}

func cloneMember(m store.Member) store.Member {
	m.Tags = store.CloneTags(m.Tags)
	return m
}

func cloneOrgConfig(c store.OrgConfig) store.OrgConfig {
	c.Settings = store.CloneBytes(c.Settings)
	return c
}

// putRecord and deleteRecord write one map entry and log how to undo it.
func putRecord[K comparable, V any](t *tx, m map[K]V, k K, v V) {
	old, had := m[k]
	m[k] = v
	t.undo = append(t.undo, func() {
		if had {
			m[k] = old
		} else {
			delete(m, k)
		}
	})
}

func deleteRecord[K comparable, V any](t *tx, m map[K]V, k K) bool {
	old, had := m[k]
	if !had {
		return false
	}
	delete(m, k)
	t.undo = append(t.undo, func() { m[k] = old })
	return true
}

func (t *tx) GetEnablement(ctx context.Context, k store.AccountKey) (store.Enablement, error) {
	e, ok := t.d.enablements[k]
	if !ok {
		return store.Enablement{}, store.ErrNotFound
	}
	return cloneEnablement(e), nil
}

func (t *tx) PutEnablement(ctx context.Context, e store.Enablement) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	putRecord(t, t.d.enablements, e.AccountKey, cloneEnablement(e))
	return nil
}

func (t *tx) DeleteEnablement(ctx context.Context, k store.AccountKey) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	if !deleteRecord(t, t.d.enablements, k) {
		return store.ErrNotFound
	}
	return nil
}

func (t *tx) GetMember(ctx context.Context, k store.MemberKey) (store.Member, error) {
	m, ok := t.d.members[k]
	if !ok {
		return store.Member{}, store.ErrNotFound
	}
	return cloneMember(m), nil
}

func (t *tx) PutMember(ctx context.Context, m store.Member) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	k := m.MemberKey
	old, exists := t.d.members[k]
	switch {
	case !exists:
		t.indexMember(k, m.Status)
	case old.Status != m.Status:
		t.moveStatus(k, old.Status, m.Status)
	}
	putRecord(t, t.d.members, k, cloneMember(m))
	return nil
}

func (t *tx) DeleteMember(ctx context.Context, k store.MemberKey) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	old, exists := t.d.members[k]
	if !exists {
		return store.ErrNotFound
	}
	deleteRecord(t, t.d.members, k)
	t.removeFromIndexes(k, old.Status)
	t.undo = append(t.undo, func() { t.addToIndexes(k, old.Status) })
	return nil
}

// indexMember adds a new key to the indexes, logging the reverse.
func (t *tx) indexMember(k store.MemberKey, st store.RelationshipStatus) {
	t.addToIndexes(k, st)
	t.undo = append(t.undo, func() { t.removeFromIndexes(k, st) })
}

// moveStatus moves a key from one status list to another, logging the
// reverse.
func (t *tx) moveStatus(k store.MemberKey, from, to store.RelationshipStatus) {
	ak := k.AdminKey()
	removeSorted(t.d.byStatus, adminStatus{ak, from}, k.Member)
	insertSorted(t.d.byStatus, adminStatus{ak, to}, k.Member)
	t.undo = append(t.undo, func() {
		removeSorted(t.d.byStatus, adminStatus{ak, to}, k.Member)
		insertSorted(t.d.byStatus, adminStatus{ak, from}, k.Member)
	})
}

func (t *tx) addToIndexes(k store.MemberKey, st store.RelationshipStatus) {
	ak := k.AdminKey()
	insertSorted(t.d.byAdmin, ak, k.Member)
	insertSorted(t.d.byStatus, adminStatus{ak, st}, k.Member)
	sa := serviceAccount{k.Service, k.Member}
	t.d.byMember[sa] = append(t.d.byMember[sa], k)
}

func (t *tx) removeFromIndexes(k store.MemberKey, st store.RelationshipStatus) {
	ak := k.AdminKey()
	removeSorted(t.d.byAdmin, ak, k.Member)
	removeSorted(t.d.byStatus, adminStatus{ak, st}, k.Member)
	sa := serviceAccount{k.Service, k.Member}
	keys := slices.DeleteFunc(t.d.byMember[sa], func(x store.MemberKey) bool { return x == k })
	if len(keys) == 0 {
		delete(t.d.byMember, sa)
	} else {
		t.d.byMember[sa] = keys
	}
}

// insertSorted and removeSorted keep m[key] a sorted list of ids; an
// emptied list leaves the map.
func insertSorted[K comparable](m map[K][]string, key K, id string) {
	ids := m[key]
	i, found := slices.BinarySearch(ids, id)
	if !found {
		m[key] = slices.Insert(ids, i, id)
	}
}

func removeSorted[K comparable](m map[K][]string, key K, id string) {
	ids := m[key]
	i, found := slices.BinarySearch(ids, id)
	if !found {
		return
	}
	if ids = slices.Delete(ids, i, i+1); len(ids) == 0 {
		delete(m, key)
	} else {
		m[key] = ids
	}
}

// after returns the position of the first id greater than key in ids.
func after(ids []string, key string) int {
	if key == "" {
		return 0
	}
	i, found := slices.BinarySearch(ids, key)
	if found {
		i++
	}
	return i
}

func (t *tx) ListMembers(ctx context.Context, q store.MemberQuery) ([]store.Member, error) {
	if q.Statuses == nil {
		ids := t.d.byAdmin[q.Admin]
		ids = ids[after(ids, q.After):]
		if q.Limit > 0 && len(ids) > q.Limit {
			ids = ids[:q.Limit]
		}
		out := make([]store.Member, 0, len(ids))
		for _, id := range ids {
			out = append(out, cloneMember(t.d.members[store.MemberKey{Scope: q.Admin.Scope, Admin: q.Admin.Account, Member: id}]))
		}
		return out, nil
	}
	// Merge the sorted lists of the asked statuses from After on.
	lists := make([][]string, 0, len(q.Statuses))
	for _, st := range slices.Compact(slices.Sorted(slices.Values(q.Statuses))) {
		if ids := t.d.byStatus[adminStatus{q.Admin, st}]; len(ids) > 0 {
			lists = append(lists, ids[after(ids, q.After):])
		}
	}
	var out []store.Member
	for q.Limit == 0 || len(out) < q.Limit {
		next := -1
		for i, ids := range lists {
			if len(ids) > 0 && (next < 0 || ids[0] < lists[next][0]) {
				next = i
			}
		}
		if next < 0 {
			break
		}
		id := lists[next][0]
		lists[next] = lists[next][1:]
		out = append(out, cloneMember(t.d.members[store.MemberKey{Scope: q.Admin.Scope, Admin: q.Admin.Account, Member: id}]))
	}
	return out, nil
}

func (t *tx) CountMembers(ctx context.Context, admin store.AccountKey) (int, error) {
	return len(t.d.byAdmin[admin]), nil
}

func (t *tx) ListMemberships(ctx context.Context, q store.MembershipQuery) ([]store.Member, error) {
	var out []store.Member
	for _, k := range t.d.byMember[serviceAccount{q.Service, q.Account}] {
		if q.Region != "" && k.Region != q.Region {
			continue
		}
		out = append(out, cloneMember(t.d.members[k]))
	}
	sort.Slice(out, func(i, j int) bool {
		return cmp.Or(cmp.Compare(out[i].Region, out[j].Region), cmp.Compare(out[i].Admin, out[j].Admin)) < 0
	})
	return out, nil
}

func (t *tx) GetOrgAdmin(ctx context.Context, k store.AccountKey) (store.OrgAdmin, error) {
	a, ok := t.d.orgAdmins[k]
	if !ok {
		return store.OrgAdmin{}, store.ErrNotFound
	}
	return a, nil
}

func (t *tx) PutOrgAdmin(ctx context.Context, a store.OrgAdmin) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	putRecord(t, t.d.orgAdmins, a.AccountKey, a)
	return nil
}

func (t *tx) DeleteOrgAdmin(ctx context.Context, k store.AccountKey) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	if !deleteRecord(t, t.d.orgAdmins, k) {
		return store.ErrNotFound
	}
	return nil
}

func (t *tx) ListOrgAdmins(ctx context.Context, s store.Scope) ([]store.OrgAdmin, error) {
	var out []store.OrgAdmin
	for k, a := range t.d.orgAdmins {
		if k.Scope == s {
			out = append(out, a)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Account < out[j].Account })
	return out, nil
}

func (t *tx) GetOrgConfig(ctx context.Context, k store.AccountKey) (store.OrgConfig, error) {
	c, ok := t.d.orgConfigs[k]
	if !ok {
		return store.OrgConfig{}, store.ErrNotFound
	}
	return cloneOrgConfig(c), nil
}

func (t *tx) PutOrgConfig(ctx context.Context, c store.OrgConfig) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	putRecord(t, t.d.orgConfigs, c.AccountKey, cloneOrgConfig(c))
	return nil
}

func (t *tx) DeleteOrgConfig(ctx context.Context, k store.AccountKey) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	if !deleteRecord(t, t.d.orgConfigs, k) {
		return store.ErrNotFound
	}
	return nil
}

func (t *tx) PutEmail(ctx context.Context, e store.Email) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	n := len(t.d.emails)
	t.d.emails = append(t.d.emails, e)
	t.undo = append(t.undo, func() { t.d.emails = t.d.emails[:n] })
	return nil
}

func (t *tx) ListEmails(ctx context.Context, q store.EmailQuery) ([]store.Email, error) {
	var out []store.Email
	for _, e := range sortedEmails(t.d.emails) {
		if q.Account != "" && e.From != q.Account && e.To != q.Account {
			continue
		}
		out = append(out, e)
		if q.Limit > 0 && len(out) == q.Limit {
			break
		}
	}
	return out, nil
}

// sortedEmails orders emails oldest first, then by id, as the SQL stores do.
func sortedEmails(es []store.Email) []store.Email {
	out := slices.Clone(es)
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Sent.Equal(out[j].Sent) {
			return out[i].Sent.Before(out[j].Sent)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

func (t *tx) All(ctx context.Context) (store.Snapshot, error) {
	var snap store.Snapshot
	for _, e := range t.d.enablements {
		snap.Enablements = append(snap.Enablements, cloneEnablement(e))
	}
	sort.Slice(snap.Enablements, func(i, j int) bool {
		return accountKeyLess(snap.Enablements[i].AccountKey, snap.Enablements[j].AccountKey)
	})
	for _, m := range t.d.members {
		snap.Members = append(snap.Members, cloneMember(m))
	}
	sort.Slice(snap.Members, func(i, j int) bool {
		a, b := snap.Members[i].MemberKey, snap.Members[j].MemberKey
		return cmp.Or(cmp.Compare(a.Service, b.Service), cmp.Compare(a.Region, b.Region),
			cmp.Compare(a.Admin, b.Admin), cmp.Compare(a.Member, b.Member)) < 0
	})
	for _, a := range t.d.orgAdmins {
		snap.OrgAdmins = append(snap.OrgAdmins, a)
	}
	sort.Slice(snap.OrgAdmins, func(i, j int) bool {
		return accountKeyLess(snap.OrgAdmins[i].AccountKey, snap.OrgAdmins[j].AccountKey)
	})
	for _, c := range t.d.orgConfigs {
		snap.OrgConfigs = append(snap.OrgConfigs, cloneOrgConfig(c))
	}
	sort.Slice(snap.OrgConfigs, func(i, j int) bool {
		return accountKeyLess(snap.OrgConfigs[i].AccountKey, snap.OrgConfigs[j].AccountKey)
	})
	snap.Emails = sortedEmails(t.d.emails)
	for _, kind := range slices.Sorted(maps.Keys(t.d.recordKeys)) {
		for _, key := range t.d.recordKeys[kind] {
			snap.Records = append(snap.Records, t.record(kind, key))
		}
	}
	return snap, nil
}

func accountKeyLess(a, b store.AccountKey) bool {
	return cmp.Or(cmp.Compare(a.Service, b.Service), cmp.Compare(a.Region, b.Region), cmp.Compare(a.Account, b.Account)) < 0
}

// cloneValue copies a record's value; nil becomes an empty value.
func cloneValue(v []byte) []byte {
	return append([]byte{}, v...)
}

// record returns a copy of a record known to exist.
func (t *tx) record(kind, key string) store.Record {
	return store.Record{Kind: kind, Key: key, Value: cloneValue(t.d.records[recordKey{kind, key}])}
}

func (t *tx) GetRecord(ctx context.Context, kind, key string) (store.Record, error) {
	if _, ok := t.d.records[recordKey{kind, key}]; !ok {
		return store.Record{}, store.ErrNotFound
	}
	return t.record(kind, key), nil
}

func (t *tx) PutRecord(ctx context.Context, r store.Record) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	if err := store.CheckRecordKey(r.Kind, r.Key); err != nil {
		return err
	}
	k := recordKey{r.Kind, r.Key}
	if _, exists := t.d.records[k]; !exists {
		insertSorted(t.d.recordKeys, k.kind, k.key)
		t.undo = append(t.undo, func() { removeSorted(t.d.recordKeys, k.kind, k.key) })
	}
	putRecord(t, t.d.records, k, cloneValue(r.Value))
	return nil
}

func (t *tx) DeleteRecord(ctx context.Context, kind, key string) error {
	if err := t.check(ctx); err != nil {
		return err
	}
	k := recordKey{kind, key}
	if !deleteRecord(t, t.d.records, k) {
		return store.ErrNotFound
	}
	removeSorted(t.d.recordKeys, kind, key)
	t.undo = append(t.undo, func() { insertSorted(t.d.recordKeys, kind, key) })
	return nil
}

// ListRecords finds the first key of the page by binary search, then
// walks the sorted keys while they keep the prefix: the keys starting
// with a prefix are contiguous from the first one not less than it.
func (t *tx) ListRecords(ctx context.Context, q store.RecordQuery) ([]store.Record, error) {
	keys := t.d.recordKeys[q.Kind]
	start, _ := slices.BinarySearch(keys, q.Prefix)
	start = max(start, after(keys, q.After))
	var out []store.Record
	for _, key := range keys[start:] {
		if !strings.HasPrefix(key, q.Prefix) || (q.Limit > 0 && len(out) == q.Limit) {
			break
		}
		out = append(out, t.record(q.Kind, key))
	}
	return out, nil
}
