#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Differential test of pvboot's GRUB script interpreter against real GRUB.

Every script of the corpus runs twice:
  * in GRUB 2.06 itself (Debian's grub-emu, GRUB as a normal process, on a
    pseudo-terminal), and
  * in pvboot's interpreter on the host (pvboot-probe, the guest's `normal`
    module hosted, dry run),
and the two console transcripts must be the same after the normalisation
described in tests/grubdiff/DIFFERENCES.md (platform text only: banner,
escape sequences, menu chrome, the wording of error messages).

Both sides run the same wrapper around the script:

    set D=<data dir>               # (host)/abs/path in grub-emu, (hd0) in pvboot
    function linux  { echo "@@linux $# [$1] [$2] ..." }   # the boot decision:
    function initrd { echo "@@initrd $# [$1] ..." }        # words, not files
    source $D/case.cfg
    echo "@@end default=[$default] fallback=[...] timeout=[...] ..."
    set timeout=0                  # boot the default entry now

so the transcript holds everything the script printed, its errors, the menu
variables it left, which entries ran (Booting/Falling back to), and the words
each entry passed to linux/initrd.  GRUB's emu platform has no linux/initrd
command, so the functions are what runs there; pvboot finds a script function
before a command of the same name, so they run there too.

A file NAME.files/ beside NAME.cfg is the data directory's extra content
(a tar image for pvboot, the directory itself for grub-emu).

