/* silo: the container's terminal (process.terminal) and fd passing.
 *
 * silo_terminal_open_pty: in the child, after /dev/pts is mounted and before pivot_root:
 *   opens <rootfs>/dev/pts/ptmx through silo_open_in_root (no symlink or magic link can
 *   lead outside the rootfs), checks that it is the ptmx device (5:2) of that devpts,
 *   unlocks it and opens the peer with TIOCGPTPEER, so no /dev/pts/N path is looked up
 *   (a path the container could swap).  Both fds are close-on-exec.
 * silo_terminal_setup_slave: in the child: new session, the pty as controlling terminal,
 *   owned by process.user.uid, process.consoleSize when given, and the pty on fds 0, 1
 *   and 2.  relayed (a foreground run or exec, whose terminal silo relays): the size of
 *   the caller's terminal on stdin, when it is one, replaces consoleSize from the start.
 * silo_terminal_send_fd / silo_terminal_recv_fd: one fd over an AF_UNIX socket
 *   (SCM_RIGHTS) with `name` as payload, in one message, as runc's recvtty, conmon and
 *   containerd read it.  The received fd is close-on-exec.
 * silo_terminal_send_to_console_socket: connects to --console-socket (a path longer than
 *   sun_path is reached through its directory's fd) and sends the pty master, named
 *   "/dev/pts/ptmx".
 * silo_terminal_make_raw / silo_terminal_restore: for `run` in the foreground: put silo's
 *   own terminal in raw mode while it relays, and restore it.
 * silo_terminal_copy_size: TIOCGWINSZ on from_fd, TIOCSWINSZ on to_fd (SIGWINCH relay);
 *   returns -1 with errno set.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_TERMINAL_H
#define SILO_TERMINAL_H

#include <termios.h>

#include "error.h"
#include "oci.h"

int silo_terminal_open_pty (int rootfd, int *master, int *slave, struct silo_error **err);
int silo_terminal_setup_slave (int slave, const oci_process *p, bool relayed, struct silo_error **err);
int silo_terminal_send_fd (int sock, int fd, const char *name, struct silo_error **err);
int silo_terminal_recv_fd (int sock, int *fd, struct silo_error **err);
int silo_terminal_send_to_console_socket (const char *socket_path, int master,
                                          struct silo_error **err);
int silo_terminal_make_raw (int fd, struct termios *saved, struct silo_error **err);
void silo_terminal_restore (int fd, const struct termios *saved);
int silo_terminal_copy_size (int from_fd, int to_fd);

#endif
