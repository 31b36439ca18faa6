// Package awsquery speaks AWS's awsQuery protocol on the server side, for
// any service, from its model: a form-encoded POST (or a GET with a query
// string) names its Action and Version; members travel as form fields
// (lists as Name.member.N, maps as Name.entry.N.key/value, structures as
// Name.Member); answers and errors are XML documents. It knows nothing of
// any one service.
package awsquery

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/localsec/localsec/internal/protocol"
	"github.com/localsec/localsec/internal/protocol/endpoint"
	"github.com/localsec/localsec/internal/protocol/model"
)

// Server serves one query service.
type Server struct {
	svc      *model.Service
	handlers map[string]model.Handler
	cfg      endpoint.Config
	ops      map[string]*model.Operation
}

// New returns the server of svc. Every served operation must have a
// handler.
func New(svc *model.Service, handlers map[string]model.Handler, cfg endpoint.Config) *Server {
	s := &Server{svc: svc, handlers: handlers, cfg: cfg, ops: map[string]*model.Operation{}}
	if name := svc.MissingHandler(handlers); name != "" {
		panic("awsquery: " + svc.Name + " serves " + name + " without a handler")
	}
	for _, op := range svc.Operations {
		s.ops[op.Name] = op
	}
	return s
}

// Operations returns the names of the served operations, in model order.
func (s *Server) Operations() []string { return s.svc.ServedNames() }

// ServeHTTP serves one request; its context carries the protocol.Call.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	call := protocol.CallFrom(r.Context())
	if call == nil {
		call = &protocol.Call{}
	}
	params := r.URL.Query()
	if r.Method == http.MethodPost {
		body, err := s.cfg.ReadBody(w, r)
		if err != nil {
			s.WriteError(w, call, s.cfg.Wire(call, err))
			return
		}
		form, err := url.ParseQuery(string(body))
		if err != nil {
			s.WriteError(w, call, &protocol.APIError{Type: "MalformedQueryString", Status: http.StatusBadRequest,
				Message: "The request body is not a valid form."})
			return
		}
		for k, v := range form {
			params[k] = v
		}
	}
	action := params.Get("Action")
	op := s.ops[action]
	call.Operation = action
	switch {
	case action == "":
		s.WriteError(w, call, &protocol.APIError{Type: "MissingAction", Status: http.StatusBadRequest,
			Message: "The request must contain the parameter Action."})
		return
	case op == nil || !op.Served:
		s.WriteError(w, call, &protocol.APIError{Type: "InvalidAction", Status: http.StatusBadRequest,
			Message: fmt.Sprintf("Could not find operation %s for version %s: localsec's %s serves %s.",
				action, s.svc.APIVersion, strings.ToUpper(s.svc.Name), strings.Join(s.Operations(), ", "))})
		return
	}
	in := op.NewInput()
	if op.Input != nil {
		err := model.Bind(op.Input, in, func(m *model.Member) (any, bool) {
			return formValue(m.Shape, params, m.WireName, m.Flattened)
		})
		if err != nil {
			s.WriteError(w, call, s.cfg.Wire(call, err))
			return
		}
	}
	out, err := s.cfg.Invoke(s.handlers[op.Name], r, call, in)
	if err != nil {
		s.WriteError(w, call, s.cfg.Wire(call, err))
		return
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	fmt.Fprintf(&b, "<%sResponse xmlns=%q>", op.Name, s.svc.XMLNamespace)
	if op.Output != nil {
		wrapper := op.ResultWrapper
		if wrapper == "" {
			wrapper = op.Name + "Result"
		}
		b.WriteString("<" + wrapper + ">")
		if err := writeMembers(&b, op.Output, reflect.ValueOf(out)); err != nil {
			s.WriteError(w, call, s.cfg.Wire(call, err))
			return
		}
		b.WriteString("</" + wrapper + ">")
	}
	b.WriteString("<ResponseMetadata><RequestId>")
	xmlText(&b, call.RequestID)
	b.WriteString("</RequestId></ResponseMetadata>")
	fmt.Fprintf(&b, "</%sResponse>", op.Name)
	endpoint.WriteBody(w, op.Status, "text/xml", b.Bytes())
}

