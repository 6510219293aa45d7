// Package conformance is the test suite every storage engine of finapp must pass, in the shape of
// riverqueue's driver test suite: an engine's own test calls Run with a function that opens a
// fresh, empty, migrated store, and Run drives finapp's use cases over it through finapp.Service
// only. Nothing here knows which engine it runs on, so SQLite and PostgreSQL are held to the same
// rules (SPEC §3: "Concurrent requests must never over-allocate a payment or an invoice, never
// provision twice, and never lose an acknowledged write, on either storage engine").
//
// The package is not a _test package so that each engine's tests can import it; it only uses
// package testing through the *testing.T it is given.
package conformance

import (
	"context"
	"testing"

	"finapp"
	"finapp/money"
)

// Run runs the whole suite against the engine that open opens. open must return a fresh store with
// no data in it (migrations applied) and close it in t's cleanup. The property test opens one
// store per case and, if the store has a Close() error method, closes it when the case ends; the
// cleanup's second Close must then be harmless (database/sql's DB.Close is). Each subtest (and each case of the
// property test) opens its own store, so subtests are independent and may run in parallel.
func Run(t *testing.T, open func(t *testing.T) finapp.Store) {
	t.Run("RandomOperationsKeepTheBooksConsistent", func(t *testing.T) {
		t.Parallel()
		testRandomOperations(t, open)
	})
	t.Run("ConcurrentAllocationsNeverOverAllocate", func(t *testing.T) {
		t.Parallel()
		testConcurrentAllocations(t, open)
	})
	t.Run("ConcurrentAllocationsProvisionATopUpInvoiceExactlyOnce", func(t *testing.T) {
		t.Parallel()
		testConcurrentProvisioning(t, open)
	})
	t.Run("ConcurrentMultiLineAllocationsAreAllOrNothing", func(t *testing.T) {
		t.Parallel()
		testConcurrentMultiLine(t, open)
	})
	t.Run("SixtyFourClientsOnOverlappingMoneyLoseNothing", func(t *testing.T) {
		t.Parallel()
		testHammer(t, open)
	})
	t.Run("AutoAllocationPaysTheOldestInvoiceFirst", func(t *testing.T) {
		t.Parallel()
		testAutoAllocationOrder(t, open)
	})
	t.Run("HledgerAgreesWithTheJournalBalances", func(t *testing.T) {
		t.Parallel()
		testHledger(t, open)
	})
	t.Run("TxContract/AuditChainIsInChainOrderNotInsertOrder", func(t *testing.T) {
		t.Parallel()
		testAuditChainOrder(t, open)
	})
	t.Run("TxContract/OrganizationAllocationsAndTopUpsAreTheOrganizations", func(t *testing.T) {
		t.Parallel()
		testOrganizationDocuments(t, open)
	})
	t.Run("TxContract/PageLookupsOfBankMatchingSayWhatEachLineLookupSays", func(t *testing.T) {
		t.Parallel()
		testPageLookups(t, open)
	})
}

// financeContext is the caller every use case in the suite runs as: the finance role of the
// default workspace.
func financeContext(parent context.Context) context.Context {
	return finapp.WithActor(parent, finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "conformance", Role: finapp.RoleFinance})
}

// tb is what both *testing.T and *rapid.T offer, so that scenarios run under either.
type tb interface {
	Helper()
	Logf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// Currencies used by the suite: one with two minor digits and one with none, so that an amount
// exact in one may be inexact in the other.
const (
	sgd money.Currency = "SGD"
	jpy money.Currency = "JPY"
)

var currencies = []money.Currency{sgd, jpy}

// specRefusals are the error codes of SPEC §3 (and the generic ones of error.go) that a use case
// may answer with when it refuses a request. EInternal is never among them: a refusal must be a
// rule of the domain, never a storage failure such as "database is locked".
var specRefusals = []string{
	finapp.EInvalid, finapp.ENotFound, finapp.EConflict, finapp.EOverAllocation, finapp.EPaymentUnassigned,
	finapp.EOrganizationMismatch, finapp.ECurrencyMismatch, finapp.EAssignmentLimit, finapp.EPaymentInUse,
	finapp.EInvoiceProvisioned, finapp.EAmountBelowApplied, finapp.EInvoiceHasPayments, finapp.EInvoiceVoid,
	finapp.EDuplicate, finapp.EVersionConflict, finapp.EOverTolerance, // §6.2
	finapp.ECreditAboveInvoice, finapp.ECreditNoteInUse,
}

// fmtAmount renders an amount for failure messages.
func fmtAmount(a money.Amount, c money.Currency) string { return money.Format(a, c) + " " + string(c) }

func fmtSum(s money.Sum, c money.Currency) string { return s.Format(c) + " " + string(c) }
