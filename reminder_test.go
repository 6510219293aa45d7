package finapp

import (
	"slices"
	"testing"
)

func TestReminderLevelDue(t *testing.T) {
	levels := []int{7, 14, 30}
	for _, c := range []struct {
		dueOn, today string
		sent, want   int
	}{
		{"2026-11-30", "2026-12-06", 0, 0},  // 6 days overdue: none yet
		{"2026-11-30", "2026-12-07", 0, 7},  // 7: the first level
		{"2026-11-30", "2026-12-07", 7, 0},  // already reminded at 7
		{"2026-11-30", "2026-12-13", 7, 0},  // 13: still nothing new
		{"2026-11-30", "2026-12-14", 7, 14}, // 14: the second
		{"2026-11-30", "2027-01-15", 0, 30}, // first found 46 days overdue: the highest reached only
		{"2026-11-30", "2027-01-15", 30, 0}, // the last level sent: nothing more
		{"2026-12-31", "2026-12-01", 0, 0},  // not yet due
		{"2024-02-22", "2024-02-29", 0, 7},  // across a leap day
	} {
		if got := reminderLevelDue(levels, c.dueOn, c.today, c.sent); got != c.want {
			t.Errorf("due %s, today %s, sent %d: %d, want %d", c.dueOn, c.today, c.sent, got, c.want)
		}
	}
}

func TestCheckReminderLevels(t *testing.T) {
	for _, c := range []struct {
		in   []int
		want []int // nil when refused
	}{
		{[]int{7, 14, 30}, []int{7, 14, 30}},
		{[]int{30, 7}, []int{7, 30}},
		{[]int{1}, []int{1}},
		{[]int{365}, []int{365}},
		{nil, nil},
		{[]int{0}, nil},
		{[]int{366}, nil},
		{[]int{7, 7}, nil},
		{[]int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, nil},
	} {
		got, err := CheckReminderLevels(c.in)
		if c.want == nil {
			if err == nil || ErrorField(err) != "levels" {
				t.Errorf("%v: %v %v, want a refusal naming levels", c.in, got, err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("%v: %v %v, want %v", c.in, got, err, c.want)
		}
	}
	if back, err := ParseReminderLevels(FormatReminderLevels([]int{7, 14, 30})); err != nil || !slices.Equal(back, []int{7, 14, 30}) {
		t.Fatalf("%v %v", back, err)
	}
}
