package camt

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"

	"finapp"
	"finapp/money"
)

// The entries of a statement (Ntry) and their transaction details (TxDtls), and how they become
// finapp.BankEntry values: see "Batches" in the package documentation.

// notProvided is what banks write for an EndToEndId the payer left empty; it names nothing.
const notProvided = "NOTPROVIDED"

func (r *Reader) entryValue(k uint64) error {
	e := &r.e
	var err error
	switch k {
	case pAmt:
		e.amount, e.ccy, err = r.amount()
		e.hasAmt = true
	case pInd:
		e.credit, err = r.indicator()
		e.hasInd = true
	case pRvsl:
		v, ok := parseBool(r.textValue())
		if !ok {
			return r.fail(r.here(), r.path(), fmt.Sprintf("%q is not true or false",
				clip(r.textValue())))
		}
		e.reversal = v
	case pSts, pStsCd:
		v := r.textValue()
		if k == pSts && v == "" {
			return nil // from .08 the code is in Sts/Cd
		}
		switch v {
		case finapp.EntryBooked, finapp.EntryPending, finapp.EntryInformation:
			e.status = v
		default:
			return r.fail(r.here(), r.path(), fmt.Sprintf("the status %q is not BOOK, PDNG or INFO",
				clip(v)))
		}
	case pBookgDt, pBookgDtTm:
		e.booking, err = r.date(k == pBookgDtTm)
	case pValDt, pValDtTm:
		e.value, err = r.date(k == pValDtTm)
	case pAcctSvcrRef:
		e.ref = r.textValue()
	case pNtryRef:
		e.ntryRef = r.textValue()
	case pAddtlNtryInf:
		e.addtl = r.textValue()
	default:
		return r.codeOrCharges(k, &e.code, &e.charges, &e.hasTotal)
	}
	return err
}

// codeOrCharges reads the bank transaction code and the charges, which an entry and a
// transaction's details write alike.
func (r *Reader) codeOrCharges(k uint64, code *txCode, charges *money.Amount, total *bool) error {
	switch k {
	case pDomnCd:
		code.domn = r.textValue()
	case pFmlyCd:
		code.fmly = r.textValue()
	case pSubFmlyCd:
		code.sub = r.textValue()
	case pPrtryCd:
		code.prtry = r.textValue()
	case pChrgsTotal, pChrgsRcrdAmt, pChrgsAmt:
		a, _, err := r.amount()
		if err != nil {
			return err
		}
		switch {
		case k == pChrgsTotal && !*total:
			*charges, *total = a, true
		case k != pChrgsTotal && !*total:
			if *charges+a > money.MaxAmount {
				return r.fail(r.here(), r.path(), "the charges add up to more than the largest "+
					"amount accepted")
			}
			*charges += a
		}
	}
	return nil
}

func (r *Reader) detailValue(k uint64) error {
	d := &r.d
	var err error
	switch k {
	case pAmt:
		d.amount, d.ccy, err = r.amount()
		d.hasAmt = true
	case pTxAmt:
		d.txAmount, d.txCcy, err = r.amount()
		d.hasTxAmt = true
	case pInd:
		d.credit, err = r.indicator()
		d.hasInd = true
	case pE2E:
		if v := r.textValue(); v != notProvided {
			d.e2e = v
		}
	case pTxId:
		d.txID = r.textValue()
	case pRefsRef:
		d.ref = r.textValue()
	case pDbtrNm, pDbtrPtyNm:
		d.dbtr = r.textValue()
	case pUltDbtrNm, pUltDbtrPtyNm:
		d.ultDbtr = r.textValue()
	case pDbtrIBAN:
		d.dbtrIBAN = r.textValue()
	case pCdtrNm, pCdtrPtyNm:
		d.cdtr = r.textValue()
	case pUltCdtrNm, pUltCdtrPtyNm:
		d.ultCdtr = r.textValue()
	case pCdtrIBAN:
		d.cdtrIBAN = r.textValue()
	case pUstrd:
		// Banks wrap remittance text over several Ustrd of 140 characters, and some break
		// lines inside one: read as one line of text.
		v := strings.Join(strings.Fields(r.textValue()), " ")
		if v != "" && d.ustrd != "" {
			d.ustrd += " "
		}
		d.ustrd += v
		if len(d.ustrd) > MaxText {
			return r.fail(r.here(), r.path(), fmt.Sprintf("the remittance text is longer than %d "+
				"bytes, which no transfer carries", MaxText))
		}
	case pCdtrRef:
		d.structured = r.textValue()
	case pDocNb:
		if len(d.docs) >= maxDocs {
			return r.fail(r.here(), r.path(), fmt.Sprintf("the transaction refers to more than %d "+
				"documents", maxDocs))
		}
		d.docs = append(d.docs, r.textValue())
	case pAddtlTxInf:
		d.addtl = r.textValue()
	default:
		return r.codeOrCharges(k, &d.code, &d.charges, &d.hasTotal)
	}
	return err
}

// maxDocs bounds the referred documents of one transaction, which a file could otherwise repeat
// without end inside one entry.
const maxDocs = 1000

// checkEntry refuses an entry that lacks what every entry must say. It runs once, before the
// entry or its first detail is given out: what it checks comes before the details in the file.
func (r *Reader) checkEntry() error {
	e := &r.e
	if e.checked {
		return nil
	}
	e.checked = true
	field := func(name string) string {
		return strings.Join(r.names[r.stDepth:r.ntDepth+1], "/") + "/" + name
	}
	switch {
	case !e.hasAmt:
		return r.fail(e.line, field("Amt"), "the entry has no amount (Amt)")
	case !e.hasInd:
		return r.fail(e.line, field("CdtDbtInd"), "the entry has no CdtDbtInd (CRDT or DBIT)")
	case e.status == "":
		return r.fail(e.line, field("Sts"), "the entry has no status (Sts: BOOK, PDNG or INFO)")
	case e.booking == "" && e.status == finapp.EntryBooked:
		return r.fail(e.line, field("BookgDt"), "the booked entry has no booking date (BookgDt)")
	}
	return nil
}

