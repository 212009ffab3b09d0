# rootfs, mounts, /dev, path safety
libsilo_a_SOURCES += \
	src/lib/pathsafe.c src/lib/pathsafe.h \
	src/lib/mount.c src/lib/mount.h \
	src/lib/idmap.c src/lib/idmap.h \
	src/lib/devices.c src/lib/devices.h \
	src/lib/rootfs-plan.c src/lib/rootfs-plan.h \
	src/lib/rootfs.c src/lib/rootfs.h

check_PROGRAMS += tests/unit/mount-options.test tests/unit/rootfs.test tests/unit/idmap.test \
	tests/unit/rootfs-plan.test
tests_unit_mount_options_test_SOURCES = tests/unit/mount-options.c tests/unit/tap.h
tests_unit_rootfs_test_SOURCES = tests/unit/rootfs.c tests/unit/tap.h
tests_unit_idmap_test_SOURCES = tests/unit/idmap.c tests/unit/tap.h
tests_unit_rootfs_plan_test_SOURCES = tests/unit/rootfs-plan.c tests/unit/tap.h
TESTS += tests/unit/mount-options.test tests/unit/rootfs.test tests/unit/idmap.test \
	tests/unit/rootfs-plan.test
