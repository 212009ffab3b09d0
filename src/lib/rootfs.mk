# rootfs, mounts, /dev, path safety
