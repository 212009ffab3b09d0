/* sha256: the FIPS 180-4 example vectors, whole and fed in pieces.  */
#include <stdlib.h>
#include <string.h>

#include "sha256.h"
#include "tap.h"

static void
check (const char *data, size_t len, size_t piece, const char *want, const char *what)
{
  unsigned char digest[SILO_SHA256_DIGEST];
  char hex[2 * SILO_SHA256_DIGEST + 1];
  struct silo_sha256 h;

  silo_sha256_init (&h);
  for (size_t done = 0; done < len; done += piece)
    silo_sha256_update (&h, data + done, len - done < piece ? len - done : piece);
  silo_sha256_final (&h, digest);
  silo_sha256_hex (digest, hex);
  is_str (hex, want, "%s (in pieces of %zu)", what, piece);
}

int
main (void)
{
  const char *two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  char *million = malloc (1000000);

  check ("", 0, 1, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "empty");
  check ("abc", 3, 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "abc");
  check (two_blocks, strlen (two_blocks), 64,
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", "448 bits");
  check (two_blocks, strlen (two_blocks), 7,
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", "448 bits");
  memset (million, 'a', 1000000);
  check (million, 1000000, 1000000,
         "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", "a million a");
  check (million, 1000000, 999,
         "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", "a million a");
  free (million);
  return tap_done ();
}
