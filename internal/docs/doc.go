// Package docs holds the tests that keep the generated parts of the
// project's documents (docs/fidelity.md) equal to the code they describe.
package docs
