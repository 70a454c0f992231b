"""Tables, verdicts and the plot of ``benchmarks/encoders.py``: summaries over seeds, claims.

Run on its own, it redraws the plot from a saved report::

    python benchmarks/encoder_report.py benchmarks/results/encoders.json --plot encoders.png
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from encoder_runs import VARIANTS

_MARKERS = {"glu": "o", "tcn": "s", "lstm": "^", "gru": "D"}


def summarise(results: list[dict], part: str, keys: list[str]) -> dict:
    """Mean and sample standard deviation of ``keys`` per variant, over the seeds."""
    rows = [r for r in results if r["part"] == part]
    out = {}
    for group in sorted({r["variant"] for r in rows}, key=list(VARIANTS).index):
        chosen = [r for r in rows if r["variant"] == group]
        stats = {"n": len(chosen)}
        for key in keys:
            values = np.array([r[key] for r in chosen], dtype=np.float64)
            sd = float(values.std(ddof=1)) if len(values) > 1 else 0.0
            stats[key] = {"mean": float(values.mean()), "sd": sd, "n": len(values)}
        for key in ("width", "depth", "diverges"):
            stats[key] = chosen[0][key]
        out[group] = stats
    return out


COST_KEYS = [
    "fit_s",
    "fit_cpu_s",
    "s_per_step",
    "converged_s",
    "latency_ms",
    "throughput",
    "peak_mib",
]
SIZE_KEYS = ["encoder_params", "total_params"]


def print_forecast_table(title: str, summary: dict, accuracy: list[str]) -> None:
    """One row per variant: sizes, accuracy (mean ± sd over seeds) and costs (means)."""
    print(f"\n{title}")
    head = f"{'encoder':<13}{'width':>6}{'enc par':>9}{'all par':>9}"
    head += "".join(f"{name:>17}" for name in accuracy)
    head += (
        f"{'wall s':>7}{'cpu s':>7}{'s/step':>7}{'s/ep':>6}{'t95 s':>6}{'ms/ser':>7}{'ser/s':>7}"
    )
    head += f"{'+MiB':>6}"
    print(head)
    print("-" * len(head))
    for name, s in summary.items():
        row = f"{name + '!' * s['diverges']:<13}{s['width']:>6}{s['encoder_params']['mean']:>9.0f}"
        row += f"{s['total_params']['mean']:>9.0f}"
        row += "".join(f"{s[k]['mean']:>10.4f} ±{s[k]['sd']:<6.4f}" for k in accuracy)
        costs = [
            ("fit_s", 7, 0),
            ("fit_cpu_s", 7, 0),
            ("s_per_step", 7, 3),
            ("s_per_epoch", 6, 1),
            ("converged_s", 6, 0),
            ("latency_ms", 7, 1),
            ("throughput", 7, 0),
            ("peak_mib", 6, 0),
        ]
        row += "".join(f"{s[k]['mean']:>{w}.{d}f}" for k, w, d in costs)
        print(row)
    print(
        "wall s / cpu s: fit; s/step, s/ep (per pass over every forecast origin), t95 s (to 95% "
        "of the loss decrease), ms/ser (forecasting one new series) and ser/s (batch) in CPU "
        "seconds; +MiB: peak memory growth over fit and forecasts."
    )
    if any(s["diverges"] for s in summary.values()):
        print("! activations overflow at initialisation (NaN loss): one seed only")


def long_range_table(results: list[dict]) -> dict:
    """R^2 and training seconds per encoder and period; the longest period still learned."""
    rows = [r for r in results if r["part"] == "long"]
    periods = sorted({r["period"] for r in rows})
    table = {}
    for r in sorted(rows, key=lambda r: list(VARIANTS).index(r["variant"])):
        table.setdefault(r["variant"], {})[r["period"]] = r
    print("\nLong-range dependency: R^2 of the next value (copying lag L: ~0.98), train CPU s")
    head = f"{'encoder':<13}" + "".join(f"{'L=' + str(p):>18}" for p in periods) + "  reach"
    print(head)
    print("-" * len(head))
    reach = {}
    for name, by_period in table.items():
        learned = [p for p in periods if by_period[p]["r2"] >= 0.5]
        # The longest period up to which every period was learned (0: not even the shortest).
        reach[name] = max(
            (p for p in periods if all(q in learned for q in periods if q <= p)), default=0
        )
        cells = "".join(
            f"{by_period[p]['r2']:>9.3g} {by_period[p]['fit_cpu_s']:>6.0f}s " for p in periods
        )
        print(f"{name:<13}{cells}  {reach[name]}")
    return reach


def clearly(a: dict, b: dict) -> int:
    """-1 when a is clearly lower than b (their mean ± sd bands do not overlap), 1 higher, 0.

    With one seed there is no spread to judge by, so nothing is clear (0).
    """
    if min(a["n"], b["n"]) < 2:
        return 0
    if a["mean"] + a["sd"] < b["mean"] - b["sd"]:
        return -1
    if a["mean"] - a["sd"] > b["mean"] + b["sd"]:
        return 1
    return 0


def _verdict(outcomes: list[int]) -> str:
    """Supported when every comparison favours the GLU, not when none does, else mixed."""
    if all(o > 0 for o in outcomes):
        return "supported"
    if all(o <= 0 for o in outcomes):
        return "not supported"
    return "mixed"


def verdicts(m4s: dict, etts: dict, reach: dict) -> dict:
    """Each claim with the comparisons behind it (positive: in the GLU's favour)."""
    rivals = [r for r in ("lstm", "gru") if r in m4s]
    claims = {}
    if "glu" not in m4s:
        return claims

    def better(summary, rival, key):  # lower is better for every accuracy and cost key
        return -clearly(summary["glu"][key], summary[rival][key])

    acc = {
        f"{d} {k} vs {r}": better(s, r, k)
        for d, s, k in (("M4", m4s, "owa"), ("ETTh1", etts, "mse"))
        for r in rivals
    }
    # Equal or better accuracy at an equal budget is what "fewer parameters" needs.
    claims["equal accuracy with fewer parameters (vs LSTM, GRU)"] = {
        "comparisons": acc,
        "verdict": _verdict([1 if o >= 0 else -1 for o in acc.values()]),
    }
    speed = {}
    for d, s in (("M4", m4s), ("ETTh1", etts)):
        for r in rivals:
            speed[f"{d} s/step vs {r}"] = better(s, r, "s_per_step")
            speed[f"{d} latency vs {r}"] = better(s, r, "latency_ms")
            speed[f"{d} throughput vs {r}"] = clearly(s["glu"]["throughput"], s[r]["throughput"])
    claims["faster training and inference (vs LSTM, GRU)"] = {
        "comparisons": speed,
        "verdict": _verdict(list(speed.values())),
    }
    if reach:
        longer = {
            f"reach vs {r}": int(np.sign(reach["glu"] - reach[r])) for r in rivals if r in reach
        }
        claims["longer reach (vs LSTM, GRU)"] = {
            "comparisons": {**longer, **{f"reach {k}": v for k, v in reach.items()}},
            "verdict": _verdict(list(longer.values())),
        }
    gates = {}
    for d, s, k in (("M4", m4s, "owa"), ("ETTh1", etts, "mse")):
        for r in ("glu-tanh", "tcn"):
            if r in s:
                gates[f"{d} {k} vs {r}"] = better(s, r, k)
    claims["sigmoid GLU beats tanh-gated and ungated"] = {
        "comparisons": gates,
        "verdict": _verdict(list(gates.values())),
    }
    return claims


def default_advice(m4s: dict, etts: dict) -> list[str]:
    """Variants clearly more accurate than the default on both M4 and ETTh1."""
    if "glu" not in m4s:
        return []
    return [
        name
        for name in m4s
        if name != "glu"
        and clearly(m4s[name]["owa"], m4s["glu"]["owa"]) < 0
        and clearly(etts[name]["mse"], etts["glu"]["mse"]) < 0
    ]


def plot(report: dict, path: str) -> None:
    """Save the figure of a report: accuracy against training cost, and R^2 against L.

    Parameters
    ----------
    report : dict
        What ``benchmarks/encoders.py`` returns (or wrote with ``--out``).
    path : str
        PNG file to write.
    """
    from matplotlib.figure import Figure
    from matplotlib.ticker import FormatStrFormatter, LogLocator, NullFormatter

    fig = Figure(figsize=(14, 4.2), dpi=100, layout="constrained")
    axes = fig.subplots(1, 3)
    panels = [("m4", "owa", "M4 Hourly: OWA"), ("ett", "mse", "ETTh1 OT, h 96: MSE")]
    for ax, (part, key, title) in zip(axes, panels):
        for name, s in report[part].items():
            if not np.isfinite(s[key]["mean"]):
                continue
            ax.errorbar(
                s["s_per_step"]["mean"],
                s[key]["mean"],
                yerr=s[key]["sd"],
                **_style(name),
                ls="none",
                capsize=3,
                label=f"{name}\n{s['encoder_params']['mean'] / 1e3:.1f}k params",
            )
        ax.set(
            title=title,
            xscale="log",
            xlabel="CPU seconds per training step (1 thread, log scale)",
            ylabel=f"{key.upper()} (lower is better)",
        )
        ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_major_formatter(FormatStrFormatter("%g"))
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.grid(alpha=0.3)
    long = [r for r in report["runs"] if r["part"] == "long"]
    periods = sorted({r["period"] for r in long})
    for name in VARIANTS:
        runs = sorted((r for r in long if r["variant"] == name), key=lambda r: r["period"])
        if runs:
            r2 = [max(r["r2"], -0.5) if np.isfinite(r["r2"]) else np.nan for r in runs]
            axes[2].plot([r["period"] for r in runs], r2, **_style(name))
    axes[2].set(
        title="Long range: R² of the next value",
        xscale="log",
        xlabel="period L: steps back to the value to copy (log scale)",
        ylabel="R² (copying lag L ≈ 0.98; clipped at −0.5)",
        ylim=(-0.55, 1.05),
    )
    axes[2].set_xticks(periods, [str(p) for p in periods], minor=False)
    axes[2].set_xticks([], minor=True)
    axes[2].axhline(0.5, color="0.5", lw=0.8, ls=":")
    axes[2].grid(alpha=0.3)
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside right upper", fontsize=8)
    fig.suptitle("Encoders at a matched budget in the same GLUForecaster (mean ± sd over seeds)")
    fig.savefig(path)


def _style(name: str) -> dict:
    """Colour and marker of one variant, the same in every panel."""
    encoder = VARIANTS[name]["encoder"]
    return {"color": f"C{list(VARIANTS).index(name)}", "marker": _MARKERS[encoder]}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Redraw the encoder benchmark's plot.")
    parser.add_argument("report", help="JSON written by encoders.py --out")
    parser.add_argument("--plot", required=True, help="PNG file to write")
    args = parser.parse_args()
    plot(json.loads(Path(args.report).read_text()), args.plot)
