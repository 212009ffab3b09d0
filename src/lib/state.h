/* silo: the per-container state store under <root>/<id>/.
 *
 *   state.json   silo_state (libocispec/oci.h), replaced atomically (temp + rename; no fsync: docs/design.md)
 *   stored-config.json  the resolved config, written at create and by `update`; read only by the
 *                commands that need it (`list` does not)
 *   recovery.json   the state as it was when the init's pid was recorded (below)
 *   start.sock   the created init listens here until `start` releases it
 *
 * The root, each container directory and each state file must belong to silo's euid and
 * not be writable by group or others: a forged state could make `delete --force` kill
 * any process.  Anything else is refused with a message naming it.
 *
 * Mutating commands hold flock(LOCK_EX) on the container directory; a crashed command's
 * lock dies with it.  None holds it across a wait the container controls (`start` lets it
 * go until the execve), `kill` takes none, and a lock held past SILO_LOCK_TIMEOUT seconds
 * (30) is an error that names its holder.  The status is never trusted from the file alone: it is derived live
 * from the init's pid and start time (/proc/PID/stat field 22), so pid reuse reads as
 * stopped, and so does a zombie init (PID 1 on these hosts reaps orphans late).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_STATE_H
#define SILO_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "oci.h"

enum silo_status { SILO_CREATING, SILO_CREATED, SILO_RUNNING, SILO_PAUSED, SILO_STOPPED };

const char *silo_status_name (enum silo_status s);

/* Open the state root (O_DIRECTORY), checked as above.  A missing root fails with errnum
 * ENOENT.  */
int silo_state_open_root (const char *root, struct silo_error **err);

/* Make <root> (0700) and <root>/<id>; fails with "container `id` already exists".
 * Returns the locked directory fd.  */
int silo_state_create_dir (const char *root, const char *id, struct silo_error **err);

/* Open and lock an existing container directory; "container `id` does not exist".  */
int silo_state_open_dir (const char *root, const char *id, bool lock, struct silo_error **err);
/* The same, in the state root already open as ROOTFD (ROOT names it in messages).  */
int silo_state_open_dir_at (int rootfd, const char *root, const char *id, bool lock,
                            struct silo_error **err);

int silo_state_save (int dirfd, const silo_state *s, struct silo_error **err);
/* The state with its config (s->config set).  */
int silo_state_load (int dirfd, silo_state **out, struct silo_error **err);
/* The state alone (s->config NULL, unless an old schema-1 file embedded it).  */
int silo_state_load_brief (int dirfd, silo_state **out, struct silo_error **err);
/* list: state.json of the container ID read straight below the state root (no directory
 * opened); silo_state_needs_dir says whether the entry still needs its directory (a
 * create in progress, whose lock tells whether its creator lives).  */
int silo_state_load_brief_at (int rootfd, const char *id, silo_state **out, struct silo_error **err);
bool silo_state_needs_dir (const silo_state *s);

/* s->config to stored-config.json: at create, and when `update` folded new resources in.
 * (Not config.json: a quick-run container's bundle is its state directory.)  */
#define SILO_STATE_CONFIG "stored-config.json"
int silo_state_save_config (int dirfd, const silo_state *s, struct silo_error **err);

/* A second record, written once, with "created" (the init's pid first on disk): enough (the pid with its start
 * time, the cgroup paths; the config is stored-config.json's) for `delete --force` to find and kill the processes
 * and remove the cgroups when state.json is lost or damaged, and for `list` to show such
 * a container rather than forget it.  */
#define SILO_STATE_RECOVERY "recovery.json"
int silo_state_save_recovery (int dirfd, const silo_state *s, struct silo_error **err);
int silo_state_load_recovery (int dirfd, bool with_config, silo_state **out, struct silo_error **err);

/* Remove the directory and everything in it (it holds only silo's files).  */
int silo_state_remove_dir (const char *root, const char *id, struct silo_error **err);

/* Record the file the init runs while it waits for `start` (silo's own binary, which it
 * refuses to execve): once /proc/PID/exe names another file, the init has called execve,
 * and the status is running even if the `start` that released it died before saving
 * that.  Unknown (0) when /proc does not tell.  */
void silo_state_record_init_exe (silo_state *s);

/* A "creating" state names no pid (it reaches the disk with "created"): its create is
 * alive while it holds the directory's lock.  Sets s->creator_alive from that, for a
 * directory fd the caller has not locked itself (a flock of its own would be converted).  */
void silo_state_probe_creator (int dirfd, silo_state *s);

/* Is the recorded init (pid + start time) still alive?  */
bool silo_state_init_alive (const silo_state *s);

/* Live status from what the state and /proc tell: creating, created, running or stopped
 * (a "creating" state without a pid: creating while s->creator_alive).
 * Paused is the freezer's to say: silo_container_status (container-internal.h).  */
enum silo_status silo_state_status_unpaused (const silo_state *s);

#endif
