// Package camttest writes camt files for tests and measurements: a valid camt.053.001.08 of as
// many entries as asked, written as it goes, so that a file of a million entries costs no memory.
package camttest

import (
	"bufio"
	"fmt"
	"io"
	"math/big"
	"strconv"

	"finapp"
	"finapp/money"
)

// Options say what WriteStatement writes. The zero value of each field has a default.
type Options struct {
	Entries  int            // how many entries (Ntry), each a credit with one TxDtls
	IBAN     string         // the statement's account; default DE83700519951234567890
	Currency money.Currency // default EUR
	Date     string         // the booking date of every entry; default 2026-03-31
	Opening  money.Amount   // the opening booked balance (a credit)

	// Entry i (from 0) pays invoice number InvoicePrefix + (FirstInvoice + i%Invoices), written
	// as seven digits: the invoice number is its RfrdDocInf/Nb, its ISO 11649 reference
	// (finapp.CreditorReference) the CdtrRefInf/Ref. Defaults: "INV-", 1, 1000.
	InvoicePrefix string
	FirstInvoice  int
	Invoices      int

	// Amount is what entry i is for, in minor units; default 1000 + (i*7919)%100000.
	Amount func(i int) money.Amount
}

func (o *Options) defaults() {
	if o.IBAN == "" {
		o.IBAN = "DE83700519951234567890"
	}
	if o.Currency == "" {
		o.Currency = "EUR"
	}
	if o.Date == "" {
		o.Date = "2026-03-31"
	}
	if o.InvoicePrefix == "" {
		o.InvoicePrefix = "INV-"
	}
	if o.FirstInvoice == 0 {
		o.FirstInvoice = 1
	}
	if o.Invoices <= 0 {
		o.Invoices = 1000
	}
	if o.Amount == nil {
		o.Amount = func(i int) money.Amount { return money.Amount(1000 + (i*7919)%100000) }
	}
}

// Invoice is the invoice number entry i pays under o.
func (o Options) Invoice(i int) string {
	o.defaults()
	return o.InvoicePrefix + fmt.Sprintf("%07d", o.FirstInvoice+i%o.Invoices)
}

