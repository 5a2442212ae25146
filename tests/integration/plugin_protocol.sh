#!/bin/bash
# plugin_protocol.sh: the Docker VolumeDriver protocol, as dockerd speaks it,
# against the real tritonnfs-plugin over its Unix socket (curl --unix-socket).
#
# Part A needs no VAPI: constant endpoints, 40+ malformed requests, tolerant
# parsing, idempotent Unmount, socket rules, a Mount hung on an
# unanswering VAPI while List keeps answering, and 2,000 slow clients that
# neither hold up another client nor outlast the request deadline.  Part B (Create/Get/List/
# Remove through a real tritonnfs-vapi) runs when that server is built.
. "$TNFS_SRCDIR/tests/integration/lib.sh"
t_require_cmd curl python3 jq

PLUGIN="$TNFS_BUILDDIR/plugin/tritonnfs-plugin"
OWNER=aaaaaaaa-2222-3333-4444-555555555555
HOST=bbbbbbbb-2222-3333-4444-555555555555
dir=$(t_tmpdir)
sock="$dir/p.sock"

# A VAPI that accepts connections and never answers: every VAPI call hangs
# until libvapi's deadline.
cat >"$dir/hang.py" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(64)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)
PY
t_spawn hang "$dir/hang.log" python3 "$dir/hang.py" "$dir/vapi-hang.sock"
t_wait_for 10 test -S "$dir/vapi-hang.sock"

# state_file NAME: the plugin's state file of a volume, named by the digest
# of the name (a 256-byte name does not fit in a file name).
state_file() { printf '%s/state/_%s.json' "$dir" "$(printf '%s' "$1" | sha256sum | cut -c1-64)"; }
# long_name N: a valid volume name of N bytes.
long_name() { printf 'L%0*d' "$(($1 - 1))" 7; }

# A volume known only from its state file, with no address yet, in a file
# named as earlier versions named it.
mkdir -p "$dir/state"
printf '{"name":"known1","uuid":"11111111-2222-3333-4444-555555555555","ids":[]}' >"$dir/state/known1.json"

start_plugin() { # $1 vapi url, extra args
	local url=$1
	shift
	t_spawn plugin "$dir/plugin.log" "$PLUGIN" --socket "$sock" --vapi "$url" \
		--owner "$OWNER" --host-uuid "$HOST" --state-dir "$dir/state" \
		--mount-root "$dir/mnt" --mount-backend fuse --linger 0 \
		--mount-timeout 4 --log-level debug "$@"
	t_wait_for 10 curl -sf --unix-socket "$sock" -X POST http://x/Plugin.Activate
}

# post PATH BODY -> prints "<status> <body>"
post() {
	curl -sS --max-time 30 --unix-socket "$sock" -o "$dir/out" -w '%{http_code}' \
		-X POST --data-binary "$2" -H 'Accept: application/vnd.docker.plugins.v1.2+json' \
		"http://plugin.moby.localhost$1" >"$dir/code" 2>"$dir/curl.err" || true
	printf '%s %s' "$(cat "$dir/code")" "$(cat "$dir/out")"
}

# ---- Part A ----
# A stale socket file left by a dead plugin is replaced.
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$sock"
start_plugin "unix://$dir/vapi-hang.sock"
t_is "socket is root-only (0600)" "$(stat -c %a "$sock")" 600
t_ok "a state file named the old way is renamed at start" \
	test ! -e "$dir/state/known1.json" -a -e "$(state_file known1)"
t_refused "a second plugin refuses a live socket" 10 "another process is serving $sock" "$PLUGIN" --socket "$sock" \
	--vapi "unix://$dir/none.sock" --owner "$OWNER" --host-uuid "$HOST" \
	--state-dir "$dir/state2" --mount-root "$dir/mnt2"

t_is "Activate with an empty body" "$(post /Plugin.Activate '')" '200 {"Implements":["VolumeDriver"]}'
t_is "Capabilities: global scope" "$(post /VolumeDriver.Capabilities $'{}\n')" \
	'200 {"Capabilities":{"Scope":"global"}}'
t_is "Capabilities with an empty body" "$(post /VolumeDriver.Capabilities '')" \
	'200 {"Capabilities":{"Scope":"global"}}'
