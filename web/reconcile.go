package web

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"finapp"
	"finapp/bankfile"
)

// The Reconcile page (SPEC §6.4): a queue of bank lines, each with its best proposal and the
// evidence for it in words; confirm one or all selected, ignore with a reason, undo. The upload
// and every decision call the same use cases as the API.

// reconcileStatuses are the tabs of the queue, in order.
var reconcileStatuses = []string{finapp.BankLineProposed, finapp.BankLineUnmatched, finapp.BankLineMatched, finapp.BankLineIgnored,
	finapp.BankLineInformational}

// reconcileRow is a line of the queue with its best proposal, if any.
type reconcileRow struct {
	Line     *finapp.BankLine
	Best     *finapp.BankProposal
	Others   int // further proposals
	Customer string
	Edit     *lineEditor // nil: the line cannot be applied (or the person may only read)
}

type reconcileView struct {
	customers map[string]string // organization id → name, of the proposals shown
	Status    string
	Statuses  []string
	Rows      []reconcileRow
	Templates []*finapp.BankCSVTemplate
	Orgs      []*finapp.OrganizationDetail // the editors' choice of customer
	Next      string
}

// maxUploadBytes bounds a statement uploaded through the page, as the API bounds its own.
const maxUploadBytes = 4 << 30

func (s *server) reconcile(w http.ResponseWriter, r *http.Request, p *page) {
	s.showReconcile(w, r, p, http.StatusOK)
}

func (s *server) showReconcile(w http.ResponseWriter, r *http.Request, p *page, status int) {
	q := r.URL.Query()
	var edit *editState
	if id := q.Get("edit"); id != "" {
		edit = &editState{LineID: id, OrganizationID: q.Get("org"), Find: strings.TrimSpace(q.Get("find"))}
	}
	s.showReconcileAt(w, r, p, status, q.Get("status"), edit)
}

// showReconcileAt shows the queue of the tab given (proposed when empty), with a row's editor
// open as edit says, if any.
func (s *server) showReconcileAt(w http.ResponseWriter, r *http.Request, p *page, status int, tab string, edit *editState) {
	q := r.URL.Query()
	v := &reconcileView{Status: tab, Statuses: reconcileStatuses}
	if v.Status == "" {
		v.Status = finapp.BankLineProposed
	}
	p.Title, p.Nav, p.Data = "Reconcile", "reconcile", v
	ctx := r.Context()
	list, next, err := s.svc.ListBankLines(ctx, finapp.BankLineFilter{Status: v.Status, Cursor: q.Get("cursor"), Limit: 50})
	if err != nil {
		s.fail(w, p, err)
		return
	}
	if next != "" {
		v.Next = pageURL("/reconcile", q, next)
	}
	if v.Templates, err = s.svc.ListBankCSVTemplates(ctx); err != nil {
		s.fail(w, p, err)
		return
	}
	proposals, err := s.svc.ProposalsOfBankLines(ctx, list)
	if err != nil {
		s.fail(w, p, err)
		return
	}
	var customers []string
	for _, props := range proposals {
		if len(props) > 0 && props[0].OrganizationID != "" {
			customers = append(customers, props[0].OrganizationID)
		}
	}
	names, err := s.svc.OrganizationNames(ctx, customers)
	if err != nil {
		s.fail(w, p, err)
		return
	}
	v.customers = names
	for _, l := range list {
		row := reconcileRow{Line: l}
		if props := proposals[l.ID]; len(props) > 0 {
			row.Best, row.Others = &props[0], len(props)-1
		}
		if p.CanWrite {
			if row.Edit, err = s.editorOf(r, l, row.Best, edit); err != nil {
				s.fail(w, p, err)
				return
			}
			if row.Edit != nil && row.Edit.Open && v.Orgs == nil {
				// The customer choice: the newest customers, or those the editor's words find (a
				// workspace of many thousands is searched, not scrolled).
				if v.Orgs, _, err = s.svc.ListOrganizations(ctx, finapp.OrganizationFilter{Q: row.Edit.Find, Limit: 200}); err != nil {
					s.fail(w, p, err)
					return
				}
			}
		}
		if row.Best != nil && row.Best.OrganizationID != "" {
			row.Customer = names[row.Best.OrganizationID]
		}
		v.Rows = append(v.Rows, row)
	}
	s.render(w, status, "reconcile", p)
}

