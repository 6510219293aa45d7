package sqlstore

// SetSearchCaps sets the caps that choose an invoice search's plan, the budget of its first walk
// and how many organizations it passes on as a list (search.go), so that a test can run the same
// searches through each plan, and returns a function that restores them.
func SetSearchCaps(candidates, ids, orgs, budget, list int) (restore func()) {
	c, i, o, b, l := searchCandidateCap, searchIDsCap, searchOrgCap, searchWalkBudget, searchListCap
	searchCandidateCap, searchIDsCap, searchOrgCap, searchWalkBudget, searchListCap = candidates, ids, orgs, budget, list
	return func() {
		searchCandidateCap, searchIDsCap, searchOrgCap, searchWalkBudget, searchListCap = c, i, o, b, l
	}
}
