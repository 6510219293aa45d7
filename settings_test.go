package finapp

import "testing"

func TestSettings_Check(t *testing.T) {
	for _, c := range []struct {
		in    Settings
		field string // "" when accepted
	}{
		{Settings{}, ""},
		{Settings{TimeZone: "Asia/Singapore", BaseCurrency: "SGD", FiscalYearStart: "04-01"}, ""},
		{Settings{TimeZone: "America/New_York", FiscalYearStart: "12-31"}, ""},
		{Settings{TimeZone: "Mars/Olympus"}, "time_zone"},
		{Settings{TimeZone: "Local"}, "time_zone"},
		{Settings{TimeZone: "UTC", BaseCurrency: "sgd"}, "base_currency"},
		{Settings{TimeZone: "UTC", FiscalYearStart: "13-01"}, "fiscal_year_start"},
		{Settings{TimeZone: "UTC", FiscalYearStart: "4-1"}, "fiscal_year_start"},
		{Settings{TimeZone: "UTC", FiscalYearStart: "02-29"}, "fiscal_year_start"},
	} {
		got, err := c.in.check()
		switch {
		case c.field == "" && err != nil:
			t.Errorf("%+v: %v", c.in, err)
		case c.field != "" && ErrorField(err) != c.field:
			t.Errorf("%+v: %v, want a refusal naming %s", c.in, err, c.field)
		case c.field == "" && (got.TimeZone == "" || got.FiscalYearStart == ""):
			t.Errorf("%+v: defaults not filled: %+v", c.in, got)
		}
	}
}
