"""Memory budget helpers: chunk sizes from ``working_memory``, and checks that an
allocation fits in the memory this process can still get."""

from __future__ import annotations

import os
from collections.abc import Iterator

import numpy as np

from ._config import get_config

MIB = 1 << 20

#: Where Linux describes the memory of the machine and of this process.
PROC_MEMINFO = "/proc/meminfo"
PROC_STATUS = "/proc/self/status"
PROC_CGROUP = "/proc/self/cgroup"
PROC_MOUNTINFO = "/proc/self/mountinfo"
#: cgroup v1 reports "no limit" as a number near 2**63 (rounded to pages).
_CGROUP_V1_UNLIMITED = 1 << 62


def available_memory_bytes() -> int | None:
    """Memory this process can still allocate, in bytes (None if nothing is known).

    The least of: what the machine can give without swapping (``MemAvailable``), the
    headroom under this process's cgroup memory limits (v2 or v1, its own cgroup and
    every parent), and the headroom under its ``RLIMIT_AS`` and ``RLIMIT_DATA`` limits.
    """
    known = [
        value
        for value in (system_available_bytes(), cgroup_available_bytes(), rlimit_available_bytes())
        if value is not None
    ]
    return max(0, min(known)) if known else None


def system_available_bytes(meminfo: str = PROC_MEMINFO) -> int | None:
    """Memory the OS says can still be allocated without swapping (None if unknown)."""
    value = _kib_field(meminfo, "MemAvailable")
    if value is not None:
        return value
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def rlimit_available_bytes(status: str = PROC_STATUS) -> int | None:
    """Headroom under the soft ``RLIMIT_AS`` (address space, against ``VmSize``) and
    ``RLIMIT_DATA`` (data segments, against ``VmData``) limits; None if neither is set."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on Linux
        return None
    headroom = []
    for limit_name, field in (("RLIMIT_AS", "VmSize"), ("RLIMIT_DATA", "VmData")):
        limit = getattr(resource, limit_name, None)
        if limit is None:
            continue
        soft, _ = resource.getrlimit(limit)
        if soft == resource.RLIM_INFINITY:
            continue
        used = _kib_field(status, field)
        headroom.append(soft - (used or 0))
    return min(headroom) if headroom else None


def cgroup_available_bytes(
    cgroup_file: str = PROC_CGROUP, mountinfo_file: str = PROC_MOUNTINFO
) -> int | None:
    """Headroom under the memory limits of this process's cgroup and its parents (the
    least of ``limit - (usage - inactive file cache)``, the cache being reclaimable);
    None when no limit is set or cgroups are not mounted."""
    headroom = []
    for directory, version in _memory_cgroup_dirs(cgroup_file, mountinfo_file):
        if version == 2:
            limit = _read_int(os.path.join(directory, "memory.max"))
            usage = _read_int(os.path.join(directory, "memory.current"))
            cache = _stat_field(os.path.join(directory, "memory.stat"), "inactive_file")
        else:
            limit = _read_int(os.path.join(directory, "memory.limit_in_bytes"))
            if limit is not None and limit >= _CGROUP_V1_UNLIMITED:
                limit = None
            usage = _read_int(os.path.join(directory, "memory.usage_in_bytes"))
            stat = os.path.join(directory, "memory.stat")
            cache = _stat_field(stat, "total_inactive_file")
            if cache is None:
                cache = _stat_field(stat, "inactive_file")
        if limit is not None:
            headroom.append(limit - max(0, (usage or 0) - (cache or 0)))
    return min(headroom) if headroom else None


def _memory_cgroup_dirs(cgroup_file: str, mountinfo_file: str) -> Iterator[tuple[str, int]]:
    """(directory, cgroup version) of this process's memory cgroup and of each parent up
    to the mounted root, innermost first."""
    try:
        with open(cgroup_file) as f:
            memberships = [line.rstrip("\n").split(":", 2) for line in f]
        with open(mountinfo_file) as f:
            mounts = [line.split() for line in f]
    except OSError:
        return
    paths = {}  # version -> path of this process's cgroup in that hierarchy
    for parts in memberships:
        if len(parts) != 3:
            continue
        hierarchy, controllers, path = parts
        if hierarchy == "0" and controllers == "":
            paths[2] = path
        elif "memory" in controllers.split(","):
            paths[1] = path
    for fields in mounts:
        if "-" not in fields:
            continue
        tail = fields[fields.index("-") + 1 :]
        if len(fields) < 5 or len(tail) < 3:
            continue
        root, mount_point, fstype, options = fields[3], fields[4], tail[0], tail[2]
        if fstype == "cgroup2":
            version = 2
        elif fstype == "cgroup" and "memory" in options.split(","):
            version = 1
        else:
            continue
        path = paths.get(version)
        if path is None:
            continue
        relative = os.path.relpath(path, root) if root != "/" else path.lstrip("/")
        if relative.startswith(".."):  # the process's cgroup is not under this mount
            continue
        directory = os.path.normpath(os.path.join(mount_point, relative))
        while True:
            yield directory, version
            if directory == os.path.normpath(mount_point) or len(directory) <= 1:
                break
            directory = os.path.dirname(directory)


def _read_int(path: str) -> int | None:
    """An integer file (None if missing or "max", cgroup v2's "no limit")."""
    try:
        with open(path) as f:
            text = f.read().strip()
    except OSError:
        return None
    try:
        return int(text)
    except ValueError:
        return None


def _stat_field(path: str, name: str) -> int | None:
    """The value of ``name`` in a "name value" per line file such as memory.stat."""
    try:
        with open(path) as f:
            for line in f:
                key, _, value = line.partition(" ")
                if key == name:
                    return int(value)
    except (OSError, ValueError):
        pass
    return None


def _kib_field(path: str, name: str) -> int | None:
    """``name:   123 kB`` in /proc/meminfo or /proc/self/status, in bytes."""
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(name + ":"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def check_fits(
    needed: int, what: str, advice: str, error: type[MemoryError] = MemoryError
) -> None:
    """Raise ``error`` (a ``MemoryError``) naming ``what`` and giving ``advice`` if
    ``needed`` bytes exceed the memory available now (nothing is checked where that is
    unknown)."""
    available = available_memory_bytes()
    if available is not None and needed > available:
        raise error(
            f"{what} would need {needed / 2**30:.1f} GiB but only "
            f"{available / 2**30:.1f} GiB of memory is available to this process. {advice}"
        )


def check_output_fits(n_rows: int, n_features: int, dtype: np.dtype) -> None:
    """Raise ``MemoryError`` before allocating an output that cannot fit in memory."""
    check_fits(
        n_rows * n_features * np.dtype(dtype).itemsize,
        f"The resampled data ({n_rows:,} rows x {n_features} features, {np.dtype(dtype).name})",
        "Use fit_resample_iter() to get it in chunks, pass out=np.memmap(...) to "
        "fit_resample(), or lower sampling_strategy.",
    )


def resolve_working_memory(working_memory: int | None) -> int:
    """The budget in MiB: ``working_memory`` when given, else the global config's."""
    return int(working_memory or get_config()["working_memory"])


def budget_bytes(working_memory: int | None = None) -> int:
    """The ``working_memory`` budget in bytes (MiB given, else the global config)."""
    return resolve_working_memory(working_memory) * MIB


def rows_per_chunk(row_bytes: int, working_memory: int | None = None) -> int:
    """Rows of ``row_bytes`` each that fit the ``working_memory`` budget (MiB)."""
    return max(1, budget_bytes(working_memory) // max(1, row_bytes))
