package statement

import (
	"io"
	"strconv"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"finapp"
	"finapp/money"
)

// WritePDF writes st as a printable A4 statement from company (the workspace's name): the
// customer's name and id, the period, and per currency a table of the documents with their
// running balance between the opening and the closing balance, the period's totals, and the aging
// footer. The PDF's dates are the statement's own, so the same books give the same file.
func WritePDF(w io.Writer, st *finapp.Statement, company string) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetMargins(15, 15, 15)
	pdf.SetAutoPageBreak(true, 15)
	// The core fonts are Windows-1252; this maps names with accents onto it (other scripts are
	// beyond the core fonts, and come out as "?").
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	stamp, _ := time.Parse("2006-01-02", st.To)
	pdf.SetCreationDate(stamp)
	pdf.SetModificationDate(stamp)
	pdf.SetTitle("Statement "+st.Organization.Name+" "+st.To, true)
	pdf.AliasNbPages("")
	pdf.SetFooterFunc(func() {
		pdf.SetY(-12)
		pdf.SetFont("Helvetica", "", 8)
		pdf.CellFormat(0, 5, tr(st.Organization.Name+" - statement to "+st.To+" - page ")+strconv.Itoa(pdf.PageNo())+" of {nb}", "", 0, "C", false, 0, "")
	})
	pdf.AddPage()

	pdf.SetFont("Helvetica", "B", 16)
	pdf.CellFormat(0, 8, tr(company), "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "B", 13)
	pdf.CellFormat(0, 8, "Customer statement", "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 10)
	period := "Up to " + st.To
	if st.From != "" {
		period = "From " + st.From + " to " + st.To
	}
	for _, kv := range [][2]string{{"Customer", st.Organization.Name}, {"Customer id", st.Organization.ID}, {"Period", period}} {
		pdf.SetFont("Helvetica", "B", 10)
		pdf.CellFormat(30, 6, kv[0], "", 0, "L", false, 0, "")
		pdf.SetFont("Helvetica", "", 10)
		pdf.CellFormat(0, 6, tr(kv[1]), "", 1, "L", false, 0, "")
	}

	// Date, document, number, due date, charges, payments and credits, balance: 180 mm.
	widths := []float64{22, 30, 46, 22, 20, 20, 20}
	row := func(style string, fill bool, cells ...string) {
		pdf.SetFont("Helvetica", style, 9)
		for i, c := range cells {
			align := "L"
			if i >= 4 {
				align = "R"
			}
			pdf.CellFormat(widths[i], 6, fit(pdf, tr(c), widths[i]-2), "B", 0, align, fill, 0, "")
		}
		pdf.Ln(-1)
	}
	for _, a := range st.Accounts {
		f := func(s money.Sum) string { return s.Format(a.Currency) }
		pdf.Ln(4)
		pdf.SetFont("Helvetica", "B", 11)
		pdf.CellFormat(0, 7, "In "+string(a.Currency), "", 1, "L", false, 0, "")
		pdf.SetFillColor(235, 235, 235)
		row("B", true, "Date", "Document", "Number", "Due", "Charges", "Credits", "Balance")
		row("", false, st.From, "Opening balance", "", "", "", "", f(a.Opening))
		for _, l := range a.Lines {
			charge, credit := "", ""
			if l.Amount > 0 {
				charge = money.Format(l.Amount, a.Currency)
			} else {
				credit = money.Format(-l.Amount, a.Currency)
			}
			row("", false, l.Date, KindLabels[l.Kind], l.Number, l.DueOn, charge, credit, f(l.Balance))
		}
		row("B", false, "", "Totals", "", "", f(a.Charged), f(a.Credited), "")
		row("B", false, st.To, "Closing balance", "", "", "", "", f(a.Closing))

		pdf.Ln(3)
		pdf.SetFont("Helvetica", "B", 10)
		pdf.CellFormat(0, 6, "Open invoices by days past due on "+st.To, "", 1, "L", false, 0, "")
		aw := 30.0
		pdf.SetFont("Helvetica", "B", 9)
		for _, b := range append(BucketLabels, "Total open") {
			pdf.CellFormat(aw, 6, b, "B", 0, "R", true, 0, "")
		}
		pdf.Ln(-1)
		pdf.SetFont("Helvetica", "", 9)
		for _, b := range a.Aging {
			pdf.CellFormat(aw, 6, f(b), "", 0, "R", false, 0, "")
		}
		pdf.CellFormat(aw, 6, f(a.Open), "", 1, "R", false, 0, "")
		pdf.CellFormat(5*aw, 6, "Less payments not yet applied to an invoice", "", 0, "R", false, 0, "")
		pdf.CellFormat(aw, 6, f(a.Unapplied), "", 1, "R", false, 0, "")
	}
	return pdf.Output(w)
}

// fit shortens s to w mm with "..." at its end: a reference may be 200 characters long, and fpdf
// would print it over the next columns.
func fit(pdf *fpdf.Fpdf, s string, w float64) string {
	if pdf.GetStringWidth(s) <= w {
		return s
	}
	for len(s) > 0 && pdf.GetStringWidth(s+"...") > w {
		s = s[:len(s)-1] // the text is single-byte Windows-1252 by now
	}
	return s + "..."
}
