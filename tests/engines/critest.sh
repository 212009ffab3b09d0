#!/bin/bash
# critest, the CRI validation suite of kubernetes-sigs/cri-tools, against containerd's CRI
# plugin with silo and with runc as runtime handlers, offline.
#
#   CRITEST=/path/critest tests/engines/critest.sh [HANDLER...] [-- CRITEST-FLAGS...]
#
# HANDLER: silo (default) and/or runc.  critest is no Debian package: build it as
# docs/kubernetes.md says.  Everything lives under /tmp/silo-critest-PID: a private
# containerd (tests/helpers/cri-config.bash, the config tests/engines/cri.bats runs), a
# local registry (Debian's docker-registry) that containerd uses as the mirror of
# registry.k8s.io and gcr.io, and the images critest pulls, built here from busybox-static
# under their exact names (stand-ins: busybox httpd serves the web pages).  One result
# file per handler is kept in SILO_CRITEST_OUT (default: the current directory), the
# summary line is printed.  Needs root; removes what it made, containerd and the
# registry stopped by their pids.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

set -euo pipefail

TESTS_DIR=$(cd "$(dirname "$0")/.." && pwd)
SRC_DIR=$(dirname "$TESTS_DIR")
# shellcheck source=../helpers/oci-image.bash
. "$TESTS_DIR/helpers/oci-image.bash"
# shellcheck source=../helpers/cri-config.bash
. "$TESTS_DIR/helpers/cri-config.bash"

