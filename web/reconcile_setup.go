package web

import (
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"

	"finapp"
	"finapp/bankcsv"
	"finapp/bankfile"
	"finapp/money"
)

// The pages that set matching up: matching rules, and the templates bank CSV files are read by
// (with a preview of what a template makes of a file). They call the same use cases as the API.

// ruleFields are the form's fields. The form offers ruleFormConditions empty conditions to a new
// rule, and one more than a rule has to an edit; it reads up to ruleFormMaxConditions (the books
// refuse more than they allow, naming the field).
var ruleFields = []string{"name", "priority", "match", "organization_id", "allocate", "settle", "settle_up_to"}

const (
	ruleFormConditions    = 3
	ruleFormMaxConditions = 21
)

type rulesView struct {
	Rules      []*finapp.MatchingRule
	Orgs       []*finapp.OrganizationDetail
	Names      map[string]string
	Form       url.Values
	Conditions []int
	Fields     []string
	Operators  []string
	// Editing is the rule the form rewrites; nil when it writes a new one.
	Editing *finapp.MatchingRule
}

// Get is a value of the form as sent (for the form shown again with its refusals).
func (v *rulesView) Get(name string) string { return v.Form.Get(name) }

// Cond is a value of condition i of the form, as sent ("field", "operator", "value", "value2").
func (v *rulesView) Cond(i int, name string) string { return v.Form.Get(name + "_" + strconv.Itoa(i)) }

// ruleForm is a saved rule as its form's values.
func ruleForm(r *finapp.MatchingRule) url.Values {
	f := url.Values{"name": {r.Name}, "priority": {strconv.Itoa(r.Priority)}, "match": {r.Match}, "organization_id": {r.OrganizationID},
		"allocate": {r.Allocate}, "settle": {r.Settle}, "settle_up_to": {r.SettleUpTo}}
	if r.AutoApply {
		f.Set("auto_apply", "on")
	}
	for i, c := range r.Conditions {
		n := strconv.Itoa(i)
		f.Set("field_"+n, c.Field)
		f.Set("operator_"+n, c.Operator)
		f.Set("value_"+n, c.Value)
		f.Set("value2_"+n, c.Value2)
	}
	return f
}

// ruleOfForm is the rule a form writes; a condition without a value is no condition.
func ruleOfForm(f url.Values) finapp.MatchingRule {
	prio, _ := strconv.Atoi(strings.TrimSpace(f.Get("priority")))
	rule := finapp.MatchingRule{Name: f.Get("name"), Priority: prio, Match: f.Get("match"), OrganizationID: f.Get("organization_id"),
		Allocate: f.Get("allocate"), Settle: f.Get("settle"), SettleUpTo: strings.TrimSpace(f.Get("settle_up_to")),
		AutoApply: f.Get("auto_apply") == "on"}
	for i := range ruleFormMaxConditions {
		n := strconv.Itoa(i)
		if strings.TrimSpace(f.Get("value_"+n)) == "" {
			continue
		}
		rule.Conditions = append(rule.Conditions, finapp.RuleCondition{Field: f.Get("field_" + n), Operator: f.Get("operator_" + n),
			Value: strings.TrimSpace(f.Get("value_" + n)), Value2: strings.TrimSpace(f.Get("value2_" + n))})
	}
	return rule
}

func (s *server) rules(w http.ResponseWriter, r *http.Request, p *page) {
	id := r.URL.Query().Get("edit")
	if id == "" || !p.CanWrite {
		s.showRules(w, r, p, http.StatusOK, url.Values{}, nil)
		return
	}
	rule, err := s.svc.GetMatchingRule(r.Context(), id)
	if err != nil {
		s.fail(w, p, err)
		return
	}
	s.showRules(w, r, p, http.StatusOK, ruleForm(rule), rule)
}

func (s *server) showRules(w http.ResponseWriter, r *http.Request, p *page, status int, form url.Values, editing *finapp.MatchingRule) {
	v := &rulesView{Form: form, Fields: finapp.RuleFields, Operators: finapp.RuleOperators, Names: map[string]string{}, Editing: editing}
	slots := ruleFormConditions
	for i := range ruleFormMaxConditions {
		if form.Get("value_"+strconv.Itoa(i)) != "" {
			slots = max(slots, i+2)
		}
	}
	for i := range min(slots, ruleFormMaxConditions) {
		v.Conditions = append(v.Conditions, i)
	}
	p.Title, p.Nav, p.Data = "Matching rules", "reconcile", v
	if editing != nil {
		p.Title = "Edit rule " + editing.Name
	}
	var err error
	if v.Rules, err = s.svc.MatchingRules(r.Context()); err != nil {
		s.fail(w, p, err)
		return
	}
	if v.Orgs, err = s.organizations(r); err != nil {
		s.fail(w, p, err)
		return
	}
	for _, o := range v.Orgs {
		v.Names[o.ID] = o.Name
	}
	if editing != nil && v.Names[editing.OrganizationID] == "" { // not among the organizations offered: offered too
		if o, err := s.svc.GetOrganization(r.Context(), editing.OrganizationID); err == nil {
			v.Orgs = append([]*finapp.OrganizationDetail{o}, v.Orgs...)
			v.Names[o.ID] = o.Name
		}
	}
	s.render(w, status, "reconcile_rules", p)
}

