"""The ``sigconv`` command, run in-process through ``sigconv.cli.main``."""
import json
import os
import subprocess
import sys

import pytest

import sigconv
from sigconv import bench, cli
from sigconv.bench import harness


@pytest.fixture
def fast_peak(monkeypatch):
    """The matrix-product peak is a fixed number (measuring it takes seconds)."""
    monkeypatch.setattr(harness, "matmul_peak", lambda dtype, sizes=(2048,), seconds=1.5: 50.0)


@pytest.fixture(scope="module")
def run_a5(tmp_path_factory):
    """One quick run of A5 writing JSON and markdown: (exit code, stdout, json, markdown)."""
    tmp = tmp_path_factory.mktemp("bench")
    out_json, out_md = tmp / "a5.json", tmp / "a5.md"
    mp = pytest.MonkeyPatch()
    mp.setattr(harness, "matmul_peak", lambda dtype, sizes=(2048,), seconds=1.5: 50.0)
    import contextlib
    import io
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = cli.main(["bench", "--workloads", "A5", "--repeat", "1", "--budget", "0.05",
                             "--json", str(out_json), "--markdown", str(out_md)])
    finally:
        mp.undo()
    return code, stdout.getvalue(), stderr.getvalue(), out_json, out_md


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.strip() == "sigconv " + sigconv.__version__


def test_config(capsys):
    assert cli.main(["config"]) == 0
    out = capsys.readouterr().out
    assert "openmp" in out.lower()


def test_no_command_prints_help_and_fails(capsys):
    assert cli.main([]) == 2
    assert "COMMAND" in capsys.readouterr().err


def test_list_names_every_workload(capsys):
    assert cli.main(["bench", "--list"]) == 0
    out = capsys.readouterr().out
    for w in bench.WORKLOADS + bench.EXTRA_WORKLOADS:
        assert w.describe() in out
    for wid, name in (("AU1", "StreamConvolver"), ("VD1", "dask")):
        w = bench.get(wid)
        methods, why = w.sigconv_methods()
        if not methods:
            assert why in out and name in why


@pytest.mark.parametrize("args, message", [
    (["--repeat", "0"], "--repeat must be at least 1"),
    (["--budget", "0"], "--budget must be positive"),
    (["--wait-quiet", "-1"], "--wait-quiet must not be negative"),
    (["--workloads", "A5,Z9"], "unknown workload 'Z9'"),
    (["--from", "/nonexistent/report.json"], "--from"),
])
def test_bad_values_exit_2_with_a_message(capsys, args, message):
    assert cli.main(["bench"] + args) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("args", [["--quick", "--full"], ["--repeat", "many"],
                                  ["--no-such-option"], ["--budget"]])
def test_bad_arguments_are_refused_by_the_parser(capsys, args):
    with pytest.raises(SystemExit) as exc:
        cli.main(["bench"] + args)
    assert exc.value.code == 2
    assert "usage: sigconv" in capsys.readouterr().err


def test_from_a_file_that_is_not_a_report(tmp_path, capsys):
    path = tmp_path / "other.json"
    path.write_text('{"a": 1}')
    assert cli.main(["bench", "--from", str(path)]) == 2
    assert "is not a report written by --json" in capsys.readouterr().err


