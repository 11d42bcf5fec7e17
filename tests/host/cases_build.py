#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Build one field case (tests/cases/FC-*) into a disk image without
loop mounts (mkfs -d / protofile / --rootdir, sfdisk, dd; a btrfs with a
default subvolume is written by the kernel in User-Mode Linux), run pvboot-probe
on it and compare the boot decision with expected.json.

Usage: cases_build.py PROBE CASE_DIR WORK_DIR [SRC_DIR]
Exit: 0 pass, 1 fail, 77 skip (filesystem not supported by the runtime).

With PVBOOT_REAL_KERNEL/PVBOOT_REAL_INITRD set, the expected kernel and
last initrd placeholders are replaced by those files (other initrds become
empty) so the image really boots (tests/e2e/config_cases.sh).
"""
import json, os, re, shutil, subprocess, sys

probe, case, work = sys.argv[1], sys.argv[2], sys.argv[3]
src = sys.argv[4] if len(sys.argv) > 4 else os.environ.get("PVBOOT_SRC", "/work/main")
name = os.path.basename(case.rstrip("/"))
layout = json.load(open(os.path.join(case, "layout.json")))
exp = json.load(open(os.path.join(case, "expected.json")))
os.makedirs(work, exist_ok=True)

FS_MODULE = {"ext4": "ext2", "ext3": "ext2", "ext2": "ext2", "xfs": "xfs", "btrfs": "btrfs", "vfat": "fat"}
SKIP_TREE = {"expected.json", "layout.json", "IMAGE.md"}

def run(*a, **kw):
    subprocess.run(a, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)

def stage(d):
    """copy a case tree (minus the case metadata) to a writable staging dir"""
    dst = os.path.join(work, "stage-" + d.replace("/", "_"))
    shutil.rmtree(dst, ignore_errors=True)
    base = os.path.join(case, d)
    def ign(dirpath, names):
        return [n for n in names if os.path.abspath(dirpath) == os.path.abspath(case) and n in SKIP_TREE]
    shutil.copytree(base, dst, symlinks=True, ignore=ign)
    for root, dirs, files in os.walk(dst):
        os.chmod(root, 0o755)
        for f in files:
            p = os.path.join(root, f)
            if not os.path.islink(p):
                os.chmod(p, 0o644)
                # the case store may hold a symlink as a small file with its
                # target (git core.symlinks=false): recreate the link
                if os.path.getsize(p) < 200:
                    t = open(p, "rb").read().decode("latin-1")
                    if t and not any(c in t for c in " \n\t") and os.path.exists(os.path.join(root, t)):
                        os.unlink(p)
                        os.symlink(t, p)
    return dst

def xfs_proto(d, out):
    lines = ["/dev/null", "0 0", "d--755 0 0"]
    def walk(p, depth):
        for n in sorted(os.listdir(p)):
            q = os.path.join(p, n)
            ind = " " * depth
            if os.path.islink(q):
                lines.append(f"{ind}{n} l--777 0 0 {os.readlink(q)}")
            elif os.path.isdir(q):
                lines.append(f"{ind}{n} d--755 0 0")
                walk(q, depth + 1)
                lines.append(f"{ind}$")
            else:
                lines.append(f"{ind}{n} ---644 0 0 {q}")
    walk(d, 1)
    lines.append("$")
    open(out, "w").write("\n".join(lines) + "\n")

def put_real_kernel(tree):
    """replace the placeholders of the expected kernel/initrds by real files"""
    rk, ri = os.environ.get("PVBOOT_REAL_KERNEL"), os.environ.get("PVBOOT_REAL_INITRD")
    if not rk:
        return
    sub = exp.get("kernel_subvolume")
    def fspath(x):
        x = x.lstrip("/")
        return os.path.join(tree, sub, x) if sub else os.path.join(tree, x)
    lo = exp.get("kernel_loopback")
    if lo:  # the kernel sits in a folder that becomes the loop file (pack_images)
        k = os.path.join(fspath(lo["file"]) + ".d", exp["kernel"].lstrip("/"))
    else:
        k = fspath(exp["kernel"])
    if os.path.lexists(k):
        os.unlink(k)
    shutil.copyfile(rk, k)
    inis = exp.get("initrd") or []
    for i, x in enumerate(inis):
        q = fspath(x)
        if os.path.lexists(q):
            os.unlink(q)
        if i == len(inis) - 1 and ri:
            shutil.copyfile(ri, q)
        else:
            open(q, "wb").close()

def pack_images(tree):
    """pack every folder NAME.squashfs.d of a staged tree into the file
    NAME.squashfs beside it (mksquashfs, xz) and drop the folder (IMAGE.md)"""
    for root, dirs, files in os.walk(tree):
        for d in list(dirs):
            if d.endswith(".squashfs.d"):
                src_dir = os.path.join(root, d)
                run("mksquashfs", src_dir, src_dir[:-2], "-comp", "xz", "-noappend", "-quiet", "-no-progress")
                shutil.rmtree(src_dir)
                dirs.remove(d)

def tree_mib(tree):
    n = 0
    for root, dirs, files in os.walk(tree):
        for f in files:
            p = os.path.join(root, f)
            if not os.path.islink(p):
                n += os.path.getsize(p)
    return n >> 20

def make_fs(p, img):
    fs, d = p["fs"], p.get("dir")
    uuid, label = p.get("uuid"), p.get("label")
    tree = stage(d) if d else None
    if tree and ("p%d" % p["n"]) == (exp.get("kernel_fs") or "").split(" ")[0]:
        put_real_kernel(tree)
    if tree:
        pack_images(tree)
    extra = tree_mib(tree) if tree else 0
    if fs in ("ext4", "ext3", "ext2"):
        a = ["mkfs." + fs, "-q", "-F", "-b", "4096"]
        if uuid: a += ["-U", uuid]
        if label: a += ["-L", label]
        if tree: a += ["-d", tree]
        if "features" in p: a += ["-O", ",".join(f for f in p["features"] if f not in ("extent", "flex_bg"))]
        run(*a, img, "%dM" % (64 + 2 * extra))
    elif fs == "xfs":
        open(img, "wb").truncate(320 << 20)
        a = ["mkfs.xfs", "-q", "-f"]
        if uuid: a += ["-m", "uuid=" + uuid]
        if label: a += ["-L", label]
        if tree:
            pf = img + ".proto"
            xfs_proto(tree, pf)
            a += ["-p", pf]
        run(*a, img)
    elif fs == "btrfs" and p.get("default_subvolume"):
        # mkfs.btrfs --rootdir cannot make subvolumes or set the default one:
        # the kernel does it in User-Mode Linux (tests/unit/test_xfs_btrfs_mkimg.sh)
        out = img + ".mk"
        env = dict(os.environ, FSB_TREE=tree, FSB_SUBVOLS=" ".join(p.get("subvolumes", [])),
                   FSB_DEFAULT=p["default_subvolume"], FSB_UUID=uuid or "", FSB_LABEL=label or "",
                   FSB_SIZE_MB=str(256 + 2 * extra), FSB_COMPRESS="")
        r = subprocess.run(["bash", os.path.join(src, "tests/unit/test_xfs_btrfs_mkimg.sh"), out, "btrfs-tree"],
                           env=env, capture_output=True, text=True)
        if r.returncode != 0:
            print(f"FAIL {name}: btrfs image with default subvolume: {r.stderr[-1500:]}")
            sys.exit(1)
        info = dict(l.split("=", 1) for l in open(os.path.join(out, "info")).read().split("\n") if "=" in l)
        if info.get("default") != p["default_subvolume"] or int(info.get("defaultid", "5")) < 256:
            print(f"FAIL {name}: default subvolume not set: {info}")
            sys.exit(1)
        os.rename(os.path.join(out, "img"), img)
        shutil.rmtree(out, ignore_errors=True)
    elif fs == "btrfs":
        open(img, "wb").truncate((256 + 2 * extra) << 20)
        a = ["mkfs.btrfs", "-q", "-f"]
        if uuid: a += ["-U", uuid]
        if label: a += ["-L", label]
        if tree: a += ["--rootdir", tree]
        run(*a, img)
    elif fs == "vfat":
        open(img, "wb").truncate(40 << 20)
        a = ["mkfs.vfat"]
        if label: a += ["-n", label]
        run(*a, img)
        if tree and os.listdir(tree):
            run("mcopy", "-s", "-i", img, *[os.path.join(tree, n) for n in os.listdir(tree)], "::/")
    else:
        open(img, "wb").truncate(4 << 20)   # bios_grub, swap, LVM2_member: not needed to boot

def supported(fs):
    m = FS_MODULE.get(fs)
    return m is None or os.path.isdir(os.path.join(src, "modules", m))

parts = layout["partitions"]
for p in parts:
    if p.get("default_subvolume") and not os.access("/usr/bin/linux.uml", os.X_OK):
        print(f"FAIL {name}: /usr/bin/linux.uml missing (user-mode-linux, scripts/install-deps.sh): "
              "needed to set the btrfs default subvolume")
        sys.exit(1)
    if p.get("dir") and not supported(p["fs"]):
        print(f"SKIP {name}: no runtime module for {p['fs']}")
        sys.exit(77)

disk = os.path.join(work, name + ".img")
if layout["partition_table"] == "none":
    make_fs(parts[0], disk)
    if os.path.getsize(disk) < (64 << 20):
        os.truncate(disk, 64 << 20)
else:
    imgs, start, lines = [], 2048, ["label: " + {"msdos": "dos"}.get(layout["partition_table"], layout["partition_table"])]
    for p in parts:
        img = os.path.join(work, f"p{p['n']}.fs")
        make_fs(p, img)
        sz = (os.path.getsize(img) + 511) // 512
        typ = ""
        if p["fs"] == "bios_grub":
            typ = ", type=21686148-6449-6E6F-744E-656564454649"
        if layout["partition_table"] == "gpt" and p.get("partuuid"):
            typ += ", uuid=" + p["partuuid"]
        lines.append(f"{disk}{p['n']} : start={start}, size={sz}{typ}")
        imgs.append((img, start))
        start += (sz + 2047) // 2048 * 2048
    with open(disk, "wb") as f:
        f.truncate((start + 2048) * 512)
    subprocess.run(["sfdisk", "-q", disk], input="\n".join(lines) + "\n", text=True, check=True,
                   stdout=subprocess.DEVNULL)
    for img, st in imgs:
        run("dd", "if=" + img, "of=" + disk, "bs=512", f"seek={st}", "conv=notrunc,sparse", "status=none")
        os.unlink(img)

if os.environ.get("PVBOOT_CASES_BUILD_ONLY"):
    print(disk)
    sys.exit(0)
# the embedded config as packaged (pvboot-probe reads its default only from
# the installed share/pvboot, never from the source tree)
defcfg = ["-c", os.path.join(src, "embed/default.cfg")]
res = subprocess.run([probe, "--json"] + defcfg + [disk], capture_output=True, text=True)
try:
    got = json.loads(res.stdout)
except Exception:
    print(f"FAIL {name}: probe output is not JSON (rc {res.returncode}): {res.stdout[:500]} {res.stderr[:500]}")
    sys.exit(1)
json.dump(got, open(os.path.join(work, name + ".probe.json"), "w"), indent=1)

# expected values (see the note in tests/host/cases.sh for deliberate deviations)
want = {k: exp.get(k) for k in ("default_title", "kernel", "initrd", "cmdline", "timeout_style")}
want["timeout_s"] = exp.get("timeout_s")
want["kernel_fs"] = (exp.get("kernel_fs") or "").split(" ")[0] or None
if want["kernel_fs"] == "p0":
    pass
want["default_index_path"] = exp.get("default_index_path")
have = {k: got.get(k) for k in want}
# a kernel read through a loop device: the probe names that device; the
# filesystem holding the loop file (kernel_fs) is not part of its answer
if exp.get("kernel_loopback"):
    del want["kernel_fs"], have["kernel_fs"]
    want["kernel_device"] = exp["kernel_loopback"]["device"]
    have["kernel_device"] = got.get("kernel_device")
bad = []
for k in want:
    w, h = want[k], have[k]
    if k == "timeout_s" and w is not None and h is not None:
        ok = float(w) == float(h)
    elif k == "default_index_path" and w is None:
        ok = True
    else:
        ok = w == h
    if not ok:
        bad.append(f"{k}: expected {w!r}, got {h!r}")
# which config ran (informative: several paths may name the same file)
m = re.findall(r"(p\d+|disk):(?:\[[^\]]*\])?(/\S*)", exp.get("config", ""))
cfg_note = ""
if m:
    part, path = m[-1]
    gc = got.get("config") or ""
    if not gc.endswith(")" + path) and not gc.endswith(path):
        cfg_note = f" (config: expected {part}:{path}, ran {gc})"
# grubenv written in place by save_env (run again on the image, writable)
if exp.get("grubenv_after") and not bad:
    gcfg = got.get("config") or ""
    envpath = gcfg.rsplit("/", 1)[0] + "/grubenv"
    subprocess.run([probe, "--json", "-w"] + defcfg + [disk], capture_output=True, text=True)
    lc = os.path.join(work, "listenv.cfg")
    open(lc, "w").write(f"list_env -f '{envpath}'\n")
    r2 = subprocess.run([probe, "--json", "-c", lc, disk], capture_output=True, text=True)
    env = dict(l.split("=", 1) for l in json.loads(r2.stdout)["log"].replace("\r", "").split("\n") if "=" in l)
    for k, v in exp["grubenv_after"].items():
        if env.get(k) != v:
            bad.append(f"grubenv after save_env: {k}={env.get(k)!r}, expected {v!r}")
    if os.path.getsize(disk) and not bad:
        cfg_note += " (grubenv rewritten in place: " + ", ".join(f"{k}={v!r}" for k, v in exp["grubenv_after"].items()) + ")"
# paths relative to a btrfs default subvolume (btrfs_relative_path): the
# config must have been found there, not through a top-level path
ksub = exp.get("kernel_subvolume")
if ksub and any(p.get("default_subvolume") == ksub for p in parts):
    if "in the btrfs default subvolume (btrfs_relative_path=y)" not in got.get("log", ""):
        bad.append(f"config not found through the default subvolume {ksub} (ran {got.get('config')})")
if bad:
    print(f"FAIL {name}: " + "; ".join(bad) + cfg_note)
    log = got.get("log", "")
    print("  log: " + log[-1500:].replace("\n", "\n  log: "))
    sys.exit(1)
print(f"PASS {name}{cfg_note}")
