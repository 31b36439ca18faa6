package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/localsec/localsec/internal/protocol/model"
)

// Request returns the HTTP request of op with input in, as an SDK would
// send it for the service's protocol, signed (in form only: localsec
// checks signatures only when asked) by account in region.
func Request(svc *model.Service, op *model.Operation, in Input, base, account, region string) (*http.Request, error) {
	var (
		method  = op.Method
		path    = op.URI
		query   = url.Values{}
		headers = http.Header{}
		body    []byte
		err     error
	)
	switch svc.Protocol {
	case model.RestJSON:
		obj := map[string]any{}
		if op.Input != nil {
			for i := range op.Input.Members {
				m := &op.Input.Members[i]
				v, ok := in[m.Name]
				if !ok {
					continue
				}
				switch m.Location {
				case model.Body:
					obj[m.WireName] = v
				case model.URI:
					path = strings.Replace(path, "{"+m.WireName+"}", escapeLabel(text(v)), 1)
					path = strings.Replace(path, "{"+m.WireName+"+}", escapeGreedy(text(v)), 1)
				case model.QueryString:
					if list, ok := v.([]any); ok {
						for _, e := range list {
							query.Add(m.WireName, text(e))
						}
					} else {
						query.Set(m.WireName, text(v))
					}
				case model.Header:
					headers.Set(m.WireName, text(v))
				}
			}
			if hasBody(op.Input) {
				if body, err = json.Marshal(obj); err != nil {
					return nil, err
				}
				headers.Set("Content-Type", "application/json")
			}
		}
		if p, q, ok := strings.Cut(path, "?"); ok {
			path = p
			for _, kv := range strings.Split(q, "&") {
				k, v, _ := strings.Cut(kv, "=")
				query.Set(k, v)
			}
		}
	case model.JSON:
		obj := map[string]any{}
		if op.Input != nil {
			for i := range op.Input.Members {
				m := &op.Input.Members[i]
				if v, ok := in[m.Name]; ok {
					obj[m.WireName] = v
				}
			}
		}
		if body, err = json.Marshal(obj); err != nil {
			return nil, err
		}
		headers.Set("Content-Type", "application/x-amz-json-"+svc.JSONVersion)
		headers.Set("X-Amz-Target", svc.TargetPrefix+"."+op.Name)
	case model.Query:
		form := url.Values{"Action": {op.Name}, "Version": {svc.APIVersion}}
		if op.Input != nil {
			for i := range op.Input.Members {
				m := &op.Input.Members[i]
				if v, ok := in[m.Name]; ok {
					flatten(form, m.WireName, m.Shape, v)
				}
			}
		}
		body = []byte(form.Encode())
		headers.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	default:
		return nil, fmt.Errorf("no request form for protocol %q", svc.Protocol)
	}
	target := base + path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	r, err := http.NewRequest(method, target, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, v := range headers {
		r.Header[k] = v
	}
	r.Header.Set("X-Amz-Date", "20260101T000000Z")
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+account+"/20260101/"+region+"/"+svc.SigningName+
		"/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000000000000000000000000000000000000000000000000000000000000000")
	return r, nil
}

func hasBody(s *model.Shape) bool {
	for i := range s.Members {
		if s.Members[i].Location == model.Body {
			return true
		}
	}
	return false
}

// text writes a value as it travels in a URI, query or header.
func text(v any) string {
	switch x := v.(type) {
	case model.Text:
		return string(x)
	case string:
		return x
	case json.Number:
		return string(x)
	case bool:
		if x {
			return "true"
		}
		return "false"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// escapeLabel percent-encodes a label whole, as SDKs do: every byte but
// the unreserved characters, "/" and ":" included.
func escapeLabel(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// escapeGreedy encodes a greedy label: each segment, keeping the "/".
func escapeGreedy(s string) string {
	parts := strings.Split(s, "/")
	for i, p := range parts {
		parts[i] = escapeLabel(p)
	}
	return strings.Join(parts, "/")
}

// flatten writes a member into a query form: lists as Name.member.N (or
// the model's element name), maps as Name.entry.N.key/value, structures
// as Name.Member.
func flatten(form url.Values, name string, s *model.Shape, v any) {
	switch x := v.(type) {
	case []any:
		elem := s.ElemName
		if elem == "" {
			elem = "member"
		}
		if len(x) == 0 {
			form.Set(name, "")
		}
		for i, e := range x {
			var es *model.Shape
			if s != nil {
				es = s.Elem
			}
			flatten(form, fmt.Sprintf("%s.%s.%d", name, elem, i+1), es, e)
		}
	case map[string]any:
		if s != nil && s.Type == model.Structure {
			for i := range s.Members {
				m := &s.Members[i]
				if e, ok := x[m.WireName]; ok {
					flatten(form, name+"."+m.WireName, m.Shape, e)
				}
			}
			return
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for i, k := range keys {
			form.Set(fmt.Sprintf("%s.entry.%d.key", name, i+1), k)
			var es *model.Shape
			if s != nil {
				es = s.Elem
			}
			flatten(form, fmt.Sprintf("%s.entry.%d.value", name, i+1), es, x[k])
		}
	default:
		form.Set(name, text(v))
	}
}
