package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"finapp"
)

// MatchingRule is a rule finance staff wrote: conditions on a bank line, and the customer whose
// payment such a line is.
type MatchingRule struct {
	ID             string          `json:"id,omitempty" readOnly:"true" example:"mr_01jd8x0c9v7p8x2k3m4n5q6r7s"`
	Name           string          `json:"name" maxLength:"200"`
	Priority       int             `json:"priority,omitempty" minimum:"0" maximum:"10000" doc:"Rules are tried lower first"`
	Match          string          `json:"match,omitempty" enum:"all,any" doc:"all (the default) or any of the conditions"`
	Conditions     []RuleCondition `json:"conditions" minItems:"1" maxItems:"20"`
	OrganizationID string          `json:"organization_id" doc:"The customer whose payment a matching line is"`
	Allocate       string          `json:"allocate,omitempty" enum:"oldest_first,none" doc:"oldest_first (the default): to the customer's oldest open invoices; none: left unapplied"`
	Settle         string          `json:"settle,omitempty" enum:"bank_fee,write_off" doc:"With oldest_first: settle what the money leaves short of the last invoice it reaches, up to settle_up_to, as a bank fee or a write-off (which the workspace's tolerance bounds too); omitted leaves it part paid"`
	SettleUpTo     string          `json:"settle_up_to,omitempty" maxLength:"20" example:"5.00" doc:"With settle: the largest shortfall settled so, in the line's currency"`
	AutoApply      bool            `json:"auto_apply,omitempty" doc:"Apply the rule's proposal without a person, only when it is exact (the money goes to invoices whole, nothing settled)"`
	Hits           int64           `json:"hits" readOnly:"true" doc:"Lines applied by this rule's proposals"`
}

// RuleCondition tests one field of a bank line.
type RuleCondition struct {
	Field    string `json:"field" enum:"counterparty_name,counterparty_iban,text,reference,amount"`
	Operator string `json:"operator" enum:"equals,contains,starts,regex,between"`
	Value    string `json:"value" maxLength:"200" doc:"Text is compared without regard to case; an amount is a decimal string"`
	Value2   string `json:"value2,omitempty" maxLength:"40" doc:"between: the upper bound"`
}

// rule is the rule the body writes.
func (b MatchingRule) rule() finapp.MatchingRule {
	r := finapp.MatchingRule{Name: b.Name, Priority: b.Priority, Match: b.Match, OrganizationID: b.OrganizationID, Allocate: b.Allocate,
		Settle: b.Settle, SettleUpTo: b.SettleUpTo, AutoApply: b.AutoApply}
	for _, c := range b.Conditions {
		r.Conditions = append(r.Conditions, finapp.RuleCondition(c))
	}
	return r
}

func matchingRuleOut(r *finapp.MatchingRule) MatchingRule {
	out := MatchingRule{ID: r.ID, Name: r.Name, Priority: r.Priority, Match: r.Match, OrganizationID: r.OrganizationID, Allocate: r.Allocate,
		Settle: r.Settle, SettleUpTo: r.SettleUpTo, AutoApply: r.AutoApply, Hits: r.Hits, Conditions: []RuleCondition{}}
	for _, c := range r.Conditions {
		out.Conditions = append(out.Conditions, RuleCondition(c))
	}
	return out
}

func (h *handlers) registerMatchingRules(api huma.API, tags []string) {
	huma.Register(api, huma.Operation{OperationID: "create-matching-rule", Method: http.MethodPost, Path: "/v1/matching-rules",
		Summary: "Write a matching rule for bank lines", Tags: tags, DefaultStatus: http.StatusCreated},
		func(ctx context.Context, in *struct {
			IdempotencyKey string `header:"Idempotency-Key"`
			Body           MatchingRule
		}) (*created[MatchingRule], error) {
			saved, err := h.svc.CreateMatchingRule(ctx, in.Body.rule())
			if err != nil {
				return nil, problem(err)
			}
			return &created[MatchingRule]{Location: "/v1/matching-rules/" + saved.ID, Body: matchingRuleOut(saved)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "list-matching-rules", Method: http.MethodGet, Path: "/v1/matching-rules",
		Summary: "The matching rules, in the order they are tried", Tags: tags},
		func(ctx context.Context, in *struct{}) (*listOutput[MatchingRule], error) {
			list, err := h.svc.MatchingRules(ctx)
			if err != nil {
				return nil, problem(err)
			}
			return listOf(list, "", matchingRuleOut), nil
		})
	huma.Register(api, huma.Operation{OperationID: "get-matching-rule", Method: http.MethodGet, Path: "/v1/matching-rules/{id}",
		Summary: "A matching rule", Tags: tags},
		func(ctx context.Context, in *struct {
			ID string `path:"id"`
		}) (*struct{ Body MatchingRule }, error) {
			r, err := h.svc.GetMatchingRule(ctx, in.ID)
			if err != nil {
				return nil, problem(err)
			}
			return &struct{ Body MatchingRule }{Body: matchingRuleOut(r)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "replace-matching-rule", Method: http.MethodPut, Path: "/v1/matching-rules/{id}",
		Summary: "Rewrite a matching rule (its id and hits stay; lines it applied stay applied)", Tags: tags},
		func(ctx context.Context, in *struct {
			ID   string `path:"id"`
			Body MatchingRule
		}) (*struct{ Body MatchingRule }, error) {
			saved, err := h.svc.UpdateMatchingRule(ctx, in.ID, in.Body.rule())
			if err != nil {
				return nil, problem(err)
			}
			return &struct{ Body MatchingRule }{Body: matchingRuleOut(saved)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "delete-matching-rule", Method: http.MethodDelete, Path: "/v1/matching-rules/{id}",
		Summary: "Delete a matching rule (lines it applied stay applied)", Tags: tags, DefaultStatus: http.StatusNoContent},
		func(ctx context.Context, in *struct {
			ID string `path:"id"`
		}) (*struct{}, error) {
			if err := h.svc.DeleteMatchingRule(ctx, in.ID); err != nil {
				return nil, problem(err)
			}
			return nil, nil
		})
}
