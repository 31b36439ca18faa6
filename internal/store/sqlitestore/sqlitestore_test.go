package sqlitestore_test

import (
	"path/filepath"
	"testing"

	"github.com/localsec/localsec/internal/store"
	"github.com/localsec/localsec/internal/store/sqlitestore"
	"github.com/localsec/localsec/internal/store/storetest"
)

func open(t *testing.T) store.Store {
	t.Helper()
	st, err := sqlitestore.Open(t.Context(), filepath.Join(t.TempDir(), "localsec.db"))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestConformance(t *testing.T) { storetest.Run(t, open) }
