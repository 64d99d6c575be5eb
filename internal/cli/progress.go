package cli

import (
	"time"

	"github.com/schollz/progressbar/v3"
)

// progressDelay is how long work runs before a progress bar appears: a
// run that ends sooner shows none.
var progressDelay = time.Second

// progress is a progress bar on stderr, drawn by progressbar/v3 only on a
// terminal, only when the output is for people, and only once the work
// has taken progressDelay. Its update is called from one goroutine.
type progress struct {
	env   *Env
	on    bool
	what  string
	start time.Time
	bar   *progressbar.ProgressBar
}

func newProgress(env *Env, forPeople bool, what string) *progress {
	return &progress{env: env, on: forPeople && env.StderrTTY, what: what, start: time.Now()}
}

func (p *progress) update(done, total int) {
	if !p.on || total < 2 {
		return
	}
	if p.bar == nil {
		if time.Since(p.start) < progressDelay {
			return
		}
		p.bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(p.env.Stderr), progressbar.OptionSetDescription(p.what),
			progressbar.OptionShowCount(), progressbar.OptionSetPredictTime(true), progressbar.OptionClearOnFinish(),
			progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionSetWidth(30))
	}
	_ = p.bar.Set(done)
}

func (p *progress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}
