# The private containerd with its CRI plugin that tests/engines/cri.bats and
# tests/engines/critest.sh run: its config and its CNI network.
#
#   write_containerd_config   the config.toml, on stdout
#   write_cni_config          the CNI conflist, on stdout
#
# Both read: CRI_DIR (everything lives under it), CRI_SOCK, CRI_PAUSE (the sandbox
# image), CRI_CNI_BIN, RUNTIME (the silo handler's binary), CRI_RUNC (the runc handler's,
# none when empty), CRI_BRIDGE; optional: CRI_MIRROR (host:port of a plain-HTTP registry
# that serves registry.k8s.io's and gcr.io's images), CRI_PORTMAP=1 (CNI hostPorts, which
# add iptables rules).
#
# SPDX-License-Identifier: LGPL-2.1-or-later

# The containerd config: only the CRI plugin and overlayfs, netns mounts under the state
# dir (not /run/netns), and the two handlers.  restrict_oom_score_adj: root here lacks
# CAP_SYS_RESOURCE, and the pause container's oom_score_adj of -998 fails without it.
write_containerd_config() {
	local name bin
	cat <<-EOF
		version = 2
		root = "$CRI_DIR/root"
		state = "$CRI_DIR/state"
		disabled_plugins = [
		  "io.containerd.internal.v1.opt",
		  "io.containerd.internal.v1.tracing",
		  "io.containerd.tracing.processor.v1.otlp",
		  "io.containerd.snapshotter.v1.aufs",
		  "io.containerd.snapshotter.v1.btrfs",
		  "io.containerd.snapshotter.v1.devmapper",
		  "io.containerd.snapshotter.v1.native",
		  "io.containerd.snapshotter.v1.zfs",
		]
		[grpc]
		  address = "$CRI_SOCK"
		[debug]
		  level = "info"
		[plugins."io.containerd.grpc.v1.cri"]
		  sandbox_image = "$CRI_PAUSE"
		  restrict_oom_score_adj = true
		  netns_mounts_under_state_dir = true
		  stream_server_address = "127.0.0.1"
		  stream_server_port = "0"
		  [plugins."io.containerd.grpc.v1.cri".cni]
		    bin_dir = "$CRI_CNI_BIN"
		    conf_dir = "$CRI_DIR/net.d"
		  [plugins."io.containerd.grpc.v1.cri".containerd]
		    default_runtime_name = "silo"
		    snapshotter = "overlayfs"
	EOF
	for name in registry.k8s.io gcr.io; do
		[[ -n ${CRI_MIRROR:-} ]] || break
		printf '  [plugins."io.containerd.grpc.v1.cri".registry.mirrors."%s"]\n    endpoint = ["http://%s"]\n' \
			"$name" "$CRI_MIRROR"
	done
	for name in silo runc; do
		bin=$RUNTIME
		if [[ $name == runc ]]; then
			[[ -n $CRI_RUNC ]] || continue
			bin=$CRI_RUNC
		fi
		cat <<-EOF
			    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.$name]
			      runtime_type = "io.containerd.runc.v2"
			      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.$name.options]
			        BinaryName = "$bin"
			        Root = "$CRI_DIR/$name-root"
		EOF
	done
}

# A bridge of this file's own, no masquerading (no iptables rules), addresses from a
# private range whose allocations live under $CRI_DIR/ipam.
write_cni_config() {
	jq -n --arg bridge "$CRI_BRIDGE" --arg subnet "$(cri_subnet)" --arg ipam "$CRI_DIR/ipam" \
		--argjson portmap "${CRI_PORTMAP:-0}" '{
		cniVersion: "1.0.0", name: "silo-cri",
		plugins: ([ { type: "bridge", bridge: $bridge, isGateway: true, ipMasq: false,
		              ipam: { type: "host-local", dataDir: $ipam,
		                      ranges: [ [ { subnet: $subnet } ] ] } } ] +
		          if $portmap == 1 then [ { type: "portmap", capabilities: { portMappings: true } } ] else [] end) }'
}

# The pods' addresses: a /24 of 10.209/16 picked by pid.
cri_subnet() {
	echo "10.209.$(($$ % 250)).0/24"
}
