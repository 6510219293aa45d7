package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"finapp"
)

// phoneCheck lists what is wrong with the page at the browser's width: the page scrolls
// sideways, an element reaches past the right edge (outside a container meant to scroll), text
// is cut off by its box, or a card keeps a column's width instead of the phone's.
const phoneCheck = `(() => {
  document.querySelectorAll("details").forEach(d => { d.open = true; }); // the editors too
  const vw = document.documentElement.clientWidth, bad = [];
  const name = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : "");
  const scrolls = el => { for (let p = el.parentElement; p; p = p.parentElement) { const o = getComputedStyle(p).overflowX; if (o === "auto" || o === "scroll") return true; } return false; };
  if (document.documentElement.scrollWidth > vw + 1) bad.push("the page is " + document.documentElement.scrollWidth + "px wide at " + vw + "px");
  for (const el of document.querySelectorAll("main *, header *, nav *")) {
    const r = el.getBoundingClientRect(), cs = getComputedStyle(el);
    if (r.width === 0 || r.height === 0 || cs.visibility === "hidden") continue;
    if (r.right > vw + 1 && !scrolls(el)) bad.push(name(el) + " reaches " + Math.round(r.right) + "px");
    const clips = cs.overflowX === "hidden" || cs.overflowX === "clip" || cs.textOverflow === "ellipsis";
    if (clips && el.scrollWidth > el.clientWidth + 1 && (el.textContent || "").trim() !== "") bad.push(name(el) + " cuts its text off (" + el.scrollWidth + " > " + el.clientWidth + ")");
  }
  for (const el of document.querySelectorAll("main section, main .card")) {
    const w = el.getBoundingClientRect().width;
    if (w > 0 && w < vw * 0.8) bad.push(name(el) + " is only " + Math.round(w) + "px wide: the columns do not stack");
  }
  return bad.slice(0, 15);
})()`

// TestBrowser_EveryMainPageFitsAPhone (issue 13, item 1) opens each main page at 390 px, the
// width of a phone, over books with a payment allocated, refunded and written off: none may
// scroll sideways, reach past the edge or clip its text.
func TestBrowser_EveryMainPageFitsAPhone(t *testing.T) {
	h := newHarness(t, false)
	if _, err := h.svc.SetTolerances(h.ctx, []finapp.ToleranceInput{{Currency: "SGD", Amount: "1.00"}}); err != nil {
		t.Fatal(err)
	}
	inv, _, err := h.svc.ListInvoices(h.ctx, finapp.InvoiceFilter{Limit: 10})
	if err != nil || len(inv) < 2 {
		t.Fatalf("the harness's invoices: %v %v", inv, err)
	}
	p := h.pay(h.acme.ID, "1234567.89", "bank_transfer", "DBS REMITTANCE 2026-12-0042 ACME TELECOM PTE LTD")
	h.allocate(p.ID, finapp.AllocationLine{InvoiceID: inv[0].ID, Amount: "299.50"},
		finapp.AllocationLine{InvoiceID: inv[0].ID, Amount: "0.50", Kind: finapp.AdjustWriteOff, Reason: "rounding by the customer's bank"})
	if _, err := h.svc.RefundPayment(h.ctx, p.ID, 0, finapp.RefundCreate{Amount: "1000.00", Reason: "paid twice"}); err != nil {
		t.Fatal(err)
	}
	cn, err := h.svc.IssueCreditNote(h.ctx, finapp.CreditNoteCreate{OrganizationID: h.acme.ID, InvoiceID: inv[1].ID, Amount: "150.00", Reason: "returned goods"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.ApplyCreditNote(h.ctx, cn.ID, 0, finapp.CreditNoteApplyRequest{Lines: []finapp.CreditNoteLine{{InvoiceID: inv[1].ID, Amount: "50.00"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.RefundCreditNote(h.ctx, cn.ID, 0, finapp.CreditNoteRefund{Amount: "25.00", Method: "cash", Reference: "CHQ 000123 FOR ACME TELECOM", Reason: "asked"}); err != nil {
		t.Fatal(err)
	}
	h.invoice(h.acme, "PH-0000001", "50.00", finapp.KindStandard)
	edited := editorPages(t, h, "PH-")
	ctx := browser(t, 390, 844)
	// A headless window is never narrower than 500 px: the phone's viewport is emulated.
	run(t, ctx, "a phone's viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	logIn(t, ctx, h.URL)
	if w, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.clientWidth`)); err != nil || w != 390 {
		t.Fatalf("the page is %d px wide, not a phone's 390 (%v)", w, err)
	}
	for _, page := range []string{"/payments", "/payments/" + p.ID, "/payments/new", "/payments/" + p.ID + "/edit", "/invoices", "/invoices/" + inv[0].ID,
		"/invoices/new", "/organizations", "/organizations/" + h.acme.ID, "/organizations/new", "/reports", "/audit", "/reminders",
		"/credit-notes", "/credit-notes/" + cn.ID, "/credit-notes/new", "/reconcile", "/reconcile?status=unmatched", "/reconcile/rules", "/reconcile/templates", edited[0], edited[1], edited[2]} {
		run(t, ctx, "open "+page, chromedp.Navigate(h.URL+page), chromedp.WaitReady(chromedp.CSS(`main`)))
		bad, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](phoneCheck))
		if err != nil {
			t.Fatalf("checking %s: %v", page, err)
		}
		if len(bad) > 0 {
			t.Errorf("%s at 390 px:\n  %s", page, strings.Join(bad, "\n  "))
		}
	}
}
