/* Unit tests: every class of bad config.json is rejected, with the JSON path of the
 * offending property in the message; malformed documents fail cleanly.  */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oci.h"
#include "tap.h"
#include "util.h"

/* A valid document with `x` added at the top level.  */
#define DOC(x) "{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":\"r\"}," x "}"
#define PROCESS(x) DOC ("\"process\":{\"cwd\":\"/\",\"args\":[\"sh\"]," x "}")
#define LINUX(x) DOC ("\"linux\":{" x "}")
#define RESOURCES(x) LINUX ("\"resources\":{" x "}")
#define SECCOMP(x) LINUX ("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\"," x "}")

struct bad_case
{
  const char *json;
  const char *message;
};

static const struct bad_case type_errors[] = {
  { RESOURCES ("\"memory\":{\"limit\":\"1\"}"),
    "linux.resources.memory.limit: expected an integer, got a string" },
  { RESOURCES ("\"memory\":{\"limit\":1.5}"), "linux.resources.memory.limit: expected an integer, got 1.5" },
  { RESOURCES ("\"memory\":{\"limit\":1e3}"), "linux.resources.memory.limit: expected an integer, got 1e3" },
  { PROCESS ("\"terminal\":\"yes\""), "process.terminal: expected a boolean, got a string" },
  { DOC ("\"hostname\":5"), "hostname: expected a string, got a number" },
  { DOC ("\"mounts\":{}"), "mounts: expected an array of objects, got an object" },
  { DOC ("\"mounts\":[{\"destination\":\"/a\"},\"/b\"]"), "mounts[1]: expected an object, got a string" },
  { DOC ("\"mounts\":[{\"destination\":\"/a\"},{\"destination\":\"/b\"},{\"destination\":7}]"),
    "mounts[2].destination: expected a string, got a number" },
  { PROCESS ("\"env\":[\"A=1\",2]"), "process.env[1]: expected a string, got a number" },
  { PROCESS ("\"env\":\"A=1\""), "process.env: expected an array of strings, got a string" },
  { DOC ("\"annotations\":{\"a\":1}"), "annotations.a: expected a string, got a number" },
  { LINUX ("\"sysctl\":{\"net.ipv4.ip_forward\":1}"),
    "linux.sysctl.net.ipv4.ip_forward: expected a string, got a number" },
  { "{\"ociVersion\":\"1.3.0\",\"root\":[]}", "root: expected an object, got an array" },
  { DOC ("\"linux\":true"), "linux: expected an object, got a boolean" },
  { PROCESS ("\"user\":{\"additionalGids\":[1,\"2\"]}"),
    "process.user.additionalGids[1]: expected an integer, got a string" },
  { LINUX ("\"namespaces\":[{\"type\":5}]"), "linux.namespaces[0].type: expected a string, got a number" },
  { DOC ("\"hostname\":\"a\\u0000b\""), "hostname: contains a NUL byte" },
};

