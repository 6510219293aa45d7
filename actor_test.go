package finapp

import "testing"

// SPEC §7: every role reads; finance and admin record and apply money; only admin administers;
// an unknown role may do nothing.
func TestActor_WhatEachRoleMayDo(t *testing.T) {
	for _, tc := range []struct {
		role                    string
		read, write, administer bool
	}{
		{RoleViewer, true, false, false},
		{RoleFinance, true, true, false},
		{RoleAdmin, true, true, true},
		{"", false, false, false},
		{"root", false, false, false},
		{"Admin", false, false, false},
	} {
		a := Actor{Role: tc.role}
		if a.CanRead() != tc.read || a.CanWrite() != tc.write || a.CanAdminister() != tc.administer {
			t.Errorf("role %q: read %v write %v administer %v, want %v %v %v", tc.role, a.CanRead(), a.CanWrite(), a.CanAdminister(), tc.read, tc.write, tc.administer)
		}
	}
}
