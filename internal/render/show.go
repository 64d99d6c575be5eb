package render

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/trustctl/trustctl/internal/certs"
)

// ShownDoc is what show found: the document show --json writes (CSRs
// and CRLs left out when there are none) and, for people, each item in
// the order it was added. Start one with [NewShownDoc].
type ShownDoc struct {
	Certificates []ShownCert `json:"certificates"`
	CSRs         []ShownCSR  `json:"csrs,omitempty"`
	CRLs         []ShownCRL  `json:"crls,omitempty"`
	order        []shownItem
}

// ShownCert is a certificate show found, with the source it came from
// and its alias in a store.
type ShownCert struct {
	Origin string `json:"origin,omitempty"`
	Alias  string `json:"alias,omitempty"`
	certs.Details
}

// ShownCSR is a certificate request show found in the source Origin.
type ShownCSR struct {
	Origin string `json:"origin"`
	certs.CSRDetails
}

// ShownCRL is a CRL show found in the source Origin.
type ShownCRL struct {
	Origin string `json:"origin"`
	certs.CRLDetails
}

// shownItem is one item of a ShownDoc: which list, and where in it.
type shownItem struct {
	kind  shownKind
	index int
}

type shownKind int

const (
	shownCert shownKind = iota
	shownCSR
	shownCRL
)

// NewShownDoc is an empty ShownDoc (its certificates [], not null, in JSON).
func NewShownDoc() *ShownDoc {
	return &ShownDoc{Certificates: []ShownCert{}}
}

// AddCert adds a certificate found in origin, under alias in a store.
func (d *ShownDoc) AddCert(origin, alias string, c certs.Details) {
	d.order = append(d.order, shownItem{shownCert, len(d.Certificates)})
	d.Certificates = append(d.Certificates, ShownCert{origin, alias, c})
}

// AddCSR adds a certificate request found in origin.
func (d *ShownDoc) AddCSR(origin string, r certs.CSRDetails) {
	d.order = append(d.order, shownItem{shownCSR, len(d.CSRs)})
	d.CSRs = append(d.CSRs, ShownCSR{origin, r})
}

// AddCRL adds a CRL found in origin.
func (d *ShownDoc) AddCRL(origin string, l certs.CRLDetails) {
	d.order = append(d.order, shownItem{shownCRL, len(d.CRLs)})
	d.CRLs = append(d.CRLs, ShownCRL{origin, l})
}

// Shown writes each item of d for people, a blank line between items,
// each under a title naming its source; oneSource says all came from one,
// and then, when there are several, each title also says which of them
// it is. now and colour are as for [Certificate].
func Shown(w io.Writer, d *ShownDoc, oneSource bool, now time.Time, colour bool) error {
	var b strings.Builder
	n := len(d.order)
	for i, it := range d.order {
		if i > 0 {
			b.WriteByte('\n')
		}
		numbered := func(title, alias string) string {
			if alias == "" && oneSource && n > 1 {
				return fmt.Sprintf("%s (%d of %d)", title, i+1, n)
			}
			return title
		}
		var err error
		switch it.kind {
		case shownCert:
			c := d.Certificates[it.index]
			err = Certificate(&b, numbered(c.Origin, c.Alias), c.Details, now, colour)
		case shownCSR:
			r := d.CSRs[it.index]
			err = CSR(&b, numbered(r.Origin+": certificate request", ""), r.CSRDetails, colour)
		case shownCRL:
			l := d.CRLs[it.index]
			err = CRL(&b, numbered(l.Origin+": CRL", ""), l.CRLDetails, now, colour)
		}
		if err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