Usage: grub_diff.py [options] CASE.cfg|DIR...
Exit status 0 when every case agrees, 1 when some differ or hang, 2 on
usage errors or a missing grub-emu / pvboot-probe.
"""
import argparse
import concurrent.futures
import ctypes
import fcntl
import json
import os
import re
import select
import shutil
import signal
import struct
import subprocess
import sys
import tarfile
import tempfile
import termios
import time

NARGS = 12
WRAP_COMMON = (
    "function linux { echo \"@@linux $# " + " ".join("[$%d]" % i for i in range(1, NARGS + 1)) + "\"; }\n"
    "function initrd { echo \"@@initrd $# " + " ".join("[$%d]" % i for i in range(1, NARGS + 1)) + "\"; }\n"
    "source $D/case.cfg\n"
    "echo \"@@end default=[$default] fallback=[$fallback] timeout=[$timeout] timeout_style=[$timeout_style]\"\n"
    "set timeout=0\n"
)

# GRUB's own screen text that ends a run: the menu gave up (every entry ran
# and none booted), the menu is drawn and waits for a key, or the command
# line is shown (no menu entries).
GRUB_STOP = [
    "Failed to boot both default and fallback entries.",
    "GNU GRUB  version",
    "Minimal BASH-like line editing is supported",
]
GRUB_PRESS_KEY = "Press any key to continue..."

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][0-9A-Za-z]|\x1b[=>]")


def build_data(case, work):
    """The data directory: case.cfg and NAME.files/*, fixed mtimes."""
    data = os.path.join(work, "data")
    os.makedirs(data)
    shutil.copy(case, os.path.join(data, "case.cfg"))
    extra = case[:-4] + ".files"
    if os.path.isdir(extra):
        for name in sorted(os.listdir(extra)):
            src = os.path.join(extra, name)
            if os.path.isdir(src):
                shutil.copytree(src, os.path.join(data, name))
            else:
                shutil.copy(src, os.path.join(data, name))
    # deterministic modification times (for -nt/-ot): in name order, 100 s apart
    t = 1700000000
    for root, dirs, files in os.walk(data):
        for n in sorted(files):
            os.utime(os.path.join(root, n), (t, t))
            t += 100
    return data


# resolved here, not in the forked child: the harness runs cases in threads
_prctl = ctypes.CDLL(None, use_errno=True).prctl


def die_with_parent():
    """In the child: SIGKILL when this harness dies (prctl PR_SET_PDEATHSIG),
    so a harness killed from outside leaves no grub-emu spinning on a dead pty."""
    _prctl(1, int(signal.SIGKILL))  # 1 = PR_SET_PDEATHSIG


def run_grub(emu, work, data, timeout):
    """Run the wrapper in grub-emu on a pty; return (transcript, problem)."""
    emudir = os.path.join(work, "emu")
    os.makedirs(emudir)
    with open(os.path.join(emudir, "grub.cfg"), "w") as f:
        f.write("set D=(host)%s\n" % data + WRAP_COMMON)
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 200, 16000, 0, 0))
    # -m /dev/null: no device map, so grub-emu does not look at the host's disks
    p = subprocess.Popen([emu, "-m", "/dev/null", "-d", emudir], stdin=slave, stdout=slave,
                         stderr=slave, close_fds=True, start_new_session=True,
                         preexec_fn=die_with_parent)
    os.close(slave)
    buf = b""
    problem = None
    end = time.monotonic() + timeout
    presses = 0
    try:
        while True:
            left = end - time.monotonic()
            if left <= 0:
                problem = "grub-emu did not finish within %g s" % timeout
                break
            r, _, _ = select.select([master], [], [], min(left, 0.5))
            if r:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    break
                buf += chunk
                text = buf.decode("utf-8", "replace")
                if any(s in text for s in GRUB_STOP):
                    break
                # an entry printed errors: GRUB waits up to 10 s for a key
                if text.count(GRUB_PRESS_KEY) > presses:
                    presses = text.count(GRUB_PRESS_KEY)
                    os.write(master, b"\r")
            elif p.poll() is not None:
                break
    finally:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait()
        os.close(master)
    return buf.decode("utf-8", "replace"), problem


def make_tar(data, img):
    with tarfile.open(img, "w", format=tarfile.GNU_FORMAT) as t:
        for name in sorted(os.listdir(data)):
            t.add(os.path.join(data, name), arcname=name)


def run_pvboot(probe, work, data, timeout):
    img = os.path.join(work, "data.tar")
    make_tar(data, img)
    cfg = os.path.join(work, "pvboot.cfg")
    with open(cfg, "w") as f:
        f.write("set D=(hd0)\n" + WRAP_COMMON)
    try:
        p = subprocess.run([probe, "--json", "-c", cfg, img], capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "", "pvboot-probe did not finish within %g s" % timeout
    try:
        j = json.loads(p.stdout.decode("utf-8", "replace"))
    except ValueError:
        return "", "pvboot-probe exit %d, no JSON: %s" % (p.returncode, p.stderr.decode()[-400:])
    problem = None
    if p.stderr.strip():
        problem = "pvboot-probe stderr: " + p.stderr.decode("utf-8", "replace")[-400:]
    return j.get("log", ""), problem


def norm_common(lines):
    """Shared steps: drop blank lines, collapse runs of error lines."""
    out = []
    split = []
    for l in lines:
        # an error after `echo -n' output shares its line: on a line of its own
        i = l.find("error:")
        if i > 0:
            split += [l[:i], l[i:]]
        else:
            split.append(l)
    for l in split:
        l = l.rstrip()
        if not l.strip():
            continue
        if l.startswith("error:"):
            if out and out[-1] == "error":
                continue
            l = "error"
        out.append(l)
    return out


def norm_grub(text, data):
    cut = len(text)
    for s in GRUB_STOP:
        i = text.find(s)
        if i >= 0:
            cut = min(cut, i)
    text = text[:cut]
    text = ANSI.sub("\n", text).replace("\r", "\n")
    lines = []
    for l in text.split("\n"):
        s = l.strip()
        if s in ("Welcome to GRUB!", GRUB_PRESS_KEY):
            continue
        m = re.match(r"^\s*Booting `(.*)'$", l)
        if m:
            l = "@@boot " + m.group(1)
        m = re.match(r"^\s*Falling back to `(.*)'$", l)
        if m:
            l = "@@fallback " + m.group(1)
        lines.append(l.replace("(host)" + data, "$D"))
    return norm_common(lines)


def norm_pvboot(text):
    lines = []
    # both stop where the menu gives up (GRUB then waits for a key)
    i = text.find(GRUB_STOP[0])
    if i >= 0:
        text = text[:i]
    for l in text.replace("\r", "").split("\n"):
        # GRUB's terminal shows a tab as spaces to the next multiple of 8
        l = l.expandtabs(8)
        # pvboot names the entry that did not boot; GRUB says nothing here
        # (DIFFERENCES.md: "entry loaded no kernel")
        if re.match(r"^error: entry `.*' loaded no kernel\.?$", l):
            continue
        m = re.match(r"^Booting `(.*)'$", l)
        if m:
            l = "@@boot " + m.group(1)
        m = re.match(r"^Falling back to `(.*)'$", l)
        if m:
            l = "@@fallback " + m.group(1)
        lines.append(l.replace("(hd0)", "$D"))
    return norm_common(lines)


def run_case(case, args):
    work = tempfile.mkdtemp(prefix="gdiff.", dir=args.workdir)
    try:
        data = build_data(case, work)
        gtext, gprob = run_grub(args.grub_emu, work, data, args.timeout)
        ptext, pprob = run_pvboot(args.probe, work, data, args.timeout)
        g = norm_grub(gtext, data)
        p = norm_pvboot(ptext)
        return case, g, p, gprob, pprob
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def collect(paths):
    out = []
    for p in paths:
        if os.path.isdir(p):
            out += sorted(os.path.join(p, n) for n in os.listdir(p) if n.endswith(".cfg"))
        else:
            out.append(p)
    return out


def main():
    ap = argparse.ArgumentParser(description="pvboot vs GRUB (grub-emu) differential test")
    ap.add_argument("cases", nargs="+", help="CASE.cfg files or directories of them")
    ap.add_argument("--probe", default=os.path.join(os.environ.get("PVBOOT_BUILD", "build"), "src",
                                                    "pvboot-probe"))
    ap.add_argument("--grub-emu", default=shutil.which("grub-emu") or "/usr/bin/grub-emu")
    ap.add_argument("--timeout", type=float, default=15.0, help="seconds per case and side")
    ap.add_argument("-j", "--jobs", type=int, default=4,
                    help="cases run at once (grub-emu mostly waits on its pty)")
    ap.add_argument("--expect", help="file of case names expected to differ (one per line, "
                    "'#' comments): each must still differ; see tests/grubdiff/DIFFERENCES.md")
    ap.add_argument("--workdir", default=None)
    ap.add_argument("--keep", action="store_true", help="keep the work directories")
    ap.add_argument("-v", "--verbose", action="store_true", help="print both transcripts of every case")
    args = ap.parse_args()
    for tool, what in ((args.probe, "pvboot-probe"), (args.grub_emu, "grub-emu")):
        if not os.access(tool, os.X_OK):
            print("grub_diff: %s not found at %s" % (what, tool), file=sys.stderr)
            return 2
    cases = collect(args.cases)
    expected = set()
    if args.expect:
        for line in open(args.expect):
            line = line.split("#", 1)[0].strip()
            if line:
                expected.add(line)
    bad = known = 0
    fixed = []
    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        for case, g, p, gprob, pprob in ex.map(lambda c: run_case(c, args), cases):
            name = os.path.basename(case)
            stem = name[:-4] if name.endswith(".cfg") else name
            problems = [x for x in (gprob, pprob) if x]
            if g == p and not problems:
                if stem in expected:
                    fixed.append(stem)
                if args.verbose:
                    print("ok   %s\n%s" % (name, "".join("     | %s\n" % l for l in g)), end="")
                continue
            if stem in expected and not problems:
                known += 1
                if not args.verbose:
                    continue
                print("KNOWN %s (listed in %s)" % (name, args.expect))
            else:
                bad += 1
                print("DIFF %s" % name)
            for x in problems:
                print("     problem: %s" % x)
            n = max(len(g), len(p))
            for i in range(n):
                a = g[i] if i < len(g) else "<none>"
                b = p[i] if i < len(p) else "<none>"
                print("     %s grub:   %s" % ("  " if a == b else "!!", a))
                if a != b:
                    print("        pvboot: %s" % b)
    for f in fixed:
        print("AGREES %s: listed as a known difference but now the same; take it off the list" % f)
    print("grub_diff: %d cases, %d agree, %d differ, %d known differences (%.1f s)"
          % (len(cases), len(cases) - bad - known, bad, known, time.monotonic() - t0))
    return 1 if bad or fixed else 0


if __name__ == "__main__":
    sys.exit(main())
