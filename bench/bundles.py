"""bench/: the four bundles, made at bench time from busybox-static.

  minimal      a mount namespace and /proc, nothing else
  spec         `silo spec`'s config, without seccomp
  default      spec + the seccomp profile podman uses (/usr/share/containers/seccomp.json,
               in moby's format), turned into OCI form the way podman does: the rules whose
               `includes` (architectures, capabilities, kernel) match and whose `excludes`
               do not, for this host's architecture and the config's bounding set
  podman-like  default + the mounts, masked and read-only paths and capabilities that
               podman 4.3 writes into the config.json of `podman create --rootfs`

Every config says ociVersion 1.0.2: Debian's crun 1.8.1 refuses newer versions.

SPDX-License-Identifier: LGPL-2.1-or-later
"""
import copy
import json
import os
import platform
import shutil
import subprocess

CONFIGS = ["minimal", "spec", "default", "podman-like"]
PODMAN_PROFILE = "/usr/share/containers/seccomp.json"

# What podman 4.3 (Debian 12) generates besides the spec's defaults, read from the config
# of `podman create --rootfs DIR /bin/true` on this host.  /dev/shm and the /etc files are
# binds of podman's own files: tmpfs and files of the bench directory here.
PODMAN_MASKED = ["/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                 "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
                 "/sys/firmware", "/sys/fs/selinux", "/sys/dev/block"]
PODMAN_READONLY = ["/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                   "/proc/sysrq-trigger"]
PODMAN_CAPS = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
               "CAP_NET_BIND_SERVICE", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID",
               "CAP_SYS_CHROOT"]


