// Package statement writes a customer statement (finapp.Statement) in the formats a customer or
// an accountant is sent: CSV and PDF. The figures are the books'; this package only lays them out.
package statement

import (
	"encoding/csv"
	"io"

	"finapp"
	"finapp/money"
)

// KindLabels name the statement's documents for people (the PDF and the web page).
var KindLabels = map[string]string{
	finapp.StatementInvoice:            "Invoice",
	finapp.StatementVoid:               "Invoice voided",
	finapp.StatementPayment:            "Payment",
	finapp.StatementTopUp:              "Credit top-up",
	finapp.StatementRefund:             "Refund",
	finapp.StatementRefundReversed:     "Refund returned",
	finapp.StatementWriteOff:           "Written off",
	finapp.StatementBankFee:            "Bank fee",
	finapp.StatementDiscount:           "Discount",
	finapp.StatementFXDifference:       "Exchange difference",
	finapp.StatementAdjustmentReleased: "Adjustment undone",
	finapp.StatementConversion:         "Paid in another currency",
	finapp.StatementConversionReleased: "Currency payment undone",
	finapp.StatementCreditNote:         "Credit note",
	finapp.StatementCreditNoteVoid:     "Credit note voided",
	finapp.StatementCreditNoteRefund:   "Credit note refunded",
	finapp.StatementCreditNoteToCredit: "Credit note to prepaid credit",
}

// BucketLabels name the aging buckets (finapp.AgingBuckets) for people.
var BucketLabels = []string{"Current", "1-30 days", "31-60 days", "61-90 days", "Over 90 days"}

// CSVHeader is the first row of WriteCSV.
var CSVHeader = []string{"currency", "date", "type", "number", "document_id", "due_on", "amount", "balance"}

// WriteCSV writes st as one table, a block per currency: an opening_balance row, the documents
// (type is the line's kind, amount signed as the customer owes: invoices positive, payments
// negative) each with its running balance, a closing_balance row, then the aging footer as rows of
// type aging (number is the bucket: current, 1_30, 31_60, 61_90, over_90), open_invoices and
// unapplied. Amounts are decimal strings with the currency's digits.
func WriteCSV(w io.Writer, st *finapp.Statement) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true // RFC 4180, and what spreadsheet programs expect
	write := func(row ...string) { _ = cw.Write(row) }
	write(CSVHeader...)
	for _, a := range st.Accounts {
		c := string(a.Currency)
		write(c, st.From, "opening_balance", "", "", "", "", a.Opening.Format(a.Currency))
		for _, l := range a.Lines {
			write(c, l.Date, l.Kind, l.Number, l.DocumentID, l.DueOn, money.Format(l.Amount, a.Currency), l.Balance.Format(a.Currency))
		}
		write(c, st.To, "closing_balance", "", "", "", "", a.Closing.Format(a.Currency))
		for k, b := range finapp.AgingBuckets {
			write(c, st.To, "aging", b, "", "", a.Aging[k].Format(a.Currency), "")
		}
		write(c, st.To, "open_invoices", "", "", "", a.Open.Format(a.Currency), "")
		write(c, st.To, "unapplied", "", "", "", a.Unapplied.Format(a.Currency), "")
	}
	cw.Flush()
	return cw.Error()
}
