#!/usr/bin/env python3
"""Builds the playground: ticklab's library and command line compiled to WebAssembly with
emscripten, and the static page around it. Called by meson (-Dweb=true):

    build.py EMCC SOURCE_ROOT OUT_DIR VERSION SOURCE...

OUT_DIR receives index.html, playground.js, lab-player.js, programs.js and ticklab.js (the
engine, with its WebAssembly inlined so that the page works from a file URL too). SOURCEs are
the library's and the command line's .cpp files (generated ones included), relative to the
current directory or absolute; the
terminal-only pieces are swapped for web ones (lang/width.cpp: no utf8proc; sched/lua_policy.cpp:
no Lua, policies written in it report that the playground cannot run them, and lua_host.cpp and
lua_sandbox.cpp are left out; libedit: a stub).
"""
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys


def main():
    emcc, root, out, version = sys.argv[1:5]
    root = os.path.abspath(root)
    out = os.path.abspath(out)
    sources = [os.path.abspath(s) for s in sys.argv[5:]]
    # Swapped for web versions: lang/width.cpp (no utf8proc), sched/lua_policy.cpp (no Lua).
    swaps = {os.path.join("lang", "width.cpp"): "width.cpp", os.path.join("sched", "lua_policy.cpp"): "lua_stub.cpp"}
    sources = [next((os.path.join(root, "web", web) for native, web in swaps.items() if s.endswith(os.sep + native)), s)
               for s in sources]
    # The rest of the Lua policy (its host functions and sandbox) needs Lua: left out with it.
    left_out = (os.path.join("sched", "lua_host.cpp"), os.path.join("sched", "lua_sandbox.cpp"))
    sources = [s for s in sources if not s.endswith(tuple(os.sep + name for name in left_out))]
    work = os.path.join(os.path.dirname(out), "web-work")
    include = os.path.join(work, "include")
    objects = os.path.join(work, "obj")
    os.makedirs(include, exist_ok=True)
    os.makedirs(objects, exist_ok=True)
    os.makedirs(out, exist_ok=True)

    # Header-only dependencies from the system, without the rest of /usr/include (whose C
    # library is not emscripten's).
    for name in ("fmt", "CLI", "nlohmann", "range", "meta", "concepts", "std"):
        link = os.path.join(include, name)
        if not os.path.exists(link):
            os.symlink(os.path.join("/usr/include", name), link)
    config = ('#pragma once\n#define TICKLAB_VERSION "%s"\n#define TICKLAB_DATADIR "/ticklab"\n'
              '#define TICKLAB_SOURCE_DIR "/ticklab"\n' % version)
    config_path = os.path.join(include, "ticklab_config.h")
    if not os.path.exists(config_path) or open(config_path).read() != config:
        with open(config_path, "w") as f:
            f.write(config)

    env = dict(os.environ)
    env.setdefault("NODE_PATH", "/usr/share/nodejs")
    flags = ["-std=c++20", "-O2", "-fexceptions", "-DFMT_HEADER_ONLY", "-DTICKLAB_INVARIANTS",
             "-I" + include, "-I" + os.path.join(root, "web", "stub"), "-I" + os.path.join(root, "emulator"),
             "-I" + root]

    # An object is rebuilt when its source, any header or the compile flags are newer (any
    # header change rebuilds everything: simple and never stale).
    stamp = os.path.join(work, "flags")
    if not os.path.exists(stamp) or open(stamp).read() != " ".join(flags):
        with open(stamp, "w") as f:
            f.write(" ".join(flags))
    newest_header = os.path.getmtime(stamp)
    for directory in (os.path.join(root, "emulator"), os.path.join(root, "web", "stub"), include):
        for base, _, names in os.walk(directory):
            for name in names:
                if not name.endswith(".cpp"):
                    newest_header = max(newest_header, os.path.getmtime(os.path.join(base, name)))

    def compile_one(source):
        name = os.path.basename(os.path.dirname(source)) + "_" + os.path.basename(source) + ".o"
        target = os.path.join(objects, name)
        if os.path.exists(target) and os.path.getmtime(target) > max(os.path.getmtime(source), newest_header):
            return target
        subprocess.run([emcc] + flags + ["-c", source, "-o", target], check=True, env=env)
        return target

    jobs = int(os.environ.get("TICKLAB_WEB_JOBS", "2"))
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        built = list(pool.map(compile_one, sources))

    programs = os.path.join(root, "programs")
    subprocess.run([emcc] + built + [
        "-O2", "-fexceptions", "-o", os.path.join(out, "ticklab.js"),
        "-sSINGLE_FILE=1", "-sMODULARIZE=1", "-sEXPORT_NAME=createTicklab", "-sINVOKE_RUN=0",
        "-sEXIT_RUNTIME=0", "-sALLOW_MEMORY_GROWTH=1", "-sENVIRONMENT=web,node",
        # Compiled as the page loads, synchronously (2.5 MB, under Chromium's limit): the
        # engine is ready when the scripts have run, with no promise left pending.
        "-sWASM_ASYNC_COMPILATION=0",
        "-sEXPORTED_RUNTIME_METHODS=callMain,FS,ENV",
        "--embed-file", programs + "@/ticklab/programs",
    ], check=True, env=env)

    bundled = {}
    for name in sorted(os.listdir(programs)):
        if name.endswith(".tl"):
            with open(os.path.join(programs, name), encoding="utf-8") as f:
                bundled[name[:-3]] = f.read()
    with open(os.path.join(out, "programs.js"), "w", encoding="utf-8") as f:
        f.write("// The bundled programs (programs/*.tl), generated by web/build.py.\n")
        f.write("window.ticklabPrograms = %s;\n" % json.dumps(bundled, ensure_ascii=False, sort_keys=True, indent=1)
                .replace("</", "<\\/"))
    shutil.copyfile(os.path.join(root, "web", "index.html"), os.path.join(out, "index.html"))
    shutil.copyfile(os.path.join(root, "web", "playground.js"), os.path.join(out, "playground.js"))
    shutil.copyfile(os.path.join(root, "emulator", "trace", "html_player.js"), os.path.join(out, "lab-player.js"))


if __name__ == "__main__":
    main()
