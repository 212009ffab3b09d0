# process setup: caps, rlimits, seccomp, hooks, terminal, netlink, signals, sysctl
libsilo_a_SOURCES += \
	src/lib/process.c src/lib/process.h \
	src/lib/program.c src/lib/program.h \
	src/lib/process-setup.c src/lib/process-setup.h \
	src/lib/scheduling.c src/lib/scheduling.h \
	src/lib/caps.c src/lib/caps.h \
	src/lib/seccomp.c src/lib/seccomp.h src/lib/seccomp-internal.h \
	src/lib/seccomp-filter.c src/lib/seccomp-notify.c \
	src/lib/sha256.c src/lib/sha256.h \
	src/lib/hooks.c src/lib/hooks.h \
	src/lib/terminal.c src/lib/terminal.h \
	src/lib/netlink.c src/lib/netlink.h \
	src/lib/signals.c src/lib/signals.h \
	src/lib/sysctl.c src/lib/sysctl.h

check_PROGRAMS += tests/unit/signals.test tests/unit/sysctl.test tests/unit/caps.test \
	tests/unit/process.test tests/unit/hooks.test tests/unit/seccomp.test \
	tests/unit/terminal.test tests/unit/netlink.test tests/unit/exe-seal.test \
	tests/unit/sha256.test tests/unit/resctrl.test tests/unit/features.test
tests_unit_signals_test_SOURCES = tests/unit/signals.c tests/unit/tap.h
tests_unit_sysctl_test_SOURCES = tests/unit/sysctl.c tests/unit/tap.h
tests_unit_caps_test_SOURCES = tests/unit/caps.c tests/unit/tap.h
tests_unit_process_test_SOURCES = tests/unit/process.c tests/unit/tap.h
tests_unit_hooks_test_SOURCES = tests/unit/hooks.c tests/unit/tap.h
tests_unit_seccomp_test_SOURCES = tests/unit/seccomp.c tests/unit/tap.h
tests_unit_terminal_test_SOURCES = tests/unit/terminal.c tests/unit/tap.h
tests_unit_netlink_test_SOURCES = tests/unit/netlink.c tests/unit/tap.h
tests_unit_exe_seal_test_SOURCES = tests/unit/exe-seal.c tests/unit/tap.h
tests_unit_sha256_test_SOURCES = tests/unit/sha256.c tests/unit/tap.h
tests_unit_resctrl_test_SOURCES = tests/unit/resctrl.c tests/unit/tap.h
tests_unit_features_test_SOURCES = tests/unit/features.c tests/unit/tap.h
TESTS += tests/unit/signals.test tests/unit/sysctl.test tests/unit/caps.test \
	tests/unit/process.test tests/unit/hooks.test tests/unit/seccomp.test \
	tests/unit/terminal.test tests/unit/netlink.test tests/unit/exe-seal.test \
	tests/unit/sha256.test tests/unit/resctrl.test tests/unit/features.test
