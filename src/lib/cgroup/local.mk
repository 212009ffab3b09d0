# cgroup drivers
