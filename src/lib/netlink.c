/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "netlink.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <stdlib.h>

#include "util.h"

/* Every network namespace registers its loopback first, with this index (the kernel's
 * LOOPBACK_IFINDEX), so no name lookup is needed.  */
#define LOOPBACK_IFINDEX 1

/* Room for the request and its acknowledgement (an error echoes the request).  */
#define NETLINK_BUFFER_SIZE 1024

/* An RTM_NEWLINK request for ifindex, in buffer (zeroed here).  silo's own code, not
 * libmnl's: a library mapped by every silo process for one message per container.  */
static struct nlmsghdr *
link_request (char *buffer, int ifindex, unsigned int seq, struct ifinfomsg **link)
{
  struct nlmsghdr *request = (struct nlmsghdr *) buffer;

  memset (buffer, 0, NETLINK_BUFFER_SIZE);
  request->nlmsg_len = NLMSG_LENGTH (sizeof (**link));
  request->nlmsg_type = RTM_NEWLINK;
  request->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  request->nlmsg_seq = seq;
  *link = NLMSG_DATA (request);
  (*link)->ifi_family = AF_UNSPEC;
  (*link)->ifi_index = ifindex;
  return request;
}

/* Append attribute TYPE (LEN bytes of DATA) to the request; the buffer holds the header,
 * an ifinfomsg and the two attributes silo sends (a u32, a name under IFNAMSIZ).  */
static void
put_attribute (struct nlmsghdr *request, unsigned short type, const void *data, size_t len)
{
  struct rtattr *attribute = (struct rtattr *) ((char *) request + NLMSG_ALIGN (request->nlmsg_len));

  if (NLMSG_ALIGN (request->nlmsg_len) + RTA_SPACE (len) > NETLINK_BUFFER_SIZE)
    abort ();
  attribute->rta_type = type;
  attribute->rta_len = (unsigned short) RTA_LENGTH (len);
  memcpy (RTA_DATA (attribute), data, len);
  request->nlmsg_len = NLMSG_ALIGN (request->nlmsg_len) + RTA_ALIGN (attribute->rta_len);
}

/* The kernel's answer to REQUEST: an NLMSG_ERROR whose error is 0 (the acknowledgement) or
 * a negative errno.  Anything else, or from anyone but the kernel, is not an answer.  */
static int
check_acknowledgement (const char *buffer, ssize_t n, const struct sockaddr_nl *from,
                       const struct nlmsghdr *request, const char *what, struct silo_error **err)
{
  const struct nlmsghdr *answer = (const struct nlmsghdr *) buffer;
  const struct nlmsgerr *error = NLMSG_DATA (answer);

  if (from->nl_pid != 0 || n < (ssize_t) NLMSG_LENGTH (sizeof (*error))
      || !NLMSG_OK (answer, (size_t) n) || answer->nlmsg_type != NLMSG_ERROR
      || answer->nlmsg_seq != request->nlmsg_seq)
    return silo_fail (err, EPROTO, "%s: an unexpected netlink answer", what);
  if (error->error != 0)
    return silo_fail (err, -error->error, "%s", what);
  return 0;
}

/* Send one request and wait for its acknowledgement; the error names `what`.  The kernel
 * binds the socket at the first send.  */
static int
transact (struct nlmsghdr *request, char *buffer, size_t size, const char *what,
          struct silo_error **err)
{
  struct sockaddr_nl kernel = { .nl_family = AF_NETLINK }, from;
  socklen_t from_len = sizeof from;
  _cleanup_close_ int fd = socket (AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  ssize_t n;

  if (fd < 0)
    return silo_fail (err, errno, "%s: open a netlink socket", what);
  do
    n = sendto (fd, request, request->nlmsg_len, 0, (struct sockaddr *) &kernel, sizeof kernel);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return silo_fail (err, errno, "%s: send RTM_NEWLINK", what);
  do
    n = recvfrom (fd, buffer, size, 0, (struct sockaddr *) &from, &from_len);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return silo_fail (err, errno, "%s: read the acknowledgement", what);
  return check_acknowledgement (buffer, n, &from, request, what, err);
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
      uint32_t fd = (uint32_t) netns_fd;
      put_attribute (request, IFLA_NET_NS_FD, &fd, sizeof fd);
      if (d->name != NULL && d->name[0] != '\0')
        put_attribute (request, IFLA_IFNAME, d->name, strlen (d->name) + 1);
      if (transact (request, buffer.bytes, sizeof buffer.bytes, what, err) < 0)
        return -1;
    }
  return 0;
}