static const struct bad_case range_errors[] = {
  { PROCESS ("\"user\":{\"uid\":-1}"), "process.user.uid: -1 is out of range (0 to 4294967295)" },
  { PROCESS ("\"user\":{\"gid\":1099511627776}"),
    "process.user.gid: 1099511627776 is out of range (0 to 4294967295)" },
  { PROCESS ("\"user\":{\"additionalGids\":[1,-5]}"),
    "process.user.additionalGids[1]: -5 is out of range (0 to 4294967295)" },
  { PROCESS ("\"oomScoreAdj\":1001"), "process.oomScoreAdj: 1001 is out of range (-1000 to 1000)" },
  { PROCESS ("\"oomScoreAdj\":-1001"), "process.oomScoreAdj: -1001 is out of range (-1000 to 1000)" },
  { PROCESS ("\"consoleSize\":{\"height\":-1,\"width\":80}"),
    "process.consoleSize.height: -1 is out of range (0 to 4294967295)" },
  { PROCESS ("\"rlimits\":[{\"type\":\"RLIMIT_CORE\",\"soft\":18446744073709551616,\"hard\":1}]"),
    "process.rlimits[0].soft: 18446744073709551616 is out of range (0 to 18446744073709551615)" },
  { PROCESS ("\"rlimits\":[{\"type\":\"RLIMIT_CORE\",\"soft\":2,\"hard\":1}]"),
    "process.rlimits[0]: soft limit 2 is above hard limit 1" },
  { PROCESS ("\"ioPriority\":{\"class\":\"IOPRIO_CLASS_BE\",\"priority\":8}"),
    "process.ioPriority.priority: 8 is out of range (0 to 7)" },
  { PROCESS ("\"scheduler\":{\"policy\":\"SCHED_RR\",\"nice\":2147483648}"),
    "process.scheduler.nice: 2147483648 is out of range (-2147483648 to 2147483647)" },
  { RESOURCES ("\"memory\":{\"swappiness\":101}"),
    "linux.resources.memory.swappiness: 101 is out of range (0 to 100)" },
  { RESOURCES ("\"memory\":{\"limit\":-2}"),
    "linux.resources.memory.limit: -2 is out of range (-1 to 9223372036854775807)" },
  { RESOURCES ("\"memory\":{\"limit\":9223372036854775808}"),
    "linux.resources.memory.limit: 9223372036854775808 is out of range (-1 to 9223372036854775807)" },
  { RESOURCES ("\"memory\":{\"limit\":1000,\"swap\":999}"),
    "linux.resources.memory.swap: 999 is below the memory limit 1000: swap counts memory+swap; "
    "give at least the memory limit, or -1 for no swap limit" },
  { RESOURCES ("\"cpu\":{\"quota\":1000,\"burst\":1001}"),
    "linux.resources.cpu.burst: 1001 is larger than quota 1000" },
  { RESOURCES ("\"blockIO\":{\"weight\":9}"), "linux.resources.blockIO.weight: 9 is out of range (10 to 1000)" },
  { RESOURCES ("\"blockIO\":{\"leafWeight\":1001}"),
    "linux.resources.blockIO.leafWeight: 1001 is out of range (10 to 1000)" },
  { RESOURCES ("\"blockIO\":{\"weightDevice\":[{\"major\":8,\"minor\":0,\"weight\":5}]}"),
    "linux.resources.blockIO.weightDevice[0].weight: 5 is out of range (10 to 1000)" },
  { RESOURCES ("\"pids\":{\"limit\":-9223372036854775809}"),
    "linux.resources.pids.limit: -9223372036854775809 is out of range (-1 to 9223372036854775807)" },
  { LINUX ("\"timeOffsets\":{\"monotonic\":{\"secs\":-9223372036854775809}}"),
    "linux.timeOffsets.monotonic.secs: -9223372036854775809 is out of range "
    "(-9223372036854775808 to 9223372036854775807)" },
  { LINUX ("\"timeOffsets\":{\"boottime\":{\"nanosecs\":1000000000}}"),
    "linux.timeOffsets.boottime.nanosecs: 1000000000 is out of range (0 to 999999999)" },
  { LINUX ("\"uidMappings\":[{\"containerID\":0,\"hostID\":0,\"size\":4294967296}]"),
    "linux.uidMappings[0].size: 4294967296 is out of range (0 to 4294967295)" },
  { LINUX ("\"devices\":[{\"type\":\"c\",\"path\":\"/dev/x\",\"major\":1,\"minor\":1,\"fileMode\":65536}]"),
    "linux.devices[0].fileMode: 65536 is out of range (0 to 65535)" },
  { DOC ("\"hooks\":{\"poststart\":[{\"path\":\"/x\",\"timeout\":0}]}"),
    "hooks.poststart[0].timeout: 0 is out of range (1 to 2147483647)" },
  { SECCOMP ("\"syscalls\":[{\"names\":[\"a\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":-1}]"),
    "linux.seccomp.syscalls[0].errnoRet: -1 is out of range (0 to 4294967295)" },
};