// WriteStatement writes one camt.053.001.08 statement of o.Entries booked credits to w, with an
// opening and a closing booked balance that add up.
func WriteStatement(w io.Writer, o Options) error {
	o.defaults()
	// The closing balance is summed first, the amounts being a function of i, so that nothing
	// of the entries is kept.
	closing := money.SumOf(o.Opening)
	for i := range o.Entries {
		closing = closing.Add(o.Amount(i))
	}
	c := o.Currency
	bw := bufio.NewWriterSize(w, 64<<10)
	fmt.Fprintf(bw, `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
  <BkToCstmrStmt>
    <GrpHdr>
      <MsgId>GEN-%[1]s</MsgId>
      <CreDtTm>%[1]sT22:00:00</CreDtTm>
    </GrpHdr>
    <Stmt>
      <Id>GEN-%[1]s-1</Id>
      <ElctrncSeqNb>1</ElctrncSeqNb>
      <Acct>
        <Id><IBAN>%[2]s</IBAN></Id>
        <Ccy>%[3]s</Ccy>
      </Acct>
%[4]s%[5]s`, o.Date, o.IBAN, c, balance("OPBD", money.SumOf(o.Opening), c, o.Date),
		balance("CLBD", closing, c, o.Date))
	// The payers' accounts repeat with the invoices; computing each check once keeps a
	// million-entry file quick to write.
	ibans := map[int]string{}
	var b []byte
	for i := range o.Entries {
		b = b[:0]
		n := strconv.AppendInt(nil, int64(i+1), 10)
		inv := o.Invoice(i)
		amt := money.Format(o.Amount(i), c)
		b = append(b, "      <Ntry>\n        <NtryRef>"...)
		b = append(b, n...)
		b = append(b, "</NtryRef>\n        <Amt Ccy=\""...)
		b = append(b, c...)
		b = append(b, "\">"...)
		b = append(b, amt...)
		b = append(b, "</Amt>\n        <CdtDbtInd>CRDT</CdtDbtInd>\n        <Sts><Cd>BOOK</Cd></Sts>\n"+
			"        <BookgDt><Dt>"...)
		b = append(b, o.Date...)
		b = append(b, "</Dt></BookgDt>\n        <ValDt><Dt>"...)
		b = append(b, o.Date...)
		b = append(b, "</Dt></ValDt>\n        <AcctSvcrRef>GEN"...)
		b = append(b, n...)
		b = append(b, "</AcctSvcrRef>\n        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd>"+
			"<SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>\n        <NtryDtls>\n"+
			"          <TxDtls>\n            <Refs><EndToEndId>E2E-"...)
		b = append(b, n...)
		b = append(b, "</EndToEndId></Refs>\n            <Amt Ccy=\""...)
		b = append(b, c...)
		b = append(b, "\">"...)
		b = append(b, amt...)
		b = append(b, "</Amt>\n            <CdtDbtInd>CRDT</CdtDbtInd>\n            <RltdPties>\n"+
			"              <Dbtr><Pty><Nm>Customer "...)
		cust := i % o.Invoices
		b = strconv.AppendInt(b, int64(cust), 10)
		b = append(b, "</Nm></Pty></Dbtr>\n              <DbtrAcct><Id><IBAN>"...)
		iban, ok := ibans[cust]
		if !ok {
			iban = IBAN("DE", fmt.Sprintf("70051995%010d", cust))
			if len(ibans) < 1<<16 {
				ibans[cust] = iban
			}
		}
		b = append(b, iban...)
		b = append(b, "</IBAN></Id></DbtrAcct>\n            </RltdPties>\n            <RmtInf>\n"+
			"              <Ustrd>Invoice "...)
		b = append(b, inv...)
		b = append(b, "</Ustrd>\n              <Strd>\n                <RfrdDocInf><Nb>"...)
		b = append(b, inv...)
		b = append(b, "</Nb></RfrdDocInf>\n                <CdtrRefInf><Ref>"...)
		b = append(b, finapp.CreditorReference(inv)...)
		b = append(b, "</Ref></CdtrRefInf>\n              </Strd>\n            </RmtInf>\n"+
			"          </TxDtls>\n        </NtryDtls>\n      </Ntry>\n"...)
		if _, err := bw.Write(b); err != nil {
			return err
		}
	}
	bw.WriteString("    </Stmt>\n  </BkToCstmrStmt>\n</Document>\n")
	return bw.Flush()
}

func balance(kind string, s money.Sum, c money.Currency, date string) string {
	ind := "CRDT"
	if s.Sign() < 0 {
		ind, s = "DBIT", s.Neg()
	}
	return fmt.Sprintf(`      <Bal>
        <Tp><CdOrPrtry><Cd>%s</Cd></CdOrPrtry></Tp>
        <Amt Ccy="%s">%s</Amt>
        <CdtDbtInd>%s</CdtDbtInd>
        <Dt><Dt>%s</Dt></Dt>
      </Bal>
`, kind, c, s.Format(c), ind, date)
}

// IBAN is the IBAN of bban in country, its check digits computed (ISO 13616: the BBAN, the
// country and "00", letters as 10 to 35, mod 97), for test accounts that pass a checksum.
func IBAN(country, bban string) string {
	digits := ""
	for _, r := range bban + country + "00" {
		switch {
		case r >= '0' && r <= '9':
			digits += string(r)
		case r >= 'A' && r <= 'Z':
			digits += strconv.Itoa(int(r-'A') + 10)
		}
	}
	n, _ := new(big.Int).SetString(digits, 10)
	check := 98 - new(big.Int).Mod(n, big.NewInt(97)).Int64()
	return fmt.Sprintf("%s%02d%s", country, check, bban)
}

// ValidIBAN reports whether iban's check digits are right.
func ValidIBAN(iban string) bool {
	if len(iban) < 5 {
		return false
	}
	return IBAN(iban[:2], iban[4:]) == iban
}
