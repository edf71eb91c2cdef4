# bash completion for zcopyctl                                -*- shell-script -*-
# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# Installed as $(PREFIX)/share/bash-completion/completions/zcopyctl.

_zcopyctl_methods="auto copy mmap splice pages direct"
_zcopyctl_bench_paths="user:readwrite user:mmap_write user:sendfile user:splice
zcopy:COPY zcopy:MMAP zcopy:SPLICE zcopy:PAGES zcopy:DIRECT
user:writev_sendfile zcopy:SENDV zcopy:SENDV64"

# The options of each command, as "zcopyctl COMMAND --help" lists them.
_zcopyctl_opts() {
	case $1 in
	load) echo "--path --help" ;;
	unload) echo "--help" ;;
	info) echo "--json --help" ;;
	send) echo "--method --offset --len --header --trailer --quiet --json" \
		"--progress --no-progress --async --notify-release --help" ;;
	recv) echo "--bind --port --count --ready-file --json --help" ;;
	stats) echo "--method --json --watch --help" ;;
	bench) echo "--dir --paths --sizes --cache --budget-ms --min-reps" \
		"--json --json-file --svg --note --help" ;;
	version) echo "--json --help" ;;
	help) echo "--help" ;;
	esac
}

_zcopyctl() {
	local cur prev cmd i
	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	local commands="load unload info send recv stats bench version help"

	cmd=
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-*) ;;
		*) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done
	if [ -z "$cmd" ]; then
		if [[ $cur == -* ]]; then
			mapfile -t COMPREPLY < <(compgen -W "--version --help" -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur")
		fi
		return
	fi

	# The value of the option before the cursor.
	case $prev in
	--method | -m)
		mapfile -t COMPREPLY < <(compgen -W "$_zcopyctl_methods" -- "$cur")
		return ;;
	--path | --header | --trailer | --ready-file | --json-file | --svg)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return ;;
	--dir)
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		return ;;
	--cache)
		mapfile -t COMPREPLY < <(compgen -W "hot cold hot,cold" -- "$cur")
		return ;;
	--paths)
		mapfile -t COMPREPLY < <(compgen -W "$_zcopyctl_bench_paths" -- "$cur")
		return ;;
	--len | --offset | --sizes)
		mapfile -t COMPREPLY < <(compgen -W "4K 64K 1M 64M 1G" -- "$cur")
		return ;;
	--bind)
		mapfile -t COMPREPLY < <(compgen -A hostname -W "127.0.0.1 ::1 localhost" -- "$cur")
		return ;;
	--port | -p | --count | -c | --watch | -w | --budget-ms | --min-reps | --note)
		return ;;
	esac

	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_zcopyctl_opts "$cmd")" -- "$cur")
		return
	fi
	case $cmd in
	send)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
	help)
		mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur") ;;
	esac
}
complete -F _zcopyctl zcopyctl
