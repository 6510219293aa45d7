// Package bankfile opens a bank file in whichever format it is (packages camt, mt940, bankcsv),
// for `POST /v1/bank-statements` and `finapp import statement`: it names the format from what
// the caller says (a content type, ?format=, a file name) or, failing that, from the file's first
// bytes, and opens it as many times as the books read it. It holds no rule of the books.
package bankfile

import (
	"bufio"
	"bytes"
	"io"
	"mime"
	"os"
	"path/filepath"
	"strings"

	"finapp"
	"finapp/bankcsv"
	"finapp/camt"
	"finapp/mt940"
)

// Formats a bank file may be in, as ?format= and --format name them.
const (
	CAMT  = "camt"  // ISO 20022 camt.053 or camt.054, XML
	ZIP   = "zip"   // a ZIP of camt XML files
	MT940 = "mt940" // SWIFT MT940
	CSV   = "csv"   // a bank's CSV, read by a template
)

// Formats lists them for messages.
var Formats = []string{CAMT, ZIP, MT940, CSV}

// FormatOfType names the format a content type or file name says, "" when it says none that
// settles it (text/plain, application/octet-stream).
func FormatOfType(contentType, name string) (string, error) {
	if contentType != "" {
		mt, _, err := mime.ParseMediaType(contentType)
		if err != nil {
			return "", finapp.Invalid("Content-Type", "%q is not a media type", contentType)
		}
		switch mt {
		case "application/xml", "text/xml":
			return CAMT, nil
		case "application/zip", "application/x-zip-compressed":
			return ZIP, nil
		case "text/csv":
			return CSV, nil
		case "application/x-mt940", "text/x-mt940":
			return MT940, nil
		}
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".xml":
		return CAMT, nil
	case ".zip":
		return ZIP, nil
	case ".csv":
		return CSV, nil
	case ".sta", ".mt940", ".940":
		return MT940, nil
	}
	return "", nil
}

// Sniff names the format of a file from its first bytes: a ZIP's signature, XML's "<", an MT940
// tag or SWIFT block; anything else is taken for CSV.
func Sniff(head []byte) string {
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	if bytes.HasPrefix(head, []byte("PK\x03\x04")) {
		return ZIP
	}
	trimmed := bytes.TrimLeft(head, " \t\r\n")
	if bytes.HasPrefix(trimmed, []byte("<")) {
		return CAMT
	}
	if bytes.HasPrefix(trimmed, []byte("{1:")) || bytes.HasPrefix(trimmed, []byte(":20:")) || bytes.Contains(head, []byte("\n:20:")) {
		return MT940
	}
	return CSV
}

// Opener opens the file at path in format (Sniff when ""), read through template when it is a
// bank CSV, each time it is called; every reader it returns is closed by the books once read.
func Opener(path, format string, template *finapp.BankCSVTemplate) (func() (finapp.BankFile, error), error) {
	if format == "" {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		head := make([]byte, 512)
		n, _ := io.ReadFull(f, head)
		f.Close()
		format = Sniff(head[:n])
	}
	switch format {
	case CAMT, ZIP, MT940:
	case CSV:
		if template == nil {
			return nil, finapp.Invalid("template", "is required to read a bank CSV file: name the bank's template")
		}
	default:
		return nil, finapp.Invalid("format", "%q is not one of %s", format, strings.Join(Formats, ", "))
	}
	return func() (finapp.BankFile, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		r, err := open(f, format, template)
		if err != nil {
			f.Close()
			return nil, err
		}
		return &closing{BankFile: r, f: f}, nil
	}, nil
}

func open(f *os.File, format string, template *finapp.BankCSVTemplate) (finapp.BankFile, error) {
	switch format {
	case ZIP:
		info, err := f.Stat()
		if err != nil {
			return nil, err
		}
		return camt.OpenZip(f, info.Size())
	case MT940:
		return mt940.New(f)
	case CSV:
		return bankcsv.New(f, template)
	default:
		return camt.New(bufio.NewReaderSize(f, 1<<16))
	}
}

// closing closes the file a reader reads once the books are done with it.
type closing struct {
	finapp.BankFile
	f *os.File
}

func (c *closing) Close() error { return c.f.Close() }

// Spool writes r to a new temporary file, at most limit bytes, and returns its path: an upload
// is read twice (and a ZIP read from its end), so it is kept on disk, not in memory.
func Spool(r io.Reader, limit int64) (string, error) {
	f, err := os.CreateTemp("", "finapp-statement-*")
	if err != nil {
		return "", err
	}
	n, err := io.Copy(f, io.LimitReader(r, limit+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > limit {
		err = finapp.Invalid("file", "is larger than %d bytes, the most a statement upload may be", limit)
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}
