package camt

// Element names the reader knows, as small numbers: a path of them is compared as one integer
// (pathKey), which keeps the work per element to a switch on its name.
const (
	nOther uint8 = iota
	nDocument
	nBkToCstmrStmt
	nBkToCstmrDbtCdtNtfctn
	nStmt
	nNtfctn
	nId
	nElctrncSeqNb
	nLglSeqNb
	nAcct
	nIBAN
	nOthr
	nCcy
	nBal
	nTp
	nCdOrPrtry
	nCd
	nAmt
	nCdtDbtInd
	nDt
	nDtTm
	nNtry
	nRvslInd
	nSts
	nBookgDt
	nValDt
	nAcctSvcrRef
	nNtryRef
	nBkTxCd
	nDomn
	nFmly
	nSubFmlyCd
	nPrtry
	nAddtlNtryInf
	nAddtlTxInf
	nChrgs
	nTtlChrgsAndTaxAmt
	nRcrd
	nNtryDtls
	nTxDtls
	nRefs
	nEndToEndId
	nTxId
	nRltdPties
	nDbtr
	nCdtr
	nUltmtDbtr
	nUltmtCdtr
	nPty
	nNm
	nDbtrAcct
	nCdtrAcct
	nRmtInf
	nUstrd
	nStrd
	nCdtrRefInf
	nRef
	nRfrdDocInf
	nNb
	nAmtDtls
	nTxAmt
)

// nameOf is the number of a local element name, nOther for one the reader does not look at.
func nameOf(s string) uint8 {
	switch s {
	case "Document":
		return nDocument
	case "BkToCstmrStmt":
		return nBkToCstmrStmt
	case "BkToCstmrDbtCdtNtfctn":
		return nBkToCstmrDbtCdtNtfctn
	case "Stmt":
		return nStmt
	case "Ntfctn":
		return nNtfctn
	case "Id":
		return nId
	case "ElctrncSeqNb":
		return nElctrncSeqNb
	case "LglSeqNb":
		return nLglSeqNb
	case "Acct":
		return nAcct
	case "IBAN":
		return nIBAN
	case "Othr":
		return nOthr
	case "Ccy":
		return nCcy
	case "Bal":
		return nBal
	case "Tp":
		return nTp
	case "CdOrPrtry":
		return nCdOrPrtry
	case "Cd":
		return nCd
	case "Amt":
		return nAmt
	case "CdtDbtInd":
		return nCdtDbtInd
	case "Dt":
		return nDt
	case "DtTm":
		return nDtTm
	case "Ntry":
		return nNtry
	case "RvslInd":
		return nRvslInd
	case "Sts":
		return nSts
	case "BookgDt":
		return nBookgDt
	case "ValDt":
		return nValDt
	case "AcctSvcrRef":
		return nAcctSvcrRef
	case "NtryRef":
		return nNtryRef
	case "BkTxCd":
		return nBkTxCd
	case "Domn":
		return nDomn
	case "Fmly":
		return nFmly
	case "SubFmlyCd":
		return nSubFmlyCd
	case "Prtry":
		return nPrtry
	case "AddtlNtryInf":
		return nAddtlNtryInf
	case "AddtlTxInf":
		return nAddtlTxInf
	case "Chrgs":
		return nChrgs
	case "TtlChrgsAndTaxAmt":
		return nTtlChrgsAndTaxAmt
	case "Rcrd":
		return nRcrd
	case "NtryDtls":
		return nNtryDtls
	case "TxDtls":
		return nTxDtls
	case "Refs":
		return nRefs
	case "EndToEndId":
		return nEndToEndId
	case "TxId":
		return nTxId
	case "RltdPties":
		return nRltdPties
	case "Dbtr":
		return nDbtr
	case "Cdtr":
		return nCdtr
	case "UltmtDbtr":
		return nUltmtDbtr
	case "UltmtCdtr":
		return nUltmtCdtr
	case "Pty":
		return nPty
	case "Nm":
		return nNm
	case "DbtrAcct":
		return nDbtrAcct
	case "CdtrAcct":
		return nCdtrAcct
	case "RmtInf":
		return nRmtInf
	case "Ustrd":
		return nUstrd
	case "Strd":
		return nStrd
	case "CdtrRefInf":
		return nCdtrRefInf
	case "Ref":
		return nRef
	case "RfrdDocInf":
		return nRfrdDocInf
	case "Nb":
		return nNb
	case "AmtDtls":
		return nAmtDtls
	case "TxAmt":
		return nTxAmt
	}
	return nOther
}

