package cli

import (
	"io"

	"github.com/trustctl/trustctl/internal/chain"
	"github.com/trustctl/trustctl/internal/render"
)

// renderChain draws a chain as a tree (see render.Chain); probe's report
// draws the chain it verified with it.
func renderChain(w io.Writer, res *chain.Result, colour bool) {
	_ = render.Chain(w, res, colour)
}

// verifyOutcome decides verify's exit: 0 when every chain is valid, 1
// (with the first problem of one CERT, or how many of several failed)
// otherwise.
func verifyOutcome(vs []*render.Verdict) error {
	failed := 0
	for _, v := range vs {
		if v.Result == nil || !v.Result.Valid {
			failed++
		}
	}
	if len(vs) == 1 {
		if res := vs[0].Result; !res.Valid {
			msg := "the chain is invalid"
			if len(res.Problems) > 0 {
				msg += ": " + render.FirstProblem(res.Problems)
			}
			return checkFailed("%s", msg)
		}
		return nil
	}
	if failed > 0 {
		return checkFailed("%d of %d chains are invalid", failed, len(vs))
	}
	return nil
}