// uploadStatement imports the uploaded file and proposes for its lines.
func (s *server) uploadStatement(w http.ResponseWriter, r *http.Request, p *page) {
	ctx := r.Context()
	file, header, err := r.FormFile("file")
	if err != nil {
		s.refusal(p, finapp.Invalid("file", "choose the bank's statement file to upload"), "file")
		s.showReconcile(w, r, p, http.StatusUnprocessableEntity)
		return
	}
	defer file.Close()
	path, err := bankfile.Spool(file, maxUploadBytes)
	if err != nil {
		status := s.refusal(p, err, "file")
		s.showReconcile(w, r, p, status)
		return
	}
	defer os.Remove(path)
	var template *finapp.BankCSVTemplate
	if t := r.PostForm.Get("template"); t != "" {
		if template, err = s.svc.BankCSVTemplate(ctx, t); err != nil {
			s.fail(w, p, err)
			return
		}
	}
	format, err := bankfile.FormatOfType("", filepath.Base(header.Filename))
	if err == nil && template != nil {
		format = bankfile.CSV
	}
	open, err := bankfile.Opener(path, format, template)
	if err == nil {
		var imp *finapp.BankImport
		if imp, err = s.svc.ImportBankFile(ctx, open, nil); err == nil {
			for _, st := range imp.Statements {
				if _, _, err = s.svc.ProposeBankLines(ctx, st.ID); err != nil {
					break
				}
			}
		}
	}
	if err != nil {
		status := s.refusal(p, err, "file", "template")
		s.showReconcile(w, r, p, status)
		return
	}
	redirect(w, r, "/reconcile", "statement-imported")
}

// applyLine confirms the proposal shown for a line.
func (s *server) applyLine(w http.ResponseWriter, r *http.Request, p *page) {
	if _, err := s.svc.ApplyBankLine(r.Context(), r.PathValue("id"), finapp.BankLineApply{ProposalID: r.PostForm.Get("proposal_id")}); err != nil {
		status := s.refusal(p, err)
		s.showReconcile(w, r, p, status)
		return
	}
	redirect(w, r, "/reconcile", "line-applied")
}

// applySelected confirms the proposal shown for every line ticked, each on its own: one refused
// does not keep the others from being applied, and the page says which were refused.
func (s *server) applySelected(w http.ResponseWriter, r *http.Request, p *page) {
	var refused []string
	applied := 0
	for _, pick := range r.PostForm["line"] {
		id, proposal, _ := strings.Cut(pick, ":")
		if _, err := s.svc.ApplyBankLine(r.Context(), id, finapp.BankLineApply{ProposalID: proposal}); err != nil {
			var e *finapp.Error
			if !errors.As(err, &e) || e.Code == finapp.EInternal || e.Code == finapp.EForbidden {
				s.fail(w, p, err)
				return
			}
			refused = append(refused, id+": "+sentence(e))
			continue
		}
		applied++
	}
	if len(refused) > 0 {
		p.Error = "Not applied: " + strings.Join(refused, "; ")
		s.showReconcile(w, r, p, http.StatusConflict)
		return
	}
	if applied == 0 {
		p.Error = "Tick the lines to confirm first."
		s.showReconcile(w, r, p, http.StatusUnprocessableEntity)
		return
	}
	redirect(w, r, "/reconcile", "lines-applied")
}

func (s *server) ignoreLine(w http.ResponseWriter, r *http.Request, p *page) {
	if _, err := s.svc.IgnoreBankLine(r.Context(), r.PathValue("id"), r.PostForm.Get("reason")); err != nil {
		status := s.refusal(p, err)
		s.showReconcile(w, r, p, status)
		return
	}
	redirect(w, r, "/reconcile", "line-ignored")
}

func (s *server) undoLine(w http.ResponseWriter, r *http.Request, p *page) {
	if _, err := s.svc.UndoBankLine(r.Context(), r.PathValue("id")); err != nil {
		status := s.refusal(p, err)
		s.showReconcile(w, r, p, status)
		return
	}
	redirect(w, r, "/reconcile", "line-undone")
}

// CustomerOf names the customer of a proposal shown.
func (v *reconcileView) CustomerOf(p *finapp.BankProposal) string {
	return v.customers[p.OrganizationID]
}

// OrgName names a customer an editor shows.
func (v *reconcileView) OrgName(id string) string {
	if n, ok := v.customers[id]; ok {
		return n
	}
	for _, o := range v.Orgs {
		if o.ID == id {
			return o.Name
		}
	}
	return id
}

// More reports whether the line of a proposal shown has others.
func (v *reconcileView) More(p *finapp.BankProposal) bool {
	for _, r := range v.Rows {
		if r.Best == p {
			return r.Others > 0
		}
	}
	return false
}
