// Package organizations is the AWS Organizations API as its official model
// states it: Go types for the shapes of the operations localsec serves,
// the API interface its adapter implements, and the model the awsjson
// layer routes, binds, validates and encodes with. api_gen.go is generated
// from botocore's model; operations.txt says which operations it covers.
package organizations

//go:generate go run github.com/localsec/localsec/internal/apigen
