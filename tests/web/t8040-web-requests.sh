#!/bin/sh
# Oversized and malformed requests, uploads within their limits, a
# repeat report, and errors that show nothing of the inside.
. "$PM_TOP/tests/web/lib.sh"

web_store
web_start
signin owner1

# Bodies: pm-web reads at most 32 MB.
head -c $((33 * 1024 * 1024)) /dev/zero >"$T/big"
get /
code=$(curl -s -o "$T/body" -w '%{http_code}' -b "$JAR" -H 'Content-Type: application/octet-stream' \
	--data-binary @"$T/big" "$BASE/repair")
expect_code 413 "a body over 32 MB is refused with 413"
rm -f "$T/big"

get /
post /prefs "channel=%zz"
expect_code 303 "a field's value is text, %zz included, once decoded by curl"
code=$(curl -s -o "$T/body" -w '%{http_code}' -b "$JAR" -H 'Content-Type: application/x-www-form-urlencoded' \
	--data-binary "csrf=$(csrf)&channel=%zz" "$BASE/prefs")
expect_code 400 "a malformed escape in a form is 400"
code=$(curl -s -o "$T/body" -w '%{http_code}' -b "$JAR" -H 'Content-Type: application/x-www-form-urlencoded' \
	--data-binary "csrf=$(csrf)&email=%FF%FE" "$BASE/prefs")
expect_code 400 "a value that is not UTF-8 is 400"
code=$(curl -s -o "$T/body" -w '%{http_code}' -b "$JAR" -H 'Content-Type: application/x-www-form-urlencoded' \
	--data-binary "csrf=$(csrf)&email=a%00b" "$BASE/prefs")
expect_code 400 "a NUL in a value is 400"
get '/tickets?status=%'
expect_code 400 "a malformed query is 400"
get '/tickets?status=bogus'
expect_code 400 "an unknown status is 400"
expect_body "unknown status|未知" "naming what is wrong"
get '/bill/a%3Cb'
expect_code 404 "a path with characters no page has is 404"
get '/ticket/-1'
expect_code 404 "a ticket number that is no number is 404"
get '/ticket/99999999999999999999'
expect_code 404 "and one too large"
many=$(for i in $(seq 70); do printf 'k%d=v&' "$i"; done)
get "/tickets?$many"
expect_code 400 "more than 64 fields are refused"

# Multipart: malformed forms and the photo limits.
get /repair
tok=$(csrf)
code=$(curl -s -o "$T/body" -w '%{http_code}' -b "$JAR" -H 'Content-Type: multipart/form-data' \
	--data-binary 'x' "$BASE/repair")
expect_code 400 "a multipart form without a boundary is 400"
printf -- '--b\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n%s\r\n--b\r\nContent-Disposition: form-data; name="text"\r\n\r\ncut sh' "$tok" >"$T/cut"
code=$(curl -s -o "$T/body" -w '%{http_code}' -b "$JAR" -H 'Content-Type: multipart/form-data; boundary=b' \
	--data-binary @"$T/cut" "$BASE/repair")
expect_code 400 "one cut short is 400"
printf 'not a picture' >"$T/fake.jpg"
get /repair
upload /repair -F unit=1-1-101 -F category=plumbing -F text=漏水 -F "photo=@$T/fake.jpg;type=image/jpeg"
expect_code 400 "a file that is no image is refused, whatever its name and type say"
expect_body 'a photo must be a JPEG, PNG or WebP image|JPEG' "saying which types are taken"
head -c $((5 * 1024 * 1024 + 1)) /dev/zero | { printf '\377\330\377'; cat; } >"$T/huge.jpg"
get /repair
upload /repair -F unit=1-1-101 -F category=plumbing -F text=漏水 -F "photo=@$T/huge.jpg;type=image/jpeg"
expect_code 400 "a photo over 5120 KB is refused"
get /repair
leak="$PM_TOP/tests/web/data/leak.jpg"
upload /repair -F unit=1-1-101 -F category=plumbing -F text=漏水 -F "photo=@$leak" -F "photo=@$leak" -F "photo=@$leak" -F "photo=@$leak"
expect_code 400 "four photos are one too many"
expect_eq "$(sql 'SELECT count(*) FROM ticket')" 0 "none of these made a ticket"
expect_eq "$(ls "$PM_DB.photos" 2>/dev/null | wc -l)" 0 "nor kept a photo"

get /repair
upload /repair -F unit=1-1-101 -F category=plumbing -F text=厨房漏水 -F "photo=@$leak" -F "photo=@$leak"
expect_code 303 "a repair with two photos (the same twice)"
expect_head '^Location: /pm/ticket/1\?new=created' "is ticket 1"
sum=$(sha256sum "$leak" | cut -c1-64)
expect_eq "$(ls "$PM_DB.photos")" "$sum.jpg" "the photo is kept once, named by its SHA-256"
expect_eq "$(stat -c '%a %G' "$PM_DB.photos/$sum.jpg")" "660 www-data" "with the store's mode and group"
expect_eq "$(sql 'SELECT count(*) || type || bytes FROM ticket_photo')" "1image/jpeg160" "one photo row"
get /ticket/1?new=created
expect_body '已收到您的报修' "the ticket page says it was received"
expect_body '<span class="status">已受理</span>' "with its status"
expect_body '<img class="photo" src="/pm/photo/1"' "and the photo"
get /photo/1
expect_code 200 "the photo is served"
expect_head '^Content-Type: image/jpeg' "as a JPEG"
expect_eq "$(sha256sum <"$T/body" | cut -c1-64)" "$sum" "byte for byte"

get /repair
upload /repair -F unit=1-1-101 -F category=plumbing -F text=还在漏
expect_code 303 "the same leak reported again"
expect_head '^Location: /pm/ticket/1\?new=repeated' "goes to the open ticket 1"
get /ticket/1?new=repeated
expect_body '这个问题您已经报修过' "which says it was reported already"
expect_body '已反映 2 次' "and counts the reports"
expect_eq "$(sql 'SELECT count(*) FROM ticket')" 1 "no second ticket"

# Errors show nothing of the inside: a store gone wrong under pm-web.
mv "$PM_DB.photos" "$T/photos.kept"
: >"$PM_DB.photos"
get /photo/1
expect_code 500 "a photo that cannot be read is a plain 500"
expect_body '服务出错了' "with an apology"
expect_eq "$(grep -c "$T\|sqlite\|SELECT\|photos" "$T/body")" 0 "naming no path, no SQL"
# The message is in the pages' language, which lighttpd's FastCGI log
# writes as escaped bytes: the path is what both logs show alike.
expect_eq "$(cat "$T"/log/*.log | grep -c "pm-web: GET /photo/1: '$PM_DB.photos' ")" 1 "the server's log has the details"
rm -f "$PM_DB.photos"
mv "$T/photos.kept" "$PM_DB.photos"
done_testing
