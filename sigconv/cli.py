"""The ``sigconv`` command: ``sigconv bench``, ``sigconv convolve``, ``sigconv config``, ``sigconv --version``.

Examples
--------
::

    sigconv bench                      # the quick set, under a minute
    sigconv bench --full --markdown RESULTS.md --json results.json
    sigconv bench --workloads A1,I2 --repeat 20
    sigconv bench --list
    sigconv bench --plot bench.png     # speed-up bars and the scaling sweep
    sigconv bench --from results.json --plot bench.png   # redraw a saved run
    sigconv convolve dry.wav hall.wav -o wet.wav --mix 0.3 --normalize -1
    sigconv convolve speech.flac --kernel bandpass:low=300,high=3400 -o phone.flac
    python -m sigconv config
"""
import argparse
import json
import shlex
import sys


def _parser():
    from . import __version__
    parser = argparse.ArgumentParser(
        prog="sigconv",
        description="Fast N-dimensional convolution and correlation: benchmarks and "
                    "build information.")
    parser.add_argument("--version", action="version", version="sigconv " + __version__)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    bench = sub.add_parser(
        "bench", help="time sigconv against its peers on the standard workloads",
        description="Time sigconv against numpy, scipy, OpenCV and PyTorch on the standard "
                    "workloads, after checking every result against a float64 reference. "
                    "Ratio = peer time / sigconv time (above 1: sigconv is faster). Exit "
                    "status 1 if a sigconv result did not match its reference.")
    size = bench.add_mutually_exclusive_group()
    size.add_argument("--quick", dest="full", action="store_false",
                      help="a subset of workloads and peers that runs in under a minute "
                           "(default)")
    size.add_argument("--full", dest="full", action="store_true",
                      help="every workload sigconv supports, every peer, sigconv on one "
                           "thread too, longer timing (several minutes)")
    bench.add_argument("--workloads", metavar="IDS",
                       help="comma-separated workload ids (e.g. A1,I2,V2 or A1-odd); named "
                            "workloads run even if they are full-run only")
    bench.add_argument("--repeat", type=int, metavar="N",
                       help="at most N timed samples per contender (default 7, full 15)")
    bench.add_argument("--budget", type=float, metavar="SECONDS",
                       help="timing budget per contender after its warm-up "
                            "(default 0.4, full 2)")
    bench.add_argument("--workers", type=int, metavar="N",
                       help="sigconv's workers= (default: the library's choice)")
    bench.add_argument("--wait-quiet", type=float, default=0, metavar="SECONDS",
                       help="before each workload, wait up to SECONDS for other processes "
                            "to leave the cores (for shared machines; default: do not wait)")
    bench.add_argument("--json", metavar="FILE", help="write the full report as JSON")
    bench.add_argument("--markdown", metavar="FILE", help="write the report as markdown")
    bench.add_argument("--plot", metavar="FILE.png",
                       help="draw speed-up bars per workload and peer, and the scaling "
                            "sweep's time against N and K (needs matplotlib); implies "
                            "--scaling unless --from is given")
    bench.add_argument("--scaling", action="store_true",
                       help="also time direct, fft and oa against N and against K (a few "
                            "seconds) and report where they cross")
    bench.add_argument("--from", dest="from_json", metavar="FILE.json",
                       help="do not measure: print, plot or convert the report saved by "
                            "an earlier --json")
    bench.add_argument("--list", action="store_true",
                       help="list the workloads and exit")
    bench.set_defaults(full=False)

    sub.add_parser("config", help="print how sigconv was built (sigconv.show_config())")
    _add_convolve(sub)
    return parser


def _add_convolve(sub):
    conv = sub.add_parser(
        "convolve", help="convolve a file (audio: WAV, FLAC, OGG, ...; volumes: .npy, "
                         ".zarr, .nii, .nii.gz) with an impulse response or a kernel",
        description="Convolve IN with the impulse response IR and/or a --kernel, streamed "
                    "block by block in constant memory, and write OUT. Audio: IR and IN "
                    "must share their sample rate; IR has one channel, one per input "
                    "channel, or (with --matrix) outputs x inputs channels. Volumes are "
                    "processed slab by slab with halos in bounded memory; their kernel is "
                    "a .npy file (IR) and/or --kernel.")
    conv.add_argument("input", metavar="IN", help="input file")
    conv.add_argument("ir", metavar="IR", nargs="?", help="impulse response file")
    conv.add_argument("-o", "--output", metavar="OUT", required=True, help="output file")
    conv.add_argument("--kernel", metavar="NAME:ARGS",
                      help="a kernel from sigconv.kernels, e.g. lowpass:cutoff=4000,numtaps=255 "
                           "or gaussian:sigma=2 (with IR: applied after it)")
    conv.add_argument("--mix", type=float, default=1.0, metavar="W",
                      help="wet/dry mix from 0 (input) to 1 (convolved; default)")
    conv.add_argument("--gain", type=float, default=0.0, metavar="DB",
                      help="gain in dB applied to the output (default 0)")
    conv.add_argument("--normalize", type=float, nargs="?", const=0.0, metavar="DBFS",
                      help="scale the output's peak to DBFS (default 0 dBFS); takes a first "
                           "pass to measure it")
    conv.add_argument("--no-tail", action="store_true",
                      help="stop at the input's length (default: keep the tail)")
    conv.add_argument("--matrix", action="store_true",
                      help="IR channels are an outputs x inputs matrix (true stereo: 4 "
                           "channels LL, LR, RL, RR for a stereo input)")
    conv.add_argument("--subtype", metavar="FORMAT",
                      help="output sample format: PCM_16, PCM_24, PCM_32, FLOAT, DOUBLE, "
                           "PCM_U8 (default: the input's)")
    conv.add_argument("--block-size", type=int, default=4096, metavar="N",
                      help="frames per block (default 4096)")
    vol = conv.add_argument_group("volumes (.npy, .zarr, .nii, .nii.gz)")
    vol.add_argument("--mode", default="same", choices=("same", "full", "valid", "circular"),
                     help="output mode (default same)")
    vol.add_argument("--boundary", default="fill",
                     help="boundary rule: fill, wrap, symm, reflect, edge (default fill)")
    vol.add_argument("--method", default="auto", help="method of each slab (default auto)")
    vol.add_argument("--memory-limit", type=float, metavar="MIB",
                     help="memory the slabs may take, in MiB (default: a quarter of RAM)")


