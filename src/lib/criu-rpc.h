/* silo: one request to CRIU over its RPC (rpc.proto), the way `criu swrk` takes it.
 *
 * The exchange, as CRIU's service implements it:
 *   1. silo makes a SOCK_SEQPACKET socketpair and runs `criu swrk FD` (the criu program
 *      in PATH) as its child with one end as FD; every fd silo has without O_CLOEXEC is
 *      inherited (an InheritFd's fd is a number in criu's table, so in silo's too);
 *   2. silo sends one CriuReq (DUMP, PRE_DUMP, RESTORE, FEATURE_CHECK); fds CRIU reads by
 *      number (images_dir_fd, work_dir_fd) it opens as /proc/PEER/fd/N, PEER being silo
 *      (the socket's peer credentials);
 *   3. CRIU answers with CriuResp messages: a NOTIFY for each of its action scripts (with
 *      notify_scripts) that silo acknowledges with a CriuReq NOTIFY (notify_success)
 *      before CRIU goes on; "orphan-pts-master" carries the restored terminal's master as
 *      SCM_RIGHTS; "status-ready" says that a lazy dump's page server is listening;
 *   4. the last message has the request's type and `success`; criu swrk then exits.  On
 *      RESTORE with rst_sibling, the restored init is forked as silo's child (a sibling of
 *      criu swrk), its pid in the answer.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_CRIU_RPC_H
#define SILO_CRIU_RPC_H

#include "criu-library.h"
#include "error.h"

struct silo_criu_call
{
  int status_fd;        /* in: gets one '\0' at "status-ready", then is closed; or -1 */
  int pty_master;       /* out: what "orphan-pts-master" carried, or -1 */
};

/* Send req to a new `criu swrk` and answer its notifications until its last message,
 * *resp (free it with CRIU (criu_resp__free_unpacked)); criu swrk has exited then.
 * Fails when criu cannot be run or ends without an answer.  The caller checks
 * (*resp)->success.  */
int silo_criu_rpc_call (const CriuReq *req, struct silo_criu_call *call, CriuResp **resp,
                        struct silo_error **err);

#endif
