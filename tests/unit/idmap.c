/* Unit tests: which mounts are ID-mapped, and the checks on idmap/ridmap and on
 * mounts[].uidMappings/gidMappings before anything is made (idmap.h).  Pure logic: no
 * namespace or mount is made here (tests/idmap.bats runs real containers).  */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "idmap.h"
#include "tap.h"

#define N(a) (sizeof (a) / sizeof ((a)[0]))

static const oci_id_mapping one[] = { { 0, 100000, 65536 } };

struct entry
{
  const char *type;
  char **options;
  size_t n_options;
  const oci_id_mapping *uids, *gids;
  size_t n_uids, n_gids;
};

/* validate one mounts[] entry (after a tmpfs at mounts[0], so that it is mounts[1]);
 * NULL when it passes, else the message (caller frees).  */
static char *
check (const struct entry *e, bool userns)
{
  char *tmpfs_options[] = { "nosuid" };
  oci_mount mounts[2] = {
    { .destination = "/tmp", .type = "tmpfs", .source = "tmpfs", .options = tmpfs_options,
      .n_options = 1 },
    { .destination = "/data", .type = (char *) e->type, .source = "/srv", .options = e->options,
      .n_options = e->n_options, .uid_mappings = (oci_id_mapping *) e->uids,
      .n_uid_mappings = e->n_uids, .gid_mappings = (oci_id_mapping *) e->gids,
      .n_gid_mappings = e->n_gids },
  };
  oci_config config = { .mounts = mounts, .n_mounts = 2 };
  struct silo_error *err = NULL;
  char *msg;

  if (silo_idmap_validate (&config, userns, &err) == 0)
    return err == NULL ? NULL : strdup ("(an error was set on success)");
  msg = strdup (err != NULL ? err->msg : "(no message)");
  silo_error_free (err);
  return msg;
}

#define passes(E, USERNS, ...)                                        \
  do {                                                                \
    char *m_ = check (E, USERNS);                                     \
    ok (m_ == NULL, __VA_ARGS__);                                     \
    if (m_ != NULL)                                                   \
      printf ("#   error: %s\n", m_);                                 \
    free (m_);                                                        \
  } while (0)

#define fails(E, USERNS, WANT, ...)                                   \
  do {                                                                \
    char *m_ = check (E, USERNS);                                     \
    ok (m_ != NULL && strstr (m_, WANT) != NULL, __VA_ARGS__);        \
    if (m_ == NULL || strstr (m_, WANT) == NULL)                      \
      printf ("#   got:  %s\n#   want: ...%s...\n", m_ ? m_ : "(passed)", WANT); \
    free (m_);                                                        \
  } while (0)

static void
test_wanted (void)
{
  char *idmap[] = { "bind", "idmap" };
  oci_mount plain = { .destination = "/d" }, mapped = { .destination = "/d", .uid_mappings = (oci_id_mapping *) one,
                                                        .n_uid_mappings = 1 };
  struct silo_mount_options none = { 0 }, o = { 0 };

  ok (!silo_idmap_wanted (&plain, &none), "a plain mount is not ID-mapped");
  ok (silo_mount_options_parse (idmap, N (idmap), &o, NULL) == 0 && silo_idmap_wanted (&plain, &o),
      "the idmap option asks for it");
  ok (silo_idmap_wanted (&mapped, &none), "mappings alone ask for it");
  silo_mount_options_release (&o);
}

static void
test_when_allowed (void)
{
  char *bind[] = { "bind" }, *idmap[] = { "bind", "idmap" }, *ridmap[] = { "rbind", "ridmap" };
  char *nothing[] = { "ro" };
  struct entry e;

  e = (struct entry) { "bind", idmap, N (idmap) };
  passes (&e, true, "idmap with the container's user namespace");
  fails (&e, false, "mounts[1].options: \"idmap\" without uidMappings and gidMappings",
         "idmap without mappings nor a user namespace");
  e = (struct entry) { "none", ridmap, N (ridmap) };
  fails (&e, false, "\"ridmap\" without", "ridmap: the error names the option given");
  e = (struct entry) { "none", bind, N (bind), one, one, 1, 1 };
  passes (&e, false, "mappings of its own need no user namespace, nor the option");
  e = (struct entry) { "bind", nothing, N (nothing), one, one, 1, 1 };
  passes (&e, false, "type bind without the bind option is a bind");
  e = (struct entry) { "tmpfs", nothing, N (nothing), one, one, 1, 1 };
  fails (&e, true, "mounts[1].uidMappings: only bind mounts can be ID-mapped, and this is a tmpfs "
         "mount", "mappings on a tmpfs are refused, by field");
  e = (struct entry) { "tmpfs", idmap + 1, 1 };
  fails (&e, true, "mounts[1].options: only bind mounts", "idmap on a tmpfs: the options field");
}

