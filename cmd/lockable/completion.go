package main

import "fmt"

// completion prints the shell completion script for bash, zsh or fish.
func (c *cli) completion(args []string) error {
	if len(args) != 1 {
		return usagef("lockable completion takes one shell: bash, zsh or fish")
	}
	script, ok := map[string]string{"bash": bashCompletion, "zsh": zshCompletion, "fish": fishCompletion}[args[0]]
	if !ok {
		return usagef("lockable completion %s: shells are bash, zsh and fish", args[0])
	}
	_, err := fmt.Fprint(c.stdout, script)
	return err
}

// bashCompletion: source <(lockable completion bash)
const bashCompletion = `# bash completion for lockable: source <(lockable completion bash)
_lockable() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    local flags="--resources --requirements --count --priority --timeout --hostname --lock-folder --backend --max-hold --kill-after --health-check --health-check-timeout --health-check-from-list --cleanup --cleanup-timeout --no-shell --explain --quiet --validate-only --py-compat --version --help"
    local i=1
    while [ "$i" -lt "$COMP_CWORD" ]; do
        case ${COMP_WORDS[i]} in
        --) i=$((i + 1)); break ;;
        --resources|--requirements|--count|--priority|--timeout|--hostname|--lock-folder|--backend|--max-hold|--kill-after|--health-check|--health-check-timeout|--cleanup|--cleanup-timeout) i=$((i + 2)) ;;
        -*) i=$((i + 1)) ;;
        *) break ;;
        esac
    done
    if [ "$i" -lt "$COMP_CWORD" ]; then
        case ${COMP_WORDS[i]} in
        status) COMPREPLY=($(compgen -W "--requirements --json --explain --resources --lock-folder --backend --hostname" -- "$cur")) ;;
        maintain) COMPREPLY=($(compgen -W "--note --for --end --resources --lock-folder --backend --hostname" -- "$cur")) ;;
        validate) COMPREPLY=($(compgen -W "--resources" -- "$cur")) ;;
        serve) COMPREPLY=($(compgen -W "--listen --resources --lock-folder --backend --hostname" -- "$cur")) ;;
        completion) COMPREPLY=($(compgen -W "bash zsh fish" -- "$cur")) ;;
        version) COMPREPLY=() ;;
        *) if declare -F _command_offset >/dev/null; then _command_offset "$i"; else COMPREPLY=($(compgen -f -- "$cur")); fi ;;
        esac
        return
    fi
    case $prev in
    --resources|--lock-folder) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --requirements|--count|--priority|--timeout|--hostname|--backend|--max-hold|--kill-after|--health-check|--health-check-timeout|--cleanup|--cleanup-timeout) COMPREPLY=(); return ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$flags" -- "$cur"))
    else
        COMPREPLY=($(compgen -W "status maintain validate serve version completion" -- "$cur") $(compgen -c -- "$cur"))
    fi
}
complete -F _lockable -o default lockable
`

// zshCompletion: source <(lockable completion zsh), or save it as
// _lockable on $fpath.
const zshCompletion = `#compdef lockable
# zsh completion for lockable: source <(lockable completion zsh)
_lockable() {
    local curcontext=$curcontext state line
    _arguments -C -S \
        '--resources[resources list, a JSON file or URL]:file or URL:_files' \
        '*--requirements[what the resource must be]:requirements: ' \
        '--count[how many resources to hold]:count: ' \
        '--priority[place among the waiters, higher first]:priority: ' \
        '--timeout[how long to wait for a free resource]:seconds or duration: ' \
        '--hostname[the host whose resources fit by default]:hostname:_hosts' \
        '--lock-folder[where the lock files are]:directory:_directories' \
        '--backend[keep the locks in etcd]:URL: ' \
        '--max-hold[stop the command after holding this long]:duration: ' \
        '--kill-after[grace between SIGTERM and SIGKILL]:duration: ' \
        '--health-check[run a check before the command; a failure puts the resource in maintenance]:command: ' \
        '--health-check-timeout[stop a health check after this long]:duration: ' \
        '--health-check-from-list[run the health_check field of the resource]' \
        '--cleanup[run a command after the command, before the release]:command: ' \
        '--cleanup-timeout[stop the cleanup after this long]:duration: ' \
        '--no-shell[run the words without /bin/sh -c]' \
        '--explain[why each resource does or does not fit]' \
        '(-q --quiet)'{-q,--quiet}'[do not say what lockable waits for]' \
        '--validate-only[check the resources list, run nothing]' \
        '--py-compat[behave as the Python lockable: its lock folder, values, flags after the command]' \
        '--version[print the version]' \
        '(-h --help)'{-h,--help}'[print the help]' \
        '1: :->first' \
        '*:: :->rest'
    case $state in
    first)
        _alternative 'subcommands:subcommand:(status maintain validate serve version completion)' 'commands:command:_command_names -e'
        ;;
    rest)
        case $line[1] in
        status) _arguments '--requirements[what the resources must be]:requirements: ' '--json[print JSON]' '--explain[why each resource does or does not fit]' '--resources[resources list]:file:_files' '--lock-folder[lock folder]:directory:_directories' '--backend[lock backend]:URL: ' '--hostname[host]:hostname:_hosts' ;;
        maintain) _arguments '--note[why it is out of service]:note: ' '--for[how long]:duration: ' '--end[put it back in service]' '--resources[resources list]:file:_files' '--lock-folder[lock folder]:directory:_directories' '--backend[lock backend]:URL: ' '--hostname[host]:hostname:_hosts' ;;
        validate) _arguments '--resources[resources list]:file:_files' ;;
        serve) _arguments '--listen[where the page answers]:host\:port: ' '--resources[resources list]:file:_files' '--lock-folder[lock folder]:directory:_directories' '--backend[lock backend]:URL: ' '--hostname[host]:hostname:_hosts' ;;
        completion) _values shell bash zsh fish ;;
        version) ;;
        *) _normal ;;
        esac
        ;;
    esac
}
if [ "$funcstack[1]" = "_lockable" ]; then
    _lockable "$@"
else
    compdef _lockable lockable
fi
`