def podman_mounts(etc):
    return [
        {"destination": "/proc", "type": "proc", "source": "proc", "options": ["nosuid", "noexec", "nodev"]},
        {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
         "options": ["nosuid", "noexec", "strictatime", "mode=755", "size=65536k"]},
        {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]},
        {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
         "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
        {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue", "options": ["nosuid", "noexec", "nodev"]},
        {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
         "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
        {"destination": "/etc/hostname", "type": "bind", "source": f"{etc}/hostname", "options": ["bind", "rprivate"]},
        {"destination": "/etc/resolv.conf", "type": "bind", "source": f"{etc}/resolv.conf", "options": ["bind", "rprivate"]},
        {"destination": "/etc/hosts", "type": "bind", "source": f"{etc}/hosts", "options": ["bind", "rprivate"]},
        {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
         "options": ["rprivate", "nosuid", "noexec", "nodev", "relatime", "ro"]},
    ]


MOBY_ARCH = {"x86_64": "amd64", "aarch64": "arm64", "ppc64le": "ppc64le", "s390x": "s390x"}


def kernel_at_least(version):
    mine = [int(x) for x in platform.release().split("-")[0].split(".")[:2]]
    want = [int(x) for x in version.split(".")[:2]]
    return mine >= want


def rule_applies(rule, caps):
    """podman's reading of moby's includes/excludes, for this host and capability set."""
    arch = MOBY_ARCH.get(platform.machine(), platform.machine())
    inc, exc = rule.get("includes") or {}, rule.get("excludes") or {}
    if inc.get("arches") and arch not in inc["arches"]:
        return False
    if inc.get("caps") and not all(c in caps for c in inc["caps"]):
        return False
    if inc.get("minKernel") and not kernel_at_least(inc["minKernel"]):
        return False
    if exc.get("arches") and arch in exc["arches"]:
        return False
    if exc.get("caps") and any(c in caps for c in exc["caps"]):
        return False
    return True


def podman_seccomp(caps):
    with open(PODMAN_PROFILE) as f:
        moby = json.load(f)
    arch = platform.machine()
    archs = []
    for entry in moby.get("archMap", []):
        if entry["architecture"] == {"x86_64": "SCMP_ARCH_X86_64", "aarch64": "SCMP_ARCH_AARCH64"}.get(arch):
            archs = [entry["architecture"]] + entry.get("subArchitectures", [])
    out = {"defaultAction": moby["defaultAction"], "architectures": archs, "syscalls": []}
    if "defaultErrnoRet" in moby:
        out["defaultErrnoRet"] = moby["defaultErrnoRet"]
    for rule in moby["syscalls"]:
        if not rule_applies(rule, caps):
            continue
        oci = {"names": rule.get("names") or [rule["name"]], "action": rule["action"]}
        if rule.get("errnoRet") is not None:
            oci["errnoRet"] = rule["errnoRet"]
        if rule.get("args"):
            oci["args"] = [{k: a[k] for k in ("index", "value", "valueTwo", "op") if a.get(k) is not None
                            and not (k == "valueTwo" and a[k] == 0)} for a in rule["args"]]
        out["syscalls"].append(oci)
    return out


def silo_spec(silo, work):
    tmp = os.path.join(work, "spec-tmp")
    os.makedirs(tmp, exist_ok=True)
    subprocess.run([silo, "spec", "-b", tmp], check=True)
    with open(os.path.join(tmp, "config.json")) as f:
        cfg = json.load(f)
    shutil.rmtree(tmp)
    return cfg


def make_rootfs(work):
    rootfs = os.path.join(work, "rootfs")
    for d in ("bin", "proc", "dev", "sys", "etc", "tmp"):
        os.makedirs(os.path.join(rootfs, d), exist_ok=True)
    shutil.copy2("/bin/busybox", os.path.join(rootfs, "bin/busybox"))
    for name in ("sh", "true", "sleep", "cat"):
        link = os.path.join(rootfs, "bin", name)
        if not os.path.lexists(link):
            os.symlink("busybox", link)
    for name in ("hostname", "hosts", "resolv.conf"):
        open(os.path.join(rootfs, "etc", name), "a").close()
    etc = os.path.join(work, "etc")
    os.makedirs(etc, exist_ok=True)
    for name, text in (("hostname", "bench\n"), ("hosts", "127.0.0.1 localhost bench\n"),
                       ("resolv.conf", "nameserver 127.0.0.1\n")):
        with open(os.path.join(etc, name), "w") as f:
            f.write(text)
    return rootfs


def configs(silo, work, rootfs):
    spec = silo_spec(silo, work)
    spec["ociVersion"] = "1.0.2"
    spec["process"]["terminal"] = False
    spec["process"]["args"] = ["/bin/true"]
    spec["root"] = {"path": rootfs, "readonly": True}
    spec.get("linux", {}).pop("seccomp", None)
    minimal = {
        "ociVersion": "1.0.2",
        "process": {"terminal": False, "user": {"uid": 0, "gid": 0}, "args": ["/bin/true"],
                    "env": ["PATH=/bin"], "cwd": "/"},
        "root": {"path": rootfs, "readonly": True},
        "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"}],
        "linux": {"namespaces": [{"type": "mount"}]},
    }
    default = copy.deepcopy(spec)
    default["linux"]["seccomp"] = podman_seccomp(spec["process"]["capabilities"]["bounding"])
    podman = copy.deepcopy(default)
    caps = {k: list(PODMAN_CAPS) for k in ("bounding", "effective", "permitted")}
    podman["process"]["capabilities"] = caps
    podman["linux"]["seccomp"] = podman_seccomp(PODMAN_CAPS)
    podman["mounts"] = podman_mounts(os.path.join(work, "etc"))
    podman["linux"]["maskedPaths"] = PODMAN_MASKED
    podman["linux"]["readonlyPaths"] = PODMAN_READONLY
    return {"minimal": minimal, "spec": spec, "default": default, "podman-like": podman}


def make_bundles(silo, work):
    """work/<config>/ (runs /bin/true) and work/<config>-sleep/ (sleeps: exec, scale)."""
    rootfs = make_rootfs(work)
    out = {}
    for name, cfg in configs(silo, work, rootfs).items():
        for suffix, args in (("", ["/bin/true"]), ("-sleep", ["/bin/sleep", "1000"])):
            bundle = os.path.join(work, name + suffix)
            os.makedirs(bundle, exist_ok=True)
            cfg = copy.deepcopy(cfg)
            cfg["process"]["args"] = args
            with open(os.path.join(bundle, "config.json"), "w") as f:
                json.dump(cfg, f, indent=1)
            out[name + suffix] = bundle
    return rootfs, out
