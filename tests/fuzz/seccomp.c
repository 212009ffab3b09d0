/* libFuzzer target: linux.seccomp, validated and compiled into a BPF program that is never
 * loaded.
 *
 * The input is the linux.seccomp object ({"defaultAction": ..., "syscalls": [...]}); the
 * target puts it into a minimal config.json, so that it is parsed as `create` parses it.
 * A profile silo_seccomp_validate accepts is compiled without a cache, as `create`
 * would, and the program must be one the kernel would take: 1 to BPF_MAXINSNS
 * instructions, every jump inside the program, loads only of aligned words of struct
 * seccomp_data, and a return at the end (the checks of the kernel's seccomp_check_filter
 * that a program made of loads, jumps and returns can fail).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "fuzz.h"

#include <linux/filter.h>
#include <linux/seccomp.h>

#include "oci.h"
#include "seccomp.h"

#define CONFIG_HEAD "{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":\"rootfs\"},\"linux\":{\"seccomp\":"
#define CONFIG_TAIL "}}"

/* Instruction i of the program: where its jumps land must be inside the program.  */
static void
check_instruction (const struct sock_filter *code, size_t len, size_t i)
{
  const struct sock_filter *f = &code[i];
  size_t next = i + 1;

  switch (BPF_CLASS (f->code))
    {
    case BPF_LD:
      if (f->code == (BPF_LD | BPF_W | BPF_ABS)
          && (f->k % 4 != 0 || f->k >= sizeof (struct seccomp_data)))
        fuzz_fail ("seccomp: instruction %zu loads offset %u of seccomp_data", i, f->k);
      return;
    case BPF_JMP:
      if (BPF_OP (f->code) == BPF_JA ? next + f->k >= len
                                     : next + f->jt >= len || next + f->jf >= len)
        fuzz_fail ("seccomp: instruction %zu of %zu jumps past the end", i, len);
      return;
    }
}

static void
check_program (const struct silo_seccomp_filter *f)
{
  if (f->code == NULL || f->len == 0 || f->len > BPF_MAXINSNS)
    fuzz_fail ("seccomp: a compiled profile gave a program of %u instructions", f->len);
  for (size_t i = 0; i < f->len; i++)
    check_instruction (f->code, f->len, i);
  if (BPF_CLASS (f->code[f->len - 1].code) != BPF_RET)
    fuzz_fail ("seccomp: the program does not end with a return");
}

static void
compile (const oci_seccomp *s)
{
  _cleanup_error_ struct silo_error *err = NULL;
  struct silo_seccomp_filter filter;

  if (silo_seccomp_validate (s, &err) < 0)
    return;
  (void) silo_seccomp_uses_notify (s);
  if (silo_seccomp_compile (s, NULL, &filter, &err) < 0)
    return;
  check_program (&filter);
  silo_seccomp_filter_release (&filter);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  _cleanup_error_ struct silo_error *err = NULL;
  _cleanup_oci_config_ oci_config *c = NULL;
  size_t head = strlen (CONFIG_HEAD), tail = strlen (CONFIG_TAIL);
  _cleanup_free_ char *json = xmalloc0 (head + size + tail + 1);

  memcpy (json, CONFIG_HEAD, head);
  memcpy (json + head, data, size);
  memcpy (json + head + size, CONFIG_TAIL, tail);
  if (oci_config_parse (json, head + size + tail, &c, &err) < 0)
    return 0;
  if (c->linux_ != NULL && c->linux_->seccomp != NULL)
    compile (c->linux_->seccomp);
  return 0;
}
