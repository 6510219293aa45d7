package intake

import (
	"context"

	"finapp"
)

// Invoices upserts every invoice line of a file by its external id exactly as a batch of the
// same lines would be (finapp.Service.UpsertInvoices), a chunk per transaction, as the caller of
// ctx (Run says how). No two lines may claim one external id or invoice number.
func Invoices(ctx context.Context, svc *finapp.Service, in Import[finapp.InvoiceImportLine]) (*Result, error) {
	im, err := svc.InvoiceImporter(ctx)
	if err != nil {
		return &Result{}, err
	}
	in.Kind, in.Noun = finapp.ImportInvoices, "invoice"
	books := newUpsertBooks(im, &in) // before Run is handed in, which it completes
	return Run(ctx, svc, books, in)
}

// Organizations upserts every organization line of a file by its external id exactly as a
// batch of the same lines would be (finapp.Service.UpsertOrganizations).
func Organizations(ctx context.Context, svc *finapp.Service, in Import[finapp.OrganizationImportLine]) (*Result, error) {
	im, err := svc.OrganizationImporter(ctx)
	if err != nil {
		return &Result{}, err
	}
	in.Kind, in.Noun = finapp.ImportOrganizations, "organization"
	books := newUpsertBooks(im, &in)
	return Run(ctx, svc, books, in)
}

// upsertBooks are the books' use cases for lines upserted by external id. A chunk is its lines
// as read: they are checked again in the transaction that writes them, against the books as they
// are then.
type upsertBooks[L any] struct {
	im    *finapp.UpsertImporter[L]
	chunk int // lines per transaction
}

// newUpsertBooks reads upserts a window at a time (DefaultUpsertWindow unless in says).
func newUpsertBooks[L any](im *finapp.UpsertImporter[L], in *Import[L]) upsertBooks[L] {
	if in.Chunk <= 0 {
		in.Chunk = DefaultChunk
	}
	if in.Window <= 0 {
		in.Window = DefaultUpsertWindow
	}
	return upsertBooks[L]{im: im, chunk: in.Chunk}
}

type upsertChunk[L any] struct {
	start  int
	window *finapp.UpsertWindow[L]
}

func (b upsertBooks[L]) Check(ctx context.Context, lines []L) ([]*finapp.LineError, error) {
	return b.im.Check(ctx, lines)
}

func (b upsertBooks[L]) Finish() []*finapp.LineError { return b.im.Duplicates() }

func (b upsertBooks[L]) Build(ctx context.Context, _ finapp.Import, start int, lines []L) (upsertChunk[L], error) {
	return upsertChunk[L]{start, b.im.Window(ctx, lines, b.chunk)}, nil
}

func (b upsertBooks[L]) Write(ctx context.Context, imp *finapp.Import, ch upsertChunk[L], written func(int)) (finapp.UpsertTally, error) {
	return b.im.Write(ctx, imp, ch.start, ch.window, written)
}
