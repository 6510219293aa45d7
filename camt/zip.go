package camt

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"

	"finapp"
)

// MaxMemberBytes bounds the XML a ZIP member may unpack to. It is far beyond any statement, and
// it is counted on the bytes actually read, not on what the archive claims, so that a ZIP bomb
// ends at it rather than running for hours.
const MaxMemberBytes = 4 << 30

// ZipReader reads the XML files of a ZIP, in the order of their names, as one bank file: the
// statements of all of them, the entries of each in turn. Every member must be of the same
// format. It implements finapp.BankFile; its Digest is the SHA-256 of the ZIP file itself, and
// positions name the member ("stmt-2.xml line 12").
type ZipReader struct {
	members []*zip.File
	next    int // the member to open after the current one
	cur     *Reader
	rc      io.ReadCloser
	done    []*finapp.BankStatement // statements of the members read to the end
	format  string
	digest  string
	err     error
}

// OpenZip opens the ZIP file r of size bytes and reads its first XML member up to its first
// statement. A file that is not a ZIP, or holds no XML file, is refused with a *finapp.LineError
// (line 0: the fault is not in a line of XML).
func OpenZip(r io.ReaderAt, size int64) (*ZipReader, error) {
	// The digest is of the file as it came, so that the same upload is known again; reading
	// the members does not read every byte of it, so it is hashed whole first.
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(r, 0, size)); err != nil {
		return nil, &finapp.LineError{Message: "the ZIP file could not be read: " + err.Error()}
	}
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, &finapp.LineError{Message: "the file is not a readable ZIP file: " +
			strings.TrimPrefix(err.Error(), "zip: ")}
	}
	z := &ZipReader{digest: hex.EncodeToString(h.Sum(nil))}
	for _, f := range zr.File {
		name := f.Name
		// macOS adds "__MACOSX/._name.xml" resource forks beside each file: not XML.
		if f.FileInfo().IsDir() || !strings.EqualFold(path.Ext(name), ".xml") ||
			strings.HasPrefix(name, "__MACOSX/") || strings.HasPrefix(path.Base(name), "._") {
			continue
		}
		z.members = append(z.members, f)
	}
	if len(z.members) == 0 {
		return nil, &finapp.LineError{Message: "the ZIP file holds no XML file (*.xml)"}
	}
	slices.SortStableFunc(z.members, func(a, b *zip.File) int {
		return strings.Compare(a.Name, b.Name)
	})
	if err := z.open(); err != nil {
		return nil, err
	}
	z.format = z.cur.format
	return z, nil
}

// open opens the next member.
func (z *ZipReader) open() error {
	f := z.members[z.next]
	z.next++
	if f.UncompressedSize64 > MaxMemberBytes {
		return z.fail(f.Name, fmt.Sprintf("unpacks to %d bytes, more than the %d a statement may "+
			"take", f.UncompressedSize64, int64(MaxMemberBytes)))
	}
	rc, err := f.Open()
	if err != nil {
		return z.fail(f.Name, "could not be unpacked: "+strings.TrimPrefix(err.Error(), "zip: "))
	}
	z.rc = rc
	cur, err := newReader(&capped{r: rc, left: MaxMemberBytes, name: f.Name}, f.Name+" ")
	if err != nil {
		rc.Close()
		z.rc = nil
		z.err = err
		return err
	}
	if z.format != "" && cur.format != z.format {
		return z.fail(f.Name, fmt.Sprintf("is a %s, but %s is a %s: a ZIP must hold one format",
			cur.format, z.members[0].Name, z.format))
	}
	z.cur = cur
	return nil
}

// fail records the error that ends the ZIP, about member name.
func (z *ZipReader) fail(name, msg string) error {
	if z.rc != nil {
		z.rc.Close()
		z.rc = nil
	}
	z.err = &finapp.LineError{Field: name, Message: name + " " + msg}
	return z.err
}

// Next implements finapp.BankFile.
func (z *ZipReader) Next() (finapp.BankEntry, error) {
	for z.err == nil {
		e, err := z.cur.Next()
		if err == nil {
			return e, nil
		}
		if !errors.Is(err, io.EOF) {
			z.err = err
			break
		}
		z.rc.Close()
		z.rc = nil
		z.done = append(z.done, z.cur.stmts...)
		if z.next == len(z.members) {
			z.err = io.EOF
			break
		}
		z.open()
	}
	return finapp.BankEntry{}, z.err
}

// Statements implements finapp.BankFile.
func (z *ZipReader) Statements() []*finapp.BankStatement {
	if z.cur == nil || z.err == io.EOF {
		return z.done
	}
	return append(z.done[:len(z.done):len(z.done)], z.cur.stmts...)
}

// Format implements finapp.BankFile: the format of the members.
func (z *ZipReader) Format() string { return z.format }

// Digest implements finapp.BankFile: the SHA-256 of the ZIP file.
func (z *ZipReader) Digest() string { return z.digest }

// Close closes the member being read, if any.
func (z *ZipReader) Close() error {
	if z.rc == nil {
		return nil
	}
	err := z.rc.Close()
	z.rc = nil
	return err
}

// capped reads a member, failing once it has given more than left bytes.
type capped struct {
	r    io.Reader
	left int64
	name string
}

func (c *capped) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, fmt.Errorf("%s unpacks to more than %d bytes, the most a statement may take",
			c.name, int64(MaxMemberBytes))
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}
