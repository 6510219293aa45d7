package bankcsv

import (
	"errors"
	"io"

	"finapp"
)

// Preview is what a template makes of the start of a file, for a template editor to show before
// anything is imported: the header as the file has it, the entries of the first rows, and the
// first refusal, if any, with the entries read before it.
type Preview struct {
	Header  []string
	Entries []finapp.BankEntry
	Error   *finapp.LineError
}

// PreviewFile reads at most n entries of a file by template t. What the file says wrong (a
// column the header lacks, a row the template cannot read) is Preview.Error, not an error: the
// editor shows it beside what was read, and the header is there whenever the file has one, so
// that a misnamed column can be corrected from it. The error returned is the template's own (a
// *finapp.Error from t.Check) or a failure to read r.
func PreviewFile(r io.Reader, t *finapp.BankCSVTemplate, n int) (Preview, error) {
	var p Preview
	rd, err := open(r, t)
	if rd != nil {
		p.Header = rd.header
	}
	for err == nil && len(p.Entries) < n {
		var e finapp.BankEntry
		if e, err = rd.Next(); err == nil {
			p.Entries = append(p.Entries, e)
		}
	}
	if errors.Is(err, io.EOF) {
		return p, nil
	}
	if errors.As(err, &p.Error) {
		return p, nil
	}
	return p, err
}