// endDetail handles the end of a TxDtls: a camt.053 entry's first detail is held until it is
// known whether the entry is a batch; every other detail is a BankEntry of its own.
func (r *Reader) endDetail() error {
	r.e.details++
	if r.e.details == 1 {
		r.held, r.d = r.d, detail{}
		return nil
	}
	if err := r.checkEntry(); err != nil {
		return err
	}
	if r.e.details == 2 {
		if err := r.emitDetail(&r.held, 1); err != nil {
			return err
		}
		r.held = detail{}
	}
	err := r.emitDetail(&r.d, r.e.details)
	r.d = detail{}
	return err
}

// endEntry gives out an entry with no details, or with one in a camt.053, merged into it; or
// the one detail of a camt.054 entry, split as a batch's.
func (r *Reader) endEntry() error {
	if err := r.checkEntry(); err != nil {
		return err
	}
	e := &r.e
	switch {
	case e.details == 1 && r.format == Camt054:
		err := r.emitDetail(&r.held, 1)
		r.held = detail{}
		return err
	case e.details > 1:
		return nil
	}
	d := &r.held // the zero detail when there is none
	out := r.base(e.line)
	out.Amount, out.Currency, out.Credit = e.amount, e.ccy, e.credit
	out.BankReference = e.ref
	if out.BankReference == "" {
		out.BankReference = d.ref
	}
	out.TransactionCode = e.code.String()
	if out.TransactionCode == "" {
		out.TransactionCode = d.code.String()
	}
	out.AdditionalInfo = e.addtl
	if out.AdditionalInfo == "" {
		out.AdditionalInfo = d.addtl
	}
	out.Charges = e.charges
	r.fill(&out, d)
	r.out = append(r.out, out)
	r.held = detail{}
	return nil
}

// base is a BankEntry with what the entry says for all its details.
func (r *Reader) base(line int) finapp.BankEntry {
	e := &r.e
	return finapp.BankEntry{Statement: r.st, Reversal: e.reversal, Status: e.status,
		BookingDate: e.booking, ValueDate: e.value, EntryReference: e.ntryRef,
		Position: r.where + "line " + strconv.Itoa(line)}
}

// fill copies a detail's references, parties and remittance into out, whose direction is set.
func (r *Reader) fill(out *finapp.BankEntry, d *detail) {
	out.EndToEndID, out.TransactionID = d.e2e, d.txID
	if out.Credit {
		out.CounterpartyName, out.CounterpartyIBAN = d.dbtr, d.dbtrIBAN
		if out.CounterpartyName == "" {
			out.CounterpartyName = d.ultDbtr
		}
	} else {
		out.CounterpartyName, out.CounterpartyIBAN = d.cdtr, d.cdtrIBAN
		if out.CounterpartyName == "" {
			out.CounterpartyName = d.ultCdtr
		}
	}
	out.RemittanceText, out.StructuredReference, out.DocumentNumbers = d.ustrd, d.structured, d.docs
}

// emitDetail gives out the index-th (1-based) detail of a batch entry as a BankEntry.
func (r *Reader) emitDetail(d *detail, index int) error {
	if err := r.checkEntry(); err != nil {
		return err
	}
	e := &r.e
	out := r.base(d.line)
	switch {
	case d.hasAmt:
		out.Amount, out.Currency = d.amount, d.ccy
	case d.hasTxAmt:
		out.Amount, out.Currency = d.txAmount, d.txCcy
	case e.details == 1:
		out.Amount, out.Currency = e.amount, e.ccy // the entry is the one transaction
	default:
		return r.fail(d.line, strings.Join(r.names[r.stDepth:r.ntDepth+1], "/")+
			"/NtryDtls/TxDtls/Amt", "the transaction, one of several of the entry, has no amount (Amt)")
	}
	out.Credit = e.credit
	if d.hasInd {
		out.Credit = d.credit
	}
	out.Batch = e.ref
	switch {
	case d.ref != "":
		out.BankReference = d.ref
	case e.ref == "":
	case d.e2e != "" && r.firstE2E(d.e2e):
		out.BankReference = e.ref + "/" + d.e2e
	default:
		out.BankReference = e.ref + "/" + strconv.Itoa(index)
	}
	out.TransactionCode = d.code.String()
	if out.TransactionCode == "" {
		out.TransactionCode = e.code.String()
	}
	out.AdditionalInfo = d.addtl
	out.Charges = d.charges
	r.fill(&out, d)
	r.out = append(r.out, out)
	return nil
}

// firstE2E reports whether no earlier detail of the entry has this EndToEndId. It keeps a
// 64-bit hash of each, not the text, so that a batch of many details stays small; a collision
// only numbers a detail instead of naming it, the same way in every reading.
func (r *Reader) firstE2E(e2e string) bool {
	h := fnv.New64a()
	h.Write([]byte(e2e))
	k := h.Sum64()
	if r.e.e2eSeen == nil {
		r.e.e2eSeen = map[uint64]struct{}{}
	}
	if _, ok := r.e.e2eSeen[k]; ok {
		return false
	}
	r.e.e2eSeen[k] = struct{}{}
	return true
}
