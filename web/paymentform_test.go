package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowser_NewPaymentPicksTheCustomersCurrencyAndSummarisesErrors (issue 13, item 5): the
// currency is a picker that follows the chosen customer's billing currency, and a form sent back
// with errors lists them at the top, each a link to its field, with the first field at fault
// focused.
func TestBrowser_NewPaymentPicksTheCustomersCurrencyAndSummarisesErrors(t *testing.T) {
	h := newHarness(t, false)
	yen := h.org("Kyoto Telecom KK", "JPY")
	ctx := browser(t, 1280, 900)
	logIn(t, ctx, h.URL)
	run(t, ctx, "open the payment form", chromedp.Navigate(h.URL+"/payments/new"), chromedp.WaitVisible(chromedp.CSS(`#currency`)))
	if tag := textOf(t, ctx, `label:has(#currency)`); !strings.Contains(tag, "JPY") || !strings.Contains(tag, "SGD") || !strings.Contains(tag, "EUR") {
		t.Errorf("the currency picker offers %q, want the customers' currencies and the others", tag)
	}
	if got := valueOf(t, ctx, `#currency`); got != "SGD" {
		t.Errorf("before a customer is chosen the currency is %q, want the most common billing currency SGD", got)
	}
	run(t, ctx, "choose the yen customer", chromedp.SetValue(chromedp.CSS(`#organization_id`), yen.ID),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("organization_id").dispatchEvent(new Event("change"))`))
	if got := valueOf(t, ctx, `#currency`); got != "JPY" {
		t.Errorf("after choosing a JPY customer the currency is %q", got)
	}

	// Sen do not exist: the amount is refused, and the summary says so at the top.
	run(t, ctx, "send an amount with sen", chromedp.SendKeys(chromedp.CSS(`#amount`), "1,500.50"), submit(`#save`))
	wantText(t, ctx, "#error-summary", "1 field needs correcting")
	wantText(t, ctx, "#error-summary a[href='#amount']", "Amount:")
	focused, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement && document.activeElement.id`))
	if err != nil || focused != "amount" {
		t.Errorf("the focus is on %q, want the amount field (%v)", focused, err)
	}
	if got := valueOf(t, ctx, `#currency`); got != "JPY" {
		t.Errorf("the form sent back forgot the currency: %q", got)
	}

	// Corrected, as the bank printed it, it is recorded in yen.
	run(t, ctx, "correct the amount", clearInput(`#amount`), chromedp.SendKeys(chromedp.CSS(`#amount`), "1,500"), submit(`#save`))
	wantText(t, ctx, "main", "JPY 1,500")
}
