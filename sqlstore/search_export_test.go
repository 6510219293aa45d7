package sqlstore

// SetSearchCaps sets the caps that choose an invoice search's plan and the budget of its first
// walk (search.go), so that a test can run the same searches through each plan, and returns a
// function that restores them.
func SetSearchCaps(candidates, ids, orgs, budget int) (restore func()) {
	c, i, o, b := searchCandidateCap, searchIDsCap, searchOrgCap, searchWalkBudget
	searchCandidateCap, searchIDsCap, searchOrgCap, searchWalkBudget = candidates, ids, orgs, budget
	return func() { searchCandidateCap, searchIDsCap, searchOrgCap, searchWalkBudget = c, i, o, b }
}
