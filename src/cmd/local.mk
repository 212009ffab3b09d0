# The CLI: global options, the command table and one thin file per command.
SILO_CMD_SOURCES = \
	src/cmd/cmd.h src/cmd/options.c src/cmd/table.c \
	src/cmd/create.c src/cmd/start.c src/cmd/run.c src/cmd/exec.c src/cmd/state.c \
	src/cmd/kill.c src/cmd/delete.c src/cmd/list.c src/cmd/spec.c src/cmd/features.c \
	src/cmd/pause.c src/cmd/resume.c src/cmd/update.c src/cmd/events.c src/cmd/ps.c \
	src/cmd/quick.c src/cmd/stop.c src/cmd/rm.c
# checkpoint and restore exist only with CRIU (configure --with-criu, or pkg-config found it).
if HAVE_CRIU
SILO_CMD_SOURCES += src/cmd/checkpoint.c src/cmd/restore.c
libsilo_a_SOURCES += src/lib/criu.c src/lib/criu.h src/lib/criu-library.c src/lib/criu-library.h \
	src/lib/criu-rpc.c src/lib/criu-rpc.h \
	src/lib/container-checkpoint.c
endif

bin_PROGRAMS = silo
silo_SOURCES = src/silo.c $(SILO_CMD_SOURCES)
silo_LDADD = $(SILO_LIBS)

# `silo spec` and `silo features` live in the library (the CLI files make no syscalls).
libsilo_a_SOURCES += src/lib/spec.c src/lib/silo-spec.h src/lib/features.c
# `silo update` folds the new limits into the stored config.
libsilo_a_SOURCES += src/lib/resources-merge.c src/lib/resources-merge.h

# Option parsing, the list table, timestamps, the default spec, --help against the man page.
check_PROGRAMS += tests/unit/cli.test
tests_unit_cli_test_SOURCES = tests/unit/cli.c tests/unit/tap.h $(SILO_CMD_SOURCES)
TESTS += tests/unit/cli.test

# The cgroup commands' parsers: sizes, durations, update flags, ps filtering, and the fold
# of an update into the stored resources.
check_PROGRAMS += tests/unit/cgroup-commands.test
tests_unit_cgroup_commands_test_SOURCES = tests/unit/cgroup-commands.c tests/unit/tap.h \
	$(SILO_CMD_SOURCES)
TESTS += tests/unit/cgroup-commands.test