// pathKey packs a path of up to eight names into one integer; a longer path, or one with a name
// the reader does not know, is 0, which no path the reader looks for is.
func pathKey(names []uint8) uint64 {
	if len(names) > 8 {
		return 0
	}
	var k uint64
	for _, n := range names {
		if n == nOther {
			return 0
		}
		k = k<<8 | uint64(n)
	}
	return k
}

// p is pathKey of the names given, for the paths below.
func p(names ...uint8) uint64 { return pathKey(names) }

// Paths under a statement (Stmt or Ntfctn).
var (
	pStmtId   = p(nId)
	pElctrnc  = p(nElctrncSeqNb)
	pLglSeq   = p(nLglSeqNb)
	pAcctIBAN = p(nAcct, nId, nIBAN)
	pAcctOthr = p(nAcct, nId, nOthr, nId)
	pAcctCcy  = p(nAcct, nCcy)
)

// Paths under a balance (Bal).
var (
	pBalType = p(nTp, nCdOrPrtry, nCd)
	pBalAmt  = p(nAmt)
	pBalInd  = p(nCdtDbtInd)
	pBalDt   = p(nDt, nDt)
	pBalDtTm = p(nDt, nDtTm)
)

// Paths under an entry (Ntry) and, where they are the same, under a transaction's details
// (TxDtls).
var (
	pAmt          = p(nAmt)
	pInd          = p(nCdtDbtInd)
	pRvsl         = p(nRvslInd)
	pSts          = p(nSts)
	pStsCd        = p(nSts, nCd)
	pBookgDt      = p(nBookgDt, nDt)
	pBookgDtTm    = p(nBookgDt, nDtTm)
	pValDt        = p(nValDt, nDt)
	pValDtTm      = p(nValDt, nDtTm)
	pAcctSvcrRef  = p(nAcctSvcrRef)
	pNtryRef      = p(nNtryRef)
	pDomnCd       = p(nBkTxCd, nDomn, nCd)
	pFmlyCd       = p(nBkTxCd, nDomn, nFmly, nCd)
	pSubFmlyCd    = p(nBkTxCd, nDomn, nFmly, nSubFmlyCd)
	pPrtryCd      = p(nBkTxCd, nPrtry, nCd)
	pAddtlNtryInf = p(nAddtlNtryInf)
	pChrgsTotal   = p(nChrgs, nTtlChrgsAndTaxAmt)
	pChrgsRcrdAmt = p(nChrgs, nRcrd, nAmt)
	pChrgsAmt     = p(nChrgs, nAmt) // camt.053.001.02 lists charges without Rcrd
	pTxDtls       = p(nNtryDtls, nTxDtls)
)

// Paths under a transaction's details (TxDtls).
var (
	pTxAmt        = p(nAmtDtls, nTxAmt, nAmt)
	pE2E          = p(nRefs, nEndToEndId)
	pTxId         = p(nRefs, nTxId)
	pRefsRef      = p(nRefs, nAcctSvcrRef)
	pDbtrNm       = p(nRltdPties, nDbtr, nNm)
	pDbtrPtyNm    = p(nRltdPties, nDbtr, nPty, nNm)
	pUltDbtrNm    = p(nRltdPties, nUltmtDbtr, nNm)
	pUltDbtrPtyNm = p(nRltdPties, nUltmtDbtr, nPty, nNm)
	pDbtrIBAN     = p(nRltdPties, nDbtrAcct, nId, nIBAN)
	pCdtrNm       = p(nRltdPties, nCdtr, nNm)
	pCdtrPtyNm    = p(nRltdPties, nCdtr, nPty, nNm)
	pUltCdtrNm    = p(nRltdPties, nUltmtCdtr, nNm)
	pUltCdtrPtyNm = p(nRltdPties, nUltmtCdtr, nPty, nNm)
	pCdtrIBAN     = p(nRltdPties, nCdtrAcct, nId, nIBAN)
	pUstrd        = p(nRmtInf, nUstrd)
	pCdtrRef      = p(nRmtInf, nStrd, nCdtrRefInf, nRef)
	pDocNb        = p(nRmtInf, nStrd, nRfrdDocInf, nNb)
	pAddtlTxInf   = p(nAddtlTxInf)
)
