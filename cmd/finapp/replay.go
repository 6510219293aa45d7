package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"finapp"
)

// replayViolations replays the workspace's audit trail over its books (finapp.Service.ReplayBooks)
// and returns one line per row that differs from what the trail says: an edit made outside
// finapp, even one that keeps every invariant.
func replayViolations(ctx context.Context, svc *finapp.Service) ([]string, error) {
	found, _, err := svc.ReplayBooks(ctx)
	var incomplete *finapp.TrailIncomplete
	if errors.As(err, &incomplete) {
		fmt.Fprintln(os.Stderr, "note:", incomplete.Error())
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	out := make([]string, len(found))
	for i, m := range found {
		out[i] = "not what the audit trail says: " + m.String()
	}
	return out, nil
}

// replayReport prints what replayViolations finds, for `finapp audit verify`, and fails when it
// finds anything.
func replayReport(ctx context.Context, svc *finapp.Service, stdout io.Writer) error {
	bad, err := replayViolations(ctx, svc)
	if err != nil {
		return err
	}
	if len(bad) > 0 {
		fmt.Fprintf(stdout, "BOOKS DIFFER from the audit trail: %d mismatches\n", len(bad))
		for _, b := range bad {
			fmt.Fprintln(stdout, "  -", b)
		}
		return fmt.Errorf("%d rows differ from the audit trail", len(bad))
	}
	fmt.Fprintln(stdout, "books match the audit trail")
	return nil
}

// The pages the replay reads, counted for verify's progress line.

func (t countingTx) AuditPage(ctx context.Context, afterSeq int64, limit int) ([]*finapp.AuditEvent, error) {
	list, err := t.Tx.AuditPage(ctx, afterSeq, limit)
	t.rows.Add(int64(len(list)))
	return list, err
}

func (t countingTx) JournalPage(ctx context.Context, afterSeq int64, limit int) ([]*finapp.JournalEntry, int64, error) {
	list, last, err := t.Tx.JournalPage(ctx, afterSeq, limit)
	t.rows.Add(int64(len(list)))
	return list, last, err
}

func (t countingTx) PaymentPage(ctx context.Context, afterID string, limit int) ([]*finapp.Payment, error) {
	list, err := t.Tx.PaymentPage(ctx, afterID, limit)
	t.rows.Add(int64(len(list)))
	return list, err
}

func (t countingTx) InvoicePage(ctx context.Context, afterID string, limit int) ([]*finapp.Invoice, error) {
	list, err := t.Tx.InvoicePage(ctx, afterID, limit)
	t.rows.Add(int64(len(list)))
	return list, err
}

func (t countingTx) AllocationPage(ctx context.Context, afterID string, limit int) ([]*finapp.Allocation, error) {
	list, err := t.Tx.AllocationPage(ctx, afterID, limit)
	t.rows.Add(int64(len(list)))
	return list, err
}