static const struct bad_case enum_errors[] = {
  { LINUX ("\"namespaces\":[{\"type\":\"foo\"}]"),
    "linux.namespaces[0].type: unknown namespace type `foo` (expected one of: pid, network, "
    "mount, ipc, uts, user, cgroup, time)" },
  { LINUX ("\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"uts\"},{\"type\":\"pid\",\"path\":\"/p\"}]"),
    "linux.namespaces[2].type: namespace type `pid` listed twice" },
  { LINUX ("\"rootfsPropagation\":\"rbogus\""),
    "linux.rootfsPropagation: unknown propagation `rbogus` (expected one of: shared, slave, "
    "private, unbindable, rshared, rslave, rprivate, runbindable)" },
  { LINUX ("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_FOO\"}"),
    "linux.seccomp.defaultAction: unknown seccomp action `SCMP_ACT_FOO` (expected one of: "
    "SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP, SCMP_ACT_ERRNO, "
    "SCMP_ACT_TRACE, SCMP_ACT_ALLOW, SCMP_ACT_LOG, SCMP_ACT_NOTIFY)" },
  { SECCOMP ("\"syscalls\":[{\"names\":[\"a\"],\"action\":\"SCMP_ACT_ALLOW\"},"
             "{\"names\":[\"b\"],\"action\":\"ALLOW\"}]"),
    "linux.seccomp.syscalls[1].action: unknown seccomp action `ALLOW`" },
  { SECCOMP ("\"syscalls\":[{\"names\":[\"a\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":"
             "[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_XX\"}]}]"),
    "linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator `SCMP_CMP_XX`" },
  { SECCOMP ("\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_VAX\"]"),
    "linux.seccomp.architectures[1]: unknown seccomp architecture `SCMP_ARCH_VAX`" },
  { SECCOMP ("\"flags\":[\"SECCOMP_FILTER_FLAG_NEW_LISTENER\"]"),
    "linux.seccomp.flags[0]: unknown seccomp flag `SECCOMP_FILTER_FLAG_NEW_LISTENER`" },
  { PROCESS ("\"rlimits\":[{\"type\":\"RLIMIT_FOO\",\"soft\":1,\"hard\":1}]"),
    "process.rlimits[0].type: unknown rlimit type `RLIMIT_FOO`" },
  { PROCESS ("\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":1,\"hard\":1},"
             "{\"type\":\"RLIMIT_CORE\",\"soft\":1,\"hard\":1},"
             "{\"type\":\"RLIMIT_NOFILE\",\"soft\":2,\"hard\":2}]"),
    "process.rlimits[2].type: RLIMIT_NOFILE listed twice" },
  { LINUX ("\"devices\":[{\"type\":\"x\",\"path\":\"/dev/x\"}]"),
    "linux.devices[0].type: unknown device type `x` (expected one of: c, b, u, p)" },
  { RESOURCES ("\"devices\":[{\"allow\":true,\"type\":\"p\"}]"),
    "linux.resources.devices[0].type: unknown device type `p` (expected one of: a, c, b)" },
  { RESOURCES ("\"devices\":[{\"allow\":true,\"access\":\"rwx\"}]"),
    "linux.resources.devices[0].access: must be made of r, w and m, got `rwx`" },
  { PROCESS ("\"ioPriority\":{\"class\":\"IOPRIO_CLASS_NONE\"}"),
    "process.ioPriority.class: unknown I/O priority class `IOPRIO_CLASS_NONE`" },
  { PROCESS ("\"scheduler\":{\"policy\":\"SCHED_NORMAL\"}"),
    "process.scheduler.policy: unknown scheduler policy `SCHED_NORMAL`" },
  { PROCESS ("\"scheduler\":{\"policy\":\"SCHED_RR\",\"flags\":[\"SCHED_FLAG_X\"]}"),
    "process.scheduler.flags[0]: unknown scheduler flag `SCHED_FLAG_X`" },
  { LINUX ("\"memoryPolicy\":{\"mode\":\"MPOL_X\"}"),
    "linux.memoryPolicy.mode: unknown memory policy mode `MPOL_X`" },
  { LINUX ("\"memoryPolicy\":{\"mode\":\"MPOL_BIND\",\"flags\":[\"MPOL_F_X\"]}"),
    "linux.memoryPolicy.flags[0]: unknown memory policy flag `MPOL_F_X`" },
  { LINUX ("\"personality\":{\"domain\":\"LINUX64\"}"),
    "linux.personality.domain: unknown personality domain `LINUX64` (expected one of: LINUX, LINUX32)" },
  { LINUX ("\"personality\":{\"domain\":\"LINUX\",\"flags\":[\"ADDR_NO_RANDOMIZE\"]}"),
    "linux.personality.flags[0]: unknown personality flag `ADDR_NO_RANDOMIZE`" },
  { PROCESS ("\"capabilities\":{\"bounding\":[\"CAP_CHOWN\",\"CAP_KILL\",\"CAP_SYS_ADMIN\",\"CAP_TEST\"]}"),
    "process.capabilities.bounding[3]: unknown capability CAP_TEST" },
  { PROCESS ("\"capabilities\":{\"ambient\":[\"cap_chown\"]}"),
    "process.capabilities.ambient[0]: unknown capability cap_chown" },
};

