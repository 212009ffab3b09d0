/* silo: the parent/child protocol of `create` (docs/design.md has the whole story).
 *
 * The parent (the `silo create`/`run` process) and the container's init (a clone of it,
 * no re-exec) talk over a SOCK_SEQPACKET socketpair, one message per packet:
 *
 *   parent                                child (future container init)
 *   clone3 ────────────────────────────▶  PR_SET_PDEATHSIG, wait
 *   cgroups entered, uid/gid maps written
 *   SYNC_GO ───────────────────────────▶  join/unshare namespaces, mounts
 *                               ◀──────── SYNC_HOOKS_REQUEST
 *   prestart + createRuntime hooks
 *   SYNC_HOOKS_DONE (3 state docs) ────▶  createContainer hooks, pty
 *   (the answer only when a hook or a seccomp agent reads the documents: else the
 *   request is only news that the mounts are done, and the child goes on)
 *                               ◀──────── SYNC_PTY (master fd, SCM_RIGHTS)
 *                                         pivot_root, process setup
 *                                         PR_SET_PDEATHSIG cleared
 *                               ◀──────── SYNC_CREATED
 *   state "created" with the pid and
 *   recovery.json, pid file
 *   SYNC_RECORDED ─────────────────────▶  close the socket, block in accept() on start.sock
 *   exit
 *   (`run` sends SYNC_START here instead, on this socket, and goes on as `start` does;
 *   it makes no start.sock.  An end of the socket before either answer means the parent
 *   died before the init was on disk: the init exits, so it never outlives silo unrecorded.)
 *
 * At any point the child may send SYNC_WARNING or, with --debug, SYNC_DEBUG (logged by the
 * parent; silo_sync_next takes both) or SYNC_ERROR
 * (errno + full text; the child then exits).  Every wait polls the socket together with
 * a pidfd of the peer, so a peer that dies is an error, never a hang.
 *
 * `start` connects to <state dir>/start.sock and sends SYNC_START; the init answers
 * SYNC_EXEC right before its execve (the connection then closes: O_CLOEXEC) or one
 * SYNC_ERROR packet.  An end without either is an init that died before its program ran
 * when it is gone and its zombie still has the init's name (a seccomp profile may deny
 * the send to an init that did run its program).  `start` holds no lock
 * while it waits: what the container does (a startContainer hook that never returns, an
 * init stopped by a debugger) can never block `kill` or `delete --force`.
 *
 * `exec` uses the same socketpair protocol with its one child: SYNC_GO (payload: the
 * seccomp agent's state, "" without one) once the child is in its cgroups, SYNC_PTY, then
 * EOF at execve or SYNC_ERROR (docs/design.md, "exec").
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_SYNC_H
#define SILO_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

enum silo_sync_type
{
  SYNC_GO = 1,
  SYNC_HOOKS_REQUEST,
  SYNC_HOOKS_DONE,
  SYNC_PTY,
  SYNC_CREATED,
  SYNC_ERROR,
  SYNC_WARNING,
  SYNC_INIT_PID,   /* the child forked the real init (see spawn.c); data: its pid */
  SYNC_START,      /* `start` → init, on start.sock */
  SYNC_EXEC,       /* init → `start`: the program is about to be executed */
  SYNC_DEBUG,      /* child → parent, init → `start`: a --debug line (the stage clock) */
  SYNC_RECORDED,   /* parent → child after SYNC_CREATED: "created" is on disk, outlive us */
};

#define SILO_SYNC_MAX 65536

struct silo_sync_msg
{
  enum silo_sync_type type;
  int errnum;
  char *data;      /* NUL-terminated, may be empty; owned */
  size_t len;
  int fd;          /* received with SCM_RIGHTS, or -1 */
};

void silo_sync_msg_clear (struct silo_sync_msg *m);

/* Send one packet; pass_fd >= 0 travels with SCM_RIGHTS.  Never raises SIGPIPE.  */
int silo_sync_send (int sock, enum silo_sync_type type, int errnum, const void *data, size_t len,
                    int pass_fd, struct silo_error **err);

/* Send an error as SYNC_ERROR (errno + text).  */
void silo_sync_send_error (int sock, const struct silo_error *e);

/* The child's log sink (log.h): each warning goes to the parent as SYNC_WARNING on the
 * socket *(int *) data, each --debug line as SYNC_DEBUG; the parent logs them as its own.  */
void silo_sync_log_sink (const char *level, const char *msg, void *data);

/* Receive one packet, waiting on sock and (when >= 0) the peer's pidfd.  A peer that dies
 * (errnum ECHILD) or closes the socket (EPIPE) is an error naming `what` we were waiting
 * for.  */
int silo_sync_recv (int sock, int peer_pidfd, const char *what, struct silo_sync_msg *m,
                    struct silo_error **err);

/* Receive, turning SYNC_ERROR into an error and logging SYNC_WARNING, until a message of
 * another type comes.  */
int silo_sync_next (int sock, int peer_pidfd, const char *what, struct silo_sync_msg *m,
                    struct silo_error **err);

/* silo_sync_next and require the given type.  */
int silo_sync_expect (int sock, int peer_pidfd, enum silo_sync_type type, const char *what,
                      struct silo_sync_msg *m, struct silo_error **err);

#endif
