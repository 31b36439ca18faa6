package server

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/localsec/localsec/internal/seed"
)

// The administrator-to-member graph is laid out here and drawn by the
// template as an inline SVG: administrators in a column on the left,
// members in a column on the right, one edge per member record from its
// administrator to its member. Every edge leaves its administrator and
// reaches its member at a point of its own, and runs straight through a
// band left of the members where its status label is written, so that no
// two labels and no edge and label overlap.

// Geometry of the graph, in SVG user units (pixels at 100%).
const (
	graphWidth     = 920
	graphNodeW     = 250
	graphMargin    = 10
	graphTop       = 34 // below the column titles
	graphGap       = 14 // between nodes of a column
	graphMinNodeH  = 58
	graphSlot      = 24 // per edge end on a node
	graphLabelBand = 210
	graphStub      = 16
	// graphMaxEdges bounds the drawing; the table lists every record.
	graphMaxEdges = 400
)

// consoleGraph is the laid-out graph.
type consoleGraph struct {
	Width, Height   int
	AdminX, MemberX int
	TitleY          int
	Nodes           []consoleNode
	Edges           []consoleEdge
	Hidden          int // member records not drawn (beyond graphMaxEdges)
}

// consoleNode is an account box in one column.
type consoleNode struct {
	Side             string // "admin" or "member"
	ID, Name, Note   string
	X, Y, W, H       int
	TextX            int
	IDY, NameY, NotY int
	Delegated        bool
}

// consoleEdge is one member record.
type consoleEdge struct {
	Admin, Member, Status, Class string
	Title                        string
	Path                         string
	LabelX, LabelY               int
	DotX, DotY                   int
}

// buildConsoleGraph lays out the member records of one service and region;
// it returns nil when there are none.
func buildConsoleGraph(members []seed.Member, accounts map[string]*consoleAccount, delegated map[string]bool) *consoleGraph {
	if len(members) == 0 {
		return nil
	}
	records := slices.Clone(members)
	slices.SortFunc(records, func(a, b seed.Member) int {
		return cmp.Or(cmp.Compare(a.Administrator, b.Administrator), cmp.Compare(a.Account, b.Account))
	})
	g := &consoleGraph{Width: graphWidth, AdminX: graphMargin, MemberX: graphWidth - graphMargin - graphNodeW, TitleY: 18}
	if len(records) > graphMaxEdges {
		g.Hidden = len(records) - graphMaxEdges
		records = records[:graphMaxEdges]
	}

	// Column order: administrators by id; members by their first
	// administrator, then id, so that most edges run side by side.
	adminIndex := map[string]int{}
	var admins []string
	for _, m := range records {
		if _, ok := adminIndex[m.Administrator]; !ok {
			adminIndex[m.Administrator] = len(admins)
			admins = append(admins, m.Administrator)
		}
	}
	firstAdmin := map[string]int{}
	var memberIDs []string
	for _, m := range records {
		if _, ok := firstAdmin[m.Account]; !ok {
			firstAdmin[m.Account] = adminIndex[m.Administrator]
			memberIDs = append(memberIDs, m.Account)
		}
	}
	slices.SortFunc(memberIDs, func(a, b string) int {
		return cmp.Or(cmp.Compare(firstAdmin[a], firstAdmin[b]), cmp.Compare(a, b))
	})
	memberIndex := map[string]int{}
	for i, id := range memberIDs {
		memberIndex[id] = i
	}

	// The edges at each node, in the order of the other column.
	out := make([][]int, len(admins))   // record indexes per administrator
	in := make([][]int, len(memberIDs)) // record indexes per member
	for i, m := range records {
		out[adminIndex[m.Administrator]] = append(out[adminIndex[m.Administrator]], i)
		in[memberIndex[m.Account]] = append(in[memberIndex[m.Account]], i)
	}
	for _, l := range out {
		slices.SortFunc(l, func(a, b int) int {
			return cmp.Compare(memberIndex[records[a].Account], memberIndex[records[b].Account])
		})
	}
	for _, l := range in {
		slices.SortFunc(l, func(a, b int) int {
			return cmp.Compare(adminIndex[records[a].Administrator], adminIndex[records[b].Administrator])
		})
	}

	column := func(side string, ids []string, edges [][]int, x int) (nodes []consoleNode, height int) {
		y := 0
		for i, id := range ids {
			h := max(graphMinNodeH, graphSlot*len(edges[i])+16)
			n := consoleNode{Side: side, ID: id, X: x, Y: y, W: graphNodeW, H: h, TextX: x + 12, Delegated: side == "admin" && delegated[id]}
			if a := accounts[id]; a != nil {
				n.Name = consoleShorten(a.Name, 30)
				n.Note = cmp.Or(a.Enabled, "not enabled")
			}
			if n.Delegated {
				n.Note += " · delegated admin"
			}
			nodes = append(nodes, n)
			y += h + graphGap
		}
		return nodes, y - graphGap
	}
	adminNodes, adminH := column("admin", admins, out, g.AdminX)
	memberNodes, memberH := column("member", memberIDs, in, g.MemberX)
	tallest := max(adminH, memberH)
	place := func(nodes []consoleNode, h int) {
		shift := graphTop + (tallest-h)/2
		for i := range nodes {
			n := &nodes[i]
			n.Y += shift
			n.IDY, n.NameY, n.NotY = n.Y+20, n.Y+37, n.Y+52
			if n.Name == "" {
				n.NotY = n.NameY
			}
		}
	}
	place(adminNodes, adminH)
	place(memberNodes, memberH)
	g.Height = graphTop + tallest + graphMargin
	g.Nodes = append(adminNodes, memberNodes...)

	// Where each record leaves its administrator and reaches its member.
	exitY := make([]int, len(records))
	entryY := make([]int, len(records))
	slots := func(n consoleNode, edges []int, at []int) {
		for j, r := range edges {
			at[r] = n.Y + n.H*(j+1)/(len(edges)+1)
		}
	}
	for i, n := range adminNodes {
		slots(n, out[i], exitY)
	}
	for i, n := range memberNodes {
		slots(n, in[i], entryY)
	}
	x1 := g.AdminX + graphNodeW
	x2 := g.MemberX
	bend := x1 + graphStub
	band := x2 - graphLabelBand
	mid := (bend + band) / 2
	for i, m := range records {
		y1, y2 := exitY[i], entryY[i]
		g.Edges = append(g.Edges, consoleEdge{
			Admin: m.Administrator, Member: m.Account, Status: m.Status, Class: consoleStatusClass(m.Status),
			Title:  fmt.Sprintf("%s → %s: %s", m.Administrator, m.Account, m.Status),
			Path:   fmt.Sprintf("M%d %dH%dC%d %d %d %d %d %dH%d", x1, y1, bend, mid, y1, mid, y2, band, y2, x2),
			LabelX: x2 - 10, LabelY: y2 - 5,
			DotX: x2, DotY: y2,
		})
	}
	return g
}

// consoleShorten cuts s to at most n runes, marking the cut.
func consoleShorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