static const struct bad_case missing_errors[] = {
  { "{\"root\":{\"path\":\"r\"}}", "ociVersion: required property is missing" },
  { "{\"ociVersion\":\"1.3.0\"}", "root: required property is missing" },
  { "{\"ociVersion\":\"1.3.0\",\"root\":{\"readonly\":true}}", "root.path: required property is missing" },
  { "{\"ociVersion\":\"1.3.0\",\"root\":null}", "root: required property is missing" },
  { DOC ("\"mounts\":[{\"destination\":\"/a\"},{\"destination\":\"/b\"},{\"source\":\"/c\"}]"),
    "mounts[2].destination: required property is missing" },
  { DOC ("\"mounts\":[{\"destination\":\"\"}]"), "mounts[0].destination: must not be empty" },
  { DOC ("\"process\":{\"args\":[\"sh\"]}"), "process.cwd: required property is missing" },
  { DOC ("\"process\":{\"cwd\":\"/\"}"), "process.args: required property is missing" },
  { DOC ("\"process\":{\"cwd\":\"/\",\"args\":[]}"), "process.args: must name at least the program to run" },
  { PROCESS ("\"consoleSize\":{\"height\":1}"), "process.consoleSize.width: required property is missing" },
  { PROCESS ("\"rlimits\":[{\"type\":\"RLIMIT_CORE\",\"hard\":1}]"),
    "process.rlimits[0].soft: required property is missing" },
  { PROCESS ("\"scheduler\":{\"nice\":1}"), "process.scheduler.policy: required property is missing" },
  { PROCESS ("\"ioPriority\":{\"priority\":1}"), "process.ioPriority.class: required property is missing" },
  { DOC ("\"hooks\":{\"poststop\":[{\"args\":[\"x\"]}]}"), "hooks.poststop[0].path: required property is missing" },
  { LINUX ("\"namespaces\":[{\"path\":\"/proc/1/ns/pid\"}]"), "linux.namespaces[0].type: required property is missing" },
  { LINUX ("\"devices\":[{\"type\":\"c\"}]"), "linux.devices[0].path: required property is missing" },
  { LINUX ("\"devices\":[{\"path\":\"/dev/x\"}]"), "linux.devices[0].type: required property is missing" },
  { LINUX ("\"devices\":[{\"type\":\"c\",\"path\":\"/dev/x\",\"minor\":1}]"),
    "linux.devices[0].major: required for device type `c`" },
  { LINUX ("\"gidMappings\":[{\"containerID\":0,\"hostID\":0}]"), "linux.gidMappings[0].size: required property is missing" },
  { LINUX ("\"seccomp\":{\"syscalls\":[]}"), "linux.seccomp.defaultAction: required property is missing" },
  { SECCOMP ("\"syscalls\":[{\"action\":\"SCMP_ACT_ALLOW\"}]"), "linux.seccomp.syscalls[0].names: required property is missing" },
  { SECCOMP ("\"syscalls\":[{\"names\":[],\"action\":\"SCMP_ACT_ALLOW\"}]"),
    "linux.seccomp.syscalls[0].names: must list at least one system call" },
  { SECCOMP ("\"syscalls\":[{\"names\":[\"a\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":1}]}]"),
    "linux.seccomp.syscalls[0].args[0].op: required property is missing" },
  { RESOURCES ("\"pids\":{}"), "linux.resources.pids.limit: required property is missing" },
  { RESOURCES ("\"devices\":[{\"access\":\"r\"}]"), "linux.resources.devices[0].allow: required property is missing" },
  { RESOURCES ("\"hugepageLimits\":[{\"limit\":1}]"), "linux.resources.hugepageLimits[0].pageSize: required property is missing" },
  { RESOURCES ("\"rdma\":{\"mlx5_1\":{}}"), "linux.resources.rdma.mlx5_1: needs hcaHandles or hcaObjects" },
  { RESOURCES ("\"blockIO\":{\"weightDevice\":[{\"major\":8,\"minor\":0}]}"),
    "linux.resources.blockIO.weightDevice[0]: needs weight or leafWeight" },
  { RESOURCES ("\"blockIO\":{\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0}]}"),
    "linux.resources.blockIO.throttleReadBpsDevice[0].rate: required property is missing" },
  { RESOURCES ("\"network\":{\"priorities\":[{\"name\":\"eth0\"}]}"),
    "linux.resources.network.priorities[0].priority: required property is missing" },
  { LINUX ("\"memoryPolicy\":{\"nodes\":\"0\"}"), "linux.memoryPolicy.mode: required property is missing" },
  { LINUX ("\"personality\":{}"), "linux.personality.domain: required property is missing" },
};