// WriteError writes e as a query error document.
func (s *Server) WriteError(w http.ResponseWriter, call *protocol.Call, e *protocol.APIError) {
	fault := "Sender"
	if e.Status >= 500 {
		fault = "Receiver"
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	fmt.Fprintf(&b, "<ErrorResponse xmlns=%q><Error><Type>%s</Type><Code>", s.svc.XMLNamespace, fault)
	xmlText(&b, e.Type)
	b.WriteString("</Code><Message>")
	xmlText(&b, e.Message)
	b.WriteString("</Message></Error><RequestId>")
	xmlText(&b, call.RequestID)
	b.WriteString("</RequestId></ErrorResponse>")
	w.Header().Set("X-Amzn-ErrorType", e.Type)
	endpoint.WriteBody(w, e.Status, "text/xml", b.Bytes())
}

// formValue gathers the value of a member named name from the form: text
// for scalars, []any for lists, map[string]any for maps and structures.
func formValue(s *model.Shape, params url.Values, name string, flattened bool) (any, bool) {
	switch s.Type {
	case model.List:
		prefix := name + "."
		if !flattened && !s.Flattened {
			elem := s.ElemName
			if elem == "" {
				elem = "member"
			}
			prefix += elem + "."
		}
		var out []any
		for i := 1; ; i++ {
			v, ok := formValue(s.Elem, params, prefix+strconv.Itoa(i), false)
			if !ok {
				break
			}
			out = append(out, v)
		}
		if out == nil {
			// An empty list is sent as "Name=".
			if v, ok := params[name]; ok && len(v) > 0 && v[0] == "" {
				return []any{}, true
			}
			return nil, false
		}
		return out, true
	case model.Map:
		prefix := name + "."
		if !flattened && !s.Flattened {
			prefix += "entry."
		}
		keyName, valueName := orDefault(s.KeyName, "key"), orDefault(s.ValueName, "value")
		out := map[string]any{}
		for i := 1; ; i++ {
			k, ok := params[prefix+strconv.Itoa(i)+"."+keyName]
			if !ok || len(k) == 0 {
				break
			}
			v, ok := formValue(s.Elem, params, prefix+strconv.Itoa(i)+"."+valueName, false)
			if !ok {
				break
			}
			out[k[0]] = v
		}
		if len(out) == 0 {
			return nil, false
		}
		return out, true
	case model.Structure:
		out := map[string]any{}
		for i := range s.Members {
			m := &s.Members[i]
			if v, ok := formValue(m.Shape, params, name+"."+m.WireName, m.Flattened); ok {
				out[m.WireName] = v
			}
		}
		if len(out) == 0 {
			return nil, false
		}
		return out, true
	}
	v, ok := params[name]
	if !ok || len(v) == 0 {
		return nil, false
	}
	if s.Type == model.String || s.Type == model.Blob {
		// The JSON form of text, so that structures nested in a form
		// bind as their JSON counterparts do.
		return v[0], true
	}
	return model.Text(v[0]), true
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// writeMembers writes the members of a structure value as XML elements.
func writeMembers(b *bytes.Buffer, s *model.Shape, v reflect.Value) error {
	if !v.IsValid() {
		return nil // a nil output: an empty result
	}
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct || v.NumField() != len(s.Members) {
		return fmt.Errorf("awsquery: %s is not the Go struct of shape %s", v.Type(), s.Name)
	}
	for i := range s.Members {
		m := &s.Members[i]
		f := v.Field(i)
		if (f.Kind() == reflect.Pointer || f.Kind() == reflect.Slice || f.Kind() == reflect.Map) && f.IsNil() {
			continue
		}
		if err := writeValue(b, m.Shape, m.WireName, f, m.Flattened, m.Format(model.ISO8601)); err != nil {
			return err
		}
	}
	return nil
}

func writeValue(b *bytes.Buffer, s *model.Shape, name string, v reflect.Value, flattened bool, format model.TimestampFormat) error {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	switch s.Type {
	case model.List:
		elem := orDefault(s.ElemName, "member")
		if flattened || s.Flattened {
			for i := 0; i < v.Len(); i++ {
				if err := writeValue(b, s.Elem, name, v.Index(i), false, format); err != nil {
					return err
				}
			}
			return nil
		}
		b.WriteString("<" + name + ">")
		for i := 0; i < v.Len(); i++ {
			if err := writeValue(b, s.Elem, elem, v.Index(i), false, format); err != nil {
				return err
			}
		}
		b.WriteString("</" + name + ">")
		return nil
	case model.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		b.WriteString("<" + name + ">")
		for _, k := range keys {
			b.WriteString("<entry><" + orDefault(s.KeyName, "key") + ">")
			xmlText(b, k.String())
			b.WriteString("</" + orDefault(s.KeyName, "key") + ">")
			if err := writeValue(b, s.Elem, orDefault(s.ValueName, "value"), v.MapIndex(k), false, format); err != nil {
				return err
			}
			b.WriteString("</entry>")
		}
		b.WriteString("</" + name + ">")
		return nil
	case model.Structure:
		b.WriteString("<" + name + ">")
		if err := writeMembers(b, s, v); err != nil {
			return err
		}
		b.WriteString("</" + name + ">")
		return nil
	}
	b.WriteString("<" + name + ">")
	switch s.Type {
	case model.String:
		xmlText(b, v.String())
	case model.Boolean:
		b.WriteString(strconv.FormatBool(v.Bool()))
	case model.Integer, model.Long:
		b.WriteString(strconv.FormatInt(v.Int(), 10))
	case model.Float, model.Double:
		b.WriteString(strconv.FormatFloat(v.Float(), 'g', -1, 64))
	case model.Timestamp:
		t, _ := v.Interface().(time.Time)
		b.WriteString(model.FormatTime(t, format))
	default:
		return fmt.Errorf("awsquery: shape %s has no XML form here", s.Name)
	}
	b.WriteString("</" + name + ">")
	return nil
}

func xmlText(b *bytes.Buffer, s string) { _ = xml.EscapeText(b, []byte(s)) }
