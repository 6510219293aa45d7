package api

import (
	"net"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"finapp"
)

// Access levels of operations.
const (
	levelRead  = "read"  // viewer, finance, admin
	levelWrite = "write" // finance, admin: record and apply money
	levelAdmin = "admin" // admin: users and tokens
)

// access is the rule of every operation, by operation id: the one table of who may call what.
// An operation missing here is refused to everyone (deny by default), and the route × role test
// fails, so a new route cannot ship without a rule.
var access = map[string]string{
	"create-organization":             levelWrite,
	"list-organizations":              levelRead,
	"get-organization":                levelRead,
	"get-organization-settings":       levelRead,
	"set-organization-settings":       levelWrite,
	"get-organization-credit":         levelRead,
	"create-reservation":              levelWrite,
	"list-reservations":               levelRead,
	"get-reservation":                 levelRead,
	"capture-reservation":             levelWrite,
	"release-reservation":             levelWrite,
	"create-withdrawal":               levelWrite,
	"list-withdrawals":                levelRead,
	"get-withdrawal":                  levelRead,
	"reverse-withdrawal":              levelWrite,
	"get-statement":                   levelRead,
	"create-invoice":                  levelWrite,
	"list-invoices":                   levelRead,
	"get-invoice":                     levelRead,
	"void-invoice":                    levelWrite,
	"update-invoice":                  levelWrite,
	"upsert-invoices":                 levelWrite,
	"upsert-organizations":            levelWrite,
	"record-payment":                  levelWrite,
	"list-payments":                   levelRead,
	"get-payment":                     levelRead,
	"suggest-invoices":                levelRead,
	"update-payment":                  levelWrite,
	"delete-payment":                  levelWrite,
	"assign-payment":                  levelWrite,
	"unassign-payment":                levelWrite,
	"allocate-payment":                levelWrite,
	"release-allocation":              levelWrite,
	"top-up":                          levelWrite,
	"list-audit":                      levelRead,
	"list-events":                     levelRead,
	"verify-audit":                    levelRead,
	"export-journal":                  levelRead,
	"aging-report":                    levelRead,
	"receipts-report":                 levelRead,
	"list-reminders":                  levelRead,
	"run-reminders":                   levelWrite,
	"get-reminder-levels":             levelRead,
	"set-reminder-levels":             levelAdmin,
	"get-settings":                    levelRead,
	"set-settings":                    levelAdmin,
	"get-tolerances":                  levelRead,
	"set-tolerances":                  levelAdmin,
	"get-period":                      levelRead,
	"refund-payment":                  levelWrite,
	"list-refunds":                    levelRead,
	"list-payment-allocations":        levelRead,
	"list-invoice-allocations":        levelRead,
	"list-payment-top-ups":            levelRead,
	"list-credit-note-applications":   levelRead,
	"get-refund":                      levelRead,
	"reverse-refund":                  levelWrite,
	"issue-credit-note":               levelWrite,
	"list-credit-notes":               levelRead,
	"get-credit-note":                 levelRead,
	"apply-credit-note":               levelWrite,
	"release-credit-note-application": levelWrite,
	"refund-credit-note":              levelWrite,
	"credit-note-to-credit":           levelWrite,
	"void-credit-note":                levelWrite,
	"close-period":                    levelAdmin,
	"reopen-period":                   levelAdmin,
	"list-tokens":                     levelAdmin,
	"create-token":                    levelAdmin,
	"revoke-token":                    levelAdmin,
	"list-users":                      levelAdmin,
	"create-user":                     levelAdmin,
	"disable-user":                    levelAdmin,
	"create-webhook-endpoint":         levelAdmin,
	"list-webhook-endpoints":          levelAdmin,
	"get-webhook-endpoint":            levelAdmin,
	"update-webhook-endpoint":         levelAdmin,
	"rotate-webhook-secret":           levelAdmin,
	"delete-webhook-endpoint":         levelAdmin,
	"list-webhook-attempts":           levelAdmin,
	"redeliver-webhook":               levelAdmin,
	"import-bank-statement":           levelWrite,
	"list-bank-statements":            levelRead,
	"get-bank-statement":              levelRead,
	"list-bank-lines":                 levelRead,
	"get-bank-line":                   levelRead,
	"list-bank-accounts":              levelRead,
	"create-bank-csv-template":        levelWrite,
	"list-bank-csv-templates":         levelRead,
	"get-bank-csv-template":           levelRead,
	"replace-bank-csv-template":       levelWrite,
	"delete-bank-csv-template":        levelWrite,
	"preview-bank-csv":                levelWrite,
	"list-bank-line-proposals":        levelRead,
	"apply-bank-line":                 levelWrite,
	"apply-bank-lines":                levelWrite,
	"ignore-bank-line":                levelWrite,
	"undo-bank-line":                  levelWrite,
	"create-matching-rule":            levelWrite,
	"list-matching-rules":             levelRead,
	"get-matching-rule":               levelRead,
	"replace-matching-rule":           levelWrite,
	"delete-matching-rule":            levelWrite,
}

// allowed reports whether actor may use an operation of level; what each role may do is the
// books' rule (finapp.Actor).
func allowed(actor finapp.Actor, level string) bool {
	switch level {
	case levelRead:
		return actor.CanRead()
	case levelWrite:
		return actor.CanWrite()
	case levelAdmin:
		return actor.CanAdminister()
	}
	return false
}

// enforceAccess is huma middleware applying the access table to every operation.
func enforceAccess(api huma.API) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		actor, _ := finapp.ActorFrom(ctx.Context())
		level, ok := access[ctx.Operation().OperationID]
		if !ok || !allowed(actor, level) {
			msg := "the " + actor.Role + " role may not " + ctx.Operation().Summary
			if !ok {
				msg = "operation " + ctx.Operation().OperationID + " has no access rule"
			}
			_ = huma.WriteErr(api, ctx, http.StatusForbidden, msg)
			return
		}
		next(ctx)
	}
}

// clientAddress is the request's peer address without the port. finapp trusts no forwarding
// header by default: behind a proxy the proxy's address is what is recorded.
func clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