static const struct bad_case format_errors[] = {
  { DOC ("\"hostname\":\"" "0123456789012345678901234567890123456789012345678901234567890123"
         "4\""), "hostname: 65 bytes long: the kernel takes at most 64" },
  { DOC ("\"domainname\":\"" "0123456789012345678901234567890123456789012345678901234567890123"
         "4\""), "domainname: 65 bytes long: the kernel takes at most 64" },
  { "{\"ociVersion\":\"banana\",\"root\":{\"path\":\"r\"}}",
    "ociVersion: `banana` is not a version (MAJOR.MINOR.PATCH, semver.org)" },
  { "{\"ociVersion\":\"1.02.0\",\"root\":{\"path\":\"r\"}}",
    "ociVersion: `1.02.0` is not a version (MAJOR.MINOR.PATCH, semver.org)" },
  { "{\"ociVersion\":\"1.0.0-\",\"root\":{\"path\":\"r\"}}",
    "ociVersion: `1.0.0-` is not a version (MAJOR.MINOR.PATCH, semver.org)" },
  { "{\"ociVersion\":\"2.0.0\",\"root\":{\"path\":\"r\"}}",
    "ociVersion: `2.0.0`: silo implements runtime-spec 1.0.0 to 1.3.0" },
  { "{\"ociVersion\":\"1.4.0\",\"root\":{\"path\":\"r\"}}",
    "ociVersion: `1.4.0`: silo implements runtime-spec 1.0.0 to 1.3.0" },
  { DOC ("\"process\":{\"cwd\":\"tmp\",\"args\":[\"sh\"]}"),
    "process.cwd: must be an absolute path, got `tmp`" },
  { PROCESS ("\"env\":[\"A=1\",\"NOEQUALS\"]"), "process.env[1]: must be NAME=VALUE, got `NOEQUALS`" },
  { PROCESS ("\"env\":[\"=x\"]"), "process.env[0]: must be NAME=VALUE, got `=x`" },
  { PROCESS ("\"execCPUAffinity\":{\"initial\":\"all\"}"),
    "process.execCPUAffinity.initial: must be a CPU list such as `0-3,7`, got `all`" },
  { DOC ("\"hooks\":{\"prestart\":[{\"path\":\"hook.sh\"}]}"),
    "hooks.prestart[0].path: must be an absolute path, got `hook.sh`" },
  { LINUX ("\"maskedPaths\":[\"/proc/kcore\",\"proc/keys\"]"),
    "linux.maskedPaths[1]: must be an absolute path, got `proc/keys`" },
  { LINUX ("\"devices\":[{\"type\":\"p\",\"path\":\"dev/x\"}]"),
    "linux.devices[0].path: must be an absolute path, got `dev/x`" },
  { LINUX ("\"intelRdt\":{\"closID\":\"../../etc\"}"),
    "linux.intelRdt.closID: must be `/` or a plain directory name, got `../../etc`" },
  { LINUX ("\"intelRdt\":{\"closID\":\"..\"}"), "linux.intelRdt.closID: must be `/` or a plain directory name, got `..`" },
  { LINUX ("\"intelRdt\":{\"memBwSchema\":\"L3:0=1\"}"),
    "linux.intelRdt.memBwSchema: must start with `MB:` and be a single line" },
  { LINUX ("\"intelRdt\":{\"schemata\":[\"L3:0=1\\nMB:0=1\"]}"), "linux.intelRdt.schemata[0]: must not contain a newline" },
  { RESOURCES ("\"hugepageLimits\":[{\"pageSize\":\"2M\",\"limit\":1}]"),
    "linux.resources.hugepageLimits[0].pageSize: must be a page size such as `2MB`, got `2M`" },
  { LINUX ("\"timeOffsets\":{\"realtime\":{\"secs\":1}}"),
    "linux.timeOffsets.realtime: unknown clock (a time namespace offsets monotonic and boottime)" },
  { SECCOMP ("\"listenerMetadata\":\"m\""), "linux.seccomp.listenerMetadata: set without listenerPath" },
  { SECCOMP ("\"defaultErrnoRet\":1"),
    "linux.seccomp.defaultErrnoRet: only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not SCMP_ACT_ALLOW" },
  { SECCOMP ("\"syscalls\":[{\"names\":[\"a\"],\"action\":\"SCMP_ACT_KILL\",\"errnoRet\":1}]"),
    "linux.seccomp.syscalls[0].errnoRet: only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE, not SCMP_ACT_KILL" },
  { SECCOMP ("\"syscalls\":[{\"names\":[\"mount\"],\"action\":\"SCMP_ACT_NOTIFY\"}]"),
    "linux.seccomp.listenerPath: required when SCMP_ACT_NOTIFY is used" },
  { "{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":\"r\"},\"ociVersion\":\"1.2.0\"}",
    "ociVersion: property given twice" },
  { DOC ("\"annotations\":{\"a\":\"1\",\"b\":\"2\",\"a\":\"3\"}"), "annotations: key `a` appears twice" },
  { LINUX ("\"sysctl\":{\"\":\"1\"}"), "linux.sysctl: keys must be non-empty and free of NUL bytes" },
  { LINUX ("\"netDevices\":{\"eth0\":{},\"eth0\":{\"name\":\"x\"}}"), "linux.netDevices: key `eth0` appears twice" },
};

