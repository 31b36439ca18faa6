package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/format"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// The parts of a botocore model that apigen reads. Documentation is not
// among them.
type jsonModel struct {
	Metadata struct {
		APIVersion     string `json:"apiVersion"`
		EndpointPrefix string `json:"endpointPrefix"`
		SigningName    string `json:"signingName"`
		Protocol       string `json:"protocol"`
		JSONVersion    string `json:"jsonVersion"`
		TargetPrefix   string `json:"targetPrefix"`
		XMLNamespace   string `json:"xmlNamespace"`
	} `json:"metadata"`
	Operations map[string]jsonOperation `json:"operations"`
	Shapes     map[string]*jsonShape    `json:"shapes"`
}

type jsonOperation struct {
	Name string `json:"name"`
	HTTP struct {
		Method       string `json:"method"`
		RequestURI   string `json:"requestUri"`
		ResponseCode int    `json:"responseCode"`
	} `json:"http"`
	Input  *jsonRef  `json:"input"`
	Output *jsonRef  `json:"output"`
	Errors []jsonRef `json:"errors"`
}

type jsonRef struct {
	Shape         string `json:"shape"`
	ResultWrapper string `json:"resultWrapper"`
}

type jsonShape struct {
	Type            string                 `json:"type"`
	Members         map[string]*jsonMember `json:"members"`
	Member          *jsonMember            `json:"member"`
	Key             *jsonMember            `json:"key"`
	Value           *jsonMember            `json:"value"`
	Required        []string               `json:"required"`
	Enum            []string               `json:"enum"`
	Min             *float64               `json:"min"`
	Max             *float64               `json:"max"`
	Pattern         *string                `json:"pattern"`
	TimestampFormat string                 `json:"timestampFormat"`
	Flattened       bool                   `json:"flattened"`
	Exception       bool                   `json:"exception"`
	Fault           bool                   `json:"fault"`
	Document        bool                   `json:"document"`
	Error           *struct {
		Code           string `json:"code"`
		HTTPStatusCode int    `json:"httpStatusCode"`
		SenderFault    bool   `json:"senderFault"`
	} `json:"error"`
}

type jsonMember struct {
	Shape            string `json:"shape"`
	Location         string `json:"location"`
	LocationName     string `json:"locationName"`
	TimestampFormat  string `json:"timestampFormat"`
	IdempotencyToken bool   `json:"idempotencyToken"`
	Flattened        bool   `json:"flattened"`
}

// generator holds what one run knows.
type generator struct {
	pkg   string
	scope Scope
	m     jsonModel
	// reached are the shapes the served operations reach, sorted.
	reached []string
	// goNames are the Go type names of structures, varNames the names of
	// the descriptor variables, enumConsts the constants of enum values.
	goNames  map[string]string
	varNames map[string]string
	// dropped are the patterns Go's regexp cannot hold.
	dropped []string
	buf     bytes.Buffer
}

// Generate returns the Go source of package pkg for the operations of sc
// in the model modelJSON.
func Generate(pkg string, sc Scope, modelJSON []byte) ([]byte, error) {
	g := &generator{pkg: pkg, scope: sc, goNames: map[string]string{}, varNames: map[string]string{}}
	if err := json.Unmarshal(modelJSON, &g.m); err != nil {
		return nil, fmt.Errorf("the %s model is not JSON: %w", sc.Service, err)
	}
	switch g.m.Metadata.Protocol {
	case "rest-json", "json", "query":
	default:
		return nil, fmt.Errorf("%s speaks %q, which localsec has no layer for", sc.Service, g.m.Metadata.Protocol)
	}
	if err := g.reach(); err != nil {
		return nil, err
	}
	if err := g.name(); err != nil {
		return nil, err
	}
	if err := g.write(); err != nil {
		return nil, err
	}
	src, err := format.Source(g.buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("generated code does not parse: %w\n%s", err, g.buf.Bytes())
	}
	return src, nil
}

func (g *generator) p(format string, args ...any) { fmt.Fprintf(&g.buf, format+"\n", args...) }

