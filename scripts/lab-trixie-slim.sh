#!/usr/bin/env bash
# Adds debian:trixie-slim to the image lab (../shared/lab), made like its
# debian:bookworm-slim: debootstrap minbase, the official images' apt
# settings, no docs. Splits of toolchain images whose tag names no suite run
# on it. Needs BUILDAH (see the lab's README); LAB_WORK is the scratch dir.
set -euo pipefail
: "${BUILDAH:?set BUILDAH as the lab README says}"
work=${LAB_WORK:-/tmp/dockopt-lab}/trixie-slim
image=docker.io/library/debian:trixie-slim
if $BUILDAH images --format '{{.Name}}:{{.Tag}}' | grep -qx "$image"; then
  echo "$image is there"
  exit 0
fi
rm -rf "$work" && mkdir -p "$work"
debootstrap --variant=minbase trixie "$work/rootfs" http://deb.debian.org/debian >/dev/null
root=$work/rootfs
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
cat > "$root/etc/apt/apt.conf.d/docker-clean" <<'APT'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT
echo 'Acquire::Languages "none";' > "$root/etc/apt/apt.conf.d/docker-no-languages"
rm -rf "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/locale/*
mkdir -p "$work/ctx" && tar -C "$root" -cf "$work/ctx/rootfs.tar" .
printf 'FROM scratch\nADD rootfs.tar /\nCMD ["bash"]\n' > "$work/ctx/Dockerfile"
$BUILDAH bud --isolation chroot -q -t "$image" "$work/ctx" >/dev/null
echo "built $image"