r=$(post /VolumeDriver.List $'{}\n')
t_like "List answers from memory" "$r" '^200 \{"Volumes":\[.*"Name":"known1"'
t_is "List with an empty body" "$(post /VolumeDriver.List '' | cut -c1-3)" 200
r=$(post /VolumeDriver.Get '{"Name":"known1"}')
t_like "Get of a volume known from state" "$r" '^200 \{"Volume":\{"Name":"known1"'
t_like "Get carries Status" "$r" '"Status":\{"state":'
t_like "Get before Create of an unknown volume is an Err" "$(post /VolumeDriver.Get '{"Name":"nosuch"}')" \
	'^500 \{"Err":"tritonnfs: volume nosuch not found"\}$'
t_is "Path of an unmounted volume is empty" "$(post /VolumeDriver.Path '{"Name":"known1"}')" '200 {"Mountpoint":""}'
t_is "Unmount of an unknown id succeeds" "$(post /VolumeDriver.Unmount '{"Name":"known1","ID":"deadbeef"}')" '200 {}'
t_is "Unmount of an unknown volume succeeds" "$(post /VolumeDriver.Unmount '{"Name":"nosuch","ID":"deadbeef"}')" '200 {}'
t_like "drained-body retry of Mount gets an Err" "$(post /VolumeDriver.Mount '')" \
	'^400 \{"Err":"tritonnfs: empty request body'
t_like "unknown fields are tolerated" "$(post /VolumeDriver.Get '{"Name":"known1","X":{"y":[1,null]},"Z":"\u00e9"}')" '^200 '