// reach collects the shapes the served operations reach.
func (g *generator) reach() error {
	seen := map[string]bool{}
	var walk func(name string) error
	walk = func(name string) error {
		if seen[name] {
			return nil
		}
		s, ok := g.m.Shapes[name]
		if !ok {
			return fmt.Errorf("the model refers to shape %q, which it does not define", name)
		}
		if s.Document {
			return fmt.Errorf("shape %q is a document, which localsec cannot serve", name)
		}
		seen[name] = true
		for _, mn := range sortedKeys(s.Members) {
			if err := walk(s.Members[mn].Shape); err != nil {
				return err
			}
		}
		for _, ref := range []*jsonMember{s.Member, s.Key, s.Value} {
			if ref != nil {
				if err := walk(ref.Shape); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for _, name := range g.scope.Operations {
		op, ok := g.m.Operations[name]
		if !ok {
			return fmt.Errorf("%s has no operation %q", g.scope.Service, name)
		}
		for _, ref := range append([]jsonRef{deref(op.Input), deref(op.Output)}, op.Errors...) {
			if ref.Shape != "" {
				if err := walk(ref.Shape); err != nil {
					return err
				}
			}
		}
	}
	for name := range seen {
		g.reached = append(g.reached, name)
	}
	sort.Strings(g.reached)
	return nil
}

func deref(r *jsonRef) jsonRef {
	if r == nil {
		return jsonRef{}
	}
	return *r
}

// reserved are the identifiers the generated file declares besides types.
var reserved = map[string]bool{"API": true, "Handlers": true, "Model": true, "build": true}

// name gives every structure a Go type name and every shape a variable.
func (g *generator) name() error {
	used := map[string]string{}
	for _, name := range g.reached {
		s := g.m.Shapes[name]
		v := "sh" + exported(name)
		if other, dup := used[v]; dup {
			return fmt.Errorf("shapes %q and %q map to one Go name", other, name)
		}
		used[v] = name
		g.varNames[name] = v
		if s.Type == "structure" {
			t := exported(name)
			if reserved[t] {
				t += "_"
			}
			if other, dup := used[t]; dup {
				return fmt.Errorf("shapes %q and %q map to one Go name", other, name)
			}
			used[t] = name
			g.goNames[name] = t
		}
	}
	return nil
}

// exported turns a model name into an exported Go identifier: letters
// and digits kept, the first letter upper-cased ("__listOf__string" →
// "ListOfString", "accountId" → "AccountId").
func exported(name string) string {
	var b strings.Builder
	upper := true
	for _, r := range name {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			upper = true
			continue
		}
		if upper {
			r = unicode.ToUpper(r)
			upper = false
		}
		b.WriteRune(r)
	}
	s := b.String()
	if s == "" || unicode.IsDigit(rune(s[0])) {
		s = "X" + s
	}
	return s
}

// enumConstName turns an enum value into the tail of a constant name:
// "FIFTEEN_MINUTES" → "FifteenMinutes", "EmailVerificationFailed" stays.
func enumConstName(v string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(v, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if strings.ToUpper(part) == part {
			part = strings.ToLower(part)
		}
		rs := []rune(part)
		rs[0] = unicode.ToUpper(rs[0])
		b.WriteString(string(rs))
	}
	if b.Len() == 0 {
		return "Empty"
	}
	return b.String()
}

// goType is the Go type of a value of shape name; in a structure field
// scalars and structures are pointers, in lists and maps values.
func (g *generator) goType(name string, field bool) string {
	s := g.m.Shapes[name]
	ptr := ""
	if field {
		ptr = "*"
	}
	switch s.Type {
	case "structure":
		return ptr + g.goNames[name]
	case "list":
		return "[]" + g.goType(s.Member.Shape, false)
	case "map":
		return "map[string]" + g.goType(s.Value.Shape, false)
	case "string":
		return ptr + "string"
	case "boolean":
		return ptr + "bool"
	case "integer":
		return ptr + "int32"
	case "long":
		return ptr + "int64"
	case "float", "double":
		return ptr + "float64"
	case "timestamp":
		return ptr + "time.Time"
	case "blob":
		return "[]byte"
	}
	return "any"
}

var typeConst = map[string]string{"structure": "Structure", "list": "List", "map": "Map", "string": "String",
	"boolean": "Boolean", "integer": "Integer", "long": "Long", "float": "Float", "double": "Double",
	"timestamp": "Timestamp", "blob": "Blob"}

var locationConst = map[string]string{"": "Body", "uri": "URI", "querystring": "QueryString", "header": "Header", "statusCode": "StatusCode"}

func formatConst(f string) (string, error) {
	switch f {
	case "":
		return "", nil
	case "iso8601":
		return "model.ISO8601", nil
	case "unixTimestamp":
		return "model.UnixTimestamp", nil
	case "rfc822":
		return "model.HTTPDate", nil
	}
	return "", fmt.Errorf("timestamp format %q is unknown", f)
}

var protocolConst = map[string]string{"rest-json": "model.RestJSON", "json": "model.JSON", "query": "model.Query"}

func (g *generator) write() error {
	md := g.m.Metadata
	header := g.buf
	g.buf = bytes.Buffer{}
	defer func() {
		body := g.buf
		g.buf = header
		g.p("// Code generated by internal/apigen from botocore's %s %s model; DO NOT EDIT.", g.scope.Service, g.scope.Version)
		g.p("")
		g.p("package %s", g.pkg)
		g.p("")
		g.p("import (")
		g.p("%q", "context")
		if bytes.Contains(body.Bytes(), []byte("regexp.")) {
			g.p("%q", "regexp")
		}
		g.p("%q", "sync")
		if bytes.Contains(body.Bytes(), []byte("time.Time")) {
			g.p("%q", "time")
		}
		g.p("")
		g.p("%q", "github.com/localsec/localsec/internal/protocol")
		g.p("%q", "github.com/localsec/localsec/internal/protocol/model")
		g.p(")")
		g.p("")
		g.buf.Write(body.Bytes())
	}()

	// Enum values.
	for _, name := range g.reached {
		s := g.m.Shapes[name]
		if s.Type != "string" || len(s.Enum) == 0 {
			continue
		}
		g.p("// Values of %s.", name)
		g.p("const (")
		seen := map[string]bool{}
		for _, v := range s.Enum {
			c := exported(name) + enumConstName(v)
			for seen[c] {
				c += "_"
			}
			seen[c] = true
			g.p("%s = %q", c, v)
		}
		g.p(")")
		g.p("")
	}

	// Structures.
	for _, name := range g.reached {
		s := g.m.Shapes[name]
		if s.Type != "structure" {
			continue
		}
		kind := "structure"
		if s.Exception {
			kind = "exception"
		}
		g.p("// %s is the %s %s of the model.", g.goNames[name], kind, name)
		g.p("type %s struct {", g.goNames[name])
		fields := map[string]bool{}
		for _, mn := range sortedKeys(s.Members) {
			f := exported(mn)
			if fields[f] {
				return fmt.Errorf("%s: two members map to the Go field %s", name, f)
			}
			fields[f] = true
			g.p("%s %s", f, g.goType(s.Members[mn].Shape, true))
		}
		g.p("}")
		g.p("")
	}

	// The API an adapter implements.
	served := g.scope.Operations
	g.p("// API is what the %s adapter implements: one method per served operation.", g.scope.Service)
	g.p("type API interface {")
	for _, name := range served {
		in, out := g.ioTypes(name)
		g.p("%s(ctx context.Context, call *protocol.Call, in *%s) (*%s, error)", name, in, out)
	}
	g.p("}")
	g.p("")
	g.p("// Handlers returns api's handlers by operation name, for a protocol layer.")
	g.p("func Handlers(api API) map[string]model.Handler {")
	g.p("return map[string]model.Handler{")
	for _, name := range served {
		in, _ := g.ioTypes(name)
		g.p("%q: func(ctx context.Context, call *protocol.Call, in any) (any, error) { return api.%s(ctx, call, in.(*%s)) },", name, name, in)
	}
	g.p("}")
	g.p("}")
	g.p("")

	// The model.
	g.p("// Model returns the %s model: the served operations with their shapes,", g.scope.Service)
	g.p("// the others with their routes. It is built once and must not be changed.")
	g.p("var Model = sync.OnceValue(build)")
	g.p("")
	g.p("func build() *model.Service {")
	for _, name := range g.reached {
		if err := g.writeShape(name); err != nil {
			return err
		}
	}
	for _, name := range g.reached {
		if err := g.writeLinks(name); err != nil {
			return err
		}
	}
	g.p("svc := &model.Service{")
	g.p("Name: %q, SigningName: %q, APIVersion: %q, Protocol: %s,", md.EndpointPrefix, orDefault(md.SigningName, md.EndpointPrefix), md.APIVersion, protocolConst[md.Protocol])
	if md.TargetPrefix != "" || md.JSONVersion != "" {
		g.p("TargetPrefix: %q, JSONVersion: %q,", md.TargetPrefix, md.JSONVersion)
	}
	if md.XMLNamespace != "" {
		g.p("XMLNamespace: %q,", md.XMLNamespace)
	}
	g.p("Errors: map[string]*model.Shape{")
	for _, name := range g.reached {
		if g.m.Shapes[name].Exception {
			g.p("%q: %s,", name, g.varNames[name])
		}
	}
	g.p("},")
	g.p("}")
	isServed := map[string]bool{}
	for _, name := range served {
		isServed[name] = true
	}
	g.p("svc.Operations = []*model.Operation{")
	for _, name := range sortedKeys(g.m.Operations) {
		op := g.m.Operations[name]
		method, uri := orDefault(op.HTTP.Method, "POST"), orDefault(op.HTTP.RequestURI, "/")
		if !isServed[name] {
			g.p("{Name: %q, Method: %q, URI: %q},", name, method, uri)
			continue
		}
		status := op.HTTP.ResponseCode
		if status == 0 {
			status = 200
		}
		in, _ := g.ioTypes(name)
		var parts []string
		parts = append(parts, fmt.Sprintf("Name: %q, Method: %q, URI: %q, Status: %d, Served: true", name, method, uri, status))
		if op.Input != nil {
			parts = append(parts, "Input: "+g.varNames[op.Input.Shape])
		}
		if op.Output != nil {
			parts = append(parts, "Output: "+g.varNames[op.Output.Shape])
			if op.Output.ResultWrapper != "" {
				parts = append(parts, fmt.Sprintf("ResultWrapper: %q", op.Output.ResultWrapper))
			}
		}
		if len(op.Errors) > 0 {
			var errs []string
			for _, e := range op.Errors {
				errs = append(errs, g.varNames[e.Shape])
			}
			parts = append(parts, "Errors: []*model.Shape{"+strings.Join(errs, ", ")+"}")
		}
		parts = append(parts, fmt.Sprintf("NewInput: func() any { return new(%s) }", in))
		g.p("{%s},", strings.Join(parts, ", "))
	}
	g.p("}")
	g.p("return svc")
	g.p("}")
	if len(g.dropped) > 0 {
		g.p("")
		g.p("// Patterns of the model that Go's regexp cannot hold, not checked:")
		for _, d := range g.dropped {
			g.p("//   %s", d)
		}
	}
	return nil
}

// ioTypes returns the Go input and output types of an operation.
func (g *generator) ioTypes(name string) (in, out string) {
	op := g.m.Operations[name]
	in, out = "struct{}", "struct{}"
	if op.Input != nil {
		in = g.goNames[op.Input.Shape]
	}
	if op.Output != nil {
		out = g.goNames[op.Output.Shape]
	}
	return in, out
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// writeShape declares the descriptor variable of a shape with its own
// facts; writeLinks then points it at other shapes.
func (g *generator) writeShape(name string) error {
	s := g.m.Shapes[name]
	t, ok := typeConst[s.Type]
	if !ok {
		return fmt.Errorf("shape %q has type %q, which localsec cannot serve", name, s.Type)
	}
	parts := []string{fmt.Sprintf("Name: %q, Type: model.%s", name, t)}
	if len(s.Enum) > 0 {
		parts = append(parts, "Enum: []string{"+quoteAll(s.Enum)+"}")
	}
	if s.Min != nil {
		parts = append(parts, "Min: model.Limit("+num(*s.Min)+")")
	}
	if s.Max != nil {
		parts = append(parts, "Max: model.Limit("+num(*s.Max)+")")
	}
	if s.Pattern != nil {
		if p, ok := g.pattern(name, *s.Pattern); ok {
			parts = append(parts, "Pattern: "+p)
		}
	}
	if f, err := formatConst(s.TimestampFormat); err != nil {
		return fmt.Errorf("shape %q: %w", name, err)
	} else if f != "" {
		parts = append(parts, "TimestampFormat: "+f)
	}
	if s.Flattened {
		parts = append(parts, "Flattened: true")
	}
	if s.Type == "list" && s.Member.LocationName != "" {
		parts = append(parts, fmt.Sprintf("ElemName: %q", s.Member.LocationName))
	}
	if s.Type == "map" {
		if s.Key.LocationName != "" {
			parts = append(parts, fmt.Sprintf("KeyName: %q", s.Key.LocationName))
		}
		if s.Value.LocationName != "" {
			parts = append(parts, fmt.Sprintf("ValueName: %q", s.Value.LocationName))
		}
	}
	if s.Exception {
		status, sender := 400, !s.Fault
		code := ""
		if s.Error != nil {
			if s.Error.HTTPStatusCode != 0 {
				status = s.Error.HTTPStatusCode
			}
			if s.Error.Code != "" && s.Error.Code != name {
				code = s.Error.Code
			}
			sender = s.Error.SenderFault || !s.Fault
		}
		if s.Fault && (s.Error == nil || s.Error.HTTPStatusCode == 0) {
			status = 500
		}
		parts = append(parts, fmt.Sprintf("Error: &model.ErrorInfo{Status: %d, Code: %q, Sender: %t}", status, code, sender))
	}
	g.p("%s := &model.Shape{%s}", g.varNames[name], strings.Join(parts, ", "))
	return nil
}

func (g *generator) writeLinks(name string) error {
	s := g.m.Shapes[name]
	v := g.varNames[name]
	switch s.Type {
	case "list":
		g.p("%s.Elem = %s", v, g.varNames[s.Member.Shape])
	case "map":
		g.p("%s.Key, %s.Elem = %s, %s", v, v, g.varNames[s.Key.Shape], g.varNames[s.Value.Shape])
	case "structure":
		if len(s.Members) == 0 {
			return nil
		}
		required := map[string]bool{}
		for _, r := range s.Required {
			if _, ok := s.Members[r]; !ok {
				return fmt.Errorf("shape %q requires %q, which it does not have", name, r)
			}
			required[r] = true
		}
		g.p("%s.Members = []model.Member{", v)
		for _, mn := range sortedKeys(s.Members) {
			m := s.Members[mn]
			loc, ok := locationConst[m.Location]
			if !ok {
				return fmt.Errorf("%s.%s travels in %q, which localsec cannot bind", name, mn, m.Location)
			}
			parts := []string{fmt.Sprintf("Name: %q, Shape: %s, WireName: %q", mn, g.varNames[m.Shape], orDefault(m.LocationName, mn))}
			if required[mn] {
				parts = append(parts, "Required: true")
			}
			if loc != "Body" {
				parts = append(parts, "Location: model."+loc)
			}
			if f, err := formatConst(m.TimestampFormat); err != nil {
				return fmt.Errorf("%s.%s: %w", name, mn, err)
			} else if f != "" {
				parts = append(parts, "TimestampFormat: "+f)
			}
			if m.IdempotencyToken {
				parts = append(parts, "IdempotencyToken: true")
			}
			if m.Flattened {
				parts = append(parts, "Flattened: true")
			}
			g.p("{%s},", strings.Join(parts, ", "))
		}
		g.p("}")
	}
	return nil
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

var javaUnicodeEscape = regexp.MustCompile(`\\u([0-9A-Fa-f]{4})`)

// pattern returns the Go expression of a model pattern, or false when
// Go's regexp cannot hold it (then it is listed as not checked). AWS
// matches patterns against the whole value; a leading negative lookahead
// of a literal becomes a prefix the value must not have.
func (g *generator) pattern(shape, src string) (string, bool) {
	expr := javaUnicodeEscape.ReplaceAllString(src, `\x{$1}`)
	notPrefix := ""
	rest := strings.TrimPrefix(expr, "^")
	if strings.HasPrefix(rest, "(?!") {
		end := strings.IndexByte(rest, ')')
		lit := ""
		if end > 0 {
			lit = rest[3:end]
		}
		if lit != "" && regexp.QuoteMeta(lit) == lit {
			notPrefix, expr = lit, rest[end+1:]
		}
	}
	anchored := "^(?:" + expr + ")$"
	if _, err := regexp.Compile(anchored); err != nil {
		g.dropped = append(g.dropped, shape+": "+src)
		return "", false
	}
	return fmt.Sprintf("model.NewPattern(%q, %q, regexp.MustCompile(%q))", src, notPrefix, anchored), true
}
