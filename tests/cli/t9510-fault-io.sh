#!/bin/sh
# The disk fills up or fails under ingest, a bill run, a batch of payments
# and a backup (tests/fault/failio.c, preloaded, fails every write and sync
# after the first N): the program exits 73 or 74 with one line saying so,
# never a success, the store passes pm check, and the next run completes
# to exactly what an unbroken run gives. N runs over the whole operation.
. "$PM_TOP/tests/cli/lib.sh"
W=$T
. "$PM_TOP/tests/fault/lib.sh"
. "$PM_TOP/tests/fault/failio.sh"
export PM_NOW=2026-12-01T09:00:00+08:00

run pm init
awk 'BEGIN { for (i = 0; i < 60; i++) printf "{\"code\":\"1-1-%d\",\"area\":\"%d.50\"}\n", 1000 + i, 50 + i }' >u.jsonl
run pm unit import u.jsonl
printf 'effective: 2026-01-01\ncommunity:\n  name: 测试小区\nfees:\n  - name: garbage\n    label: 垃圾费\n    type: fixed\n    amounts: {residential: 12.5}\n' >pm.yaml
run pm config apply pm.yaml
awk 'BEGIN { for (m = 1; m <= 20; m++) printf "{\"code\":\"K%03d\",\"kind\":\"electricity\",\"serves\":\"community\"}\n", m }' >m.jsonl
run pm-meter import m.jsonl
awk 'BEGIN { for (i = 0; i < 2000; i++) printf "{\"meter\":\"K%03d\",\"ts\":\"2026-01-%02dT%02d:00:00Z\",\"value\":\"%d\"}\n",
	i % 20 + 1, int(i / 480) + 1, int(i / 20) % 24, i }' >r.jsonl
awk 'BEGIN { for (i = 0; i < 40; i++) printf "{\"unit\":\"1-1-%d\",\"amount\":\"%d.25\",\"channel\":\"wechat\",\"ref\":\"W%d\"}\n",
	1000 + i % 30, 5 + i, i }' >p.jsonl
sqlite3 "$PM_DB" ".backup base.db"

op_io() { # OP: runs it on $PM_DB
	case $1 in
	ingest) pm-meter ingest --batch 500 r.jsonl ;;
	run) pm-bill run --period 2026-11 ;;
	pay) pm-bill pay p.jsonl ;;
	backup) pm backup bk.db ;;
	esac
}
prog_of() { case $1 in ingest) echo pm-meter ;; backup) echo pm ;; *) echo pm-bill ;; esac; }
fresh_io() { # OP
	rm -f t.db t.db-wal t.db-shm bk.db*
	cp base.db t.db
	PM_DB=$T/t.db
	# A payment needs its bills issued first.
	[ "$1" = pay ] && pm-bill run --period 2026-11 >/dev/null 2>&1 && pm-bill issue --period 2026-11 >/dev/null 2>&1
	return 0
}

for o in ingest run pay backup; do
	fresh_io $o
	PM_FAILIO_COUNT=$T/count LD_PRELOAD=$SO op_io $o >/dev/null 2>&1
	total=$(cat count)
	op_io $o >/dev/null 2>&1
	dump t.db >ref.dump
	failed=0 odd=
	# Seven points spread over the operation's writes, from the first on.
	for n in $(awk -v t="$total" 'BEGIN { for (i = 0; i < 7; i++) print int(t * i / 7) }'); do
		for e in ENOSPC EIO; do
			fresh_io $o
			PM_FAILIO_ERRNO=$e PM_FAILIO_AFTER=$n LD_PRELOAD=$SO op_io $o >out 2>err; rc=$?
			lines=$(wc -l <err)
			case $rc in
			0) ;; # the failing writes came after the last commit: a checkpoint, which may fail
			73 | 74)
				failed=$((failed + 1))
				# A backup says what errno said of its copy (t9902).
				case $e in ENOSPC) why='No space left on device' ;; *) why='Input/output error' ;; esac
				grep -qE "^$(prog_of $o): cannot [^:]+: (database or disk is full|disk I/O error|$why)$" err &&
					[ "$lines" -eq 1 ] ||
					odd="$odd
N=$n $e: exit $rc, stderr: $(head -c 300 err)" ;;
			*) odd="$odd
N=$n $e: exit $rc: $(head -c 300 err)" ;;
			esac
			pm check >check.out 2>&1 || odd="$odd
N=$n $e: pm check: $(head -c 300 check.out)"
			if [ $o = backup ]; then
				# A failed backup leaves nothing behind; a finished one is whole.
				[ $rc -eq 0 ] && { [ "$(sqlite3 bk.db 'PRAGMA integrity_check')" = ok ] || odd="$odd
N=$n $e: the backup reported done is not whole"; }
				[ $rc -ne 0 ] && [ -n "$(ls bk.db* 2>/dev/null)" ] && odd="$odd
N=$n $e: a failed backup left $(ls bk.db*)"
			fi
			op_io $o >/dev/null 2>rerun.err || odd="$odd
N=$n $e: the next run fails: $(head -c 300 rerun.err)"
			dump t.db >t.dump
			cmp -s ref.dump t.dump || odd="$odd
N=$n $e: the store differs from an unbroken run's: $(diff ref.dump t.dump | head -5)"
		done
	done
	expect_eq "$([ "$failed" -ge 6 ] && echo yes)" yes "$o: the writes failed under it ($failed of 14 runs stopped, of $total writes)"
	expect_eq "$odd" "" "$o: each stopped with one line, exit 73 or 74; pm check passes; the next run completes the same"
done
expect_eq "$(PM_FAILIO_AFTER=0 LD_PRELOAD=$SO pm-meter ingest r.jsonl 2>&1 >/dev/null)" \
	"pm-meter: cannot read the store: disk I/O error" "a store that cannot be written at all is named"
done_testing
