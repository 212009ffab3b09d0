/* silo: the container's cgroups (cgroupfs manager), the whole interface.
 *
 * The layout is detected per hierarchy from /proc/self/mountinfo, never assumed: every
 * mounted cgroup v1 hierarchy (named ones such as name=systemd included) and the cgroup2
 * mount each get the container's cgroup.  A host is pure v2, pure v1 or hybrid (v1
 * controllers beside a cgroup2 mount that may itself hold controllers, e.g. hugetlb).
 *
 * Where the container's cgroup goes (linux.cgroupsPath, in every hierarchy):
 *   absent or ""       /<id>
 *   "a/b" or "/a/b"    /a/b below each hierarchy's root (never below silo's own cgroup)
 * ".." is refused, and so is a path that names the root.  A cgroup that already exists
 * and holds processes is refused (two containers must not share one), and so is one left
 * frozen; an existing parent (a pod's) is fine.
 *
 * Lifecycle (create):  validate -> plan -> (state file: paths) -> make -> clone3 into
 * silo_cgroup_v2_fd() -> enter -> (child: join the cgroup namespace, then
 * mount_in_container).  silo_cgroup_create is plan + make.
 * Later commands:      load (from the state file) -> pids / kill_all / is_frozen /
 * set_frozen / update / stats_json / oom_kills / destroy.
 *
 * Resources: every member of linux.resources, each written to the hierarchy that holds
 * its controller (on a hybrid host memory to v1, hugepageLimits to cgroup2), converted
 * where v2 differs from the spec's v1 terms (shares -> weight, memory+swap -> swap, ...);
 * an error names the field and the file.  Devices: the v1 devices controller, else an
 * eBPF program on the cgroup2 leaf.  What the host cannot do (real-time CPU on v2,
 * unified on v1, net_cls or rdma absent) is refused by plan, before anything is made.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_CGROUP_H
#define SILO_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "oci.h"

struct silo_cgroup;

/* Check, before anything is made and without looking at the host, what the config asks
 * of cgroups: linux.cgroupsPath's shape, the device rules, and the linux.resources values
 * no kernel takes (leafWeight, shares outside 2..262144, unified keys that are paths).  */
int silo_cgroup_validate (const oci_config *c, struct silo_error **err);

/* Plan and make: the container's cgroup in every mounted hierarchy, with its resources
 * (devices: deny all, the config's rules in order, then the defaults every container
 * gets).  On failure nothing it made is left behind.  */
int silo_cgroup_create (const char *id, const oci_config *c, struct silo_cgroup **out,
                        struct silo_error **err);

/* O_DIRECTORY fd of the cgroup2 leaf for clone3(CLONE_INTO_CGROUP); -1 when there is
 * none.  Owned by cg.  */
int silo_cgroup_v2_fd (const struct silo_cgroup *cg);

/* For CRIU (checkpoint, restore): the directory that freezes the container (the v1
 * freezer, else the cgroup2 cgroup; NULL when neither is mounted), and the path below
 * every hierarchy's root ("a/b"; NULL for a cgroup loaded from a state file).  Owned by
 * cg.  */
const char *silo_cgroup_freezer_dir (const struct silo_cgroup *cg);
const char *silo_cgroup_relative_path (const struct silo_cgroup *cg);

/* Move pid into the container's cgroup of every hierarchy; v2_done: clone3 already put
 * it in the cgroup2 one.  With the systemd driver, the first call makes the scope.  */
int silo_cgroup_enter (struct silo_cgroup *cg, pid_t pid, bool v2_done, struct silo_error **err);

/* `exec`: move pid into the container's cgroup of every hierarchy, or with sub
 * ("[CONTROLLER:]PATH", --cgroup) into the existing cgroup PATH below it (in the
 * hierarchies holding CONTROLLER, when given).  A cgroup2 cgroup that is no longer a leaf
 * (the kernel answers EBUSY) is replaced by the cgroup the init is in now, below it.  */
int silo_cgroup_enter_exec (const struct silo_cgroup *cg, pid_t pid, const char *sub, pid_t init,
                            struct silo_error **err);

/* Copies of {controller, host directory} for the state file; the caller frees them
 * (silo_state_free does).  Controllers: "cpu", "cpu,cpuacct", "name=systemd", and
 * "unified" for the cgroup2 mount.  */
void silo_cgroup_paths (const struct silo_cgroup *cg, silo_cgroup_path **out, size_t *n);

/* From the state file: no mountinfo, no config.  Cheap: nothing is opened until used.  */
int silo_cgroup_load (const silo_cgroup_path *paths, size_t n, struct silo_cgroup **out,
                      struct silo_error **err);

/* Every process of the container's cgroup subtree (caller frees *pids).  */
int silo_cgroup_pids (const struct silo_cgroup *cg, pid_t **pids, size_t *n, struct silo_error **err);

/* Signal every process of the container.  SIGKILL goes through cgroup.kill where the
 * kernel has it; otherwise v1 freezes the freezer cgroup so nothing forks past the
 * signal, signals each process and thaws (a paused container stays paused, except for
 * SIGKILL, which must be let through to kill).  */
int silo_cgroup_kill_all (const struct silo_cgroup *cg, int sig, struct silo_error **err);

