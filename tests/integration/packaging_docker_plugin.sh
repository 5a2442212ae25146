#!/usr/bin/env bash
# packaging_docker_plugin: the managed (v2) plugin.  build-plugin assembles
# its rootfs from the built programs and exactly the libraries they load,
# `docker plugin create` makes it, `docker plugin set` gives it the VAPI,
# owner, token, a state directory and options, and `docker plugin enable`
# starts it in a real private dockerd (docker_lib.sh).  Then create, run
# (write, read back), :ro (a write fails) and rm through docker, against a
# real tritonnfs-vapi exporting with nfs-ganesha; every path the plugin
# returns lies under propagatedMount (/mnt/volumes), and dockerd's view of
# it under the plugin's propagated-mount.
. "$TNFS_SRCDIR/tests/integration/lib.sh"
. "$TNFS_SRCDIR/tests/integration/docker_lib.sh"
t_require_root
d_require
t_require_cmd ganesha.nfsd rpcbind jq sha256sum ldd
d_enter_private_ns "$@"

B=$TNFS_BUILDDIR
S=$TNFS_SRCDIR
OWNER=b2d6c1a4-3e5f-4a7b-9c8d-1e2f3a4b5c6d
NAME=tritonnfs-test:latest
dir=$(t_tmpdir)
mkdir -p "$dir/storage" "$dir/state" "$dir/pstate"

# --- a VAPI, exporting with ganesha on private ports --------------------------
ports=()
while [ ${#ports[@]} -lt 3 ]; do
	p=$(t_free_port)
	case " ${ports[*]:-} " in *" $p "*) ;; *) ports+=("$p") ;; esac
done
h() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
cat >"$dir/vapi.json" <<JSON
{"listen": "tcp:127.0.0.1:${ports[0]}", "store": "sqlite:$dir/vapi.db",
 "storage": "dir:$dir/storage", "exports": "ganesha", "state_dir": "$dir/state",
 "nfs_port": ${ports[1]}, "mount_port": ${ports[2]},
 "tokens": [{"sha256": "$(h owner-secret)", "owner_uuid": "$OWNER"},
            {"sha256": "$(h op-secret)", "role": "operator"}]}
JSON
t_cleanup_push '[ ! -s "$dir/state/exports/ganesha.pid" ] || kill -9 "$(cat "$dir/state/exports/ganesha.pid")"'
t_spawn vapi "$dir/vapi.log" "$B/vapi/tritonnfs-vapi" --config "$dir/vapi.json"
URL=http://127.0.0.1:${ports[0]}
healthy() { [ "$(curl -s "$URL/ping" | jq -r .healthy 2>/dev/null)" = true ]; }
if ! t_wait_for 120 healthy; then
	tail -5 "$dir/vapi.log" | sed 's/^/# /'
	t__missing "a tritonnfs-vapi that starts with ganesha exports (see its log)"
fi

# --- the plugin: assembled, created, configured, enabled ----------------------
d_start "$dir/docker" || t__missing "a private dockerd"
d_import_busybox
out=$(TNFS_BUILDDIR=$B "$S/packaging/docker-plugin/build-plugin" --no-create --work "$dir/plugin" 2>&1) && rc=0 || rc=$?
t_is "build-plugin assembles the plugin directory" "$rc" 0
[ $rc = 0 ] || { t_diag "$out"; t_done; }
want=$(for p in "$B/plugin/tritonnfs-plugin" "$B/fuse/tritonnfs-fuse" $(command -v mount.nfs || true); do ldd "$p"; done |
	grep -o '/[^ ]*\.so[^ ]*' | grep -v '=>' | sort -u)
got=$(cd "$dir/plugin/rootfs" && find . \( -type f -o -type l \) -name '*.so*' | sed 's/^\.//' | sort)
t_is "the rootfs holds exactly the libraries the programs load" "$got" "$want"
t_ok "docker plugin create" d_docker plugin create "$NAME" "$dir/plugin"
t_ok "docker plugin set: VAPI, owner, token, state mount, options" d_docker plugin set "$NAME" \
    "TRITONNFS_VAPI=$URL" "TRITONNFS_OWNER=$OWNER" TRITONNFS_TOKEN=owner-secret \
    "state.source=$dir/pstate" TNFS_LOG_LEVEL=debug "args=--mount-backend fuse --linger 0"
if ! out=$(d_docker plugin enable "$NAME" 2>&1); then
	t_fail "docker plugin enable" "$out" "$(tail -20 "$dir/docker/dockerd.log")"
	t_done
fi
t_pass "docker plugin enable"
t_cleanup_push "d_docker plugin disable -f '$NAME'; d_docker plugin rm -f '$NAME'"
ID=$(d_docker plugin inspect -f '{{.Id}}' "$NAME")
PSOCK=/run/docker/plugins/$ID/tritonnfs.sock
t_ok "the plugin serves its socket" test -S "$PSOCK"

t_ok "docker volume create" d_docker volume create -d "$NAME" pv1
t_ok "docker run writes to the volume" d_run --rm -v pv1:/data "$D_IMAGE" sh -c 'echo managed >/data/f'
t_is "docker run reads it back" "$(d_run --rm -v pv1:/data "$D_IMAGE" cat /data/f 2>&1)" managed
t_fails "a write through :ro fails" d_run --rm -v pv1:/data:ro "$D_IMAGE" sh -c 'echo x >/data/g'
t_is "and the :ro run still reads" "$(d_run --rm -v pv1:/data:ro "$D_IMAGE" cat /data/f 2>&1)" managed

# Every path the plugin returns is under propagatedMount.
prop=$(jq -r .propagatedMount "$S/packaging/docker-plugin/config.json")
ppost() { curl -sS --max-time 60 --unix-socket "$PSOCK" -X POST --data-binary "$2" "http://x$1"; }
ppost /VolumeDriver.Mount '{"Name":"pv1","ID":"'"$(printf '%064d' 9)"'"}' >"$dir/mount.out"
paths=$( {
	jq -r '.Mountpoint // empty' "$dir/mount.out"
	ppost /VolumeDriver.Path '{"Name":"pv1"}' | jq -r '.Mountpoint // empty'
	ppost /VolumeDriver.Get '{"Name":"pv1"}' | jq -r '.Volume.Mountpoint // empty'
	ppost /VolumeDriver.List '{}' | jq -r '.Volumes[].Mountpoint // empty'
} | sort -u)
t_like "the plugin returns paths" "$paths" "^$prop/pv1"
t_is "every one under propagatedMount $prop" "$(grep -v "^$prop/" <<<"$paths" || true)" ""
# dockerd shows the path as the plugin gave it (inside its rootfs); it
# binds containers to it through the plugin's propagated mount.
t_is "dockerd shows the plugin's own path for the volume" \
    "$(d_docker volume inspect -f '{{.Mountpoint}}' pv1)" "$prop/pv1"
ppost /VolumeDriver.Unmount '{"Name":"pv1","ID":"'"$(printf '%064d' 9)"'"}' >/dev/null

t_ok "docker volume rm" d_docker volume rm pv1
t_is "the volume is gone from the VAPI" \
    "$(curl -s -H 'Authorization: Bearer owner-secret' "$URL/volumes?owner_uuid=$OWNER" | jq -r '[.[] | select(.name == "pv1" and .state != "deleting")] | length')" 0
t_ok "docker plugin disable" d_docker plugin disable "$NAME"
t_ok "docker plugin rm" d_docker plugin rm "$NAME"

t_done