func (s *server) createRule(w http.ResponseWriter, r *http.Request, p *page) {
	f := r.PostForm
	if _, err := s.svc.CreateMatchingRule(r.Context(), ruleOfForm(f)); err != nil {
		status := s.refusal(p, err, append(ruleFields, "conditions")...)
		s.showRules(w, r, p, status, f, nil)
		return
	}
	redirect(w, r, "/reconcile/rules", "rule-saved")
}

// updateRule rewrites a rule as its edit form says; a refusal shows the form again as typed.
func (s *server) updateRule(w http.ResponseWriter, r *http.Request, p *page) {
	f := r.PostForm
	was, err := s.svc.GetMatchingRule(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, p, err)
		return
	}
	if _, err := s.svc.UpdateMatchingRule(r.Context(), was.ID, ruleOfForm(f)); err != nil {
		status := s.refusal(p, err, append(ruleFields, "conditions")...)
		s.showRules(w, r, p, status, f, was)
		return
	}
	redirect(w, r, "/reconcile/rules", "rule-updated")
}

func (s *server) deleteRule(w http.ResponseWriter, r *http.Request, p *page) {
	if err := s.svc.DeleteMatchingRule(r.Context(), r.PathValue("id")); err != nil {
		s.fail(w, p, err)
		return
	}
	redirect(w, r, "/reconcile/rules", "rule-deleted")
}

// templateFields are the template form's fields, as the API names them.
var templateFields = []string{"name", "delimiter", "header_row", "date_format", "account", "currency", "amount_column", "debit_column",
	"credit_column", "booking_date_column", "value_date_column", "currency_column", "counterparty_column", "iban_column",
	"reference_column", "bank_reference_column", "text_columns"}

type templatesView struct {
	Templates   []*finapp.BankCSVTemplate
	Form        url.Values
	DateFormats []string
	Preview     *bankcsv.Preview
	PreviewOf   string
	// Editing is the template the form rewrites; nil when it writes a new one.
	Editing *finapp.BankCSVTemplate
}

// templateForm is a saved template as its form's values.
func templateForm(t *finapp.BankCSVTemplate) url.Values {
	delim := t.Delimiter
	if delim == "\t" {
		delim = "tab"
	}
	f := url.Values{"name": {t.Name}, "delimiter": {delim}, "header_row": {strconv.Itoa(t.HeaderRow)}, "date_format": {t.DateFormat},
		"account": {t.Account}, "currency": {string(t.Currency)}, "amount_column": {t.AmountColumn}, "debit_column": {t.DebitColumn},
		"credit_column": {t.CreditColumn}, "booking_date_column": {t.BookingDateColumn}, "value_date_column": {t.ValueDateColumn},
		"currency_column": {t.CurrencyColumn}, "counterparty_column": {t.CounterpartyColumn}, "iban_column": {t.IBANColumn},
		"reference_column": {t.ReferenceColumn}, "bank_reference_column": {t.BankReferenceColumn}, "text_columns": {strings.Join(t.TextColumns, ", ")}}
	if t.DecimalComma {
		f.Set("decimal_comma", "on")
	}
	return f
}

// templateOfForm is the template a form writes.
func templateOfForm(f url.Values) finapp.BankCSVTemplate {
	header, _ := strconv.Atoi(strings.TrimSpace(f.Get("header_row")))
	delim := f.Get("delimiter")
	if delim == "tab" {
		delim = "\t"
	}
	var text []string
	for _, c := range strings.Split(f.Get("text_columns"), ",") {
		if c = strings.TrimSpace(c); c != "" {
			text = append(text, c)
		}
	}
	return finapp.BankCSVTemplate{Name: f.Get("name"), Delimiter: delim, HeaderRow: header, DateFormat: f.Get("date_format"),
		DecimalComma: f.Get("decimal_comma") == "on", Account: strings.TrimSpace(f.Get("account")),
		Currency: money.Currency(strings.TrimSpace(f.Get("currency"))), AmountColumn: strings.TrimSpace(f.Get("amount_column")),
		DebitColumn: strings.TrimSpace(f.Get("debit_column")), CreditColumn: strings.TrimSpace(f.Get("credit_column")),
		BookingDateColumn: strings.TrimSpace(f.Get("booking_date_column")), ValueDateColumn: strings.TrimSpace(f.Get("value_date_column")),
		CurrencyColumn: strings.TrimSpace(f.Get("currency_column")), CounterpartyColumn: strings.TrimSpace(f.Get("counterparty_column")),
		IBANColumn: strings.TrimSpace(f.Get("iban_column")), ReferenceColumn: strings.TrimSpace(f.Get("reference_column")),
		BankReferenceColumn: strings.TrimSpace(f.Get("bank_reference_column")), TextColumns: text}
}