/* SIGKILL what is left, wait (at most 2 s) for the cgroup to empty, then remove it in
 * every hierarchy, children first (systemd driver: stop the scope first; a scope this
 * create did not get from systemd is left alone).  Already gone is fine: it may run twice, or after a
 * create that died half-way.  The error names processes that would not die.  cg stays
 * allocated: silo_cgroup_free it.  */
int silo_cgroup_destroy (struct silo_cgroup *cg, struct silo_error **err);

/* The freezer (v1) or cgroup.freeze (v2) holds the container frozen ("paused").  */
bool silo_cgroup_is_frozen (const struct silo_cgroup *cg);

/* The OCI `cgroup` mount, in the container's mount namespace before pivot_root.  target
 * is the directory to mount on, resolved once inside the rootfs by the caller
 * (`destination` only names it in messages).  The caller has
 * already entered the cgroups and, with cgroupns, unshared the cgroup namespace after
 * that (so its root is the container's cgroup).  mount_flags: MS_RDONLY, MS_NOSUID,
 * MS_NODEV, MS_NOEXEC and the atime flags are honoured, other bits ignored.
 *   pure v2: cgroup2 at destination (cgroupns) or a bind of the container's cgroup;
 *   v1 / hybrid: a tmpfs (mode 755) with one directory per hierarchy, named as on the
 *   host, each a fresh cgroup mount (cgroupns) or a bind of the container's cgroup,
 *   symlinks for co-mounted controllers (cpu -> cpu,cpuacct); the tmpfs is made
 *   read-only last when MS_RDONLY is asked.
 * Needs the mount API (fsopen, open_tree, move_mount, mount_setattr: Linux 5.12).  */
int silo_cgroup_mount_in_container (const struct silo_cgroup *cg, int target, const char *destination,
                                    unsigned long mount_flags, bool cgroupns, struct silo_error **err);

/* ---- resources, freezing, statistics (the cgroups issue) ------------------------------
 * Declared by the lead so that the commands can be written against them; implemented in
 * src/lib/cgroup/.  */

/* Resolve the layout and the container's paths without making anything, so that `create`
 * can persist the paths before the first mkdir (a create killed half-way leaves paths
 * `delete --force` can clean), and check linux.resources against the layout (one read of
 * cgroup2's cgroup.controllers when something may come from it).  silo_cgroup_make then
 * makes the paths (enabling cgroup2 controllers down the path) and applies the resources;
 * on failure it removes what it made, and cg is still the caller's to free.  */
int silo_cgroup_plan (const char *id, const oci_config *c, struct silo_cgroup **out,
                      struct silo_error **err);
int silo_cgroup_make (struct silo_cgroup *cg, const oci_config *c, struct silo_error **err);

/* The systemd driver (systemd.h): plan as above, the cgroup being the scope that
 * linux.cgroupsPath ("SLICE:PREFIX:NAME") names.  Refused with its reason where the host
 * has no systemd, is not pure cgroup v2, or the caller is not root.  make then makes
 * nothing (c must live until enter): silo_cgroup_enter asks systemd for the scope
 * around the init's pid and writes the resources once the scope is there; destroy stops
 * the unit, update sets its properties too.  */
int silo_cgroup_plan_systemd (const char *id, const oci_config *c, struct silo_cgroup **out,
                              struct silo_error **err);
/* A cgroup loaded from the state file of a container made with the systemd driver.  */
void silo_cgroup_use_systemd (struct silo_cgroup *cg);
bool silo_cgroup_is_systemd (const struct silo_cgroup *cg);

/* `update`: write r to the live cgroup (only the fields set in r), in the order the
 * kernel needs (v1 keeps limit <= memsw at every step: memsw first when raising, the
 * limit first when lowering), enabling a cgroup2 controller the container's ancestors
 * have but did not pass down yet.  Devices are rewritten only when r has rules.  An
 * error names the resource and the file.  */
int silo_cgroup_update (const struct silo_cgroup *cg, const oci_resources *r, struct silo_error **err);

/* Freeze or thaw and wait until the kernel says it is done (v1 freezer.state FROZEN /
 * THAWED, v2 cgroup.events frozen 0/1), bounded; thaws again on error paths.  */
int silo_cgroup_set_frozen (const struct silo_cgroup *cg, bool frozen, struct silo_error **err);

/* Statistics in runc's `events --stats` shape, as one JSON object (the "data" member):
 * {"cpu":{...},"memory":{...},"pids":{...},"blkio":{...},"hugetlb":{...}}, runc's names
 * and omissions.  A v2 "max" (runc: 2^64-1) shows as 2^63-1: oci_json_writer takes signed
 * numbers.  Caller frees.  */
int silo_cgroup_stats_json (const struct silo_cgroup *cg, char **json, struct silo_error **err);

/* How many times the kernel OOM-killed in the container's memory cgroup so far
 * (v2 memory.events oom_kill, v1 memory.oom_control oom_kill).  */
int silo_cgroup_oom_kills (const struct silo_cgroup *cg, uint64_t *count, struct silo_error **err);

void silo_cgroup_free (struct silo_cgroup *cg);   /* NULL is fine */

#endif
