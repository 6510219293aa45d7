package finapp_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"pgregory.net/rapid"

	"finapp"
	"finapp/internal/testdb"
	"finapp/money"
)

// Over random sequences of top-ups, credit limit changes, reservations, captures, releases,
// withdrawals and their reversals, and the clock passing expiries, a customer's credit figures always equal a model kept beside them:
// a reservation is accepted exactly when the model's usable credit covers it (never overdrawn),
// reserved is the sum of the open reservations not expired, a capture moves credit to revenue,
// and the audit trail replays to the same books.
func TestCredit_RandomOperationsKeepUsableCreditExact(t *testing.T) {
	db := testdb.Open(t)
	svc := finapp.NewService(db)
	now := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	svc.Now = func() time.Time { return now }
	ctx := finapp.WithActor(context.Background(), finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "test:credit", Role: finapp.RoleFinance})
	cur := money.Currency("SGD")
	rapid.Check(t, func(rt *rapid.T) {
		org, err := svc.CreateOrganization(ctx, finapp.OrganizationCreate{Name: "Prepaid", BillingCurrency: string(cur)})
		if err != nil {
			rt.Fatal(err)
		}
		type held struct {
			id      string
			amount  money.Amount
			expires time.Time
			open    bool
		}
		var balance, limit money.Amount
		var reservations []*held
		type paidOut struct {
			id       string
			amount   money.Amount
			reversed bool
		}
		var withdrawals []*paidOut
		hasFigure := false // the customer has had credit, or a credit limit, in cur
		reserved := func() (sum money.Amount) {
			for _, r := range reservations {
				if r.open && now.Before(r.expires) {
					sum += r.amount
				}
			}
			return sum
		}
		pick := func(label string) *held {
			if len(reservations) == 0 {
				return nil
			}
			return reservations[rapid.IntRange(0, len(reservations)-1).Draw(rt, label)]
		}
		for step := range rapid.IntRange(1, 25).Draw(rt, "steps") {
			switch rapid.IntRange(0, 7).Draw(rt, "operation") {
			case 0: // fund: a payment topped up whole
				amt := money.Amount(rapid.IntRange(1, 5000).Draw(rt, "fund"))
				p, err := svc.RecordPayment(ctx, finapp.PaymentCreate{OrganizationID: org.ID, Amount: money.Format(amt, cur),
					Currency: string(cur), Method: "cash"})
				if err != nil {
					rt.Fatal(err)
				}
				if _, err := svc.TopUp(ctx, p.ID, p.Version, money.Format(amt, cur)); err != nil {
					rt.Fatal(err)
				}
				balance += amt
				hasFigure = true
			case 1: // the credit limit changes, up or down, but not below what is used of it
				next := money.Amount(rapid.IntRange(0, 3000).Draw(rt, "limit"))
				_, err := svc.SetCreditSettings(ctx, org.ID, finapp.CreditSettingsInput{BillingMode: finapp.BillingPrepaid,
					CreditLimits: map[string]string{string(cur): money.Format(next, cur)}})
				fits := int64(balance)-int64(reserved())+int64(next) >= 0
				switch {
				case fits && err != nil:
					rt.Fatalf("step %d: a limit of %d refused: %v", step, next, err)
				case !fits && !isCode(err, finapp.EInsufficientCredit):
					rt.Fatalf("step %d: a limit of %d below what is used: %v, want insufficient_credit", step, next, err)
				case fits:
					limit, hasFigure = next, true
				}
			case 2: // reserve
				amt := money.Amount(rapid.IntRange(1, 4000).Draw(rt, "reserve"))
				secs := rapid.IntRange(1, 600).Draw(rt, "expires_in")
				r, err := svc.Reserve(ctx, org.ID, finapp.ReservationCreate{Amount: money.Format(amt, cur), Currency: string(cur), ExpiresIn: secs})
				usable := int64(balance) - int64(reserved()) + int64(limit)
				switch {
				case int64(amt) <= usable && err != nil:
					rt.Fatalf("step %d: reserving %d of %d usable refused: %v", step, amt, usable, err)
				case int64(amt) > usable && !isCode(err, finapp.EInsufficientCredit):
					rt.Fatalf("step %d: reserving %d of %d usable: %v, want insufficient_credit", step, amt, usable, err)
				case err == nil:
					reservations = append(reservations, &held{id: r.ID, amount: amt, expires: now.Add(time.Duration(secs) * time.Second), open: true})
				}
			case 3: // capture part of one
				h := pick("capture which")
				if h == nil {
					continue
				}
				amt := money.Amount(rapid.IntRange(1, int(h.amount)).Draw(rt, "capture"))
				_, err := svc.CaptureReservation(ctx, h.id, money.Format(amt, cur))
				live := h.open && now.Before(h.expires)
				switch {
				case live && err != nil:
					rt.Fatalf("step %d: capturing an open reservation: %v", step, err)
				case !live && !isCode(err, finapp.EReservationClosed):
					rt.Fatalf("step %d: capturing a closed one: %v, want reservation_closed", step, err)
				case err == nil:
					h.open = false
					balance -= amt
				}
			case 4: // release one
				h := pick("release which")
				if h == nil {
					continue
				}
				_, err := svc.ReleaseReservation(ctx, h.id)
				live := h.open && now.Before(h.expires)
				if live != (err == nil) || (!live && !isCode(err, finapp.EReservationClosed)) {
					rt.Fatalf("step %d: releasing (open %v): %v", step, live, err)
				}
				h.open = false
			case 5: // time passes
				now = now.Add(time.Duration(rapid.IntRange(1, 300).Draw(rt, "seconds")) * time.Second)
			case 6: // withdraw: only what the balance holds beyond the reservations
				amt := money.Amount(rapid.IntRange(1, 4000).Draw(rt, "withdraw"))
				w, err := svc.Withdraw(ctx, org.ID, finapp.WithdrawalCreate{Amount: money.Format(amt, cur), Currency: string(cur),
					Method: "bank_transfer", Reason: "closing the account"})
				own := int64(balance) - int64(reserved())
				switch {
				case !hasFigure && !isCode(err, finapp.EInvalid):
					rt.Fatalf("step %d: withdrawing with no credit in %s: %v, want invalid", step, cur, err)
				case hasFigure && int64(amt) <= own && err != nil:
					rt.Fatalf("step %d: withdrawing %d of %d own refused: %v", step, amt, own, err)
				case hasFigure && int64(amt) > own && !isCode(err, finapp.EInsufficientCredit):
					rt.Fatalf("step %d: withdrawing %d of %d own: %v, want insufficient_credit", step, amt, own, err)
				case err == nil:
					withdrawals = append(withdrawals, &paidOut{id: w.ID, amount: amt})
					balance -= amt
				}
			case 7: // a withdrawal comes back
				if len(withdrawals) == 0 {
					continue
				}
				w := withdrawals[rapid.IntRange(0, len(withdrawals)-1).Draw(rt, "reverse which")]
				_, err := svc.ReverseWithdrawal(ctx, w.id, "the bank returned the transfer")
				switch {
				case w.reversed && !isCode(err, finapp.EConflict):
					rt.Fatalf("step %d: reversing twice: %v, want conflict", step, err)
				case !w.reversed && err != nil:
					rt.Fatalf("step %d: reversing: %v", step, err)
				case err == nil:
					w.reversed = true
					balance += w.amount
				}
			}
			figures, err := svc.Credit(ctx, org.ID)
			if err != nil {
				rt.Fatal(err)
			}
			f := figureIn(figures, cur)
			want := fmt.Sprintf("%d/%d/%d/%d", balance, reserved(), limit, int64(balance)-int64(reserved())+int64(limit))
			if got := fmt.Sprintf("%s/%s/%d/%s", f.Balance, f.Reserved, f.CreditLimit, f.Usable); got != want {
				rt.Fatalf("step %d: balance/reserved/limit/usable %s, want %s", step, got, want)
			}
			if f.Usable.Sign() < 0 {
				rt.Fatalf("step %d: usable credit %s below zero", step, f.Usable)
			}
		}
	})
	if mismatches, _, err := svc.ReplayBooks(ctx); err != nil || len(mismatches) > 0 {
		t.Fatalf("replay: %v %v", mismatches, err)
	}
}

func figureIn(figures []finapp.CreditFigure, c money.Currency) finapp.CreditFigure {
	for _, f := range figures {
		if f.Currency == c {
			return f
		}
	}
	return finapp.CreditFigure{Currency: c}
}

func isCode(err error, code string) bool {
	var e *finapp.Error
	return errors.As(err, &e) && e.Code == code
}
