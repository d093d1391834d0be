"""Shell completion scripts for `codex completion bash|zsh|fish`."""

from __future__ import annotations

from pycodex_cli._main import GLOBAL_FLAGS, SUBCOMMANDS

EXEC_FLAGS = (
    "--json",
    "--output-last-message",
    "--output-schema",
    "--skip-git-repo-check",
    "--ephemeral",
    "--color",
    "--ignore-user-config",
    "--show-instructions",
)


def completion_script(shell: str) -> str:
    """Return the completion script for `shell` (bash, zsh or fish)."""
    subs = " ".join(SUBCOMMANDS)
    flags = " ".join(sorted(f for f in GLOBAL_FLAGS if f.startswith("--")))
    exec_flags = " ".join(EXEC_FLAGS)
    if shell == "bash":
        return f"""# bash completion for codex (pycodex)
_codex() {{
    local cur="${{COMP_WORDS[COMP_CWORD]}}"
    local cmd="" w
    for w in "${{COMP_WORDS[@]:1:COMP_CWORD-1}}"; do
        case "$w" in -*) ;; *) cmd="$w"; break ;; esac
    done
    if [[ "$cur" == -* ]]; then
        if [[ "$cmd" == exec || "$cmd" == e ]]; then
            COMPREPLY=( $(compgen -W "{flags} {exec_flags}" -- "$cur") )
        else
            COMPREPLY=( $(compgen -W "{flags} --help --version" -- "$cur") )
        fi
    elif [[ -z "$cmd" ]]; then
        COMPREPLY=( $(compgen -W "{subs}" -- "$cur") )
    else
        COMPREPLY=( $(compgen -f -- "$cur") )
    fi
}}
complete -F _codex codex pycodex
"""
    if shell == "zsh":
        sub_specs = " ".join(f"'{name}:{desc.replace(chr(39), '')}'" for name, desc in SUBCOMMANDS.items())
        return f"""#compdef codex pycodex
_codex() {{
    local -a subcommands
    subcommands=({sub_specs})
    if (( CURRENT == 2 )); then
        _describe 'command' subcommands
    else
        _arguments '*:: :->args' && return
        compadd -- {flags} {exec_flags}
    fi
}}
compdef _codex codex pycodex
"""
    lines = ["# fish completion for codex (pycodex)"]
    for name, desc in SUBCOMMANDS.items():
        lines.append(f"complete -c codex -n '__fish_use_subcommand' -a {name} -d '{desc.replace(chr(39), '')}'")
    for flag in sorted(f for f in GLOBAL_FLAGS if f.startswith("--")):
        lines.append(f"complete -c codex -l {flag[2:]}")
    for flag in EXEC_FLAGS:
        lines.append(f"complete -c codex -n '__fish_seen_subcommand_from exec e' -l {flag[2:]}")
    return "\n".join(lines) + "\n"
