/* effective-uid: print "Effective uid: N" and exit; installed set-user-ID root in the
 * stand-in for critest's nonewprivs image (tests/engines/critest.sh): with
 * no_new_privs the exec keeps the caller's uid, without it the program runs as root.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <unistd.h>

int
main (void)
{
  printf ("Effective uid: %u\n", (unsigned) geteuid ());
  return 0;
}
