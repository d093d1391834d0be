"""`codex completion [bash|zsh|fish|elvish|powershell]`: completion scripts with every command and option.

The tree is Codex 0.169's (`_tree.TREE`, recorded from its `--help`), plus pycodex's own
additions, so a script completes the same words in both.
"""

from __future__ import annotations

import argparse
import sys

from pycodex_cli import _common

__all__ = ["completion_script", "main", "option_tree"]

SHELLS = ("bash", "elvish", "fish", "powershell", "zsh")
_EXTRA: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "": (("config", "execpolicy", "mcp-server"), ()),
    "exec": ((), ("--show-instructions",)),
    "config": (("migrate", "path"), ("--help",)),
}


def option_tree() -> dict[str, tuple[list[str], list[str]]]:
    """Path ("" for the root, "exec resume", ...) -> (subcommands and aliases, option names)."""
    from pycodex_cli._tree import TREE

    tree: dict[str, tuple[list[str], list[str]]] = {}
    for path, (_aliases, subs, options) in TREE.items():
        names = [name for names, _value, _values in options for name in names]
        words = list(subs)
        for sub in subs:
            words.extend(TREE.get(f"{path} {sub}".strip(), ((), (), ()))[0])
        tree[path] = (words, names)
    for path, (subs, flags) in _EXTRA.items():
        words, names = tree.setdefault(path, ([], []))
        words.extend(s for s in subs if s not in words)
        names.extend(f for f in flags if f not in names)
    for path, (_aliases, _subs, _options) in TREE.items():
        for alias in _aliases:  # `codex e ...` completes as `codex exec ...`
            parent = path.rpartition(" ")[0]
            tree[f"{parent} {alias}".strip()] = tree[path]
    return tree


def _bash(tree: dict[str, tuple[list[str], list[str]]]) -> str:
    cases = "\n".join(
        f'        "{path}") words="{" ".join(subs)} {" ".join(flags)}" ;;'
        for path, (subs, flags) in sorted(tree.items())
    )
    return f"""# bash completion for codex (pycodex)
_codex() {{
    local cur="${{COMP_WORDS[COMP_CWORD]}}" path="" w words=""
    for w in "${{COMP_WORDS[@]:1:COMP_CWORD-1}}"; do
        case "$w" in -*) ;; *) case " $(_codex_words "$path") " in *" $w "*) path="${{path:+$path }}$w" ;; esac ;; esac
    done
    words="$(_codex_words "$path")"
    COMPREPLY=( $(compgen -W "$words" -- "$cur") )
    [[ ${{#COMPREPLY[@]}} -eq 0 && "$cur" != -* ]] && COMPREPLY=( $(compgen -f -- "$cur") )
}}
_codex_words() {{
    local words=""
    case "$1" in
{cases}
    esac
    echo "$words"
}}
complete -F _codex codex pycodex
"""


def _zsh(tree: dict[str, tuple[list[str], list[str]]]) -> str:
    cases = "\n".join(
        f'        "{path}") words=({" ".join(subs)} {" ".join(flags)}) ;;'
        for path, (subs, flags) in sorted(tree.items())
    )
    return f"""#compdef codex pycodex
_codex() {{
    local path="" w
    local -a words
    for w in ${{words[2,CURRENT-1]}}; do :; done
    for w in ${{(@)words[2,CURRENT-1]}}; do
        [[ $w == -* ]] && continue
        _codex_words "$path"
        (( ${{words[(Ie)$w]}} )) && path="${{path:+$path }}$w"
    done
    _codex_words "$path"
    compadd -- $words
    _files
}}
_codex_words() {{
    case "$1" in
{cases}
        *) words=() ;;
    esac
}}
compdef _codex codex pycodex
"""


def _fish(tree: dict[str, tuple[list[str], list[str]]]) -> str:
    lines = ["# fish completion for codex (pycodex)", "function __codex_path", "    set -l path", "    set -l known"]
    lines.append("    for w in (commandline -opc)[2..-1]")
    lines.append("        string match -q -- '-*' $w; and continue")
    lines.append('        if contains -- $w (__codex_words "$path"); set path (string trim -- "$path $w"); end')
    lines += ["    end", '    echo "$path"', "end", "function __codex_words", "    switch $argv[1]"]
    for path, (subs, flags) in sorted(tree.items()):
        lines.append(f"        case '{path}'")
        words = " ".join(subs + flags) or "''"
        lines.append(f"            printf '%s\\n' {words}")
    lines += ["    end", "end", "complete -c codex -f -a '(__codex_words (__codex_path))'"]
    lines.append("complete -c pycodex -f -a '(__codex_words (__codex_path))'")
    return "\n".join(lines) + "\n"


def _elvish(tree: dict[str, tuple[list[str], list[str]]]) -> str:
    entries = "\n".join(
        f"    &'{path}'=[{' '.join(repr(w) for w in subs + flags)}]" for path, (subs, flags) in sorted(tree.items())
    )
    return f"""# elvish completion for codex (pycodex)
var codex-tree = [
{entries}
]
set edit:completion:arg-completer[codex] = {{|@words|
    var path = ''
    for w $words[1..-1] {{
        if (and (not (str:has-prefix $w '-')) (has-value $codex-tree[$path] $w)) {{
            if (eq $path '') {{ set path = $w }} else {{ set path = $path' '$w }}
        }}
    }}
    all $codex-tree[$path]
}}
"""


def _powershell(tree: dict[str, tuple[list[str], list[str]]]) -> str:
    entries = "\n".join(
        f"    '{path}' = @({', '.join(repr(w) for w in subs + flags)})" for path, (subs, flags) in sorted(tree.items())
    )
    return f"""# PowerShell completion for codex (pycodex)
$codexTree = @{{
{entries}
}}
Register-ArgumentCompleter -Native -CommandName codex, pycodex -ScriptBlock {{
    param($wordToComplete, $commandAst, $cursorPosition)
    $path = ''
    foreach ($el in $commandAst.CommandElements | Select-Object -Skip 1) {{
        $w = $el.ToString()
        if ($w -eq $wordToComplete) {{ break }}
        if (-not $w.StartsWith('-') -and $codexTree[$path] -contains $w) {{ $path = ($path + ' ' + $w).Trim() }}
    }}
    $codexTree[$path] | Where-Object {{ $_ -like "$wordToComplete*" }} | ForEach-Object {{
        [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
    }}
}}
"""


def completion_script(shell: str) -> str:
    """The completion script for `shell` (bash, zsh, fish, elvish or powershell)."""
    tree = option_tree()
    render = {"bash": _bash, "zsh": _zsh, "fish": _fish, "elvish": _elvish, "powershell": _powershell}[shell]
    return render(tree)


def parser() -> argparse.ArgumentParser:
    """The parser of `codex completion`."""
    p = _common.parser("codex completion", "Generate shell completion scripts")
    p.add_argument("shell", nargs="?", default="bash", choices=SHELLS, metavar="SHELL", help="default bash")
    return p


def main(argv: list[str]) -> int:
    """`codex completion [SHELL]`."""
    ns = parser().parse_args(argv)
    sys.stdout.write(completion_script(ns.shell))
    return 0
