package camt

import (
	"crypto/sha256"
	"errors"
	"hash"
	"io"
)

// input is what the XML decoder reads from: the file through one buffer, hashed as it is read
// (the Digest), with a budget of bytes per token. encoding/xml gathers a whole text, tag or
// comment before handing it over, so without the budget a file of one 10 GiB text node would be
// held whole; with it the decoder fails once a token is longer than any camt file needs.
type input struct {
	r      io.Reader
	buf    []byte
	pos    int
	end    int
	sum    hash.Hash
	read   int64 // bytes read from r
	budget int   // bytes the current token may still take
	err    error
	first  bool // the first fill has not happened: a byte-order mark may come
}

// errTokenTooLong is what input fails with when a token outgrows its budget.
var errTokenTooLong = errors.New("token too long")

func newInput(r io.Reader) *input {
	return &input{r: r, buf: make([]byte, 64<<10), sum: sha256.New(), budget: maxToken, first: true}
}

// fill reads the next chunk of the file into buf.
func (in *input) fill() error {
	if in.err != nil {
		return in.err
	}
	for {
		n, err := in.r.Read(in.buf)
		if n > 0 {
			in.sum.Write(in.buf[:n])
			in.read += int64(n)
			in.pos, in.end = 0, n
			if in.first {
				in.first = false
				// The UTF-8 byte-order mark some Windows tools write; encoding/xml does not
				// skip it. It is hashed all the same: the digest is of the file as it came.
				if n >= 3 && in.buf[0] == 0xef && in.buf[1] == 0xbb && in.buf[2] == 0xbf {
					in.pos = 3
					if n == 3 {
						continue
					}
				}
			}
			return nil
		}
		if err != nil {
			in.err = err
			return err
		}
	}
}

// ReadByte is what the decoder reads with: an input that is an io.ByteReader is used as is.
func (in *input) ReadByte() (byte, error) {
	if in.pos >= in.end {
		if err := in.fill(); err != nil {
			return 0, err
		}
	}
	if in.budget <= 0 {
		return 0, errTokenTooLong
	}
	in.budget--
	b := in.buf[in.pos]
	in.pos++
	return b, nil
}

// Read serves a CharsetReader, which reads in chunks; the budget then counts chunks, which
// still bounds a token.
func (in *input) Read(p []byte) (int, error) {
	if in.pos >= in.end {
		if err := in.fill(); err != nil {
			return 0, err
		}
	}
	if in.budget <= 0 {
		return 0, errTokenTooLong
	}
	n := copy(p, in.buf[in.pos:in.end])
	in.pos += n
	in.budget -= n
	return n, nil
}
