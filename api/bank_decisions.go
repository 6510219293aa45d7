package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"finapp"
	"finapp/money"
)

// BankProposal is one way to apply a bank line, with its evidence.
type BankProposal struct {
	ID             string             `json:"id" doc:"Pass as proposal_id to apply it; the same books make the same id"`
	OrganizationID string             `json:"organization_id,omitempty" doc:"The customer whose payment the money becomes"`
	PaymentID      string             `json:"payment_id,omitempty" doc:"A payment recorded by hand that is this money: applying links it, records nothing"`
	ReversesLineID string             `json:"reverses_line_id,omitempty" doc:"A returned payment's proposal: applying undoes what this applied line created (its payment is deleted)"`
	RuleID         string             `json:"rule_id,omitempty" doc:"The matching rule that made the proposal"`
	Allocations    []BankProposalLine `json:"allocations" doc:"What applying allocates"`
	WriteOff       *BankProposalLine  `json:"write_off,omitempty" doc:"A short payment's difference, settled without money as write_off_kind says"`
	WriteOffKind   string             `json:"write_off_kind,omitempty" enum:"write_off,bank_fee" doc:"write_off: within the workspace's tolerance; bank_fee: as the matching rule rule_id says"`
	Unapplied      string             `json:"unapplied" doc:"What stays unapplied on the customer's payment"`
	Evidence       []Evidence         `json:"evidence" doc:"Why, strongest first"`
	Score          int                `json:"score" doc:"Ranks the proposals of a line"`
}

// BankProposalLine is money of a line a proposal applies to an invoice.
type BankProposalLine struct {
	InvoiceID     string `json:"invoice_id"`
	InvoiceNumber string `json:"invoice_number"`
	Amount        string `json:"amount"`
}

func bankProposalOut(l *finapp.BankLine, p finapp.BankProposal) BankProposal {
	line := func(a finapp.ProposedAllocation) BankProposalLine {
		return BankProposalLine{a.InvoiceID, a.InvoiceNumber, money.Format(a.Amount, l.Currency)}
	}
	out := BankProposal{ID: p.ID, OrganizationID: p.OrganizationID, PaymentID: p.PaymentID, ReversesLineID: p.ReversesLineID, RuleID: p.RuleID,
		Allocations: []BankProposalLine{},
		Unapplied:   money.Format(p.Unapplied, l.Currency), Score: p.Score}
	for _, a := range p.Allocations {
		out.Allocations = append(out.Allocations, line(a))
	}
	if p.WriteOff != nil {
		w := line(*p.WriteOff)
		out.WriteOff, out.WriteOffKind = &w, p.WriteOffKind
	}
	for _, e := range p.Evidence {
		out.Evidence = append(out.Evidence, Evidence{Kind: e.Kind, Detail: e.Detail})
	}
	return out
}

// BankApplyBody is what applying a line takes: a proposal, or a customer and allocations.
type BankApplyBody struct {
	ProposalID     string                `json:"proposal_id,omitempty" doc:"A proposal of the line (GET …/proposals)"`
	OrganizationID string                `json:"organization_id,omitempty" doc:"Without a proposal: the customer whose payment the money becomes"`
	Allocations    []BankApplyAllocation `json:"allocations,omitempty" maxItems:"500" doc:"Without a proposal: how to apply the money; none leaves it unapplied"`
}

// BankApplyAllocation is money of a bank line applied to an invoice, or an adjustment of it.
type BankApplyAllocation struct {
	InvoiceID string `json:"invoice_id"`
	Amount    string `json:"amount" example:"100.00"`
	Kind      string `json:"kind,omitempty" enum:"payment,write_off,bank_fee,discount,fx_difference"`
	Reason    string `json:"reason,omitempty" maxLength:"500"`
}

func (b BankApplyBody) in() finapp.BankLineApply {
	in := finapp.BankLineApply{ProposalID: b.ProposalID, OrganizationID: b.OrganizationID}
	for _, a := range b.Allocations {
		in.Allocations = append(in.Allocations, finapp.AllocationLine{InvoiceID: a.InvoiceID, Amount: a.Amount, Kind: a.Kind, Reason: a.Reason})
	}
	return in
}

type bankLineOutput struct{ Body BankLine }

