/* silo: quick-run, a container of a root filesystem with no bundle (`silo run --rootfs
 * DIR ... -- CMD`), and the config behind it (`silo spec --rootfs DIR ...`).
 *
 * The config is `silo spec`'s (spec.c) with the flags applied: the command, environment,
 * working directory, user, host name, binds, network and limits.  Quick-run writes it
 * into the container's state directory, next to an overlay's upper and work layers
 * (overlay.h), and creates the container from there: afterwards it is an ordinary
 * container (state, exec, kill, delete, ps, events).  Deleting it takes the upper layer
 * with it; DIR is never written.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_QUICKRUN_H
#define SILO_QUICKRUN_H

#include <stdbool.h>
#include <stdint.h>

#include "container.h"
#include "error.h"

#define SILO_QUICKRUN_CPU_PERIOD 100000   /* µs: --cpus and --cpu set a quota per this */

struct silo_quickrun_options
{
  const char *rootfs;          /* DIR: the overlay's lower layer, or a bundle's root.path */
  const char *name;            /* the container's id; NULL: a generated one */
  char **args;                 /* CMD ARGS..., NULL-terminated; NULL or empty: sh */
  char **env;                  /* KEY=VALUE..., NULL-terminated; they replace the defaults */
  char **volumes;              /* SRC:DST[:ro|:rw]..., NULL-terminated */
  const char *cwd;             /* absolute; NULL: "/" */
  const char *user;            /* UID[:GID], numeric */
  const char *hostname;        /* NULL: the name */
  const char *network;         /* "none" (NULL: the default) or "host" */
  bool read_only, tty, rm, detach;
  int64_t memory;              /* bytes; 0: no limit */
  int64_t cpu_quota;           /* µs per SILO_QUICKRUN_CPU_PERIOD; 0: no limit */
  int64_t pids;                /* 0: no limit */
};

/* The config (pretty JSON text, caller frees) with root.path `root_path`; `name` is the
 * default host name (NULL: spec's).  Every flag is checked here, its error naming it.  */
int silo_quickrun_config (const struct silo_quickrun_options *q, const char *name,
                          const char *root_path, char **json, struct silo_error **err);

/* `silo spec --rootfs DIR`: that config as <bundle>/config.json (never replacing one),
 * root.path the absolute DIR.  A bundle has no overlay: what the container writes goes
 * into DIR, unless --read-only.  */
int silo_quickrun_spec_write (const char *bundle, const struct silo_quickrun_options *q,
                              struct silo_error **err);

/* Create and start the container, then as `run`: with q->detach return at once, else
 * wait and set *exit_status (128+N after signal N); with q->rm delete it once it exited.
 * *name gets its name (caller frees), also on failure when one was chosen.  Needs root
 * (overlayfs is mounted in silo's user namespace).  */
int silo_quickrun_run (const struct silo_context *ctx, const struct silo_quickrun_options *q,
                       char **name, int *exit_status, struct silo_error **err);

/* A Docker-style name, "adjective_noun", from a random number; with attempt > 0 (the
 * earlier names were taken) a number from `random` follows: "adjective_noun_42".  Always
 * a valid container id.  Caller frees.  */
char *silo_quickrun_name (uint64_t random, unsigned attempt);

#endif
