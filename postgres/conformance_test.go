package postgres_test

import (
	"testing"

	"finapp"
	"finapp/conformance"
	"finapp/internal/testdb"
)

// TestConformance runs the storage-engine conformance suite against PostgreSQL, a fresh schema
// for every test. It fails when CI=true and no server is configured.
func TestConformance(t *testing.T) {
	testdb.PostgresURL(t)
	conformance.Run(t, func(t *testing.T) finapp.Store { return testdb.Postgres(t) })
}
