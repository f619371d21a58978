# bash completion for pm and every pm-* program.
#
# The programs list their own subcommands and options ('PROG --complete
# WORDS...' prints what may follow WORDS, one per line, options that take a
# value ending in '=') and the values of options and operands ('PROG
# --complete-value --OPT|@ PREFIX WORDS...': formats, statuses, units,
# bills, tickets … from the store named by $PM_DB), so this file never
# lists them. It is installed once
# per program, as completions/pm, completions/pm-meter, ...; whichever is
# loaded first registers all of them.

# _pm_ask PROG WORDS...: what may follow WORDS.
_pm_ask()
{
	local prog=$1
	shift
	"$prog" --complete "$@" 2>/dev/null
}

# _pm_leaf PROG WORDS...: sets _pm_opts to the options of the command WORDS
# name, and _pm_where to its words. For a command with subcommands (where
# only the shared options apply) the first subcommand is followed down to
# a command that has options.
_pm_leaf()
{
	local prog=$1 out i
	shift
	_pm_where=("$@")
	_pm_opts=
	for ((i = 0; i < 4; i++)); do
		out=$(_pm_ask "$prog" "${_pm_where[@]}")
		case $out in
		'') return 1 ;;
		-*) _pm_opts=$out; return 0 ;;
		esac
		_pm_where+=("${out%%$'\n'*}")
	done
	return 1
}

# _pm_takes PROG OPTION WORDS...: whether --OPTION takes a value.
_pm_takes()
{
	local prog=$1 opt=$2
	shift 2
	_pm_leaf "$prog" "$@" || return 1
	[[ $'\n'$_pm_opts$'\n' == *$'\n'"$opt="$'\n'* ]]
}

# _pm_argname PROG OPTION WORDS...: the name of --OPTION's value as --help
# shows it (FILE, PATH, CODE...). The C locale keeps the help untranslated.
_pm_argname()
{
	local prog=$1 opt=$2
	shift 2
	_pm_takes "$prog" "$opt" "$@" || return 1
	LC_ALL=C "$prog" "${_pm_where[@]}" --help 2>/dev/null |
		sed -n "s/^ *\(-., \)\{0,1\}$opt \([^ ]*\).*/\2/p" | head -n 1
}

# _pm_operands PROG WORDS...: whether the command takes files as operands,
# by its usage line.
_pm_operands()
{
	local prog=$1 usage
	shift
	usage=$(LC_ALL=C "$prog" "$@" --help 2>/dev/null | head -n 1)
	[[ $usage == usage:*' [OPTIONS] '*FILE* || $usage == usage:*' [OPTIONS] '*PATH* ]]
}

_pm_files()
{
	compopt -o filenames 2>/dev/null
	mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -f -- "$1")
}

# _pm_toolkit PROG: X for each program pm-X of the toolkit, as 'pm help'
# lists them. Only these are ever run: other pm-* commands exist (pm-utils
# has pm-suspend) and must not run at the press of a key.
_pm_toolkit()
{
	LC_ALL=C "$1" help 2>/dev/null | sed -n 's/^  pm-\([a-z0-9-]*\) .*/\1/p'
}

