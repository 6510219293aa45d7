// Package csvrow holds what every CSV file finapp reads needs around encoding/csv: a refusal of a
// row as a *finapp.LineError naming its line, and a bound on one row, so that a broken file (an
// unclosed quote swallowing the rest of it) cannot make a reader hold all of it in memory.
package csvrow

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"finapp"
)

// Error turns what encoding/csv could not read into a *finapp.LineError naming the line; names
// are the header's columns. Errors of the file itself pass through.
func Error(err error, names []string) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return err
	}
	if errors.Is(pe.Err, csv.ErrFieldCount) {
		return &finapp.LineError{Line: pe.StartLine, Message: fmt.Sprintf("has a different number of fields than the header's %d (%s)", len(names), strings.Join(names, ","))}
	}
	return &finapp.LineError{Line: pe.StartLine, Message: "is not valid CSV: " + pe.Err.Error() + fmt.Sprintf(" (line %d, column %d)", pe.Line, pe.Column)}
}

// Limited refuses, with TooLong, to feed one record more than Max bytes. The reader's owner calls
// Record after each record.
type Limited struct {
	R       io.Reader
	Max     int
	TooLong error
	since   int // bytes read since the last record ended
}

func (l *Limited) Read(p []byte) (int, error) {
	if l.since > l.Max {
		return 0, l.TooLong
	}
	n, err := l.R.Read(p)
	l.since += n
	return n, err
}

// Record notes that a record ended. A buffered reader reads ahead by at most its size, which the
// limit must leave room for.
func (l *Limited) Record() { l.since = 0 }
