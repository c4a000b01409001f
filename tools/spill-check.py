#!/usr/bin/python3
"""Counts register spills in the hot loops of PoCL's compiled kernels.

Runs COMMAND (any program that launches the kernels, e.g.
build/tools/cascade-peak) with PoCL's kernel cache in a fresh directory and
its compiler's temporary files kept, then takes each kernel's final LLVM
IR (parallel.bc: after PoCL's work-group passes, as PoCL hands it to code
generation), retargets it to --cpu (the target-cpu and target-features
attributes that PoCL copied from the host are replaced), compiles it with
clang (code generation only, -O2, no IR passes) and disassembles it.  The
hot loop of a kernel is the loop (a backward branch) with the most FMAs in
it; a spill or reload is an instruction in it that addresses the stack
(%rsp or %rbp).  The host CPU need not be the one checked: PoCL's CPU
device targets the host, so an AVX2 shape can be checked on an AVX-512
machine this way.

  tools/spill-check.py --cpu haswell [--kernel REGEX] -- COMMAND [ARGS...]
  tools/spill-check.py --cpu znver4 --cache DIR     (an existing run's)

Prints one line per kernel: FMAs, vector registers and stack accesses in
its hot loop.  Exits 1 when a kernel matching --must-not-spill spills.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

CLANG = shutil.which("clang-15") or "clang"


def retarget(bc, cpu, out_dir):
    ll = os.path.join(out_dir, "k.ll")
    subprocess.run([CLANG, "-S", "-emit-llvm", "-x", "ir", bc, "-o", ll],
                   check=True)
    text = open(ll).read()
    text = re.sub(r'"target-cpu"="[^"]*"', '"target-cpu"="%s"' % cpu, text)
    text = re.sub(r' "target-features"="[^"]*"', "", text)
    text = re.sub(r' "min-legal-vector-width"="[^"]*"', "", text)
    open(ll, "w").write(text)
    obj = os.path.join(out_dir, "k.o")
    subprocess.run([CLANG, "-c", "-x", "ir", "-O2", "-march=" + cpu,
                    "-Xclang", "-disable-llvm-passes", ll, "-o", obj],
                   check=True)
    return subprocess.run(["objdump", "-d", "--no-show-raw-insn", obj],
                          check=True, capture_output=True,
                          text=True).stdout


def functions(asm):
    """name -> [(address, instruction text)]"""
    funcs, cur = {}, None
    for line in asm.splitlines():
        m = re.match(r"^[0-9a-f]+ <(.*)>:$", line)
        if m:
            cur = funcs.setdefault(m.group(1), [])
            continue
        m = re.match(r"^\s*([0-9a-f]+):\s*(.*)$", line)
        if m and cur is not None:
            cur.append((int(m.group(1), 16), m.group(2)))
    return funcs


def hot_loop(insns):
    """(fmas, stack accesses, vector registers) of the hot loop: of the
    innermost loops (a backward branch whose range holds no other), the one
    with the most FMAs; of several such, the one with the most stack
    accesses"""
    loops = []
    for i, (addr, text) in enumerate(insns):
        m = re.match(r"^j\w+\s+([0-9a-f]+)\b", text)
        if m and int(m.group(1), 16) <= addr:
            loops.append((int(m.group(1), 16), addr, i))
    best = (0, 0, 0)
    for start, end, i in loops:
        if any(start <= s2 and e2 < end for s2, e2, _ in loops
               if (s2, e2) != (start, end)):
            continue
        body = [t for a, t in insns[:i + 1] if a >= start]
        fmas = sum(1 for t in body if re.match(r"^vfn?madd", t))
        stack = sum(1 for t in body if re.search(r"\(%r[sb]p\)", t)
                    and re.match(r"^v", t))
        regs = len(set(re.findall(r"%[xyz]mm[0-9]+", "\n".join(body))))
        if (fmas, stack) > best[:2]:
            best = (fmas, stack, regs)
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cpu", required=True,
                    help="LLVM CPU name: haswell, znver2, znver4, ...")
    ap.add_argument("--kernel", default=".", help="kernel name regex")
    ap.add_argument("--cache", help="PoCL cache of an earlier run")
    ap.add_argument("--must-not-spill", default=None,
                    help="regex of kernels whose hot loop must not spill")
    ap.add_argument("command", nargs="*")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="spill-check-")
    cache = args.cache
    if not cache:
        if not args.command:
            ap.error("give a COMMAND or --cache")
        cache = os.path.join(work, "pocl")
        env = dict(os.environ, POCL_CACHE_DIR=cache, POCL_KERNEL_CACHE="1",
                   POCL_LEAVE_KERNEL_COMPILER_TEMP_FILES="1")
        subprocess.run(args.command, env=env, check=True,
                       stdout=subprocess.DEVNULL)
    bad = 0
    seen = set()
    for root, _, files in sorted(os.walk(cache)):
        files = set(files)
        if "parallel.bc" not in files:
            continue
        kernel = os.path.basename(os.path.dirname(root))
        # PoCL compiles a kernel per work-group size it is launched with
        # ("1-1-1-..."), and a generic "0-0-0" one: check each
        variant = os.path.basename(root)
        if not re.search(args.kernel, kernel) or (kernel, variant) in seen:
            continue
        seen.add((kernel, variant))
        funcs = functions(retarget(os.path.join(root, "parallel.bc"),
                                   args.cpu, work))
        body = funcs.get("_pocl_kernel_" + kernel)
        if body is None:
            continue
        fmas, stack, regs = hot_loop(body)
        print("%-24s %-22s %-10s hot loop: %3d FMAs, %2d vector "
              "registers, %2d stack accesses%s"
              % (kernel, variant, args.cpu, fmas, regs, stack,
                 "  SPILLS" if stack else ""))
        if stack and args.must_not_spill \
                and re.search(args.must_not_spill, kernel):
            bad += 1
    shutil.rmtree(work, ignore_errors=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
