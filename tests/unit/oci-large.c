/* Unit test: a valid 10 MB config (tens of thousands of mounts, env entries, annotations,
 * sysctls) parses and round-trips.  The time taken is reported, never asserted.  */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "oci.h"
#include "tap.h"
#include "util.h"

#define N_MOUNTS 45000
#define N_ENV 40000
#define N_ANNOTATIONS 20000
#define N_SYSCTL 10000

static char *
build_config (size_t *len)
{
  char *text = NULL;
  FILE *f = open_memstream (&text, len);

  if (f == NULL)
    abort ();
  fputs ("{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":\"rootfs\"},\"process\":{\"cwd\":\"/\","
         "\"args\":[\"/bin/sh\"],\"env\":[", f);
  for (int i = 0; i < N_ENV; i++)
    fprintf (f, "%s\"VARIABLE_%05d=a value of a reasonable length for an environment entry\"",
             i ? "," : "", i);
  fputs ("]},\"mounts\":[", f);
  for (int i = 0; i < N_MOUNTS; i++)
    fprintf (f, "%s{\"destination\":\"/mnt/volume-%05d\",\"type\":\"bind\",\"source\":"
             "\"/srv/volumes/volume-%05d/data\",\"options\":[\"rbind\",\"ro\",\"nosuid\",\"nodev\"]}",
             i ? "," : "", i, i);
  fputs ("],\"annotations\":{", f);
  for (int i = 0; i < N_ANNOTATIONS; i++)
    fprintf (f, "%s\"org.example.annotation-%05d\":\"value %05d\"", i ? "," : "", i, i);
  fputs ("},\"linux\":{\"sysctl\":{", f);
  for (int i = 0; i < N_SYSCTL; i++)
    fprintf (f, "%s\"net.example.key%05d\":\"%d\"", i ? "," : "", i, i);
  fputs ("}}}", f);
  if (fclose (f) != 0)
    abort ();
  return text;
}

static double
seconds_since (const struct timespec *start)
{
  struct timespec now;
  clock_gettime (CLOCK_MONOTONIC, &now);
  return (double) (now.tv_sec - start->tv_sec) + (double) (now.tv_nsec - start->tv_nsec) / 1e9;
}

int
main (void)
{
  size_t len = 0, out_len = 0;
  _cleanup_free_ char *text = build_config (&len), *out = NULL, *again = NULL;
  _cleanup_error_ struct silo_error *err = NULL;
  _cleanup_oci_config_ oci_config *c = NULL, *c2 = NULL;
  struct timespec start;
  double took;

  ok (len > 10 * 1000 * 1000, "the config is over 10 MB (%zu bytes)", len);
  clock_gettime (CLOCK_MONOTONIC, &start);
  ok (oci_config_parse (text, len, &c, &err) == 0, "it parses: %s", err ? err->msg : "ok");
  took = seconds_since (&start);
  printf ("# parsed %.1f MB in %.3f s\n", (double) len / 1e6, took);
  if (c == NULL)
    return tap_done ();
  ok (c->n_mounts == N_MOUNTS && strcmp (c->mounts[N_MOUNTS - 1].destination, "/mnt/volume-44999") == 0
      && c->mounts[N_MOUNTS - 1].n_options == 4, "every mount is there");
  ok (c->process->n_env == N_ENV && c->annotations.len == N_ANNOTATIONS
      && c->linux_->sysctl.len == N_SYSCTL, "every env entry, annotation and sysctl is there");

  clock_gettime (CLOCK_MONOTONIC, &start);
  ok (oci_config_generate (c, &out, &out_len, NULL) == 0 && out_len > 0, "it generates");
  printf ("# generated in %.3f s\n", seconds_since (&start));
  ok (oci_config_parse (out, out_len, &c2, &err) == 0, "the output parses");
  ok (c2 != NULL && oci_config_generate (c2, &again, &out_len, NULL) == 0 && strcmp (out, again) == 0,
      "and generates the same text");
  return tap_done ();
}
