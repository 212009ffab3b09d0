/* silo: the container lifecycle, as the CLI sees it.  One call per command; each takes the
 * global context, does all of its work (state lock, validation, processes) and returns an
 * error that names what failed.  The CLI (src/cmd/) does nothing but fill these structs.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_CONTAINER_H
#define SILO_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "oci.h"

/* Global options (`silo [GLOBAL] COMMAND`).  */
struct silo_context
{
  const char *root;            /* state root, default SILO_DEFAULT_ROOT */
  bool debug;
  bool systemd_cgroup;         /* --systemd-cgroup or --cgroup-manager systemd */
  bool cgroups_disabled;       /* --cgroup-manager disabled */
  bool rootless;               /* --rootless true, or "auto" (the default) and euid != 0:
                                  cgroups it cannot write are skipped when nothing asked
                                  for limits */
};

#define SILO_DEFAULT_ROOT "/run/silo"

/* The state root when --root is not given: SILO_DEFAULT_ROOT for root, and for any other
 * user $XDG_RUNTIME_DIR/silo (the user's own tmpfs) where that is set.  */
char *silo_default_root (void);

struct silo_create_options
{
  const char *bundle;          /* default "."; made absolute */
  const char *config_path;     /* -f/--config; default <bundle>/config.json */
  const char *pid_file;        /* written atomically once the container is created */
  const char *console_socket;  /* receives the pty master when process.terminal is true */
  bool no_pivot;
  bool no_new_keyring;
  int preserve_fds;            /* fds 3 .. 3+N-1 pass into the container */
  bool detach;                 /* run only: return once started */
  bool keep;                   /* run only: keep the stopped container (no delete) */
};

int silo_container_create (const struct silo_context *ctx, const char *id,
                           const struct silo_create_options *opts, struct silo_error **err);
int silo_container_start (const struct silo_context *ctx, const char *id, struct silo_error **err);

/* create + start + wait (unless opts->detach).  *exit_status gets the container's exit
 * code, 128+N for a container killed by signal N, 0 when detached.  */
int silo_container_run (const struct silo_context *ctx, const char *id,
                        const struct silo_create_options *opts, int *exit_status,
                        struct silo_error **err);

/* `exec`: a new process in a created, running (or, with ignore_paused, paused)
 * container: in all of its namespaces, its cgroup, its root, with its seccomp filter.
 * The process is the container's own (process of its config) with args replaced and the
 * flags applied, or, with process_path, the runtime-spec process object in that file
 * (the flags then do not apply, as with runc).  */
struct silo_exec_options
{
  const char *process_path;    /* --process FILE */
  char **args;                 /* CMD ARGS...; NULL-terminated */
  const char *console_socket;  /* receives the pty master (detached, with a terminal) */
  int tty;                     /* -t: 1, --tty=false: 0, not given: -1 (no terminal) */
  const char *cwd;
  char **env;                  /* -e KEY=VALUE..., NULL-terminated; later ones win */
  const char *user;            /* -u UID[:GID] */
  char **additional_gids;      /* -g GID..., NULL-terminated */
  char **caps;                 /* -c CAP_X..., added to bounding, effective, permitted */
  bool no_new_privs;
  const char *apparmor;
  const char *process_label;
  bool detach;
  const char *pid_file;
  int preserve_fds;
  const char *cgroup;          /* [CONTROLLER:]PATH below the container's cgroup */
  bool ignore_paused;
};

/* *exit_status: the process's exit code (128+N after signal N); 0 when detached.  */
int silo_container_exec (const struct silo_context *ctx, const char *id,
                         const struct silo_exec_options *opts, int *exit_status,
                         struct silo_error **err);

/* The runtime state as runc prints it (pretty JSON text, caller frees).  */
int silo_container_state (const struct silo_context *ctx, const char *id, char **json,
                          struct silo_error **err);

int silo_container_kill (const struct silo_context *ctx, const char *id, int signal, bool all,
                         struct silo_error **err);

/* `force`: kill a running/paused container first; an id that does not exist is then not an
 * error (containerd's cleanup deletes ids that are already gone).  */
int silo_container_delete (const struct silo_context *ctx, const char *id, bool force,
                           struct silo_error **err);

/* `stop`: SIGTERM to the init of a running (or paused: then resumed) container, then
 * after timeout_s seconds SIGKILL to all of its processes; returns once the init is gone.
 * A created container gets SIGKILL at once; a stopped one nothing.  The container stays.  */
int silo_container_stop (const struct silo_context *ctx, const char *id, unsigned timeout_s,
                         struct silo_error **err);

struct silo_container_info
{
  char *id, *status, *bundle, *rootfs, *created, *owner;
  char *command;               /* process.args joined by spaces */
  int pid;                     /* 0 when stopped */
};

