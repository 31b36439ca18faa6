package main

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math"
	"slices"
)

// series styles, in legend order.
var seriesStyle = []struct {
	target, label, color, dash string
}{
	{kindCeiling, "ceiling (net/http, {})", "#7f7f7f", "6,4"},
	{kindLocalsec, "localsec", "#1f5fbf", ""},
	{kindMoto, "moto_server", "#c0392b", ""},
}

// plotSVG draws requests/s against concurrency (log scale) for each
// target that ran scenario, as a standalone SVG document.
func plotSVG(scenario string, results []Result) []byte {
	const (
		width, height = 760, 440
		left, right   = 80, 190
		top, bottom   = 50, 60
		plotW         = width - left - right
		plotH         = height - top - bottom
	)
	points := map[string][][2]float64{}
	var concs []int
	maxY := 0.0
	for _, r := range results {
		if r.Scenario != scenario {
			continue
		}
		points[r.Target] = append(points[r.Target], [2]float64{float64(r.Concurrency), r.RequestsPerS})
		if !slices.Contains(concs, r.Concurrency) {
			concs = append(concs, r.Concurrency)
		}
		maxY = math.Max(maxY, r.RequestsPerS)
	}
	slices.Sort(concs)
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<rect x="0" y="0" width="%d" height="%d" fill="#ffffff"/>`+"\n", width, height)
	fmt.Fprintf(&b, `<text x="%d" y="24" font-size="15" font-weight="bold">%s</text>`+"\n", left, esc(scenario+": requests/s against concurrency"))
	if len(concs) == 0 {
		fmt.Fprintf(&b, `<text x="%d" y="%d">no runs</text>`+"\n</svg>\n", left, top+plotH/2)
		return b.Bytes()
	}
	step, yMax := niceScale(maxY)
	lo, hi := math.Log2(float64(concs[0])), math.Log2(float64(concs[len(concs)-1]))
	if hi == lo {
		lo, hi = lo-1, hi+1
	}
	x := func(c float64) float64 { return left + (math.Log2(c)-lo)/(hi-lo)*plotW }
	y := func(v float64) float64 { return top + plotH - v/yMax*plotH }

	// Grid and axes.
	for v := 0.0; v <= yMax+step/2; v += step {
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#e0e0e0"/>`+"\n", left, y(v), left+plotW, y(v))
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end" dominant-baseline="middle">%s</text>`+"\n", left-8, y(v), esc(thousands(v)))
	}
	for _, c := range concs {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#e0e0e0"/>`+"\n", x(float64(c)), top, x(float64(c)), top+plotH)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%d</text>`+"\n", x(float64(c)), top+plotH+18, c)
	}
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#333"/>`+"\n", left, top+plotH, left+plotW, top+plotH)
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#333"/>`+"\n", left, top, left, top+plotH)
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">concurrency (workers, log scale)</text>`+"\n", left+plotW/2, height-16)
	fmt.Fprintf(&b, `<text transform="translate(18,%d) rotate(-90)" text-anchor="middle">requests/s</text>`+"\n", top+plotH/2)

	// Series and legend.
	ly := top + 10
	for _, st := range seriesStyle {
		ps := points[st.target]
		if len(ps) == 0 {
			continue
		}
		slices.SortFunc(ps, func(a, b [2]float64) int { return int(a[0] - b[0]) })
		var path bytes.Buffer
		for i, p := range ps {
			cmd := "L"
			if i == 0 {
				cmd = "M"
			}
			fmt.Fprintf(&path, "%s%.1f,%.1f ", cmd, x(p[0]), y(p[1]))
		}
		dash := ""
		if st.dash != "" {
			dash = fmt.Sprintf(` stroke-dasharray="%s"`, st.dash)
		}
		fmt.Fprintf(&b, `<path d="%s" fill="none" stroke="%s" stroke-width="2"%s/>`+"\n", bytes.TrimSpace(path.Bytes()), st.color, dash)
		for _, p := range ps {
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s"><title>%s</title></circle>`+"\n",
				x(p[0]), y(p[1]), st.color, esc(fmt.Sprintf("%s, concurrency %.0f: %.0f req/s", st.target, p[0], p[1])))
		}
		last := ps[len(ps)-1]
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" text-anchor="end" fill="%s">%s</text>`+"\n", x(last[0])-6, y(last[1])-8, st.color, esc(thousands(last[1])))
		lx := left + plotW + 20
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"%s/>`+"\n", lx, ly, lx+24, ly, st.color, dash)
		fmt.Fprintf(&b, `<text x="%d" y="%d" dominant-baseline="middle">%s</text>`+"\n", lx+30, ly, esc(st.label))
		ly += 22
	}
	b.WriteString("</svg>\n")
	return b.Bytes()
}

// niceScale returns a grid step of 1, 2 or 5 times a power of ten and
// the axis maximum, a multiple of the step at or above max.
func niceScale(max float64) (step, top float64) {
	if max <= 0 {
		return 1, 1
	}
	raw := max / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if step = m * mag; step >= raw {
			break
		}
	}
	return step, math.Ceil(max/step) * step
}

// thousands writes v rounded, with commas between thousands.
func thousands(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}

func esc(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
