# OCI image archives built at test time, for the engines (containerd's `ctr images
# import`, a local registry through skopeo).
#
#   busybox_rootfs DIR [hard]      static busybox, its applets (symbolic links, or hard
#                                  links with `hard`), /etc/passwd and /etc/group with
#                                  root and user (1000), /tmp 1777
#   oci_archive ROOTFS NAME OUT [CONFIG-JQ]
#                                  an OCI image layout archive (tar) with one uncompressed
#                                  layer holding ROOTFS, named NAME (repository:tag);
#                                  CONFIG-JQ is a jq object merged into the image config's
#                                  `config` (default: Cmd ["sh"], WorkingDir "/")
#
# SPDX-License-Identifier: LGPL-2.1-or-later

busybox_rootfs() {
	local rootfs=$1 applet link=(ln -s busybox)
	[[ ${2:-} != hard ]] || link=(ln "$rootfs/bin/busybox")
	mkdir -p "$rootfs"/{bin,dev,etc,proc,root,run,sys,tmp,home/user} || return 1
	cp "$(command -v busybox)" "$rootfs/bin/busybox" || return 1
	for applet in $("$rootfs/bin/busybox" --list); do
		[[ $applet == busybox ]] || "${link[@]}" "$rootfs/bin/$applet"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:user:/home/user:/bin/sh\n' >"$rootfs/etc/passwd"
	printf 'root:x:0:\nuser:x:1000:\n' >"$rootfs/etc/group"
	chmod 1777 "$rootfs/tmp"
	chown 1000:1000 "$rootfs/home/user"
}

oci_arch() {
	case $(uname -m) in
	x86_64) echo amd64 ;;
	aarch64) echo arm64 ;;
	*) uname -m ;;
	esac
}

# oci_blob LAYOUT FILE: move FILE into LAYOUT's blobs; prints "sha256:DIGEST SIZE".
oci_blob() {
	local digest size
	digest=$(sha256sum "$2" | cut -d' ' -f1) || return 1
	size=$(stat -c %s "$2")
	mkdir -p "$1/blobs/sha256" && mv "$2" "$1/blobs/sha256/$digest" || return 1
	echo "sha256:$digest $size"
}

oci_archive() {
	local rootfs=$1 name=$2 out=$3 extra=${4:-'{ Cmd: [ "sh" ], WorkingDir: "/" }'}
	local work layout layer config manifest arch
	arch=$(oci_arch)
	work=$(mktemp -d "$out.XXXXXX") || return 1
	layout=$work/layout
	tar --numeric-owner --sort=name -C "$rootfs" -cf "$work/layer.tar" . &&
		read -ra layer <<<"$(oci_blob "$layout" "$work/layer.tar")" || return 1
	jq -n --arg arch "$arch" --arg layer "${layer[0]}" "{
		architecture: \$arch, os: \"linux\",
		config: ({ Env: [ \"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\" ] } + $extra),
		rootfs: { type: \"layers\", diff_ids: [ \$layer ] } }" >"$work/config.json" &&
		read -ra config <<<"$(oci_blob "$layout" "$work/config.json")" || return 1
	jq -n --arg config "${config[0]}" --argjson csize "${config[1]}" \
		--arg layer "${layer[0]}" --argjson lsize "${layer[1]}" '{
		schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
		config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: $config, size: $csize },
		layers: [ { mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $layer, size: $lsize } ] }' \
		>"$work/manifest.json" &&
		read -ra manifest <<<"$(oci_blob "$layout" "$work/manifest.json")" || return 1
	jq -n --arg arch "$arch" --arg manifest "${manifest[0]}" --argjson msize "${manifest[1]}" \
		--arg name "$name" '{
		schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
		manifests: [ { mediaType: "application/vnd.oci.image.manifest.v1+json",
		               digest: $manifest, size: $msize,
		               platform: { architecture: $arch, os: "linux" },
		               annotations: { "io.containerd.image.name": $name,
		                              "org.opencontainers.image.ref.name": ($name | sub(".*:"; "")) } } ] }' \
		>"$layout/index.json" || return 1
	echo '{"imageLayoutVersion":"1.0.0"}' >"$layout/oci-layout"
	tar -C "$layout" -cf "$out" . || return 1
	rm -rf "$work"
}
