/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "netlink.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "util.h"

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

/* An RTM_NEWLINK request for ifindex, in buffer.  */
static struct nlmsghdr *
link_request (char *buffer, int ifindex, unsigned int seq, struct ifinfomsg **link)
{
  struct nlmsghdr *request = mnl_nlmsg_put_header (buffer);

  request->nlmsg_type = RTM_NEWLINK;
  request->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  request->nlmsg_seq = seq;
  *link = mnl_nlmsg_put_extra_header (request, sizeof (**link));
  (*link)->ifi_family = AF_UNSPEC;
  (*link)->ifi_index = ifindex;
  return request;
}

/* Send one request and wait for its acknowledgement; the error names `what`.  */
static int
transact (struct nlmsghdr *request, char *buffer, size_t size, const char *what,
          struct silo_error **err)
{
  __attribute__ ((cleanup (mnl_socket_closep))) struct mnl_socket *nl = NULL;
  ssize_t n;

  nl = mnl_socket_open2 (NETLINK_ROUTE, SOCK_CLOEXEC);
  if (nl == NULL)
    return silo_fail (err, errno, "%s: open a netlink socket", what);
  if (mnl_socket_bind (nl, 0, MNL_SOCKET_AUTOPID) < 0)
    return silo_fail (err, errno, "%s: bind the netlink socket", what);
  if (mnl_socket_sendto (nl, request, request->nlmsg_len) < 0)
    return silo_fail (err, errno, "%s: send RTM_NEWLINK", what);
  n = mnl_socket_recvfrom (nl, buffer, size);
  if (n < 0)
    return silo_fail (err, errno, "%s: read the acknowledgement", what);
  if (mnl_cb_run (buffer, (size_t) n, request->nlmsg_seq, mnl_socket_get_portid (nl), NULL, NULL) < 0)
    return silo_fail (err, errno, "%s", what);
  return 0;
}

int
silo_netlink_loopback_up (struct silo_error **err)
{
  union { struct nlmsghdr header; char bytes[NETLINK_BUFFER_SIZE]; } buffer;
  struct ifinfomsg *link;
  struct nlmsghdr *request = link_request (buffer.bytes, LOOPBACK_IFINDEX, (unsigned int) time (NULL), &link);

  link->ifi_flags = IFF_UP;
  link->ifi_change = IFF_UP;
  return transact (request, buffer.bytes, sizeof buffer.bytes, "bring up lo", err);
}

static bool
valid_interface_name (const char *name)
{
  return name != NULL && name[0] != '\0' && strlen (name) < IFNAMSIZ && strcmp (name, ".") != 0
         && strcmp (name, "..") != 0 && strpbrk (name, "/: \t\n") == NULL;
}

int
silo_netlink_validate_devices (const oci_linux *l, bool own_netns, struct silo_error **err)
{
  for (size_t i = 0; l != NULL && i < l->n_net_devices; i++)
    {
      const oci_net_device *d = &l->net_devices[i];
      const char *name = d->name != NULL && d->name[0] != '\0' ? d->name : d->key;

      if (!own_netns)
        return silo_fail (err, EINVAL, "linux.netDevices: needs a network namespace of the "
                          "container's (a `network` entry in linux.namespaces)");
      if (!valid_interface_name (d->key))
        return silo_fail (err, EINVAL, "linux.netDevices: `%s` is not a network interface name", d->key);
      if (!valid_interface_name (name))
        return silo_fail (err, EINVAL, "linux.netDevices.%s.name: `%s` is not a network interface "
                          "name (at most %d bytes, no '/', ':' or spaces)", d->key, name, IFNAMSIZ - 1);
      if (if_nametoindex (d->key) == 0)
        return silo_fail (err, ENODEV, "linux.netDevices: the host has no network device `%s`", d->key);
      for (size_t j = 0; j < i; j++)
        {
          const oci_net_device *o = &l->net_devices[j];
          if (strcmp (o->name != NULL && o->name[0] != '\0' ? o->name : o->key, name) == 0)
            return silo_fail (err, EINVAL, "linux.netDevices: `%s` and `%s` would both be `%s` in "
                              "the container", o->key, d->key, name);
        }
    }
  return 0;
}

int
silo_netlink_move_devices (const oci_linux *l, int netns_fd, struct silo_error **err)
{
  for (size_t i = 0; l != NULL && i < l->n_net_devices; i++)
    {
      const oci_net_device *d = &l->net_devices[i];
      union { struct nlmsghdr header; char bytes[NETLINK_BUFFER_SIZE]; } buffer;
      struct ifinfomsg *link;
      _cleanup_free_ char *what = xasprintf ("linux.netDevices: move `%s` into the container", d->key);
      int ifindex = (int) if_nametoindex (d->key);
      struct nlmsghdr *request;

      if (ifindex == 0)
        return silo_fail (err, errno, "linux.netDevices: the host has no network device `%s`", d->key);
      request = link_request (buffer.bytes, ifindex, (unsigned int) time (NULL) + (unsigned) i, &link);
      /* One request: the kernel moves and renames at once, so the name never clashes with
       * one in either namespace half-way.  */
      mnl_attr_put_u32 (request, IFLA_NET_NS_FD, (uint32_t) netns_fd);
      if (d->name != NULL && d->name[0] != '\0')
        mnl_attr_put_strz (request, IFLA_IFNAME, d->name);
      if (transact (request, buffer.bytes, sizeof buffer.bytes, what, err) < 0)
        return -1;
    }
  return 0;
}
