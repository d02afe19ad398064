#!/usr/bin/python3
"""The mvc benchmark: mvc and its peers on the same real files, in one run.

Called by bench/run.sh (which checks the tools first); see bench/README.md for the method.
Every workload is a sequence of versions of a worktree; every method stores all versions and
reports the bytes it keeps, as a percentage of raw (the sum of the file sizes of all versions).

usage: harness.py --root REPO --out DIR [--quick] [--mvc PATH] [--workloads a,b] [--repeats N]
"""
import argparse
import datetime
import filecmp
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "peers"))
import grouped  # noqa: E402

METHOD_ORDER = ["mvc", "zstd -3", "zstd -19", "xz -6", "byte-grouped zstd",
                "XOR+byte-grouped zstd", "xdelta3", "restic", "git gc", "full copies", "floor"]
QUICK_MODEL = "llama2c_stories260K"
# In --quick, zstd -19 and xz -6 are skipped on workloads larger than this (raw bytes).
QUICK_SLOW_PEER_LIMIT = 8 << 20


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class Version:
    """One state of the worktree: {relative path: source file}, committed after `parent`."""

    def __init__(self, label, files, parent=None, branch=None):
        self.label, self.files, self.parent, self.branch = label, files, parent, branch


class Workload:
    def __init__(self, name, title, versions, note=""):
        self.name, self.title, self.versions, self.note = name, title, versions, note
        self.raw = sum(os.path.getsize(s) for v in versions for s in v.files.values())


def chain(label_files, fname="model.safetensors"):
    """Linear history: each version's parent is the one before."""
    return [Version(lbl, {fname: f}, parent=(i - 1 if i else None))
            for i, (lbl, f) in enumerate(label_files)]


# ----------------------------------------------------------------------------- workloads

def build_workloads(args, data, cache, scratch):
    quick = args.quick
    wl = []
    models = sorted(f[:-len(".safetensors")] for f in os.listdir(os.path.join(data, "models"))
                    if f.endswith(".safetensors"))
    if quick:
        models = [m for m in models if m == QUICK_MODEL]
    for m in models:
        wl.append(Workload(f"model:{m}", f"pretrained model {m}, one commit",
                           chain([("v1", os.path.join(data, "models", m + ".safetensors"))])))
    pairs = os.path.join(data, "pairs")
    run = os.path.join(data, "run")
    if not quick:
        wl.append(Workload("pair", "BERT-tiny fine-tunes: sst2, then emotion on a branch",
                       [Version("sst2", {"model.safetensors": os.path.join(pairs, "bert_tiny_sst2.safetensors")}),
                        Version("emotion", {"model.safetensors": os.path.join(pairs, "bert_tiny_emotion.safetensors")},
                                parent=0, branch="finetune")]))
    wl.append(Workload("run-bf16", "training run, BF16 weights at steps 60,120,180,240",
                       chain([(f"step {s}", os.path.join(run, f"step_{s:06d}.weights.bf16.safetensors"))
                              for s in (60, 120, 180, 240)])))
    if not quick:
        wl.append(Workload("run-full", "training run, F32 weights + AdamW state at steps 180,240",
                       chain([(f"step {s}", os.path.join(run, f"step_{s:06d}.full.safetensors"))
                              for s in (180, 240)])))
    long_dir = os.path.join(cache, "train_run")
    if not quick and os.path.exists(os.path.join(long_dir, ".complete")):
        main_ck = sorted(f for f in os.listdir(os.path.join(long_dir, "main"))
                         if f.endswith(".weights.f32.safetensors"))
        ft_ck = sorted(f for f in os.listdir(os.path.join(long_dir, "finetune"))
                       if f.endswith(".weights.f32.safetensors"))
        vs = chain([(f"main {int(f[5:11])}", os.path.join(long_dir, "main", f)) for f in main_ck])
        # the fine-tune branches from main's 5th checkpoint (train_checkpoints.py BRANCH_AT)
        bp = 4
        for j, f in enumerate(ft_ck):
            vs.append(Version(f"finetune {int(f[5:11])}", {"model.safetensors": os.path.join(long_dir, "finetune", f)},
                              parent=(bp if j == 0 else len(vs) - 1), branch=("finetune" if j == 0 else None)))
        wl.append(Workload("run-long", f"longer run (train_checkpoints.py): {len(main_ck)} F32 checkpoints "
                           f"on main + {len(ft_ck)} on a fine-tune branch from main's 5th",
                           vs, note="bench/cache/train_run (generated once by run.sh)"))
    elif not quick:
        log("bench/cache/train_run is missing or incomplete: workload run-long skipped")
    # unchanged re-commit and one changed tensor
    base = (os.path.join(data, "models", QUICK_MODEL + ".safetensors") if quick
            else os.path.join(run, "step_000240.weights.f32.safetensors"))
    wl.append(Workload("unchanged", f"re-commit of an unchanged model ({os.path.basename(base)})",
                       chain([("v1", base), ("v1 again", base)]),
                       note="the figure that matters: bytes added by the second commit (ideal ~0)"))
    pert = os.path.join(scratch, "one_tensor." + os.path.basename(base))
    info = json.loads(subprocess.run(["/usr/bin/python3", os.path.join(HERE, "perturb_tensor.py"), base, pert],
                                     check=True, capture_output=True, text=True).stdout)
    wl.append(Workload("one-tensor", f"{os.path.basename(base)}, then the same with one tensor scaled by 1.001",
                       chain([("v1", base), ("one tensor changed", pert)]),
                       note=f"changed tensor: {info['tensor']} ({info['dtype']}, {info['bytes']} bytes)"))
    if args.workloads:
        want = args.workloads.split(",")
        wl = [w for w in wl if any(w.name == x or w.name.split(":")[0] == x for x in want)]
        if not wl:
            sys.exit(f"bench: no workload matches --workloads {args.workloads}")
    return wl