# Malformed requests: every answer is JSON {"Err":"tritonnfs: ..."} with an
# error status, and the plugin keeps serving.
malformed=(
	'/VolumeDriver.Get|not json'
	'/VolumeDriver.Get|{'
	'/VolumeDriver.Get|[]'
	'/VolumeDriver.Get|null'
	'/VolumeDriver.Get|"known1"'
	'/VolumeDriver.Get|42'
	'/VolumeDriver.Get|{}'
	'/VolumeDriver.Get|{"name":"known1"}'
	'/VolumeDriver.Get|{"Name":1}'
	'/VolumeDriver.Get|{"Name":null}'
	'/VolumeDriver.Get|{"Name":""}'
	'/VolumeDriver.Get|{"Name":"a"}'
	'/VolumeDriver.Get|{"Name":"../../etc"}'
	'/VolumeDriver.Get|{"Name":"a/b"}'
	'/VolumeDriver.Get|{"Name":".x"}'
	'/VolumeDriver.Get|{"Name":"v\u0000x"}'
	'/VolumeDriver.Get|{"Name":"v x"}'
	'/VolumeDriver.Get|{"Name":"known1"} trailing'
	"/VolumeDriver.Get|{'Name':'known1'}"
	'/VolumeDriver.Get|{"Name":"known1",}'
	'/VolumeDriver.Get|{"Name":NaN}'
	'/VolumeDriver.Path|{}'
	'/VolumeDriver.Remove|{}'
	'/VolumeDriver.Remove|{"Name":"../x"}'
	'/VolumeDriver.Create|{}'
	'/VolumeDriver.Create|{"Name":"v1","Opts":[]}'
	'/VolumeDriver.Create|{"Name":"v1","Opts":"size=1G"}'
	'/VolumeDriver.Create|{"Name":"v1","Opts":{"bogus":"1"}}'
	'/VolumeDriver.Create|{"Name":"v1","Opts":{"size":"ten"}}'
	'/VolumeDriver.Create|{"Name":"v1","Opts":{"size":10}}'
	'/VolumeDriver.Create|{"Name":"v1","Opts":{"nfsvers":"2"}}'
	'/VolumeDriver.Create|{"Name":"v1","Opts":{"ro":"perhaps"}}'
	'/VolumeDriver.Create|{"Name":"v1","Opts":{"mode":"999"}}'
	'/VolumeDriver.Create|{"Name":"v1","Opts":{"uid":"-5"}}'
	'/VolumeDriver.Mount|{"Name":"known1"}'
	'/VolumeDriver.Mount|{"Name":"known1","ID":""}'
	'/VolumeDriver.Mount|{"Name":"known1","ID":"../x"}'
	'/VolumeDriver.Mount|{"Name":"known1","ID":7}'
	'/VolumeDriver.Unmount|{"Name":"known1"}'
	'/VolumeDriver.Unmount|{"ID":"abc"}'
	'/VolumeDriver.Bogus|{}'
	'/volumedriver.get|{"Name":"known1"}'
	'/|{}'
	'/Plugin.Activate/extra|'
)
for m in "${malformed[@]}"; do
	path=${m%%|*}
	body=${m#*|}
	r=$(post "$path" "$body")
	t_like "malformed $path ${body:0:40}" "$r" '^(400|404|405|413|500) \{"Err":"tritonnfs: [^"]+'
done
r=$(curl -sS --unix-socket "$sock" -w ' %{http_code}' http://x/VolumeDriver.List)
t_like "GET is refused with an Err" "$r" '\{"Err":"tritonnfs: .*405$'
head -c 1100000 /dev/zero | tr '\0' ' ' >"$dir/big"
r=$(curl -sS --unix-socket "$sock" -w ' %{http_code}' -X POST --data-binary @"$dir/big" http://x/VolumeDriver.Get)
t_like "a body over 1 MiB gets 413 and an Err" "$r" '\{"Err":"tritonnfs: .*413$'
t_is "still serving after all that" "$(post /Plugin.Activate '')" '200 {"Implements":["VolumeDriver"]}'

# A Mount waiting on an unanswering VAPI must not block List or Get.
post /VolumeDriver.Mount '{"Name":"known1","ID":"0123abcd"}' >"$dir/mount.out" &
mount_pid=$!
r=$(post /VolumeDriver.List '{}')
t_like "List answers during a hung Mount" "$r" '^200 \{"Volumes":'
t_like "Get answers during a hung Mount" "$(post /VolumeDriver.Get '{"Name":"known1"}')" '^200 '
wait $mount_pid
t_like "the hung Mount ends with a clear Err" "$(cat "$dir/mount.out")" \
	'^500 \{"Err":"tritonnfs: cannot mount volume known1: '
t_like "Create with the VAPI unreachable says so" \
	"$(post /VolumeDriver.Create '{"Name":"newvol","Opts":null}')" '^500 \{"Err":"tritonnfs: cannot create volume newvol'

# Slow clients never make dockerd wait (issue 15 item 2): 2,000
# connections from one process that send a partial header and trickle;
# that process holds its share and is answered 503 past it, while another
# process is answered within 1 s (curl's deadline, not a measurement); a
# request trickled a byte a second is cut at the request deadline.
SLOW=$TNFS_SRCDIR/tests/integration/slow_clients.py
python3 "$SLOW" hold --unix "$sock" 2000 "$dir/hold.out" >"$dir/hold.log" 2>&1 &
hold=$!
t_cleanup_push "kill $hold 2>/dev/null"
t_ok "2,000 slow connections attempted" t_wait_for 120 test -s "$dir/hold.out"
t_is "one process holds 64, the rest are answered 503" "$(cat "$dir/hold.out")" "open=64 busy=1936 other=0"
quick() {
	curl -sS --max-time 1 --unix-socket "$sock" -o "$dir/quick.out" -w '%{http_code}' \
		-X POST --data-binary "$2" "http://plugin.moby.localhost$1" 2>&1
	printf ' %s' "$(cat "$dir/quick.out")"
}
t_is "Activate from another process answers within 1 s" "$(quick /Plugin.Activate '')" '200 {"Implements":["VolumeDriver"]}'
t_like "List from another process answers within 1 s" "$(quick /VolumeDriver.List '{}')" '^200 \{"Volumes":'
t_is "a request trickled a byte a second is cut at the deadline" "$(python3 "$SLOW" trickle --unix "$sock")" closed
kill "$hold"
t_ok "the plugin serves on once the flood ends" \
	t_wait_for 30 sh -c "curl -fsS --max-time 1 --unix-socket '$sock' -X POST http://x/Plugin.Activate >/dev/null"

t_kill "$T_PID_plugin"
t_ok "SIGTERM removes the socket" test ! -e "$sock"

# ---- Part B: with the real VAPI ----
VAPI="$TNFS_BUILDDIR/vapi/tritonnfs-vapi"
"$VAPI" --help 2>&1 | grep -q -- '--storage' || t__missing "a tritonnfs-vapi that serves volumes"
vport=$(t_free_port) || t__missing "a free TCP port"
t_spawn vapi "$dir/vapi.log" "$VAPI" --listen "tcp:127.0.0.1:$vport" \
	--store "sqlite:$dir/vapi.db" --state-dir "$dir/vapi" \
	--storage "dir:$dir/storage" --exports none --log-level debug
VAPI_URL="http://127.0.0.1:$vport"
vapi_up() { kill -0 "$T_PID_vapi" && curl -sf "$VAPI_URL/ping"; }
t_wait_for 30 vapi_up
t_ok "the VAPI answers" curl -sf "$VAPI_URL/ping"
rm -f "$(state_file known1)"
start_plugin "$VAPI_URL" --refresh 1

t_like "Get before Create is an Err (dockerd then sends Create)" \
	"$(post /VolumeDriver.Get '{"Name":"pb1"}')" '^500 \{"Err":"tritonnfs: volume pb1 not found"\}$'
t_is "Create with Opts null" "$(post /VolumeDriver.Create $'{"Name":"pb1","Opts":null}\n')" '200 {}'
t_is "Create again is idempotent" "$(post /VolumeDriver.Create '{"Name":"pb1","Opts":{}}')" '200 {}'
r=$(post /VolumeDriver.Get '{"Name":"pb1"}')
t_like "Get echoes the name" "$r" '^200 \{"Volume":\{"Name":"pb1"'
t_like "CreatedAt is RFC 3339 UTC" "$r" '"CreatedAt":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z"'
t_like "no Mountpoint while unmounted" "$r" '^200 \{"Volume":\{"Name":"pb1","CreatedAt"'
t_like "List has it" "$(post /VolumeDriver.List '{}')" '"Name":"pb1"'
t_is "Create with size 15G" "$(post /VolumeDriver.Create '{"Name":"pb2","Opts":{"size":"15G"}}')" '200 {}'
t_like "15G is rounded up to the next available size" "$(post /VolumeDriver.Get '{"Name":"pb2"}')" '"size":"20G'
t_like "Create with a size above every available one says so" \
	"$(post /VolumeDriver.Create '{"Name":"pb3","Opts":{"size":"5000G"}}')" '^500 \{"Err":"tritonnfs: cannot create volume pb3: '
t_like "Create on an unknown network says so" \
	"$(post /VolumeDriver.Create '{"Name":"pb4","Opts":{"network":"nosuch"}}')" '^500 \{"Err":"tritonnfs: cannot create volume pb4: .*nosuch'
t_like "pb3 and pb4 were not created" "$(curl -s "$VAPI_URL/volumes?owner_uuid=$OWNER" | jq -r '.[].name' | sort | tr '\n' ' ')" '^pb1 pb2 $'

# A volume made or deleted elsewhere (another host) shows up or goes away.
net=$(curl -s "$VAPI_URL/networks?owner_uuid=$OWNER" | jq -r '.[0].uuid')
other=$(curl -s -X POST -H 'Content-Type: application/json' "$VAPI_URL/volumes" \
	-d "{\"owner_uuid\":\"$OWNER\",\"name\":\"elsewhere\",\"type\":\"tritonnfs\",\"size\":10240,\"networks\":[\"$net\"]}" | jq -r .uuid)
listed() { post /VolumeDriver.List '{}' | grep -q "\"Name\":\"$1\""; }
t_ok "a volume created on another host appears in List" t_wait_for 20 listed elsewhere
t_like "and Get knows it" "$(post /VolumeDriver.Get '{"Name":"elsewhere"}')" '^200 \{"Volume":\{"Name":"elsewhere"'
curl -s -X DELETE "$VAPI_URL/volumes/$other?owner_uuid=$OWNER" >/dev/null
gone() { ! listed "$1"; }
t_ok "a volume deleted on another host leaves List" t_wait_for 20 gone elsewhere

t_is "Remove" "$(post /VolumeDriver.Remove '{"Name":"pb1"}')" '200 {}'
t_is "Remove of a removed volume succeeds" "$(post /VolumeDriver.Remove '{"Name":"pb1"}')" '200 {}'
t_is "Remove of an unknown volume succeeds" "$(post /VolumeDriver.Remove '{"Name":"neverwas"}')" '200 {}'
t_ok "pb1 is gone from List" gone pb1
t_ok "pb1 is gone from the VAPI (or deleting)" sh -c \
	"! curl -s '$VAPI_URL/volumes?owner_uuid=$OWNER' | jq -e '.[] | select(.name == \"pb1\" and .state != \"deleting\")' >/dev/null"
t_ok "the state file of pb1 is gone" test ! -e "$(state_file pb1)"
t_ok "pb2 keeps its state file" test -e "$(state_file pb2)"

# The longest valid names: their state files' names, temporary names
# included, exceed 255 bytes unless named by digest.
for n in 240 250 255 256; do
	name=$(long_name $n)
	t_is "Create of a $n-byte name" "$(post /VolumeDriver.Create "{\"Name\":\"$name\",\"Opts\":null}")" '200 {}'
	t_ok "its state file exists" test -e "$(state_file "$name")"
	t_like "Get of the $n-byte name" "$(post /VolumeDriver.Get "{\"Name\":\"$name\"}")" "^200 \\{\"Volume\":\\{\"Name\":\"$name\""
	t_ok "List has the $n-byte name" listed "$name"
	t_is "Path of the $n-byte name" "$(post /VolumeDriver.Path "{\"Name\":\"$name\"}")" '200 {"Mountpoint":""}'
done
t_kill "$T_PID_plugin"
start_plugin "$VAPI_URL" --refresh 1
for n in 240 250 255 256; do
	name=$(long_name $n)
	t_like "Get of the $n-byte name after a restart" "$(post /VolumeDriver.Get "{\"Name\":\"$name\"}")" '^200 '
	t_is "Remove of the $n-byte name" "$(post /VolumeDriver.Remove "{\"Name\":\"$name\"}")" '200 {}'
	t_ok "its state file is gone" test ! -e "$(state_file "$name")"
done
t_like "they are gone from the VAPI (or deleting)" \
	"$(curl -s "$VAPI_URL/volumes?owner_uuid=$OWNER" | jq -r '.[] | select(.state != "deleting") | .name' | sort | tr '\n' ' ')" '^pb2 $'

# A refresh in pages of two: every volume made elsewhere appears, one
# deleted from the middle of the uuid order leaves, and the VAPI was asked
# page after page.
t_kill "$T_PID_plugin"
mark=$(wc -l <"$dir/plugin.log")
start_plugin "$VAPI_URL" --refresh 1 --list-page 2
for i in 1 2 3 4 5 6; do
	curl -s -X POST -H 'Content-Type: application/json' "$VAPI_URL/volumes" \
		-d "{\"owner_uuid\":\"$OWNER\",\"name\":\"paged$i\",\"type\":\"tritonnfs\",\"size\":10240,\"networks\":[\"$net\"]}" >/dev/null
done
all_paged() { local i; for i in 1 2 3 4 5 6; do listed "paged$i" || return 1; done; listed pb2; }
t_ok "six volumes made elsewhere appear, pages of two" t_wait_for 20 all_paged
middle=$(curl -s "$VAPI_URL/volumes?owner_uuid=$OWNER" | jq -r '[.[] | select(.name | startswith("paged"))] | sort_by(.uuid) | .[2]')
mname=$(printf '%s' "$middle" | jq -r .name)
curl -s -X DELETE "$VAPI_URL/volumes/$(printf '%s' "$middle" | jq -r .uuid)?owner_uuid=$OWNER" >/dev/null
t_ok "the third in uuid order ($mname) leaves List" t_wait_for 20 gone "$mname"
others_stay() { local i; for i in 1 2 3 4 5 6; do [ "paged$i" = "$mname" ] || listed "paged$i" || return 1; done; }
t_ok "the other five stay" others_stay
t_ok "the VAPI was asked for pages after a marker" \
	grep -q "GET /volumes?owner_uuid=$OWNER&limit=2&marker=" "$dir/vapi.log"
t_is "the plugin sees no refresh error" "$(tail -n +$((mark + 1)) "$dir/plugin.log" | grep -c 'refreshing volumes from the VAPI')" 0
t_like "--list-page 0 is refused" "$("$PLUGIN" --list-page 0 --owner "$OWNER" 2>&1)" 'list-page: at least 1 volume'
t_like "--list-page past the most is refused" "$("$PLUGIN" --list-page 10001 --owner "$OWNER" 2>&1)" 'list-page'
t_done