# _pm_program PROG X: the program that 'PROG X' runs, git-style: pm-X
# beside PROG, else on PATH, if it is one of the toolkit's.
_pm_program()
{
	local dir
	[[ ${1##*/} == pm ]] || return 1
	_pm_toolkit "$1" | grep -qxF -- "$2" || return 1
	[[ $1 == */* ]] && dir=${1%/*}/ || dir=
	if [[ -n $dir && -x ${dir}pm-$2 ]]; then
		printf '%s\n' "${dir}pm-$2"
	else
		type -P "pm-$2"
	fi
}

# _pm_walk PROG WORDS...: splits the words before the one being completed
# into _pm_path (subcommands and operands) and _pm_want (the option whose
# value comes next, if any); _pm_first is the index in WORDS of the first
# word of _pm_path.
_pm_walk()
{
	local prog=$1 w i=0 skip='' ended=''
	shift
	_pm_path=() _pm_want='' _pm_first=-1
	for w; do
		if [[ -n $skip ]]; then
			skip=
		elif [[ -n $ended || $w != -* ]]; then
			((_pm_first < 0)) && _pm_first=$i
			_pm_path+=("$w")
		elif [[ $w == -- ]]; then
			ended=1
		elif [[ $w == --*=* || $w != --* ]]; then
			:
		elif _pm_takes "$prog" "$w" "${_pm_path[@]}"; then
			skip=1
		fi
		((i++))
	done
	[[ -n $skip ]] && _pm_want=${w}
	return 0
}

_pm()
{
	local prog=${COMP_WORDS[0]} cur opt arg x i n
	local -a words=()

	# With '=' in COMP_WORDBREAKS bash splits --opt=value in three words:
	# join them again, remembering whether bash replaces only the value.
	for ((i = 1; i <= COMP_CWORD; i++)); do
		n=${#words[@]}
		if [[ ${COMP_WORDS[i]} == = && $n -gt 0 && ${words[n - 1]} == --* && ${words[n - 1]} != *=* ]]; then
			words[n - 1]+='='
		elif ((n > 0)) && [[ ${words[n - 1]} == --*= && ${COMP_WORDS[i - 1]} == = ]]; then
			words[n - 1]+=${COMP_WORDS[i]}
		else
			words+=("${COMP_WORDS[i]}")
		fi
	done
	n=${#words[@]}
	cur=${words[n - 1]}
	words=("${words[@]:0:n-1}")
	COMPREPLY=()

	_pm_walk "$prog" "${words[@]}"
	if ((_pm_first >= 0)) && ! _pm_ask "$prog" | grep -qxF -- "${_pm_path[0]}" &&
		x=$(_pm_program "$prog" "${_pm_path[0]}"); then
		prog=$x
		words=("${words[@]:_pm_first+1}")
		_pm_walk "$prog" "${words[@]}"
	fi

	if [[ -n $_pm_want || $cur == --*=* ]]; then
		if [[ -n $_pm_want ]]; then
			opt=$_pm_want x=$cur
		else
			opt=${cur%%=*} x=${cur#*=}
		fi
		arg=$(_pm_argname "$prog" "$opt" "${_pm_path[@]}")
		case $arg in
		*FILE* | *PATH* | *DIR*) _pm_files "$x" ;;
		*) mapfile -t COMPREPLY < <("$prog" --complete-value "$opt" "$x" "${_pm_path[@]}" 2>/dev/null) ;;
		esac
		if [[ -z $_pm_want && ${COMP_WORDBREAKS-} != *=* ]]; then
			COMPREPLY=("${COMPREPLY[@]/#/$opt=}")
		fi
		return 0
	fi

	local -a next=()
	mapfile -t next < <(_pm_ask "$prog" "${_pm_path[@]}")
	if [[ $cur == -* ]]; then
		for x in "${next[@]}"; do
			[[ $x == -* && $x == "$cur"* ]] && COMPREPLY+=("$x")
		done
		for x in "${COMPREPLY[@]}"; do
			[[ $x == *= ]] && compopt -o nospace 2>/dev/null
		done
		return 0
	fi
	if ((${#next[@]} > 0)) && [[ ${next[0]} != -* ]]; then
		for x in "${next[@]}"; do
			[[ $x == "$cur"* ]] && COMPREPLY+=("$x")
		done
		# pm X runs pm-X: offer the programs too.
		if ((${#_pm_path[@]} == 0)) && [[ ${prog##*/} == pm ]]; then
			for x in $(_pm_toolkit "$prog"); do
				[[ $x == "$cur"* ]] && _pm_program "$prog" "$x" >/dev/null && COMPREPLY+=("$x")
			done
		fi
		return 0
	fi
	# An operand: a bill, a ticket, a unit … from the store, else a file.
	mapfile -t COMPREPLY < <("$prog" --complete-value @ "$cur" "${_pm_path[@]}" 2>/dev/null)
	if ((${#COMPREPLY[@]} == 0 && ${#next[@]} > 0)) && _pm_operands "$prog" "${_pm_path[@]}"; then
		_pm_files "$cur"
	fi
	return 0
}

# The toolkit's programs, and the name this file is installed under.
_pm_register()
{
	local self=${BASH_SOURCE[0]##*/}
	local -a progs=(pm pm-meter pm-bill pm-repair pm-gate pm-notify pm-pay pm-report pm-web pm-mqtt pm-backup pm-ask pm-govern pm-shop pm-rollup)
	self=${self%.bash}
	[[ $self == pm-* ]] && progs+=("$self")
	complete -F _pm "${progs[@]}"
}
_pm_register
unset -f _pm_register