static const struct bad_case document_errors[] = {
  /* strict UTF-8 (RFC 3629) and paired \u surrogates (RFC 8259); 54 = the hostname's
   * value in DOC */
  { DOC ("\"hostname\":\"\xc0\xaf\""), "invalid JSON at byte 54: an overlong UTF-8 sequence" },
  { DOC ("\"hostname\":\"\xe0\x80\xaf\""), "invalid JSON at byte 54: an overlong UTF-8 sequence" },
  { DOC ("\"hostname\":\"\xed\xa0\x80\""),
    "invalid JSON at byte 54: a UTF-16 surrogate encoded as UTF-8" },
  { DOC ("\"hostname\":\"\xf4\x90\x80\x80\""),
    "invalid JSON at byte 54: a code point past U+10FFFF" },
  { DOC ("\"hostname\":\"\xff\""), "invalid JSON at byte 54: an invalid UTF-8 byte" },
  { DOC ("\"hostname\":\"a\xc3\""), "invalid JSON at byte 55: an invalid UTF-8 byte" },
  { DOC ("\"hostname\":\"\\ud800\""),
    "invalid JSON at byte 54: a UTF-16 surrogate escape without its other half" },
  { DOC ("\"hostname\":\"\\udc00\""),
    "invalid JSON at byte 54: a UTF-16 surrogate escape without its other half" },
  { DOC ("\"hostname\":\"\\ud800\\u0041\""),
    "invalid JSON at byte 54: a UTF-16 surrogate escape without its other half" },
  { "", "invalid JSON: the document is empty" },
  { " \n\t ", "invalid JSON: the document is empty" },
  { "[]", "expected a JSON object at the top level, got an array" },
  { "42", "expected a JSON object at the top level, got a number" },
  { "\"x\"", "expected a JSON object at the top level, got a string" },
  { "null", "expected a JSON object at the top level, got null" },
  { "{\"ociVersion\": \"1.", "invalid JSON: the document ends early (truncated?)" },
  { "{\"ociVersion\": \"1.3.0\", \"root\": {\"path\": \"r\"}", "invalid JSON: the document ends early (truncated?)" },
  { "{\"a\" 1}", "invalid JSON at byte 6: object key and value must be separated by a colon (':')" },
  { "{} x", "invalid JSON at byte 4: trailing garbage" },
  { "{\"a\":\"\xff\"}", "invalid JSON at byte 6: an invalid UTF-8 byte" },
  { "{\"a\":tru}", "invalid JSON at byte 8: invalid string in json text." },
  { "{\"a\":[1,]}", "invalid JSON at byte 9: unallowed token at this point in JSON text" },
};