# ----------------------------------------------------------------------------- helpers

def du(path):
    """Stored bytes of a directory: the sum of its regular files' sizes. (`du -sb` would also
    count every directory as 4 KiB, which is 1 MiB for restic's 256 empty pack folders.)"""
    total = 0
    for d, _, files in os.walk(path):
        for f in files:
            st = os.lstat(os.path.join(d, f))
            total += st.st_size if not os.path.islink(os.path.join(d, f)) else 0
    return total


def du_detail(path):
    """The other ways to count a directory, kept in results.json for reference."""
    sb = int(subprocess.run(["du", "-sb", path], check=True, capture_output=True, text=True).stdout.split()[0])
    alloc = int(subprocess.run(["du", "-s", "--block-size=1", path], check=True, capture_output=True,
                               text=True).stdout.split()[0])
    return {"file_bytes": du(path), "du_sb": sb, "du_allocated": alloc}


def sh(cmd, cwd=None, env=None, stdout=subprocess.DEVNULL):
    r = subprocess.run(cmd, cwd=cwd, env=env, stdout=stdout, stderr=subprocess.PIPE)
    if r.returncode != 0:
        err = r.stderr.decode(errors="replace").strip().splitlines()
        raise RuntimeError(f"`{' '.join(cmd)}` exited {r.returncode}: {err[-1] if err else ''}")
    return r


