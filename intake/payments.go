package intake

import (
	"context"

	"finapp"
)

// Payments records every payment line of a file exactly as RecordPayment records one payment —
// the same checks, the same row, the same balanced journal entry, audit event and outbox event —
// a chunk of payments per transaction, as the caller of ctx (Run says how).
func Payments(ctx context.Context, svc *finapp.Service, in Import[finapp.ImportLine]) (*Result, error) {
	checker, err := svc.ImportChecker(ctx)
	if err != nil {
		return &Result{}, err
	}
	in.Kind, in.Noun = finapp.ImportPayments, "payment"
	return Run(ctx, svc, paymentBooks{svc: svc, checker: checker}, in)
}

// paymentBooks are the books' use cases for payment lines. The checker is used by one
// goroutine at a time: the check pass, then the one that builds chunks.
type paymentBooks struct {
	svc     *finapp.Service
	checker *finapp.ImportChecker
}

func (b paymentBooks) Check(ctx context.Context, lines []finapp.ImportLine) ([]*finapp.LineError, error) {
	var bad []*finapp.LineError
	for _, l := range lines {
		if _, _, err := b.checker.Check(ctx, l); err != nil {
			le := finapp.LineErrorOf(l.Line, err)
			if le == nil {
				return nil, err
			}
			bad = append(bad, le)
		}
	}
	return bad, nil
}

func (paymentBooks) Finish() []*finapp.LineError { return nil }

func (b paymentBooks) Build(ctx context.Context, imp finapp.Import, start int, lines []finapp.ImportLine) (*finapp.ImportChunk, error) {
	ch, err := b.svc.NewImportChunk(ctx, imp.ID, start)
	if err != nil {
		return nil, err
	}
	for _, l := range lines {
		p, org, err := b.checker.Check(ctx, l)
		if err != nil {
			return nil, err
		}
		ch.Add(p, org, l.Line)
	}
	return ch, nil
}

func (b paymentBooks) Write(ctx context.Context, imp *finapp.Import, ch *finapp.ImportChunk, _ func(int)) (finapp.UpsertTally, error) {
	err := b.svc.WriteImportChunk(ctx, imp, ch)
	return finapp.UpsertTally{Created: ch.Len()}, err
}