// fishCompletion: lockable completion fish | source
const fishCompletion = `# fish completion for lockable: lockable completion fish | source
function __lockable_no_command
    set -l words (commandline -opc)
    set -e words[1]
    while set -q words[1]
        switch $words[1]
            case --
                return 1
            case --resources --requirements --count --priority --timeout --hostname --lock-folder --backend --max-hold --kill-after --health-check --health-check-timeout --cleanup --cleanup-timeout
                set -e words[1..2]
            case '-*'
                set -e words[1]
            case '*'
                return 1
        end
    end
    return 0
end
complete -c lockable -n __lockable_no_command -f -a 'status maintain validate serve version completion' -d subcommand
complete -c lockable -n __lockable_no_command -f -a '(__fish_complete_command)'
complete -c lockable -n __lockable_no_command -l resources -r -F -d 'resources list, a JSON file or URL'
complete -c lockable -n __lockable_no_command -l requirements -x -d 'what the resource must be'
complete -c lockable -n __lockable_no_command -l count -x -d 'how many resources to hold'
complete -c lockable -n __lockable_no_command -l priority -x -d 'place among the waiters, higher first'
complete -c lockable -n __lockable_no_command -l timeout -x -d 'how long to wait for a free resource'
complete -c lockable -n __lockable_no_command -l hostname -x -a '(__fish_print_hostnames)' -d 'the host whose resources fit'
complete -c lockable -n __lockable_no_command -l lock-folder -x -a '(__fish_complete_directories)' -d 'where the lock files are'
complete -c lockable -n __lockable_no_command -l backend -x -d 'keep the locks in etcd: etcd://host:2379/prefix'
complete -c lockable -n __lockable_no_command -l max-hold -x -d 'stop the command after holding this long'
complete -c lockable -n __lockable_no_command -l kill-after -x -d 'grace between SIGTERM and SIGKILL'
complete -c lockable -n __lockable_no_command -l health-check -x -d 'run a check before the command'
complete -c lockable -n __lockable_no_command -l health-check-timeout -x -d 'stop a health check after this long'
complete -c lockable -n __lockable_no_command -l health-check-from-list -d 'run the health_check field of the resource'
complete -c lockable -n __lockable_no_command -l cleanup -x -d 'run a command after the command, before the release'
complete -c lockable -n __lockable_no_command -l cleanup-timeout -x -d 'stop the cleanup after this long'
complete -c lockable -n __lockable_no_command -l no-shell -d 'run the words without /bin/sh -c'
complete -c lockable -n __lockable_no_command -l explain -d 'why each resource does or does not fit'
complete -c lockable -n __lockable_no_command -s q -l quiet -d 'do not say what lockable waits for'
complete -c lockable -n __lockable_no_command -l validate-only -d 'check the resources list, run nothing'
complete -c lockable -n __lockable_no_command -l py-compat -d 'behave as the Python lockable'
complete -c lockable -n __lockable_no_command -l version -d 'print the version'
complete -c lockable -n __lockable_no_command -s h -l help -d 'print the help'
complete -c lockable -n '__fish_seen_subcommand_from status' -l json -d 'print JSON'
complete -c lockable -n '__fish_seen_subcommand_from maintain' -l note -x -d 'why it is out of service'
complete -c lockable -n '__fish_seen_subcommand_from maintain' -l for -x -d 'how long'
complete -c lockable -n '__fish_seen_subcommand_from maintain' -l end -d 'put it back in service'
complete -c lockable -n '__fish_seen_subcommand_from serve' -l listen -x -d 'where the page answers: host:port'
complete -c lockable -n '__fish_seen_subcommand_from completion' -f -a 'bash zsh fish'
`
