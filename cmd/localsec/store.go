package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/localsec/localsec/internal/store"
	"github.com/localsec/localsec/internal/store/memstore"
	"github.com/localsec/localsec/internal/store/pgstore"
	"github.com/localsec/localsec/internal/store/sqlitestore"
)

// openStore opens the store a resolved --store value names, and says what
// it is for the logs ("memory", "sqlite", "postgres").
func openStore(ctx context.Context, spec string) (store.Store, string, error) {
	switch {
	case spec == "memory" || spec == "":
		return memstore.New(), "memory", nil
	case strings.HasPrefix(spec, "sqlite:"):
		path := strings.TrimPrefix(spec, "sqlite:")
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, "", fmt.Errorf("data directory: %w", err)
		}
		st, err := sqlitestore.Open(ctx, path)
		return st, "sqlite", err
	default:
		st, err := pgstore.Open(ctx, spec)
		return st, "postgres", err
	}
}