def test_plot_without_matplotlib_says_so(monkeypatch, capsys, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert cli.main(["bench", "--workloads", "A5", "--plot", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err
    assert "matplotlib" in err and "pip install" in err
    assert not (tmp_path / "x.png").exists()


def test_quick_run_prints_checks_and_writes_json_and_markdown(run_a5):
    code, out, err, out_json, out_md = run_a5
    assert code == 0
    assert "[1/1] A5" in err
    assert "sigconv.convolve[direct]" in out and "ok" in out
    report = json.loads(out_json.read_text())
    assert report["command"].startswith("sigconv bench --workloads A5")
    assert report["failed"] == []
    mine = [e for e in report["results"] if e["kind"] == "sigconv"]
    assert mine and all(e["status"] == "ok" and e["seconds"] > 0 for e in mine)
    peers = [e for e in report["results"] if e["kind"] == "peer" and e["status"] == "ok"]
    assert peers
    for e in peers:
        base = next(x for x in mine if x.get("primary"))
        assert e["ratio"] == pytest.approx(e["seconds"] / base["seconds"])
    md = out_md.read_text()
    assert md.startswith("# sigconv benchmark results")
    assert "A5  small call (overhead)" in md and "## Machine" in md


def test_from_json_redraws_the_same_report(run_a5, capsys):
    code, out, _, out_json, _ = run_a5
    assert cli.main(["bench", "--from", str(out_json)]) == 0
    again = capsys.readouterr().out
    assert again == out


def test_plot_bars_are_the_json_reports_ratios(run_a5, tmp_path):
    pytest.importorskip("matplotlib")
    from sigconv.bench import plot
    _, _, _, out_json, _ = run_a5
    png = tmp_path / "a5.png"
    assert cli.main(["bench", "--from", str(out_json), "--plot", str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    report = json.loads(out_json.read_text())
    expected = {}
    for e in report["results"]:
        if e["kind"] == "peer" and e["ratio"] is not None:
            expected.setdefault(e["workload"], {})[e["contender"]] = e["ratio"]
    assert expected
    assert plot.speedups(report) == expected
    drawn = plot.plotted_speedups(plot.plot(report))
    assert drawn.keys() == expected.keys()
    for wid in expected:
        assert drawn[wid] == pytest.approx(expected[wid])


def test_scaling_sweep_and_its_panels():
    pytest.importorskip("matplotlib")
    from sigconv.bench import plot, scaling
    sweep = scaling.sweep(n_range=(64, 256), k_fixed=5, k_range=(3, 9), n_fixed=128,
                          budget=0.001, repeat=1)
    for part, xs in (("vs_n", (64, 256)), ("vs_k", (3, 9))):
        assert set(sweep[part]["seconds"]) == {"direct", "fft", "oa"}
        assert all(len(t) == len(xs) and min(t) > 0 for t in sweep[part]["seconds"].values())
    report = {"results": [], "scaling": sweep}
    fig = plot.plot(report)
    assert len(fig.axes) == 3
    logs = [ax for ax in fig.axes if ax.get_xscale() == "log"]
    assert len(logs) == 2 and all(len(ax.get_lines()) >= 3 for ax in logs)


def test_crossovers_found_on_log_log_axes():
    from sigconv.bench.scaling import crossovers
    # direct grows as K, fft stays flat: they cross where K * 1e-6 = 1e-4
    ks = [1, 10, 1000, 10000]
    found = crossovers(ks, {"direct": [k * 1e-6 for k in ks], "fft": [1e-4] * 4})
    assert len(found) == 1 and found[0]["methods"] == ["direct", "fft"]
    assert found[0]["at"] == pytest.approx(100.0)
    assert crossovers(ks, {"a": [1, 2, 3, 4], "b": [2, 3, 4, 5]}) == []


def test_progress_bar_is_drawn_on_request(fast_peak, monkeypatch, capsys):
    pytest.importorskip("tqdm")
    monkeypatch.setenv("SIGCONV_PROGRESS", "1")
    assert cli.main(["bench", "--workloads", "A5", "--repeat", "1", "--budget", "0.01"]) == 0
    err = capsys.readouterr().err
    assert "sigconv bench" in err and "workload" in err and "\r" in err
    assert "[1/1] A5 inputs and reference\n" not in err


def test_progress_is_silent_in_a_pipe(tmp_path):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [os.path.dirname(os.path.dirname(os.path.abspath(sigconv.__file__)))]
        + os.environ.get("PYTHONPATH", "").split(os.pathsep)))
    env.pop("SIGCONV_PROGRESS", None)
    # ``python -m sigconv bench ...`` with a fixed matrix-product peak (as the
    # fast_peak fixture): measuring it took most of the run
    run = ("import runpy, sigconv.bench.harness as h; "
           "h.matmul_peak = lambda dtype, sizes=(2048,), seconds=1.5: 50.0; "
           "runpy.run_module('sigconv', run_name='__main__', alter_sys=True)")
    proc = subprocess.run([sys.executable, "-c", run, "bench", "--workloads", "A5",
                           "--repeat", "1", "--budget", "0.01"],
                          capture_output=True, text=True, env=env, timeout=300,
                          cwd=tmp_path)   # not the source tree: the sigconv under test
    assert proc.returncode == 0, proc.stderr
    assert "[1/1] A5 inputs and reference\n" in proc.stderr
    assert "\r" not in proc.stderr and "\x1b[" not in proc.stderr
