package organizations_test

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	org "github.com/localsec/localsec/internal/organizations"
)

func TestErrorOf(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want *org.Error
		text string
	}{
		{nil, nil, ""},
		{errors.New("plain"), nil, ""},
		{&org.Error{Code: org.CodeNotInUse}, &org.Error{Code: org.CodeNotInUse}, "AWSOrganizationsNotInUseException"},
		{fmt.Errorf("wrapped: %w", &org.Error{Code: org.CodeConstraintViolation, Reason: org.ReasonOUDepthLimit}),
			&org.Error{Code: org.CodeConstraintViolation, Reason: org.ReasonOUDepthLimit},
			"ConstraintViolationException (OU_DEPTH_LIMIT_EXCEEDED)"},
		{&org.Error{Code: org.CodeAccountNotFound, Detail: "the account 222222222222"},
			&org.Error{Code: org.CodeAccountNotFound, Detail: "the account 222222222222"},
			"AccountNotFoundException: the account 222222222222"},
	} {
		got := org.ErrorOf(tc.err)
		if (got == nil) != (tc.want == nil) || got != nil && *got != *tc.want {
			t.Errorf("ErrorOf(%v) = %+v, want %+v", tc.err, got, tc.want)
		}
		if got != nil && got.Error() != tc.text {
			t.Errorf("Error() = %q, want %q", got.Error(), tc.text)
		}
	}
	// The engine's AccountNotFound names the account.
	w := newWorld(t)
	_, err := w.eng.DescribeAccount(w.ctx, mgmt, stranger)
	if e := org.ErrorOf(err); e == nil || e.Detail != stranger {
		t.Fatalf("%+v", e)
	}
}

// TestConcurrentCalls: concurrent calls keep the state consistent (run
// with -race).
func TestConcurrentCalls(t *testing.T) {
	w := newWorld(t)
	const n = 16
	var wg sync.WaitGroup
	ids := make([]string, n)
	errs := make([]error, 3*n)
	for i := range n {
		wg.Add(3)
		go func() {
			defer wg.Done()
			st, err := w.eng.CreateAccount(w.ctx, mgmt, org.NewAccount{Name: fmt.Sprint("c", i), Email: fmt.Sprintf("c%d@example.com", i)})
			if err != nil {
				errs[i] = err
				return
			}
			for range 2 {
				s, err := w.eng.DescribeCreateAccountStatus(w.ctx, da, st.ID)
				if err != nil {
					errs[i] = err
					return
				}
				ids[i] = s.AccountID
			}
		}()
		go func() {
			defer wg.Done()
			acct := fmt.Sprintf("9300000000%02d", i)
			h, err := w.eng.InviteAccountToOrganization(w.ctx, mgmt, org.Party{ID: acct, Type: org.PartyAccount}, "", nil)
			if err == nil {
				_, err = w.eng.AcceptHandshake(w.ctx, acct, h.ID)
			}
			errs[n+i] = err
		}()
		go func() {
			defer wg.Done()
			_, _, err := w.eng.ListAccounts(w.ctx, da, org.Page{Limit: 3})
			if err == nil {
				_, err = w.eng.DescribeOrganization(w.ctx, mem)
			}
			errs[2*n+i] = err
		}()
	}
	wg.Wait()
	for _, err := range errs {
		ok(t, err)
	}
	got := w.accountIDs(mgmt)
	if len(got) != 4+2*n {
		t.Fatalf("%d accounts", len(got))
	}
	for _, id := range ids {
		if !slices.Contains(got, id) {
			t.Fatalf("created %s missing", id)
		}
	}
	if len(slices.Compact(sorted(ids))) != n {
		t.Fatalf("duplicate account ids %v", ids)
	}
}