def timed(cmd, cwd=None, env=None):
    """Runs cmd under /usr/bin/time -v; returns (wall seconds, peak RSS kB, stdout)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        t0 = time.perf_counter()
        r = subprocess.run(["/usr/bin/time", "-v", "-o", tf.name] + cmd, cwd=cwd, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        wall = time.perf_counter() - t0
        if r.returncode != 0:
            err = r.stderr.decode(errors="replace").strip().splitlines()
            raise RuntimeError(f"`{' '.join(cmd)}` exited {r.returncode}: {err[-1] if err else ''}")
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", tf.read())
        return wall, (int(m.group(1)) if m else None), r.stdout.decode(errors="replace")


def place(worktree, files, keep=(".mvc", ".git")):
    """Makes worktree hold exactly `files` ({relpath: source}), copying the bytes."""
    for name in os.listdir(worktree):
        if name not in keep:
            p = os.path.join(worktree, name)
            shutil.rmtree(p) if os.path.isdir(p) and not os.path.islink(p) else os.remove(p)
    for rel, src in files.items():
        dst = os.path.join(worktree, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copyfile(src, dst)


def median(xs):
    return statistics.median(xs) if xs else None


def mbps(nbytes, secs):
    return nbytes / secs / 1e6 if secs and secs > 0 else None


def version_bytes(v):
    return sum(os.path.getsize(s) for s in v.files.values())


def parent_file(wl, i, rel):
    p = wl.versions[i].parent
    if p is None:
        return None
    return wl.versions[p].files.get(rel)


# ----------------------------------------------------------------------------- methods

def run_mvc(wl, mvc, tmp, repeats):
    if not mvc:
        return {"stored": None, "note": "n/a: mvc binary not found (pass --mvc PATH or set $MVC)"}
    commit_walls, checkout_walls, rss_c, rss_o = [], [], [], []
    added, stored, mismatches, stats = [], None, 0, None
    for rep in range(repeats):
        wt = tempfile.mkdtemp(prefix="mvc.", dir=tmp)
        sh([mvc, "init"], cwd=wt)
        revs, wall = [], 0.0
        before = du(os.path.join(wt, ".mvc"))
        for i, v in enumerate(wl.versions):
            if v.branch:
                if v.parent == i - 1:
                    sh([mvc, "checkout", "-b", v.branch], cwd=wt)
                else:
                    sh([mvc, "branch", v.branch, revs[v.parent]], cwd=wt)
                    sh([mvc, "checkout", v.branch, "-f"], cwd=wt)
            place(wt, v.files)
            w, rss, _ = timed([mvc, "commit", "-m", f"{wl.name} {v.label}"], cwd=wt)
            wall += w
            rss_c.append(rss)
            out = sh([mvc, "log", "--oneline"], cwd=wt, stdout=subprocess.PIPE).stdout.decode()
            revs.append(out.split()[0])
            if rep == 0:
                now = du(os.path.join(wt, ".mvc"))
                added.append(now - before)
                before = now
        commit_walls.append(wall)
        if rep == 0:
            # As the git row runs `git gc --aggressive`: gc compacts the store file.
            stored_before_gc = du(os.path.join(wt, ".mvc"))
            sh([mvc, "gc"], cwd=wt)
            stored = du(os.path.join(wt, ".mvc"))
            detail = du_detail(os.path.join(wt, ".mvc"))
            r = subprocess.run([mvc, "stats", "--json"], cwd=wt, capture_output=True, text=True)
            if r.returncode == 0:
                try:
                    stats = json.loads(r.stdout)
                except ValueError:
                    stats = None
        # checkout every version from an emptied worktree and check it bit for bit
        wall = 0.0
        for i, v in enumerate(wl.versions):
            place(wt, {})
            w, rss, _ = timed([mvc, "checkout", revs[i], "-f"], cwd=wt)
            wall += w
            rss_o.append(rss)
            for rel, src in v.files.items():
                got = os.path.join(wt, rel)
                if not (os.path.exists(got) and filecmp.cmp(got, src, shallow=False)):
                    mismatches += 1
        checkout_walls.append(wall)
        shutil.rmtree(wt)
    res = {"stored": stored, "added": added,
           "write_mbps": mbps(wl.raw, median(commit_walls)),
           "read_mbps": mbps(wl.raw, median(checkout_walls)),
           "commit_seconds": commit_walls, "checkout_seconds": checkout_walls,
           "rss_commit_kb": max(x for x in rss_c if x is not None) if any(rss_c) else None,
           "rss_checkout_kb": max(x for x in rss_o if x is not None) if any(rss_o) else None,
           "checkout_mismatches": mismatches, "stats": stats, "disk": detail,
           "stored_before_gc": stored_before_gc}
    notes = [f"file bytes under .mvc after `mvc gc` ({fmt_bytes(stored_before_gc)} before)"]
    if mismatches:
        notes.append(f"CHECKOUT NOT BYTE-EXACT ({mismatches} files differ)")
    else:
        notes.append("checkouts verified byte-exact")
    res["note"] = "; ".join(notes)
    return res


def run_compressor(wl, tmp, name, comp, decomp, repeats):
    """Per-file CLI compressor: every file of every version compressed on its own."""
    out = os.path.join(tmp, "c.out")
    cw, dw, sizes = [], [], []
    for rep in range(repeats):
        ctime = dtime = 0.0
        sizes = []
        for v in wl.versions:
            vs = 0
            for src in v.files.values():
                with open(out, "wb") as fh:
                    t0 = time.perf_counter()
                    subprocess.run(comp + [src], stdout=fh, check=True)
                    ctime += time.perf_counter() - t0
                vs += os.path.getsize(out)
                t0 = time.perf_counter()
                subprocess.run(decomp + [out], stdout=subprocess.DEVNULL, check=True)
                dtime += time.perf_counter() - t0
            sizes.append(vs)
        cw.append(ctime)
        dw.append(dtime)
    os.remove(out)
    return {"stored": sum(sizes), "added": sizes, "write_mbps": mbps(wl.raw, median(cw)),
            "read_mbps": mbps(wl.raw, median(dw)), "note": f"`{' '.join(comp)}` per file, 1 thread"}


def run_grouped(wl, xor):
    sizes, t0 = [], time.perf_counter()
    for i, v in enumerate(wl.versions):
        vs = 0
        for rel, src in v.files.items():
            vs += grouped.file_xor(parent_file(wl, i, rel), src) if xor else grouped.file_grouped(src)
        sizes.append(vs)
    secs = time.perf_counter() - t0
    note = ("XOR with the parent version per tensor, then byte planes, zstd -3 (bench/peers/grouped.py)"
            if xor else "byte planes per tensor, zstd -3 each (bench/peers/grouped.py)")
    return {"stored": sum(sizes), "added": sizes, "write_mbps": mbps(wl.raw, secs), "note": note}


def run_xdelta(wl, tmp):
    out = os.path.join(tmp, "x.vcdiff")
    sizes, secs = [], 0.0
    for i, v in enumerate(wl.versions):
        vs = 0
        for rel, src in v.files.items():
            prev = parent_file(wl, i, rel)
            cmd = ["xdelta3", "-e", "-f", "-c"] + (["-s", prev] if prev else []) + [src]
            with open(out, "wb") as fh:
                t0 = time.perf_counter()
                subprocess.run(cmd, stdout=fh, check=True)
                secs += time.perf_counter() - t0
            vs += os.path.getsize(out)
        sizes.append(vs)
    os.remove(out)
    return {"stored": sum(sizes), "added": sizes, "write_mbps": mbps(wl.raw, secs),
            "note": "`xdelta3 -e -s PARENT NEW`; first version `xdelta3 -e` alone"}


def run_restic(wl, tmp):
    repo = os.path.join(tmp, "restic-repo")
    snap = os.path.join(tmp, "restic-src")
    os.makedirs(snap)
    env = dict(os.environ, RESTIC_PASSWORD="x", RESTIC_REPOSITORY=repo)
    sh(["restic", "init", "-q"], env=env)
    before, sizes, secs = du(repo), [], 0.0
    for v in wl.versions:
        place(snap, v.files, keep=())
        t0 = time.perf_counter()
        sh(["restic", "backup", "-q", "--no-cache", "--host", "bench", "."], cwd=snap, env=env)
        secs += time.perf_counter() - t0
        now = du(repo)
        sizes.append(now - before)
        before = now
    stored = du(repo)
    detail = du_detail(repo)
    shutil.rmtree(repo)
    shutil.rmtree(snap)
    return {"stored": stored, "added": sizes, "write_mbps": mbps(wl.raw, secs),
            "disk": detail,
            "note": "one repo (v2, zstd auto), file bytes of the repo"}


def run_git(wl, tmp):
    wt = os.path.join(tmp, "git-wt")
    os.makedirs(wt)
    env = dict(os.environ, GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="b@x", GIT_COMMITTER_NAME="bench",
               GIT_COMMITTER_EMAIL="b@x", GIT_CONFIG_NOSYSTEM="1", HOME=tmp)
    sh(["git", "init", "-q"], cwd=wt, env=env)
    gitdir = os.path.join(wt, ".git")
    added, before = [], du(gitdir)
    n = len(wl.versions)
    for i, v in enumerate(wl.versions):
        if i == n - 1 and n > 1:  # measure what the last version adds after a full gc
            sh(["git", "gc", "--aggressive", "-q"], cwd=wt, env=env)
            before = du(gitdir)
        place(wt, v.files)
        sh(["git", "add", "-A"], cwd=wt, env=env)
        sh(["git", "commit", "-q", "--allow-empty", "-m", v.label], cwd=wt, env=env)
    sh(["git", "gc", "--aggressive", "-q"], cwd=wt, env=env)
    stored = du(gitdir)
    detail = du_detail(gitdir)
    if n > 1:
        added = [None] * (n - 1) + [stored - before]
    shutil.rmtree(wt)
    return {"stored": stored, "added": added, "disk": detail,
            "note": "git commit each version, `git gc --aggressive`, file bytes of .git"}


def run_full_copies(wl):
    seen, sizes = set(), []
    for v in wl.versions:
        vs = 0
        for src in v.files.values():
            h = hashlib.sha256(open(src, "rb").read()).hexdigest()
            if h not in seen:
                seen.add(h)
                vs += os.path.getsize(src)
        sizes.append(vs)
    return {"stored": sum(sizes), "added": sizes,
            "note": "git-lfs / DVC: one raw copy per distinct file content"}


def tensor_bytes(path):
    return sum(len(d) for _, d in grouped.load(path)[1].values())


def run_floor(wl, tools):
    """Floors from the shared tools: bounds.py (one version) or sequence_floor.py (a chain)."""
    bounds, seqf = os.path.join(tools, "bounds.py"), os.path.join(tools, "sequence_floor.py")

    def cond_floor(path):
        out = sh(["/usr/bin/python3", bounds, path], stdout=subprocess.PIPE).stdout.decode()
        m = re.search(r"exponent-conditioned floor\s+([\d.]+)%", out)
        return float(m.group(1)) / 100 * os.path.getsize(path), out.strip()

    def seq_floor(paths):
        out = sh(["/usr/bin/python3", seqf] + paths, stdout=subprocess.PIPE).stdout.decode()
        m = re.search(r"lossless floor \(cond \+ ordered delta\)\s+([\d.]+)%", out)
        return float(m.group(1)) / 100 * sum(tensor_bytes(p) for p in paths), out.strip()

    rels = sorted({rel for v in wl.versions for rel in v.files})
    total, lines = 0.0, []
    for rel in rels:
        # split the history into root-to-leaf chains; each extra chain is priced as
        # seq(branch point + chain) - floor(branch point alone)
        idx = [i for i, v in enumerate(wl.versions) if rel in v.files]
        if len(idx) == 1:
            f, out = cond_floor(wl.versions[idx[0]].files[rel])
            total += f
            lines.append(out)
            continue
        chains, cur = [], []
        for i in idx:
            p = wl.versions[i].parent
            if cur and p != cur[-1]:
                chains.append(cur)
                cur = [p] if p is not None else []
            cur.append(i)
        chains.append(cur)
        for c_i, c in enumerate(chains):
            f, out = seq_floor([wl.versions[i].files[rel] for i in c])
            lines.append(out)
            if c_i > 0:
                bpf, _ = seq_floor([wl.versions[c[0]].files[rel]])
                f -= bpf
            total += f
    how = "sequence_floor.py (cond + ordered-int delta)" if len(wl.versions) > 1 else "bounds.py exponent-conditioned"
    return {"stored": int(round(total)), "note": f"{how}; tensor bytes only", "tool_output": lines}


# ----------------------------------------------------------------------------- report

def machine():
    cpu = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = None
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem = int(line.split()[1]) // 1024
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "nproc_available": len(os.sched_getaffinity(0)), "cpu": cpu,
            "mem_mib": mem, "kernel": platform.release()}


def tool_versions(mvc):
    def first(cmd):
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
            return (r.stdout or r.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "?"
    v = {"zstd": first(["zstd", "--version"]), "xz": first(["xz", "--version"]),
         "xdelta3": first(["xdelta3", "-V"]), "restic": first(["restic", "version"]),
         "git": first(["git", "--version"]), "python3": platform.python_version()}
    if mvc:
        v["mvc"] = mvc
    return v


def fmt_bytes(n):
    if n is None:
        return "n/a"
    for unit, div in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if abs(n) >= div:
            return f"{n / div:.2f} {unit}"
    return f"{n} B"


def fmt_num(x, digits=1):
    return "" if x is None else f"{x:.{digits}f}"


def to_markdown(res):
    m = res["machine"]
    lines = [f"# mvc benchmark ({res['mode']})", "",
             f"- command: `{res['command']}`",
             f"- date: {res['started']}, took {res['seconds']:.0f} s",
             f"- machine: {m['cpu']}, nproc {m['nproc']} ({m['nproc_available']} available), "
             f"{m['mem_mib']} MiB RAM, Linux {m['kernel']}",
             f"- mvc: {res['mvc'] or 'n/a (binary not found)'}; project commit {res['project_commit']}",
             f"- repeats for timings: {res['repeats']} (median)", "",
             "Stored = bytes on disk after storing every version; % of raw = stored / sum of the file "
             "sizes of all versions. \"last added\" = bytes the last version added. write/read MB/s: "
             "mvc commit/checkout (wall, whole CLI call), compressor compress/decompress (raw bytes per "
             "second, single thread); peak RSS = max over mvc commit/checkout calls. Floors count tensor "
             "bytes only (headers excluded).", ""]
    for w in res["workloads"]:
        lines += [f"## {w['name']}: {w['title']}", "",
                  f"{len(w['versions'])} versions ({', '.join(v['label'] for v in w['versions'])}), "
                  f"raw {fmt_bytes(w['raw'])}." + (f" {w['note']}." if w["note"] else ""), "",
                  "| method | stored | % of raw | last added | write MB/s | read MB/s | peak RSS MiB | notes |",
                  "|---|---:|---:|---:|---:|---:|---:|---|"]
        for name in METHOD_ORDER:
            r = w["methods"].get(name)
            if r is None:
                continue
            st = r.get("stored")
            pct = "n/a" if st is None else f"{100.0 * st / w['raw']:.2f}"
            added = r.get("added") or []
            last = fmt_bytes(added[-1]) if added and added[-1] is not None and len(w["versions"]) > 1 else ""
            rss = ""
            if r.get("rss_commit_kb"):
                rss = f"{r['rss_commit_kb'] / 1024:.0f} / {r['rss_checkout_kb'] / 1024:.0f}"
            lines.append(f"| {name} | {fmt_bytes(st)} | {pct} | {last} | {fmt_num(r.get('write_mbps'))} | "
                         f"{fmt_num(r.get('read_mbps'))} | {rss} | {r.get('note', '')} |")
        lines.append("")
    lines += ["Peak RSS column: commit / checkout. Stored bytes of a repository (.mvc, restic, .git) are the "
              "sum of its regular files' sizes; results.json also has `du -sb` and allocated bytes.", ""]
    return "\n".join(lines)


# ----------------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--mvc", default="")
    ap.add_argument("--workloads", default="")
    ap.add_argument("--repeats", type=int, default=0)
    ap.add_argument("--command", default="")
    args = ap.parse_args()
    repeats = args.repeats or (1 if args.quick else 3)
    root = os.path.abspath(args.root)
    data = os.path.normpath(os.path.join(root, "..", "shared", "data"))
    tools = os.path.normpath(os.path.join(root, "..", "shared", "tools"))
    cache = os.path.join(root, "bench", "cache")
    mvc = os.path.abspath(args.mvc) if args.mvc else ""
    started = time.time()
    os.makedirs(args.out, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="mvc-bench.")
    try:
        wls = build_workloads(args, data, cache, tmp)
        out = {"mode": "quick" if args.quick else "full", "command": args.command,
               "started": datetime.datetime.now().isoformat(timespec="seconds"),
               "machine": machine(), "tools": tool_versions(mvc), "mvc": mvc, "repeats": repeats,
               "project_commit": subprocess.run(["git", "-C", root, "rev-parse", "--short", "HEAD"],
                                                capture_output=True, text=True).stdout.strip() or "?",
               "workloads": []}
        for w in wls:
            log(f"workload {w.name}: {len(w.versions)} versions, raw {fmt_bytes(w.raw)}")
            wtmp = tempfile.mkdtemp(prefix="w.", dir=tmp)
            slow_ok = not (args.quick and w.raw > QUICK_SLOW_PEER_LIMIT)
            runs = [("mvc", lambda: run_mvc(w, mvc, wtmp, repeats)),
                    ("zstd -3", lambda: run_compressor(w, wtmp, "zstd -3", ["zstd", "-3", "-q", "-c"],
                                                       ["zstd", "-d", "-q", "-c"], repeats)),
                    ("zstd -19", lambda: run_compressor(w, wtmp, "zstd -19", ["zstd", "-19", "-q", "-c"],
                                                        ["zstd", "-d", "-q", "-c"], 1) if slow_ok else None),
                    ("xz -6", lambda: run_compressor(w, wtmp, "xz -6", ["xz", "-6", "-T1", "-c"],
                                                     ["xz", "-d", "-c"], 1) if slow_ok else None),
                    ("byte-grouped zstd", lambda: run_grouped(w, xor=False)),
                    ("XOR+byte-grouped zstd", lambda: run_grouped(w, xor=True)),
                    ("xdelta3", lambda: run_xdelta(w, wtmp)),
                    ("restic", lambda: run_restic(w, wtmp)),
                    ("git gc", lambda: run_git(w, wtmp)),
                    ("full copies", lambda: run_full_copies(w)),
                    ("floor", lambda: run_floor(w, tools))]
            methods = {}
            for name, fn in runs:
                t0 = time.perf_counter()
                try:
                    r = fn()
                except (RuntimeError, subprocess.CalledProcessError, OSError, ValueError) as e:
                    r = {"stored": None, "note": f"error: {e}"}
                    log(f"  {name}: {e}")
                if r is None:
                    r = {"stored": None, "note": "skipped in --quick (input too large)"}
                r["bench_seconds"] = time.perf_counter() - t0
                methods[name] = r
                log(f"  {name}: {fmt_bytes(r.get('stored'))} ({r['bench_seconds']:.1f} s)")
            shutil.rmtree(wtmp, ignore_errors=True)
            out["workloads"].append({"name": w.name, "title": w.title, "note": w.note, "raw": w.raw,
                                     "versions": [{"label": v.label, "parent": v.parent, "branch": v.branch,
                                                   "files": v.files, "bytes": version_bytes(v)}
                                                  for v in w.versions],
                                     "methods": methods})
        out["seconds"] = time.time() - started
        with open(os.path.join(args.out, "results.json"), "w") as fh:
            json.dump(out, fh, indent=1)
        with open(os.path.join(args.out, "results.md"), "w") as fh:
            fh.write(to_markdown(out))
        log(f"wrote {args.out}/results.md and results.json in {out['seconds']:.0f} s")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
