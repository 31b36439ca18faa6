package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/localsec/localsec/internal/store"
)

// sqlTx is one transaction. Times are kept as Unix microseconds, NULL for
// the zero time; tags as a JSON object ("" for none); settings as bytes.
type sqlTx struct {
	ctx      context.Context
	tx       *sql.Tx
	d        Dialect
	writable bool
}

func (t *sqlTx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if !t.writable {
		return nil, store.ErrReadOnly
	}
	return t.tx.ExecContext(ctx, t.d.Rebind(query), args...)
}

func (t *sqlTx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, t.d.Rebind(query), args...)
}

// deleted turns "no row affected" into store.ErrNotFound.
func deleted(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

func timeValue(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMicro(), Valid: true}
}

func timeOf(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMicro(v.Int64).UTC()
}

func tagsValue(m map[string]string) (string, error) {
	if len(m) == 0 {
		return "", nil
	}
	b, err := json.Marshal(m)
	return string(b), err
}

func tagsOf(s string) (map[string]string, error) {
	if s == "" {
		return nil, nil
	}
	var m map[string]string
	err := json.Unmarshal([]byte(s), &m)
	return m, err
}

// bytesValue keeps nil apart from no bytes: a NULL column is nil.
func bytesValue(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

const enablementColumns = `service, region, account, resource_id, status, client_token, settings, tags, created, updated`

func scanEnablement(sc scanner) (store.Enablement, error) {
	var e store.Enablement
	var status, tags string
	var created, updated sql.NullInt64
	if err := sc.Scan(&e.Service, &e.Region, &e.Account, &e.ResourceID, &status, &e.ClientToken, &e.Settings, &tags, &created, &updated); err != nil {
		return e, err
	}
	e.Status = store.EnablementStatus(status)
	e.Created, e.Updated = timeOf(created), timeOf(updated)
	var err error
	e.Tags, err = tagsOf(tags)
	return e, err
}

func (t *sqlTx) GetEnablement(ctx context.Context, k store.AccountKey) (store.Enablement, error) {
	row := t.tx.QueryRowContext(ctx, t.d.Rebind(`SELECT `+enablementColumns+` FROM enablements WHERE service = ? AND region = ? AND account = ?`),
		k.Service, k.Region, k.Account)
	e, err := scanEnablement(row)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Enablement{}, store.ErrNotFound
	}
	return e, err
}

func (t *sqlTx) PutEnablement(ctx context.Context, e store.Enablement) error {
	tags, err := tagsValue(e.Tags)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `INSERT INTO enablements (`+enablementColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (service, region, account) DO UPDATE SET resource_id = excluded.resource_id, status = excluded.status,
		client_token = excluded.client_token, settings = excluded.settings, tags = excluded.tags,
		created = excluded.created, updated = excluded.updated`,
		e.Service, e.Region, e.Account, e.ResourceID, string(e.Status), e.ClientToken, bytesValue(e.Settings), tags,
		timeValue(e.Created), timeValue(e.Updated))
	return err
}

func (t *sqlTx) DeleteEnablement(ctx context.Context, k store.AccountKey) error {
	return deleted(t.exec(ctx, `DELETE FROM enablements WHERE service = ? AND region = ? AND account = ?`, k.Service, k.Region, k.Account))
}

const memberColumns = `service, region, admin, member, email, status, association, tags, created, updated, invited_at,
	invitation_id, invitation_message, disable_email, declined, hidden`

func scanMember(sc scanner) (store.Member, error) {
	var m store.Member
	var status, association, tags string
	var created, updated, invited sql.NullInt64
	if err := sc.Scan(&m.Service, &m.Region, &m.Admin, &m.Member, &m.Email, &status, &association, &tags,
		&created, &updated, &invited, &m.InvitationID, &m.InvitationMessage, &m.DisableEmailNotification, &m.Declined, &m.Hidden); err != nil {
		return m, err
	}
	m.Status = store.RelationshipStatus(status)
	m.Association = store.Association(association)
	m.Created, m.Updated, m.InvitedAt = timeOf(created), timeOf(updated), timeOf(invited)
	var err error
	m.Tags, err = tagsOf(tags)
	return m, err
}

func (t *sqlTx) GetMember(ctx context.Context, k store.MemberKey) (store.Member, error) {
	row := t.tx.QueryRowContext(ctx, t.d.Rebind(`SELECT `+memberColumns+` FROM members WHERE service = ? AND region = ? AND admin = ? AND member = ?`),
		k.Service, k.Region, k.Admin, k.Member)
	m, err := scanMember(row)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Member{}, store.ErrNotFound
	}
	return m, err
}

func (t *sqlTx) PutMember(ctx context.Context, m store.Member) error {
	tags, err := tagsValue(m.Tags)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `INSERT INTO members (`+memberColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (service, region, admin, member) DO UPDATE SET email = excluded.email, status = excluded.status,
		association = excluded.association, tags = excluded.tags, created = excluded.created, updated = excluded.updated,
		invited_at = excluded.invited_at, invitation_id = excluded.invitation_id, invitation_message = excluded.invitation_message,
		disable_email = excluded.disable_email, declined = excluded.declined, hidden = excluded.hidden`,
		m.Service, m.Region, m.Admin, m.Member, m.Email, string(m.Status), string(m.Association), tags,
		timeValue(m.Created), timeValue(m.Updated), timeValue(m.InvitedAt),
		m.InvitationID, m.InvitationMessage, m.DisableEmailNotification, m.Declined, m.Hidden)
	return err
}

