/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "netlink.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <time.h>

/* Every network namespace registers its loopback first, with this index (the kernel's
 * LOOPBACK_IFINDEX), so no name lookup is needed.  */
#define LOOPBACK_IFINDEX 1

/* Room for the request and its acknowledgement (an error echoes the request).  */
#define NETLINK_BUFFER_SIZE 1024

static void
mnl_socket_closep (struct mnl_socket **nl)
{
  if (*nl != NULL)
    mnl_socket_close (*nl);
}

int
silo_netlink_loopback_up (struct silo_error **err)
{
  __attribute__ ((cleanup (mnl_socket_closep))) struct mnl_socket *nl = NULL;
  union { struct nlmsghdr header; char bytes[NETLINK_BUFFER_SIZE]; } buffer;
  struct nlmsghdr *request = mnl_nlmsg_put_header (buffer.bytes);
  struct ifinfomsg *link;
  unsigned int seq = (unsigned int) time (NULL);
  ssize_t n;

  request->nlmsg_type = RTM_NEWLINK;
  request->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  request->nlmsg_seq = seq;
  link = mnl_nlmsg_put_extra_header (request, sizeof (*link));
  link->ifi_family = AF_UNSPEC;
  link->ifi_index = LOOPBACK_IFINDEX;
  link->ifi_flags = IFF_UP;
  link->ifi_change = IFF_UP;

  nl = mnl_socket_open2 (NETLINK_ROUTE, SOCK_CLOEXEC);
  if (nl == NULL)
    return silo_fail (err, errno, "bring up lo: open a netlink socket");
  if (mnl_socket_bind (nl, 0, MNL_SOCKET_AUTOPID) < 0)
    return silo_fail (err, errno, "bring up lo: bind the netlink socket");
  if (mnl_socket_sendto (nl, request, request->nlmsg_len) < 0)
    return silo_fail (err, errno, "bring up lo: send RTM_NEWLINK");
  n = mnl_socket_recvfrom (nl, buffer.bytes, sizeof buffer.bytes);
  if (n < 0)
    return silo_fail (err, errno, "bring up lo: read the acknowledgement");
  if (mnl_cb_run (buffer.bytes, (size_t) n, seq, mnl_socket_get_portid (nl), NULL, NULL) < 0)
    return silo_fail (err, errno, "bring up lo");
  return 0;
}
