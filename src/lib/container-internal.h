/* silo: what container.c (the commands, parent side), container-child.c (the init before
 * execve) and run.c (foreground run) share.  Not an interface for anything else.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_CONTAINER_INTERNAL_H
#define SILO_CONTAINER_INTERNAL_H

#include <stdbool.h>
#include <sys/stat.h>

#include "container.h"
#include "idmap.h"
#include "rootfs-plan.h"
#include "ns.h"
#include "oci.h"
#include "seccomp.h"
#include "spawn.h"
#include "state.h"

struct silo_cgroup;

/* Everything `create` knows while it makes one container.  */
struct silo_creation
{
  const struct silo_context *ctx;
  const struct silo_create_options *opts;
  const char *id;
  bool foreground;             /* `run` without -d: the terminal stays with us */
  char *bundle;                /* absolute */
  oci_config *config;          /* owned by state->config */
  silo_state *state;
  int dirfd;                   /* the locked state directory */
  struct silo_cgroup *cgroup;
  struct silo_ns_plan plan;
  int sync_parent, sync_child; /* socketpair ends */
  int start_listen;            /* start.sock, inherited by the child (not made by `run`) */
  bool run_starts;             /* `run`: SYNC_START follows "created" on the socketpair */
  bool recovery_saved;         /* recovery.json written (at "created", or by `restore`) */
  struct stat silo_exe;        /* silo's own binary, refused as the container's program */
  struct silo_seccomp_filter seccomp;  /* compiled before the clone; the init installs it */
  int seccomp_agent;           /* connected to linux.seccomp.listenerPath, or -1 */
  char *resctrl;               /* the resctrl mount, with linux.intelRdt */
  struct silo_idmap_mounts idmap;  /* ID-mapped trees, made before the clone; the init
                                      attaches them and closes them after its mounts */
  int listen_fds;              /* LISTEN_FDS passed through, from silo's environment */
  struct silo_spawn spawn;
  int pty_master;
  struct silo_rootfs_plan rootfs_plan; /* the mounts, checked before anything is made */
  /* The caller is not root and maps the new user namespace itself: the kernel (and
   * newuidmap) let it only at a dumpable child, so the child turns non-dumpable on
   * SYNC_GO instead of at clone.  Nothing of the container runs before that.  */
  bool user_maps;
  /* Quick-run (quickrun.h): the state directory (dirfd, locked, with config.json in it)
   * and the overlay root (rootfs_tree, a detached mount, overlay.h) are made before
   * silo_creation_make, which takes them over.  Otherwise it sets both to -1 itself.  */
  bool premade;
  int rootfs_tree;
  /* `restore`: after the cgroups, CRIU makes the processes instead of a clone.  */
  const struct silo_restore_options *restore;
};

/* container-child.c: the init from clone to execve.  Never returns.  */
_Noreturn void silo_child_main (struct silo_creation *c);

/* container-ops.c: validate the id, open (and lock) the state directory, load the state.
 * Returns the directory fd.  */
int silo_container_open (const struct silo_context *ctx, const char *id, bool lock, silo_state **s,
                         struct silo_error **err);

/* container.c */
int silo_creation_make (struct silo_creation *c, struct silo_error **err);
/* container-ops.c: `run` of a filled creation (c->opts: detach, keep): make, start, wait,
 * delete; the creation is released.  */
int silo_creation_run (struct silo_creation *c, int *exit_status, struct silo_error **err);
void silo_creation_release (struct silo_creation *c);
int silo_start_init (int dirfd, silo_state *s, bool *destroy, struct silo_error **err);
/* `run`: the same over the creation's socketpair, to the init it has just created.  */
int silo_start_created (struct silo_creation *c, bool *destroy, struct silo_error **err);
int silo_delete_stopped (const struct silo_context *ctx, silo_state *s, struct silo_error **err);
char *silo_hook_state_json (const silo_state *s, const char *status);
/* process.args joined by spaces ("" without): what `list` and `ps` show as the command.  */
char *silo_command_line (const oci_process *p);

/* Whether the parent answers SYNC_HOOKS_REQUEST (runs the hooks, sends the state
 * documents) and the child waits for it: a prestart, createRuntime, createContainer or
 * startContainer hook, or a seccomp agent, reads them.  Both decide from the same config.  */
bool silo_creation_wants_hook_state (const oci_config *config);

/* The init's pid and start time: into the creation's state (note), and also on disk with
 * recovery.json at once (persist: `restore`, whose processes run on their own).  */
int silo_creation_note_pid (struct silo_creation *c, pid_t pid, struct silo_error **err);
int silo_creation_persist_pid (struct silo_creation *c, pid_t pid, struct silo_error **err);
/* The pty master to --console-socket, "created" saved with the pid (and recovery.json),
 * --pid-file written.  */
int silo_creation_finish (struct silo_creation *c, struct silo_error **err);

/* container-checkpoint.c (SILO_HAVE_CRIU): restore's stage after the cgroups: the rootfs
 * mounted for CRIU, the processes restored, their pid saved; on failure the caller undoes
 * the creation (kills c->spawn.pidfd, removes the cgroups and the state).  */
int silo_restore_processes (struct silo_creation *c, struct silo_error **err);
/* --pid-file: the pid as text, written atomically next to the file.  */
int silo_write_pid_file (const char *path, pid_t pid, struct silo_error **err);

/* exec-process.c: the process `exec` runs (caller frees with oci_process_free).
 * userns: the container has a user namespace (capabilities are then checked against
 * its full bounding set).  */
int silo_exec_process (const silo_state *s, const struct silo_exec_options *o, bool userns,
                       oci_process **out, struct silo_error **err);

/* run.c: wait for a foreground process (run's init, exec's process), relaying its
 * terminal and forwarding signals; *exit_status is its code, 128+N after signal N.  The
 * pty master is closed when the terminal goes away.  */
struct silo_foreground
{
  pid_t pid;
  int pidfd;
  int pty_master;              /* -1 without a terminal */
};
int silo_foreground_wait (struct silo_foreground *f, int *exit_status, struct silo_error **err);

/* container-cgroup.c: the live status, paused included (the state store does not ask the
 * freezer: silo_state_status_unpaused).  */
enum silo_status silo_container_status (const silo_state *s);

#endif