func (v *templatesView) Get(name string) string { return v.Form.Get(name) }

// Money writes a previewed entry's amount.
func (v *templatesView) Money(e finapp.BankEntry) string { return money.Format(e.Amount, e.Currency) }

func (s *server) templates(w http.ResponseWriter, r *http.Request, p *page) {
	id := r.URL.Query().Get("edit")
	if id == "" || !p.CanWrite {
		s.showTemplates(w, r, p, http.StatusOK, &templatesView{Form: url.Values{}})
		return
	}
	t, err := s.svc.BankCSVTemplate(r.Context(), id)
	if err != nil {
		s.fail(w, p, err)
		return
	}
	s.showTemplates(w, r, p, http.StatusOK, &templatesView{Form: templateForm(t), Editing: t})
}

func (s *server) showTemplates(w http.ResponseWriter, r *http.Request, p *page, status int, v *templatesView) {
	v.DateFormats = finapp.BankCSVDateFormats
	p.Title, p.Nav, p.Data = "Bank CSV templates", "reconcile", v
	var err error
	if v.Templates, err = s.svc.ListBankCSVTemplates(r.Context()); err != nil {
		s.fail(w, p, err)
		return
	}
	s.render(w, status, "reconcile_templates", p)
}

func (s *server) createTemplate(w http.ResponseWriter, r *http.Request, p *page) {
	f := r.PostForm
	if _, err := s.svc.CreateBankCSVTemplate(r.Context(), templateOfForm(f)); err != nil {
		status := s.refusal(p, err, templateFields...)
		s.showTemplates(w, r, p, status, &templatesView{Form: f})
		return
	}
	redirect(w, r, "/reconcile/templates", "template-saved")
}

// updateTemplate rewrites a template as its edit form says; a refusal shows the form again as
// typed.
func (s *server) updateTemplate(w http.ResponseWriter, r *http.Request, p *page) {
	f := r.PostForm
	was, err := s.svc.BankCSVTemplate(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, p, err)
		return
	}
	if _, err := s.svc.UpdateBankCSVTemplate(r.Context(), was.ID, templateOfForm(f)); err != nil {
		status := s.refusal(p, err, templateFields...)
		s.showTemplates(w, r, p, status, &templatesView{Form: f, Editing: was})
		return
	}
	redirect(w, r, "/reconcile/templates", "template-updated")
}

// previewTemplate shows what a template makes of an uploaded file; nothing is kept.
func (s *server) previewTemplate(w http.ResponseWriter, r *http.Request, p *page) {
	if !p.CanWrite { // a preview keeps nothing, but reading bank files is the importers' work
		s.fail(w, p, finapp.Errorf(finapp.EForbidden, "the %s role may only read", p.Role))
		return
	}
	t, err := s.svc.BankCSVTemplate(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, p, err)
		return
	}
	file, _, err := r.FormFile("file")
	if err != nil {
		s.refusal(p, finapp.Invalid("file", "choose a file of the bank to preview"), "file")
		s.showTemplates(w, r, p, http.StatusUnprocessableEntity, &templatesView{Form: url.Values{}})
		return
	}
	defer file.Close()
	path, err := bankfile.Spool(file, maxUploadBytes)
	if err != nil {
		s.fail(w, p, err)
		return
	}
	defer os.Remove(path)
	in, err := os.Open(path)
	if err != nil {
		s.fail(w, p, err)
		return
	}
	defer in.Close()
	prev, err := bankcsv.PreviewFile(in, t, 20)
	if err != nil {
		s.fail(w, p, err)
		return
	}
	s.showTemplates(w, r, p, http.StatusOK, &templatesView{Form: url.Values{}, Preview: &prev, PreviewOf: t.Name})
}

func (s *server) deleteTemplate(w http.ResponseWriter, r *http.Request, p *page) {
	if err := s.svc.DeleteBankCSVTemplate(r.Context(), r.PathValue("id")); err != nil {
		s.fail(w, p, err)
		return
	}
	redirect(w, r, "/reconcile/templates", "template-deleted")
}
