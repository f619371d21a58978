# fish completion for pm and every pm-* program.
#
# The programs list their own subcommands and options ('PROG --complete
# WORDS...' prints what may follow WORDS, one per line, options that take a
# value ending in '='), so this file never lists them.

# __pm_ask PROG WORDS...: what may follow WORDS.
function __pm_ask
    set -l prog $argv[1]
    set -e argv[1]
    $prog --complete $argv 2>/dev/null
end

# __pm_leaf PROG WORDS...: sets __pm_opts to the options of the command
# WORDS name and __pm_where to its words. For a command with subcommands
# (where only the shared options apply) the first subcommand is followed
# down to a command that has options.
function __pm_leaf
    set -l prog $argv[1]
    set -e argv[1]
    set -g __pm_where $argv
    set -g __pm_opts
    for i in 1 2 3 4
        set -l out (__pm_ask $prog $__pm_where)
        set -q out[1]; or return 1
        if string match -q -- '-*' $out[1]
            set -g __pm_opts $out
            return 0
        end
        set -a __pm_where $out[1]
    end
    return 1
end

# __pm_takes PROG OPTION WORDS...: whether --OPTION takes a value.
function __pm_takes
    set -l prog $argv[1]
    set -l opt $argv[2]
    set -e argv[1..2]
    __pm_leaf $prog $argv; or return 1
    contains -- "$opt=" $__pm_opts
end

# __pm_argname PROG OPTION WORDS...: the name of --OPTION's value as
# --help shows it (FILE, PATH, CODE...), in the C locale so untranslated.
function __pm_argname
    set -l prog $argv[1]
    set -l opt $argv[2]
    set -e argv[1..2]
    __pm_takes $prog $opt $argv; or return 1
    set -l re '^ *(?:-., )?'(string escape --style=regex -- $opt)' (\S+).*'
    env LC_ALL=C $prog $__pm_where --help 2>/dev/null | string replace -rf -- $re '$1' | head -n 1
end

# __pm_operands PROG WORDS...: whether the command takes files as
# operands, by its usage line.
function __pm_operands
    set -l usage (env LC_ALL=C $argv --help 2>/dev/null)
    string match -qr '^usage:.* \[OPTIONS\] .*(FILE|PATH)' -- $usage[1]
end

# __pm_toolkit PROG: X for each program pm-X of the toolkit, as 'pm help'
# lists them. Only these are ever run: other pm-* commands exist (pm-utils
# has pm-suspend) and must not run at the press of a key.
function __pm_toolkit
    env LC_ALL=C $argv[1] help 2>/dev/null | string replace -rf -- '^  pm-([a-z0-9-]+) .*' '$1'
end

# __pm_program PROG X: the program that 'PROG X' runs, git-style: pm-X
# beside PROG, else on PATH, if it is one of the toolkit's.
function __pm_program
    test (basename -- $argv[1]) = pm; or return 1
    contains -- $argv[2] (__pm_toolkit $argv[1]); or return 1
    if string match -q -- '*/*' $argv[1]
        set -l p (dirname -- $argv[1])/pm-$argv[2]
        if test -x $p
            echo $p
            return 0
        end
    end
    command -s pm-$argv[2]
end

# __pm_walk PROG WORDS...: splits the words before the one being completed
# into __pm_path (subcommands and operands) and __pm_want (the option whose
# value comes next, if any); __pm_first is the position in WORDS of the
# first word of __pm_path, 0 when there is none.
function __pm_walk
    set -l prog $argv[1]
    set -e argv[1]
    set -g __pm_path
    set -g __pm_want
    set -g __pm_first 0
    set -l skip 0
    set -l ended 0
    set -l i 0
    set -l w
    for w in $argv
        set i (math $i + 1)
        if test $skip = 1
            set skip 0
        else if test $ended = 1; or not string match -q -- '-*' $w
            test $__pm_first = 0; and set -g __pm_first $i
            set -a __pm_path $w
        else if test "$w" = --
            set ended 1
        else if string match -q -- '--*=*' $w; or not string match -q -- '--*' $w
            continue
        else if __pm_takes $prog $w $__pm_path
            set skip 1
        end
    end
    test $skip = 1; and set -g __pm_want $argv[-1]
    return 0
end

function __pm_complete
    set -l words (commandline -opc)
    set -l cur (commandline -ct)
    set -l prog $words[1]
    set -e words[1]

    __pm_walk $prog $words
    if test $__pm_first -gt 0; and not contains -- $__pm_path[1] (__pm_ask $prog)
        set -l x (__pm_program $prog $__pm_path[1])
        if set -q x[1]
            set prog $x[1]
            set -e words[1..$__pm_first]
            __pm_walk $prog $words
        end
    end

    if test -n "$__pm_want"; or string match -q -- '--*=*' $cur
        set -l opt $__pm_want
        set -l val $cur
        set -l pre ""
        if test -z "$opt"
            set opt (string split -m 1 = -- $cur)[1]
            set val (string split -m 1 = -- $cur)[2]
            set pre "$opt="
        end
        set -l arg (__pm_argname $prog $opt $__pm_path)
        if string match -qr 'FILE|PATH|DIR' -- "$arg"
            for f in (__fish_complete_path $val)
                echo $pre$f
            end
        else
            for v in ($prog --complete-value $opt $val $__pm_path 2>/dev/null)
                echo $pre$v
            end
        end
        return 0
    end

    set -l next (__pm_ask $prog $__pm_path)
    if string match -q -- '-*' $cur
        string match -- '-*' $next
        return 0
    end
    if set -q next[1]; and not string match -q -- '-*' $next[1]
        printf '%s\n' $next
        # pm X runs pm-X: offer the programs too.
        if not set -q __pm_path[1]; and test (basename -- $prog) = pm
            for x in (__pm_toolkit $prog)
                __pm_program $prog $x >/dev/null; and echo $x
            end
        end
        return 0
    end
    # An operand: a bill, a ticket, a unit … from the store, else a file.
    set -l values ($prog --complete-value @ $cur $__pm_path 2>/dev/null)
    if set -q values[1]
        printf '%s\n' $values
        return 0
    end
    if set -q next[1]; and __pm_operands $prog $__pm_path
        __fish_complete_path $cur
    end
end

for prog in pm pm-meter pm-bill pm-repair pm-gate pm-notify pm-pay pm-report pm-web pm-mqtt pm-backup pm-ask pm-govern pm-shop pm-rollup
    complete -c $prog -f -a '(__pm_complete)'
end
