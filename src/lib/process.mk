# process setup: caps, rlimits, seccomp, hooks, terminal, netlink, signals, sysctl