static void
test_pairs_and_remount (void)
{
  char *bind[] = { "bind" }, *remount[] = { "bind", "remount", "idmap" };
  struct entry e;

  e = (struct entry) { "bind", bind, 1, one, NULL, 1, 0 };
  fails (&e, true, "mounts[1].gidMappings: required together with uidMappings", "uidMappings alone");
  e = (struct entry) { "bind", bind, 1, NULL, one, 0, 1 };
  fails (&e, true, "mounts[1].uidMappings: required together with gidMappings", "gidMappings alone");
  e = (struct entry) { "bind", remount, N (remount) };
  fails (&e, true, "mounts[1].options: \"remount\" cannot be ID-mapped", "remount");
}

static void
test_ranges (void)
{
  char *bind[] = { "bind" };
  static const oci_id_mapping empty[] = { { 0, 100000, 0 } };
  static const oci_id_mapping all[] = { { 0, 0, UINT32_MAX } };
  static const oci_id_mapping last[] = { { 1, 0, UINT32_MAX - 1 } };
  static const oci_id_mapping past_c[] = { { 1, 0, UINT32_MAX } };
  static const oci_id_mapping past_h[] = { { 0, UINT32_MAX - 10, 11 } };
  static const oci_id_mapping two[] = { { 0, 100000, 1000 }, { 1000, 200000, 1000 } };
  static const oci_id_mapping same_c[] = { { 0, 100000, 1000 }, { 999, 200000, 1000 } };
  static const oci_id_mapping same_h[] = { { 0, 100000, 1000 }, { 5000, 100999, 1 } };
  oci_id_mapping *many = calloc (SILO_IDMAP_MAX_RANGES + 1, sizeof (*many));
  struct entry e;

  e = (struct entry) { "bind", bind, 1, empty, one, 1, 1 };
  fails (&e, true, "mounts[1].uidMappings[0].size: must be at least 1", "size 0");
  e = (struct entry) { "bind", bind, 1, one, all, 1, 1 };
  passes (&e, true, "a range of every id but (uid_t) -1");
  e = (struct entry) { "bind", bind, 1, last, last, 1, 1 };
  passes (&e, true, "a range that ends on the last id, 4294967294");
  e = (struct entry) { "bind", bind, 1, one, past_c, 1, 1 };
  fails (&e, true, "mounts[1].gidMappings[0]: containerID 1 + size 4294967295 goes past",
         "a containerID range that reaches (uid_t) -1");
  e = (struct entry) { "bind", bind, 1, past_h, one, 1, 1 };
  fails (&e, true, "mounts[1].uidMappings[0]: hostID 4294967285 + size 11 goes past", "a hostID range past it");
  e = (struct entry) { "bind", bind, 1, two, two, 2, 2 };
  passes (&e, true, "adjacent ranges");
  e = (struct entry) { "bind", bind, 1, same_c, one, 2, 1 };
  fails (&e, true, "mounts[1].uidMappings[1]: its containerID range overlaps that of uidMappings[0]",
         "overlapping containerID ranges");
  e = (struct entry) { "bind", bind, 1, one, same_h, 1, 2 };
  fails (&e, true, "mounts[1].gidMappings[1]: its hostID range overlaps that of gidMappings[0]",
         "overlapping hostID ranges");
  for (size_t k = 0; k <= SILO_IDMAP_MAX_RANGES; k++)
    many[k] = (oci_id_mapping) { (uint32_t) k, 100000 + (uint32_t) k, 1 };
  e = (struct entry) { "bind", bind, 1, many, many, SILO_IDMAP_MAX_RANGES, SILO_IDMAP_MAX_RANGES };
  passes (&e, true, "%d ranges", SILO_IDMAP_MAX_RANGES);
  e.n_uids = SILO_IDMAP_MAX_RANGES + 1;
  fails (&e, true, "mounts[1].uidMappings: 341 ranges, the kernel takes at most 340", "341 ranges");
  free (many);
}

int
main (void)
{
  test_wanted ();
  test_when_allowed ();
  test_pairs_and_remount ();
  test_ranges ();
  return tap_done ();
}