func (t *sqlTx) DeleteMember(ctx context.Context, k store.MemberKey) error {
	return deleted(t.exec(ctx, `DELETE FROM members WHERE service = ? AND region = ? AND admin = ? AND member = ?`,
		k.Service, k.Region, k.Admin, k.Member))
}

func (t *sqlTx) members(ctx context.Context, query string, args ...any) ([]store.Member, error) {
	rows, err := t.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Member
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func (t *sqlTx) ListMembers(ctx context.Context, q store.MemberQuery) ([]store.Member, error) {
	if q.Statuses != nil && len(q.Statuses) == 0 {
		return nil, nil // an empty, non-nil filter keeps nothing
	}
	var b strings.Builder
	b.WriteString(`SELECT ` + memberColumns + ` FROM members WHERE service = ? AND region = ? AND admin = ? AND member > ?`)
	args := []any{q.Admin.Service, q.Admin.Region, q.Admin.Account, q.After}
	if q.Statuses != nil {
		b.WriteString(` AND status IN (?` + strings.Repeat(", ?", len(q.Statuses)-1) + `)`)
		for _, st := range q.Statuses {
			args = append(args, string(st))
		}
	}
	b.WriteString(` ORDER BY member`)
	if q.Limit > 0 {
		b.WriteString(` LIMIT ?`)
		args = append(args, q.Limit)
	}
	return t.members(ctx, b.String(), args...)
}

func (t *sqlTx) CountMembers(ctx context.Context, admin store.AccountKey) (int, error) {
	var n int
	err := t.tx.QueryRowContext(ctx, t.d.Rebind(`SELECT COUNT(*) FROM members WHERE service = ? AND region = ? AND admin = ?`),
		admin.Service, admin.Region, admin.Account).Scan(&n)
	return n, err
}

func (t *sqlTx) ListMemberships(ctx context.Context, q store.MembershipQuery) ([]store.Member, error) {
	if q.Region != "" {
		return t.members(ctx, `SELECT `+memberColumns+` FROM members WHERE service = ? AND member = ? AND region = ? ORDER BY region, admin`,
			q.Service, q.Account, q.Region)
	}
	return t.members(ctx, `SELECT `+memberColumns+` FROM members WHERE service = ? AND member = ? ORDER BY region, admin`,
		q.Service, q.Account)
}

func (t *sqlTx) GetOrgAdmin(ctx context.Context, k store.AccountKey) (store.OrgAdmin, error) {
	var a store.OrgAdmin
	var status string
	var created sql.NullInt64
	err := t.tx.QueryRowContext(ctx, t.d.Rebind(`SELECT service, region, account, status, created FROM org_admins WHERE service = ? AND region = ? AND account = ?`),
		k.Service, k.Region, k.Account).Scan(&a.Service, &a.Region, &a.Account, &status, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return a, store.ErrNotFound
	}
	a.Status, a.Created = store.OrgAdminStatus(status), timeOf(created)
	return a, err
}

func (t *sqlTx) PutOrgAdmin(ctx context.Context, a store.OrgAdmin) error {
	_, err := t.exec(ctx, `INSERT INTO org_admins (service, region, account, status, created) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (service, region, account) DO UPDATE SET status = excluded.status, created = excluded.created`,
		a.Service, a.Region, a.Account, string(a.Status), timeValue(a.Created))
	return err
}

func (t *sqlTx) DeleteOrgAdmin(ctx context.Context, k store.AccountKey) error {
	return deleted(t.exec(ctx, `DELETE FROM org_admins WHERE service = ? AND region = ? AND account = ?`, k.Service, k.Region, k.Account))
}

func (t *sqlTx) ListOrgAdmins(ctx context.Context, s store.Scope) ([]store.OrgAdmin, error) {
	rows, err := t.query(ctx, `SELECT service, region, account, status, created FROM org_admins WHERE service = ? AND region = ? ORDER BY account`,
		s.Service, s.Region)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.OrgAdmin
	for rows.Next() {
		var a store.OrgAdmin
		var status string
		var created sql.NullInt64
		if err := rows.Scan(&a.Service, &a.Region, &a.Account, &status, &created); err != nil {
			return nil, err
		}
		a.Status, a.Created = store.OrgAdminStatus(status), timeOf(created)
		out = append(out, a)
	}
	return out, rows.Err()
}

func (t *sqlTx) GetOrgConfig(ctx context.Context, k store.AccountKey) (store.OrgConfig, error) {
	var c store.OrgConfig
	var updated sql.NullInt64
	err := t.tx.QueryRowContext(ctx, t.d.Rebind(`SELECT service, region, account, auto_enable, settings, updated FROM org_configs WHERE service = ? AND region = ? AND account = ?`),
		k.Service, k.Region, k.Account).Scan(&c.Service, &c.Region, &c.Account, &c.AutoEnable, &c.Settings, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return store.OrgConfig{}, store.ErrNotFound
	}
	c.Updated = timeOf(updated)
	return c, err
}

func (t *sqlTx) PutOrgConfig(ctx context.Context, c store.OrgConfig) error {
	_, err := t.exec(ctx, `INSERT INTO org_configs (service, region, account, auto_enable, settings, updated) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (service, region, account) DO UPDATE SET auto_enable = excluded.auto_enable, settings = excluded.settings, updated = excluded.updated`,
		c.Service, c.Region, c.Account, c.AutoEnable, bytesValue(c.Settings), timeValue(c.Updated))
	return err
}

func (t *sqlTx) DeleteOrgConfig(ctx context.Context, k store.AccountKey) error {
	return deleted(t.exec(ctx, `DELETE FROM org_configs WHERE service = ? AND region = ? AND account = ?`, k.Service, k.Region, k.Account))
}

const emailColumns = `id, service, region, sender, recipient, address, message, invitation_id, sent`

func (t *sqlTx) PutEmail(ctx context.Context, e store.Email) error {
	_, err := t.exec(ctx, `INSERT INTO emails (`+emailColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.Service, e.Region, e.From, e.To, e.Address, e.Message, e.InvitationID, timeValue(e.Sent))
	return err
}

func (t *sqlTx) ListEmails(ctx context.Context, q store.EmailQuery) ([]store.Email, error) {
	query := `SELECT ` + emailColumns + ` FROM emails`
	var args []any
	if q.Account != "" {
		query += ` WHERE sender = ? OR recipient = ?`
		args = append(args, q.Account, q.Account)
	}
	query += ` ORDER BY sent, id`
	if q.Limit > 0 {
		query += ` LIMIT ?`
		args = append(args, q.Limit)
	}
	rows, err := t.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Email
	for rows.Next() {
		var e store.Email
		var sent sql.NullInt64
		if err := rows.Scan(&e.ID, &e.Service, &e.Region, &e.From, &e.To, &e.Address, &e.Message, &e.InvitationID, &sent); err != nil {
			return nil, err
		}
		e.Sent = timeOf(sent)
		out = append(out, e)
	}
	return out, rows.Err()
}

func (t *sqlTx) All(ctx context.Context) (store.Snapshot, error) {
	var snap store.Snapshot
	rows, err := t.query(ctx, `SELECT `+enablementColumns+` FROM enablements ORDER BY service, region, account`)
	if err != nil {
		return snap, err
	}
	for rows.Next() {
		e, err := scanEnablement(rows)
		if err != nil {
			rows.Close()
			return snap, err
		}
		snap.Enablements = append(snap.Enablements, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return snap, err
	}
	if snap.Members, err = t.members(ctx, `SELECT `+memberColumns+` FROM members ORDER BY service, region, admin, member`); err != nil {
		return snap, err
	}
	rows, err = t.query(ctx, `SELECT service, region, account, status, created FROM org_admins ORDER BY service, region, account`)
	if err != nil {
		return snap, err
	}
	for rows.Next() {
		var a store.OrgAdmin
		var status string
		var created sql.NullInt64
		if err := rows.Scan(&a.Service, &a.Region, &a.Account, &status, &created); err != nil {
			rows.Close()
			return snap, err
		}
		a.Status, a.Created = store.OrgAdminStatus(status), timeOf(created)
		snap.OrgAdmins = append(snap.OrgAdmins, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return snap, err
	}
	rows, err = t.query(ctx, `SELECT service, region, account, auto_enable, settings, updated FROM org_configs ORDER BY service, region, account`)
	if err != nil {
		return snap, err
	}
	for rows.Next() {
		var c store.OrgConfig
		var updated sql.NullInt64
		if err := rows.Scan(&c.Service, &c.Region, &c.Account, &c.AutoEnable, &c.Settings, &updated); err != nil {
			rows.Close()
			return snap, err
		}
		c.Updated = timeOf(updated)
		snap.OrgConfigs = append(snap.OrgConfigs, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return snap, err
	}
	if snap.Emails, err = t.ListEmails(ctx, store.EmailQuery{}); err != nil {
		return snap, err
	}
	snap.Records, err = t.records(ctx, `SELECT kind, key, value FROM records ORDER BY kind, key`)
	return snap, err
}