static void
run_cases (const char *group, const struct bad_case *cases, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      _cleanup_error_ struct silo_error *err = NULL;
      oci_config *c = NULL;
      int ret = oci_config_parse (cases[i].json, strlen (cases[i].json), &c, &err);
      const char *msg = err != NULL ? err->msg : "(no error)";

      ok (ret < 0 && c == NULL && strncmp (msg, cases[i].message, strlen (cases[i].message)) == 0,
          "%s: %s", group, cases[i].message);
      if (ret == 0 || strncmp (msg, cases[i].message, strlen (cases[i].message)) != 0)
        printf ("#   got: %s\n", msg);
      oci_config_free (c);
    }
}

/* `open` repeated depth times, then `close` repeated depth times (0: unbalanced).  */
static char *
nested (const char *prefix, const char *open, const char *close, size_t depth, const char *suffix)
{
  size_t lo = strlen (open), lc = strlen (close), lp = strlen (prefix);
  char *s = xmalloc0 (lp + depth * (lo + lc) + strlen (suffix) + 1), *p = s;

  p = stpcpy (p, prefix);
  for (size_t i = 0; i < depth; i++)
    p = stpcpy (p, open);
  for (size_t i = 0; i < depth; i++)
    p = stpcpy (p, close);
  strcpy (p, suffix);
  return s;
}

