// Package fidelity records, for each message a service adapter sends,
// whether it rests on evidence from AWS or on inference, and renders the
// adapters' tables for docs/fidelity.md.
package fidelity

import (
	"fmt"
	"sort"
	"strings"

	"github.com/localsec/localsec/internal/protocol/model"
)

// Evidence says where a message comes from.
type Evidence string

const (
	// Confirmed: the text (or the fragment clients match) was seen from
	// AWS; the service's specification names the source.
	Confirmed Evidence = "confirmed"
	// Inferred: our best guess. Correct it in the adapter's table when
	// evidence turns up.
	Inferred Evidence = "inferred"
)

// Reply is what a service answers for one engine refusal.
type Reply struct {
	Exception string
	Message   string
	Evidence  Evidence
}

// Table renders replies as a Markdown table, one row per engine code in
// code order, with the HTTP status status gives each exception.
func Table[K ~string](replies map[K]Reply, status func(exception string) int, messageHeader string) string {
	codes := make([]string, 0, len(replies))
	for c := range replies {
		codes = append(codes, string(c))
	}
	sort.Strings(codes)
	var b strings.Builder
	fmt.Fprintf(&b, "| Engine refusal | Exception (HTTP) | %s | Evidence |\n| --- | --- | --- | --- |\n", messageHeader)
	for _, c := range codes {
		r := replies[K(c)]
		fmt.Fprintf(&b, "| %s | %s (%d) | %s | %s |\n", c, r.Exception, status(r.Exception), r.Message, r.Evidence)
	}
	return b.String()
}

// Deviation is a point where a service's real answers are known to differ
// from its official model, kept on purpose and named, with its evidence.
// docs/fidelity.md lists every one.
type Deviation struct {
	// Name names the override in code and documents.
	Name string
	// What says what the service answers, against what its model says.
	What string
	// Evidence says where the behaviour was seen.
	Evidence string
	// Allow are the output constraints of the model that answers break
	// because of it; the model-driven output checks accept them.
	Allow []model.Allowance
}

// DeviationsMarkdown renders deviations as a Markdown table.
func DeviationsMarkdown(ds []Deviation) string {
	var b strings.Builder
	b.WriteString("| Override | What localsec answers, against the model | Evidence |\n| --- | --- | --- |\n")
	for _, d := range ds {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", d.Name, d.What, d.Evidence)
	}
	return b.String()
}

// Allowances gathers the output allowances of deviations.
func Allowances(ds []Deviation) []model.Allowance {
	var out []model.Allowance
	for _, d := range ds {
		out = append(out, d.Allow...)
	}
	return out
}
