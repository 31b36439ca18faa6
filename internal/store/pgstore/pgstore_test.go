package pgstore_test

import (
	"testing"

	"github.com/localsec/localsec/internal/store"
	"github.com/localsec/localsec/internal/store/pgstore/pgtest"
	"github.com/localsec/localsec/internal/store/storetest"
)

func open(t *testing.T) store.Store { return pgtest.Open(t) }

func TestConformance(t *testing.T) { storetest.Run(t, open) }
