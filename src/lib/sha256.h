/* silo: SHA-256 (FIPS 180-4), for keys that must not collide by accident or by design:
 * the compiled seccomp filter cache is keyed by the hash of the profile, and a collision
 * would install another container's filter.
 *
 *   struct silo_sha256 h;
 *   silo_sha256_init (&h);
 *   silo_sha256_update (&h, data, len);    (any number of times)
 *   silo_sha256_final (&h, digest);        (32 bytes)
 *   silo_sha256_hex (digest, text);        (65 bytes: 64 hex digits + NUL)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SILO_SHA256_H
#define SILO_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SILO_SHA256_DIGEST 32

struct silo_sha256
{
  uint32_t state[8];
  uint64_t length;          /* bytes hashed so far */
  unsigned char block[64];
  size_t used;              /* bytes waiting in block */
};

void silo_sha256_init (struct silo_sha256 *h);
void silo_sha256_update (struct silo_sha256 *h, const void *data, size_t len);
void silo_sha256_final (struct silo_sha256 *h, unsigned char digest[SILO_SHA256_DIGEST]);
void silo_sha256_hex (const unsigned char digest[SILO_SHA256_DIGEST], char text[2 * SILO_SHA256_DIGEST + 1]);

#endif