handlers=()
while (($#)) && [[ $1 != -- ]]; do
	handlers+=("$1")
	shift
done
[[ ${1:-} != -- ]] || shift
((${#handlers[@]})) || handlers=(silo)

die() {
	echo "critest.sh: $*" >&2
	exit 1
}

[[ $EUID == 0 ]] || die "needs root"
[[ -x ${CRITEST:-} ]] || die "set CRITEST to critest's path (docs/kubernetes.md says how to build it)"
for tool in containerd ctr containerd-shim-runc-v2 docker-registry skopeo busybox jq cc; do
	command -v "$tool" >/dev/null || die "$tool is not installed"
done

export RUNTIME=${RUNTIME:-$SRC_DIR/silo}
[[ -x $RUNTIME ]] || die "no runtime at $RUNTIME: build silo"
export CRI_RUNC
CRI_RUNC=$(command -v runc || true)
export CRI_DIR=/tmp/silo-critest-$$
export CRI_SOCK=$CRI_DIR/containerd.sock
export CRI_PAUSE=localhost/silo-pause:latest
export CRI_CNI_BIN=${SILO_CNI_BIN:-/usr/lib/cni}
export CRI_BRIDGE=scrit$(($$ % 10000))
export CRI_MIRROR=127.0.0.1:$((20000 + $$ % 10000))
export CRI_PORTMAP=1
OUT=${SILO_CRITEST_OUT:-$PWD}
# critest's pods go under the cgroup parent /critest (see docs/kubernetes.md)
CRITEST_CGROUP=critest

registry_pid= containerd_pid=
run_dir_existed= cni_cache_existed= hostport_chains_existed=
[[ ! -d /run/containerd ]] || run_dir_existed=1
[[ ! -d /var/lib/cni ]] || cni_cache_existed=1
! iptables -t nat -S CNI-HOSTPORT-DNAT >/dev/null 2>&1 || hostport_chains_existed=1

# The portmap plugin removes a pod's rules but keeps its top chains and their jumps:
# removed here when this script made them.
remove_hostport_chains() {
	local chain
	[[ -z $hostport_chains_existed ]] && command -v iptables >/dev/null || return 0
	iptables -t nat -D PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT 2>/dev/null
	iptables -t nat -D OUTPUT -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT 2>/dev/null
	iptables -t nat -D POSTROUTING -m comment --comment "CNI portfwd requiring masquerade" \
		-j CNI-HOSTPORT-MASQ 2>/dev/null
	for chain in CNI-HOSTPORT-DNAT CNI-HOSTPORT-MASQ CNI-HOSTPORT-SETMARK; do
		iptables -t nat -F "$chain" 2>/dev/null && iptables -t nat -X "$chain"
	done
	return 0
}

cleanup() {
	local line dir
	set +e
	if [[ -S $CRI_SOCK ]]; then
		for line in $(timeout 60 "${CRICTL:-crictl}" -r "unix://$CRI_SOCK" ps -aq 2>/dev/null); do
			timeout 60 "${CRICTL:-crictl}" -r "unix://$CRI_SOCK" rm -f "$line" >/dev/null 2>&1
		done
		for line in $(timeout 60 "${CRICTL:-crictl}" -r "unix://$CRI_SOCK" pods -q 2>/dev/null); do
			timeout 60 "${CRICTL:-crictl}" -r "unix://$CRI_SOCK" rmp -f "$line" >/dev/null 2>&1
		done
	fi
	if [[ -n $containerd_pid ]]; then
		kill -TERM "$containerd_pid" 2>/dev/null && wait "$containerd_pid" 2>/dev/null
	fi
	if [[ -n $registry_pid ]]; then
		kill -TERM "$registry_pid" 2>/dev/null && wait "$registry_pid" 2>/dev/null
	fi
	for line in $(awk -v d="$CRI_DIR" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		umount "$line" 2>/dev/null || umount -l "$line"
	done
	for dir in $(find /sys/fs/cgroup/*/"$CRITEST_CGROUP" /sys/fs/cgroup/"$CRITEST_CGROUP" -depth -type d 2>/dev/null); do
		rmdir "$dir" 2>/dev/null || echo "critest.sh: cgroup $dir left" >&2
	done
	! ip link show "$CRI_BRIDGE" >/dev/null 2>&1 || ip link del "$CRI_BRIDGE"
	remove_hostport_chains
	if iptables -t nat -S 2>/dev/null | grep -q -- '-j CNI-DN-'; then
		echo "critest.sh: CNI port mappings left in iptables' nat table" >&2
	fi
	rm -rf --one-file-system "$CRI_DIR"
	[[ -n $run_dir_existed ]] || rmdir /run/containerd/s /run/containerd/fifo /run/containerd 2>/dev/null
	[[ -n $cni_cache_existed ]] || rm -rf --one-file-system /var/lib/cni
}
trap cleanup EXIT

start_registry() {
	mkdir -p "$CRI_DIR/registry"
	cat >"$CRI_DIR/registry.yml" <<-EOF
		version: 0.1
		log:
		  level: warn
		storage:
		  filesystem:
		    rootdirectory: $CRI_DIR/registry
		http:
		  addr: $CRI_MIRROR
	EOF
	docker-registry serve "$CRI_DIR/registry.yml" >"$CRI_DIR/registry.log" 2>&1 </dev/null &
	registry_pid=$!
	for _ in $(seq 100); do
		curl -fs "http://$CRI_MIRROR/v2/" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	die "the registry did not start: $(tail -3 "$CRI_DIR/registry.log")"
}

# push ROOTFS NAME [CONFIG-JQ]: the image at $CRI_MIRROR/NAME.
push() {
	oci_archive "$1" "$2" "$CRI_DIR/push.tar" "${3:-}" &&
		skopeo copy --quiet --dest-tls-verify=false "oci-archive:$CRI_DIR/push.tar" \
			"docker://$CRI_MIRROR/$2" || die "cannot push $2"
	rm -f "$CRI_DIR/push.tar"
}

# The images critest pulls (cri-tools v1.29.0: pkg/validate/consts.go, pkg/framework),
# without test-image-digest@sha256:..., whose digest no image built here can have.
build_images() {
	local bb=$CRI_DIR/bb e2e=e2e-test-images staging=k8s-staging-cri-tools n dir
	# as in the real busybox images: hard links (MaskedPaths masks /bin/ls, which as a
	# symbolic link would mask busybox itself), nobody, ipcs and pgrep (missing from
	# Debian's busybox-static: stand-ins reading /proc)
	busybox_rootfs "$bb" hard
	echo 'nobody:x:65534:65534:nobody:/home:/bin/false' >>"$bb/etc/passwd"
	echo 'nogroup:x:65534:' >>"$bb/etc/group"
	mkdir -p "$bb/usr/bin"
	printf '%s\n' '#!/bin/sh' 'echo "------ Shared Memory Segments --------"' 'echo "key shmid"' \
		'awk '"'"'NR > 1 { print $1, $2 }'"'"' /proc/sysvipc/shm' >"$bb/usr/bin/ipcs"
	printf '%s\n' '#!/bin/sh' 'rc=1' 'for d in /proc/[0-9]*; do' \
		'	[ "$(cat "$d/comm" 2>/dev/null)" = "$1" ] && echo "${d#/proc/}" && rc=0' 'done' 'exit $rc' \
		>"$bb/usr/bin/pgrep"
	chmod 755 "$bb/usr/bin/ipcs" "$bb/usr/bin/pgrep"
	push "$bb" "$e2e/busybox:1.29-2"
	# "nginx": a process of that name (the HostPID test looks for it with pidof) whose
	# command line says "master process" (the ContainerPID test), that writes
	# /var/run/nginx.pid and serves /www on $PORT
	dir=$CRI_DIR/web && cp -a "$bb" "$dir" && mkdir -p "$dir/www" "$dir/usr/sbin" "$dir/var/run" &&
		echo welcome >"$dir/www/index.html" &&
		printf '%s\n' '#!/bin/sh' 'echo $$ >/var/run/nginx.pid' 'httpd -f -p "${PORT:-80}" -h /www &' \
			'trap "kill $!; exit 0" TERM INT' 'wait' >"$dir/usr/sbin/nginx" && chmod 755 "$dir/usr/sbin/nginx"
	push "$dir" "$e2e/nginx:1.14-2" '{ Cmd: [ "/usr/sbin/nginx", "-g", "master process" ] }'
	push "$dir" "$staging/hostnet-nginx-$(oci_arch):latest" \
		'{ Env: [ "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "PORT=12003" ], Cmd: [ "/usr/sbin/nginx" ] }'
	push "$dir" "$e2e/httpd:2.4.39-4" \
		'{ Cmd: [ "sh", "-c", "echo \"Command line: '"'"'httpd -D FOREGROUND'"'"'\"; exec httpd -f -p 80 -h /www" ] }'
	dir=$CRI_DIR/nnp && cp -a "$bb" "$dir" &&
		cc -O2 -Wall -static -o "$dir/bin/effective-uid" "$TESTS_DIR/helpers/effective-uid.c" &&
		chmod 4755 "$dir/bin/effective-uid"
	push "$dir" "$e2e/nonewprivs:1.3" '{ Entrypoint: [ "/bin/effective-uid" ] }'
	dir=$CRI_DIR/users && cp -a "$bb" "$dir" &&
		echo 'www-data:x:33:33:www-data:/var/www:/bin/sh' >>"$dir/etc/passwd" &&
		echo 'www-data:x:33:' >>"$dir/etc/group"
	push "$dir" "$staging/test-image-user-uid:latest" '{ User: "1002", Cmd: [ "sh" ] }'
	push "$dir" "$staging/test-image-user-username:latest" '{ User: "www-data", Cmd: [ "sh" ] }'
	push "$dir" "$staging/test-image-user-uid-group:latest" '{ User: "1003:users", Cmd: [ "sh" ] }'
	push "$dir" "$staging/test-image-user-username-group:latest" '{ User: "www-data:www-data", Cmd: [ "sh" ] }'
	# uid 1000 is default-user here, a member of group-defined-in-image (50000)
	dir=$CRI_DIR/group && cp -a "$bb" "$dir" && sed -i '/^user:/d' "$dir/etc/passwd" "$dir/etc/group" &&
		echo 'default-user:x:1000:1000::/home/user:/bin/sh' >>"$dir/etc/passwd" &&
		printf 'default-user:x:1000:\ngroup-defined-in-image:x:50000:default-user\n' >>"$dir/etc/group"
	push "$dir" "$staging/test-image-predefined-group:latest" '{ User: "1000", Cmd: [ "sh" ] }'
	# each test image apart from the busybox one: the image tests count image ids
	for n in test-image-latest:latest test-image-tag:test test-image-tag:all \
		test-image-tags:1 test-image-tags:2 test-image-tags:3 \
		test-image-1:latest test-image-2:latest test-image-3:latest; do
		dir=$CRI_DIR/${n%%:*} && [[ -d $dir ]] || { cp -a "$bb" "$dir" && echo "${n%%:*}" >"$dir/image"; }
		push "$dir" "$staging/$n"
	done
}

main() {
	rm -rf --one-file-system "$CRI_DIR"
	mkdir -p "$CRI_DIR"/{net.d,ipam,silo-root,runc-root}
	start_registry
	build_images
	write_containerd_config >"$CRI_DIR/config.toml"
	write_cni_config >"$CRI_DIR/net.d/10-silo-cri.conflist"
	containerd --config "$CRI_DIR/config.toml" </dev/null >"$CRI_DIR/containerd.log" 2>&1 &
	containerd_pid=$!
	for _ in $(seq 200); do
		ctr --address "$CRI_SOCK" version >/dev/null 2>&1 && break
		sleep 0.1
	done
	mkdir -p "$CRI_DIR/pause" &&
		cc -O2 -Wall -static -o "$CRI_DIR/pause/pause" "$TESTS_DIR/helpers/pause.c" &&
		oci_archive "$CRI_DIR/pause" "$CRI_PAUSE" "$CRI_DIR/pause.tar" '{ Entrypoint: [ "/pause" ] }' &&
		ctr --address "$CRI_SOCK" -n k8s.io images import "$CRI_DIR/pause.tar" >/dev/null ||
		die "cannot import the pause image: $(tail -3 "$CRI_DIR/containerd.log")"
	local handler rc=0
	for handler in "${handlers[@]}"; do
		echo "critest.sh: critest with the $handler handler, output in $OUT/critest-$handler.log"
		(cd "$CRI_DIR" && "$CRITEST" -runtime-endpoint "unix://$CRI_SOCK" -image-endpoint "unix://$CRI_SOCK" \
			-runtime-handler "$handler" -ginkgo.no-color "$@") >"$OUT/critest-$handler.log" 2>&1 || rc=1
		grep -E '^(Ran [0-9]+ of|FAIL!|SUCCESS!)' "$OUT/critest-$handler.log" | sed "s/^/$handler: /"
	done
	cp "$CRI_DIR/containerd.log" "$OUT/critest-containerd.log"
	return "$rc"
}

main "$@"
