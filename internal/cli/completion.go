package cli

import (
	"fmt"
	"io"

	ucli "github.com/urfave/cli/v2"
)

// Completion asks trustctl itself, at each TAB, for the words that may
// follow: urfave/cli answers a command line ending in
// --generate-bash-completion with the subcommands, or with the flags when
// the word being completed starts with "-". The three scripts only pass
// the line on, so they never go stale when commands or flags change, and
// every shell completes the same words. Where trustctl offers nothing (a
// file argument), the shells complete file names.
//
// urfave/cli's own fish script (App.ToFishCompletion) is static instead:
// it lists every flag once, and marks them all as taking no file, which
// would stop "--out <TAB>" from completing a file name.

const completeFlag = "--generate-bash-completion"

// completing reports whether args ask for completions rather than a run.
func completing(args []string) bool {
	return len(args) > 1 && args[len(args)-1] == completeFlag
}

func completionCommand() *ucli.Command {
	return &ucli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script for bash, zsh or fish",
		UsageText: "trustctl completion bash|zsh|fish",
		Description: `Prints a script that makes the shell complete trustctl's commands,
subcommands and flags (and file names where a file is expected). The script
asks trustctl itself at each TAB, so it stays right after an upgrade.

EXAMPLES
  bash, in this shell, then for every new one:
    $ source <(trustctl completion bash)
    $ trustctl completion bash > ~/.local/share/bash-completion/completions/trustctl

  zsh (after compinit, e.g. in ~/.zshrc):
    $ source <(trustctl completion zsh)

  fish:
    $ trustctl completion fish > ~/.config/fish/completions/trustctl.fish

EXIT CODES
  0 printed; 2 no shell or an unknown one`,
		Action: runCompletion,
	}
}

func runCompletion(c *ucli.Context) error {
	if c.NArg() != 1 {
		return usageErrorf("usage: %s bash|zsh|fish", commandLine(c))
	}
	script, ok := completionScripts[c.Args().First()]
	if !ok {
		return usageErrorf("completion %s: want bash, zsh or fish", c.Args().First())
	}
	_, err := io.WriteString(envOf(c).Stdout, script)
	return err
}

var completionScripts = map[string]string{
	// As urfave/cli's autocomplete/bash_autocomplete, for trustctl.
	"bash": fmt.Sprintf(`# bash completion for trustctl: source <(trustctl completion bash)
_trustctl_complete() {
  local cur words cword
  COMPREPLY=()
  if declare -F _init_completion >/dev/null 2>&1; then
    _init_completion -n "=:" || return
  else
    words=("${COMP_WORDS[@]}")
    cword=$COMP_CWORD
    cur="${COMP_WORDS[COMP_CWORD]}"
  fi
  local IFS=$'\n'
  local opts
  if [[ "$cur" == -* ]]; then
    opts=$("${words[@]:0:$cword}" "$cur" %[1]s 2>/dev/null)
  else
    opts=$("${words[@]:0:$cword}" %[1]s 2>/dev/null)
  fi
  COMPREPLY=($(compgen -W "$opts" -- "$cur"))
}
complete -o bashdefault -o default -F _trustctl_complete trustctl
`, completeFlag),

	// As urfave/cli's autocomplete/zsh_autocomplete, for trustctl.
	"zsh": fmt.Sprintf(`#compdef trustctl
# zsh completion for trustctl: source <(trustctl completion zsh)
_trustctl_complete() {
  local -a opts
  local cur=${words[-1]}
  if [[ "$cur" == -* ]]; then
    opts=("${(@f)$(${words[@]:0:#words[@]-1} "$cur" %[1]s 2>/dev/null)}")
  else
    opts=("${(@f)$(${words[@]:0:#words[@]-1} %[1]s 2>/dev/null)}")
  fi
  if [[ "${opts[1]}" != "" ]]; then
    _describe 'values' opts
  else
    _files
  fi
}
compdef _trustctl_complete trustctl
`, completeFlag),

	"fish": fmt.Sprintf(`# fish completion for trustctl: trustctl completion fish > ~/.config/fish/completions/trustctl.fish
function __trustctl_complete
    set -l words (commandline -opc)
    set -l cur (commandline -ct)
    if string match -q -- '-*' $cur
        $words $cur %[1]s 2>/dev/null
    else
        $words %[1]s 2>/dev/null
    end
end
complete -c trustctl -a '(__trustctl_complete)'
`, completeFlag),
}