def _list_workloads(out):
    from . import bench
    for w in bench.WORKLOADS + bench.EXTRA_WORKLOADS:
        methods, why = w.sigconv_methods()
        if why:
            state = why
        elif not w.standard:
            state = "extra case: run it by naming it in --workloads"
        else:
            state = w.full_only() or ("quick and full run" if w.quick else "full run")
        peers = ", ".join(w.peers)
        print("%s\n      %s\n      peers: %s" % (w.describe(), state, peers), file=out)


def _bench(args):
    from . import bench
    if args.list:
        _list_workloads(sys.stdout)
        return 0
    if args.plot:
        from .bench.plot import require_matplotlib
        try:
            require_matplotlib()
        except ImportError as exc:
            print("sigconv bench: --plot: %s" % exc, file=sys.stderr)
            return 2
    if args.from_json:
        try:
            with open(args.from_json) as f:
                report = json.load(f)
        except (OSError, ValueError) as exc:
            print("sigconv bench: --from: %s" % exc, file=sys.stderr)
            return 2
        if not isinstance(report, dict) or "results" not in report:
            print("sigconv bench: --from: %s is not a report written by --json"
                  % args.from_json, file=sys.stderr)
            return 2
        return _write(bench, args, report, report.get("command", "sigconv bench"))
    if args.repeat is not None and args.repeat < 1:
        print("sigconv bench: --repeat must be at least 1", file=sys.stderr)
        return 2
    if args.wait_quiet < 0:
        print("sigconv bench: --wait-quiet must not be negative", file=sys.stderr)
        return 2
    if args.budget is not None and args.budget <= 0:
        print("sigconv bench: --budget must be positive", file=sys.stderr)
        return 2
    ids = [i for i in (args.workloads or "").split(",") if i.strip()]
    try:
        workloads = bench.select(ids, full=args.full)
    except KeyError as exc:
        print("sigconv bench: %s" % exc.args[0], file=sys.stderr)
        return 2

    from ._progress import progress
    with progress(len(workloads), "sigconv bench", unit="workload") as bar:
        def say(line):
            # a bar (on a terminal) shows the step in hand; elsewhere one line a step
            if bar.backend is None:
                print(line, file=sys.stderr, flush=True)
            else:
                bar.update(0, item=line)

        if args.wait_quiet:
            say("waiting for other processes to leave the cores ...")
            bench.wait_quiet(args.wait_quiet)
        say("measuring the matrix-product peak ...")
        report = bench.run(workloads, full=args.full, repeat=args.repeat, budget=args.budget,
                           workers=args.workers, explicit=bool(ids), progress=say,
                           quiet_wait=args.wait_quiet,
                           done=lambda w: bar.update(1, item=w.id))
        if args.scaling or args.plot:
            say("scaling sweep: direct, fft and oa against N and K ...")
            from .bench.scaling import sweep
            report["scaling"] = sweep()
    command = "sigconv " + " ".join(shlex.quote(a) for a in args.argv)
    report["command"] = command
    print(file=sys.stderr)
    return _write(bench, args, report, command)


def _write(bench, args, report, command):
    """Print the report and write the files asked for; the exit status."""
    bench.format_text(report)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1, default=str)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(bench.format_markdown(report, command))
    if args.plot:
        from .bench.plot import plot
        plot(report, args.plot)
    return 1 if report.get("failed") else 0


def main(argv=None):
    """Run the ``sigconv`` command with ``argv`` (default ``sys.argv[1:]``); returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    args = parser.parse_args(argv)
    args.argv = argv
    if args.command == "bench":
        return _bench(args)
    if args.command == "convolve":
        from ._apps import files
        return files.run(args)
    if args.command == "config":
        from . import show_config
        show_config()
        return 0
    parser.print_help(sys.stderr)
    return 2