int silo_container_list (const struct silo_context *ctx, struct silo_container_info **out,
                         size_t *n, struct silo_error **err);
void silo_container_info_free (struct silo_container_info *list, size_t n);

/* ---- checkpoint and restore through CRIU (container-checkpoint.c, criu.c) ------------
 * Only in a build with CRIU (SILO_HAVE_CRIU); without it the commands do not exist.  */

enum silo_criu_cgroup_mode
{
  SILO_CRIU_CGROUP_DEFAULT,    /* CRIU's default (soft) */
  SILO_CRIU_CGROUP_SOFT,       /* restore the cgroups' paths; properties only of new ones */
  SILO_CRIU_CGROUP_FULL,       /* paths and every property */
  SILO_CRIU_CGROUP_STRICT,     /* full, and fail when a cgroup exists already */
  SILO_CRIU_CGROUP_IGNORE,     /* leave cgroups alone */
};

/* What checkpoint and restore share.  */
struct silo_criu_options
{
  const char *image_path;      /* CRIU's images (default: ./checkpoint) */
  const char *work_path;       /* CRIU's log and scratch files (default: image_path) */
  bool tcp_established;        /* established TCP connections */
  bool ext_unix_sk;            /* unix sockets connected to a peer outside */
  bool shell_job;              /* a session and tty shared with the caller */
  bool file_locks;
  bool auto_dedup;             /* free image pages a later dump no longer needs */
  bool lazy_pages;             /* dump: leave the memory to a page server; restore: from
                                  the lazy-pages daemon in the work path */
  bool empty_netns;            /* --empty-ns network: never dump (checkpoint) or restore
                                  (restore: a new, empty one) the network namespace */
  enum silo_criu_cgroup_mode cgroup_mode;
};

struct silo_checkpoint_options
{
  struct silo_criu_options criu;
  bool leave_running;
  bool pre_dump;               /* memory only; the container keeps running */
  const char *parent_path;     /* a pre-dump's images, relative to image_path */
  const char *page_server;     /* ADDRESS:PORT, already checked */
  int status_fd;               /* -1 when not given; used only with lazy_pages */
};

struct silo_restore_options
{
  struct silo_criu_options criu;
  struct silo_create_options create;   /* bundle, config, pid_file, console_socket, detach */
  bool no_subreaper;
};

/* Dump the container's processes into opts->criu.image_path; then, unless leave_running
 * or pre_dump, the container is deleted (its processes are gone).  */
int silo_container_checkpoint (const struct silo_context *ctx, const char *id,
                               const struct silo_checkpoint_options *opts, struct silo_error **err);

/* Make container `id` from the bundle's config and the images: its state, its cgroups,
 * then CRIU's restored processes.  Without detach, wait for it as `run` does:
 * *exit_status is its code (128+N after signal N), and the container is deleted.  */
int silo_container_restore (const struct silo_context *ctx, const char *id,
                            const struct silo_restore_options *opts, int *exit_status,
                            struct silo_error **err);

/* Id rule: [A-Za-z0-9][A-Za-z0-9_+.-]*, at most 1024 bytes (no '/', no "..").  */
int silo_validate_id (const char *id, struct silo_error **err);

/* `silo spec`: the default config.json (pretty JSON text, caller frees).  */
int silo_spec_generate (bool rootless, char **json, struct silo_error **err);

/* `silo features`: features.json (pretty JSON text, caller frees).  */
int silo_features_generate (char **json, struct silo_error **err);

/* ---- the cgroup commands (src/lib/container-cgroup.c) ------------------------------ */

/* Freeze / thaw every process of a running container; `state` then says "paused".  */
int silo_container_pause (const struct silo_context *ctx, const char *id, struct silo_error **err);
int silo_container_resume (const struct silo_context *ctx, const char *id, struct silo_error **err);

/* Write the set fields of r to the container's cgroups (running or paused) and fold them
 * into the stored config, so that later commands see the new values.  */
int silo_container_update (const struct silo_context *ctx, const char *id, const oci_resources *resources,
                           struct silo_error **err);

/* `events`: with stats_once, print one {"type":"stats","id":..,"data":..} line; else a
 * stream every interval_ms of stats lines plus {"type":"oom","id":..} when the kernel
 * OOM-kills in the container, until the container stops.  */
int silo_container_events (const struct silo_context *ctx, const char *id, bool stats_once,
                           unsigned interval_ms, struct silo_error **err);

/* Every pid in the container's cgroups (caller frees).  */
int silo_container_pids (const struct silo_context *ctx, const char *id, int **pids, size_t *n,
                         struct silo_error **err);

#endif