func (h *handlers) registerBankDecisions(api huma.API, tags []string) {
	huma.Register(api, huma.Operation{OperationID: "list-bank-line-proposals", Method: http.MethodGet, Path: "/v1/bank-lines/{id}/proposals",
		Summary: "A bank line's proposals, best first, each with its evidence", Tags: tags},
		func(ctx context.Context, in *struct {
			ID string `path:"id"`
		}) (*struct {
			Body struct {
				Data []BankProposal `json:"data"`
			}
		}, error) {
			l, list, err := h.svc.BankLineProposals(ctx, in.ID)
			if err != nil {
				return nil, problem(err)
			}
			out := &struct {
				Body struct {
					Data []BankProposal `json:"data"`
				}
			}{}
			out.Body.Data = make([]BankProposal, 0, len(list))
			for _, p := range list {
				out.Body.Data = append(out.Body.Data, bankProposalOut(l, p))
			}
			return out, nil
		})
	huma.Register(api, huma.Operation{OperationID: "apply-bank-line", Method: http.MethodPost, Path: "/v1/bank-lines/{id}/apply",
		Summary: "Apply a bank line: record its payment and allocate it, or link a payment recorded by hand", Tags: tags,
		Description: "All or nothing. A proposal the books no longer make is refused `409 conflict` naming `proposal_id`; a line " +
			"decided already, money out or not booked is refused 409."},
		func(ctx context.Context, in *struct {
			ID             string `path:"id"`
			IdempotencyKey string `header:"Idempotency-Key"`
			Body           BankApplyBody
		}) (*bankLineOutput, error) {
			l, err := h.svc.ApplyBankLine(ctx, in.ID, in.Body.in())
			if err != nil {
				return nil, problem(err)
			}
			return &bankLineOutput{Body: bankLineOut(l)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "apply-bank-lines", Method: http.MethodPost, Path: "/v1/bank-lines/apply",
		Summary: "Apply many bank lines: each all or nothing, the batch reports each", Tags: tags},
		func(ctx context.Context, in *struct {
			IdempotencyKey string `header:"Idempotency-Key"`
			Body           struct {
				Lines []BankApplyLine `json:"lines" minItems:"1" maxItems:"500"`
			}
		}) (*struct {
			Body struct {
				Results []BankApplyResult `json:"results"`
			}
		}, error) {
			out := &struct {
				Body struct {
					Results []BankApplyResult `json:"results"`
				}
			}{}
			for _, item := range in.Body.Lines {
				r := BankApplyResult{LineID: item.LineID}
				if l, err := h.svc.ApplyBankLine(ctx, item.LineID, item.BankApplyBody.in()); err != nil {
					if finapp.ErrorCode(err) == finapp.EInternal || finapp.ErrorCode(err) == finapp.EUnavailable {
						return nil, problem(err)
					}
					r.Error = errorProblem(err)
				} else {
					bl := bankLineOut(l)
					r.Line = &bl
				}
				out.Body.Results = append(out.Body.Results, r)
			}
			return out, nil
		})
	huma.Register(api, huma.Operation{OperationID: "ignore-bank-line", Method: http.MethodPost, Path: "/v1/bank-lines/{id}/ignore",
		Summary: "Decide a bank line is not the books' business, for a reason", Tags: tags},
		func(ctx context.Context, in *struct {
			ID             string `path:"id"`
			IdempotencyKey string `header:"Idempotency-Key"`
			Body           struct {
				Reason string `json:"reason" minLength:"1" maxLength:"500" doc:"Why (a transfer between own accounts…)"`
			}
		}) (*bankLineOutput, error) {
			l, err := h.svc.IgnoreBankLine(ctx, in.ID, in.Body.Reason)
			if err != nil {
				return nil, problem(err)
			}
			return &bankLineOutput{Body: bankLineOut(l)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "undo-bank-line", Method: http.MethodDelete, Path: "/v1/bank-lines/{id}/match",
		Summary: "Undo what deciding about a bank line did", Tags: tags,
		Description: "A payment applying recorded is deleted (its allocations released); a linked payment is unlinked and stays; an " +
			"ignored line is taken up again."},
		func(ctx context.Context, in *struct {
			ID             string `path:"id"`
			IdempotencyKey string `header:"Idempotency-Key"`
		}) (*bankLineOutput, error) {
			l, err := h.svc.UndoBankLine(ctx, in.ID)
			if err != nil {
				return nil, problem(err)
			}
			return &bankLineOutput{Body: bankLineOut(l)}, nil
		})
}

// BankApplyLine is one line of a bulk apply.
type BankApplyLine struct {
	LineID string `json:"line_id"`
	BankApplyBody
}

// BankApplyResult is what applying one line of a batch did: the line, or the refusal.
type BankApplyResult struct {
	LineID string    `json:"line_id"`
	Line   *BankLine `json:"line,omitempty"`
	Error  *Problem  `json:"error,omitempty" doc:"Why this line was not applied; the others are not affected"`
}
