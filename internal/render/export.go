package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/trustctl/trustctl/internal/safefile"
)

// WrittenDoc is the document export and keystore extract write with
// --json: the files written, and those that already held what would have
// been written.
type WrittenDoc struct {
	From      string   `json:"from"`
	Changed   bool     `json:"changed"`
	Written   []string `json:"written"`
	Unchanged []string `json:"unchanged"`
}

func writtenDoc(from string, files []safefile.File, written []string) WrittenDoc {
	doc := WrittenDoc{From: from, Changed: len(written) > 0, Written: []string{}, Unchanged: []string{}}
	isWritten := map[string]bool{}
	for _, p := range written {
		isWritten[p] = true
		doc.Written = append(doc.Written, p)
	}
	for _, f := range files {
		if !isWritten[f.Path] {
			doc.Unchanged = append(doc.Unchanged, f.Path)
		}
	}
	return doc
}

// WrittenJSON writes which of files, made from the store at from, were
// written (the paths in written) and which were left as they were.
func WrittenJSON(w io.Writer, from string, files []safefile.File, written []string) error {
	return JSON(w, writtenDoc(from, files, written))
}

// Written writes a line per file of files: first the paths written, then
// those left as they were, each with "(unchanged)" after it.
func Written(w io.Writer, files []safefile.File, written []string) error {
	doc := writtenDoc("", files, written)
	var b strings.Builder
	for _, p := range doc.Written {
		fmt.Fprintln(&b, p)
	}
	for _, p := range doc.Unchanged {
		fmt.Fprintf(&b, "%s (unchanged)\n", p)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