static void
expect_failure (const char *json, const char *message, const char *what)
{
  _cleanup_error_ struct silo_error *err = NULL;
  oci_config *c = NULL;

  ok (oci_config_parse (json, strlen (json), &c, &err) < 0 && c == NULL, "%s fails", what);
  is_str (err ? err->msg : NULL, message, "%s: message", what);
}

#define DEEP_PREFIX "{\"ociVersion\":\"1.3.0\",\"root\":{\"path\":\"r\"},\"x\":"

static void
test_deep_nesting (void)
{
  _cleanup_free_ char *arrays = nested ("", "[", "", 100000, "");
  _cleanup_free_ char *objects = nested ("", "{\"a\":", "}", 100000, "");
  _cleanup_free_ char *closed = nested ("", "[", "]", 100000, "");
  /* The top-level object is level 1: 199 arrays in it make 200, the most accepted.  */
  _cleanup_free_ char *deep_ok = nested (DEEP_PREFIX, "[", "]", 199, "}");
  _cleanup_free_ char *too_deep = nested (DEEP_PREFIX, "[", "]", 200, "}");
  _cleanup_error_ struct silo_error *err = NULL;
  oci_config *c = NULL;

  expect_failure (arrays, "invalid JSON: nested deeper than 200 levels", "100k-deep [[[[");
  expect_failure (objects, "invalid JSON: nested deeper than 200 levels", "100k-deep {\"a\":{");
  expect_failure (closed, "invalid JSON: nested deeper than 200 levels", "100k-deep [[]]");
  expect_failure (too_deep, "invalid JSON: nested deeper than 200 levels", "201 levels");
  ok (oci_config_parse (deep_ok, strlen (deep_ok), &c, &err) == 0, "200 levels parse: %s",
      err ? err->msg : "ok");
  oci_config_free (c);
}

static void
test_empty_file (void)
{
  char path[] = "/tmp/silo-oci-empty-XXXXXX";
  int fd = mkostemp (path, O_CLOEXEC);
  _cleanup_error_ struct silo_error *err = NULL;
  _cleanup_free_ char *want = xasprintf ("`%s`: invalid JSON: the document is empty", path);
  oci_config *c = NULL;

  ok (fd >= 0, "temporary file");
  if (fd < 0)
    return;
  close (fd);
  ok (oci_config_parse_file (path, &c, &err) < 0 && c == NULL, "a 0-byte config.json fails");
  is_str (err ? err->msg : NULL, want, "and says so, with its path");
  unlink (path);
}

/* What the strict text check must let through: a surrogate pair, every UTF-8 length,
 * escaped quotes and backslashes.  */
static void
test_valid_text (void)
{
  const char *json = DOC ("\"hostname\":\"\\ud83d\\ude00 \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"
                          " \\\" \\\\\\u00e9\"");
  _cleanup_error_ struct silo_error *err = NULL;
  oci_config *c = NULL;

  ok (oci_config_parse (json, strlen (json), &c, &err) == 0 && c != NULL
      && strcmp (c->hostname, "\xf0\x9f\x98\x80 \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 \" \\\xc3\xa9") == 0,
      "a surrogate pair, 2- to 4-byte UTF-8 and escapes pass the strict check");
  if (err != NULL)
    printf ("#   got: %s\n", err->msg);
  oci_config_free (c);
}

int
main (void)
{
  run_cases ("type", type_errors, SILO_ARRAY_SIZE (type_errors));
  run_cases ("range", range_errors, SILO_ARRAY_SIZE (range_errors));
  run_cases ("enum", enum_errors, SILO_ARRAY_SIZE (enum_errors));
  run_cases ("missing", missing_errors, SILO_ARRAY_SIZE (missing_errors));
  run_cases ("format", format_errors, SILO_ARRAY_SIZE (format_errors));
  run_cases ("document", document_errors, SILO_ARRAY_SIZE (document_errors));
  test_deep_nesting ();
  test_empty_file ();
  test_valid_text ();
  return tap_done ();
}
