"""Encoders (GLU, TCN, LSTM, GRU): causality, shapes, fields, parameter matching, forecasters."""

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

import gluts
from gluts import GLUForecaster
from gluts.nn import (
    ENCODERS,
    GLUNetwork,
    GLUStack,
    NetworkSpec,
    NoEncoder,
    RecurrentEncoder,
    TCNStack,
    make_encoder,
    matched_width,
    n_parameters,
)

from ..conftest import load_benchmark

# the encoder as configured: no size selection, which may pick another candidate
SMALL = dict(
    n_channels=4, n_blocks=2, head_hidden=0, n_steps=3, context_length=24, model_selection=None
)


@pytest.mark.parametrize("encoder", ENCODERS)
def test_every_encoder_keeps_length_and_is_causal(encoder):
    torch.manual_seed(0)
    net = make_encoder(encoder, 3, 5, 3, context_length=8).double().eval()
    x = torch.randn(2, 3, 40, dtype=torch.float64)
    out = net(x)
    assert out.shape == (2, 5, 40)
    for t in range(0, 40, 6):
        changed = x.clone()
        changed[..., t + 1 :] = torch.randn_like(changed[..., t + 1 :])
        assert torch.equal(net(changed)[..., : t + 1], out[..., : t + 1])


@pytest.mark.parametrize("stack_class", [GLUStack, TCNStack], ids=["glu", "tcn"])
def test_stack_receptive_field_matches_a_perturbation_test(stack_class):
    stack = stack_class(1, 4, n_blocks=4, kernel_size=3, use_weight_norm=False).double().eval()
    for p in stack.parameters():
        torch.nn.init.constant_(p, 0.1)
    r = stack.receptive_field
    assert r == 1 + 2 * (1 + 2 + 4 + 8)
    x = torch.zeros(1, 1, 3 * r, dtype=torch.float64)
    t = 3 * r - 1
    base = stack(x)[..., t]
    inside, outside = x.clone(), x.clone()
    inside[..., t - r + 1] = 1.0
    outside[..., t - r] = 1.0
    assert not torch.equal(stack(inside)[..., t], base)
    assert torch.equal(stack(outside)[..., t], base)


def test_tcn_has_the_glu_stacks_layout_without_the_gate():
    glu, tcn = GLUStack(2, 8, 3, use_weight_norm=False), TCNStack(2, 8, 3, use_weight_norm=False)
    assert tcn.receptive_field == glu.receptive_field
    # The gate doubles each convolution's outputs: (8 * 8 * 3 + 8) * 2 per block.
    assert n_parameters(glu) - n_parameters(tcn) == 3 * (8 * 8 * 3 + 8)


def test_recurrent_receptive_field_is_the_history_given_at_prediction():
    assert RecurrentEncoder(1, 4, 2, "gru", receptive_field=96).receptive_field == 96
    assert make_encoder("lstm", 1, 4, 2, context_length=336).receptive_field == 336
    with pytest.raises(ValueError, match="cell must be one of"):
        RecurrentEncoder(1, 4, 2, "rnn")
    with pytest.raises(ValueError, match="encoder must be one of"):
        make_encoder("transformer", 1, 4, 2)


def test_lstm_forget_gate_bias_starts_at_one():
    lstm = RecurrentEncoder(2, 6, 1, "lstm").rnn
    assert torch.equal(lstm.bias_ih_l0[6:12], torch.ones(6))


@pytest.mark.parametrize("encoder", ["tcn", "lstm", "gru"])
def test_matched_width_meets_the_glu_budget_within_ten_percent(encoder):
    budget = n_parameters(make_encoder("glu", 1, 32, 7))
    n_layers = 2 if encoder in ("lstm", "gru") else 7
    width = matched_width(encoder, budget, 1, n_layers)
    count = n_parameters(make_encoder(encoder, 1, width, n_layers))
    assert abs(count - budget) <= 0.1 * budget
    for other in (width - 1, width + 1):  # no neighbouring width is closer
        closer = n_parameters(make_encoder(encoder, 1, other, n_layers))
        assert abs(count - budget) <= abs(closer - budget)


def test_no_encoder_leaves_the_linear_skip_with_constant_head_outputs():
    torch.manual_seed(0)
    assert torch.equal(make_encoder("none", 3, 5, 1)(torch.randn(2, 3, 7)), torch.zeros(2, 5, 7))
    spec = NetworkSpec(1, 3, (0.1, 0.5, 0.9), 6, 1, 4, 1, 3, 2, "sigmoid", 0.0, True)
    network = GLUNetwork(replace(spec, encoder="none"))
    assert isinstance(network.stack, NoEncoder) and network.receptive_field == 1
    with torch.no_grad():
        network.head.net.bias.uniform_(-1, 1)
    values = torch.randn(2, 20)
    out = network(values[:, None], values, torch.zeros(2, 20), torch.ones(2, 20))
    skip = values.unfold(-1, 6, 1) @ network.skip.weight[:, 0].T  # (2, 15, 3), full contexts
    # the median minus the skip, and the quantile gaps: one constant per forecast step
    for gap in (out[:, 5:, :, 1] - skip, out[:, 5:, :, 2] - out[:, 5:, :, 1]):
        assert torch.allclose(gap, gap[:1, :1].expand_as(gap), atol=1e-6)
    with pytest.raises(ValueError, match="encoder 'none' has no parameters"):
        matched_width("none", 100, 1, 2)


def test_glu_width_matches_itself():
    budget = n_parameters(make_encoder("glu", 3, 24, 5, gate="tanh"))
    assert matched_width("glu", budget, 3, 5, gate="tanh") == 24


def test_the_default_spec_builds_a_glu_network():
    spec = NetworkSpec(1, 4, (0.5,), 8, 1, 4, 2, 3, 2, "sigmoid", 0.0, True)
    assert spec.encoder == "glu"
    assert isinstance(GLUNetwork(spec).stack, GLUStack)


@pytest.mark.parametrize("encoder", ["tcn", "lstm", "gru"])
def test_forecaster_fits_and_predicts_with_each_encoder(encoder, make_panel):
    panel = make_panel(2, 96)
    model = GLUForecaster(6, encoder=encoder, random_state=0, **SMALL).fit(panel)
    forecast = model.predict()
    assert len(forecast) == 12 and np.isfinite(forecast["GLU"]).all()
    assert model.spec_.encoder == encoder
    if encoder != "tcn":
        assert model.spec_.n_blocks == 2  # recurrent layers
        assert model.network_.receptive_field == 24  # the context length


def test_recurrent_forecaster_defaults_to_two_layers(make_panel):
    params = {k: v for k, v in SMALL.items() if k != "n_blocks"}
    model = GLUForecaster(6, encoder="gru", random_state=0, **params).fit(make_panel(1, 96))
    assert model.spec_.n_blocks == 2
    assert len(model.network_.stack.rnn.all_weights) == 2


def test_save_and_load_round_trip_with_an_lstm_encoder(make_panel, tmp_path):
    model = GLUForecaster(6, encoder="lstm", random_state=0, **SMALL).fit(make_panel(2, 96))
    path = tmp_path / "lstm.gluts"
    model.save(path)
    loaded = gluts.load(path)
    assert loaded.get_params() == model.get_params()
    assert loaded.spec_.encoder == "lstm"
    assert isinstance(loaded.network_.stack, RecurrentEncoder)
    pd.testing.assert_frame_equal(loaded.predict(6), model.predict(6))


def test_a_model_file_without_an_encoder_field_loads_as_glu(make_panel, tmp_path):
    """Files written before the encoder option have no ``encoder`` in params or spec."""
    import zipfile

    model = GLUForecaster(6, random_state=0, **SMALL).fit(make_panel(2, 96))
    path, old = tmp_path / "new.gluts", tmp_path / "old.gluts"
    model.save(path)
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(old, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "meta.json":
                meta = json.loads(data)
                del meta["params"]["encoder"], meta["spec"]["encoder"]
                data = json.dumps(meta).encode()
            dst.writestr(item, data)
    loaded = gluts.load(old)
    assert loaded.encoder == "glu" and loaded.spec_.encoder == "glu"
    pd.testing.assert_frame_equal(loaded.predict(6), model.predict(6))


def _fake_data(folder: Path) -> list[str]:
    """Tiny M4-layout CSVs and an ETTh1-layout CSV (every row the protocol reads)."""
    rng = np.random.default_rng(0)
    train, test = [], []
    for k in range(3):
        t = np.arange(1, 349)
        y = 50 + 10 * np.sin(2 * np.pi * t / 24 + k) + rng.normal(size=t.size)
        frame = pd.DataFrame({"unique_id": f"H{k}", "ds": t, "y": y})
        train.append(frame.iloc[:300])
        test.append(frame.iloc[300:])
    pd.concat(train).to_csv(folder / "train.csv", index=False)
    pd.concat(test).to_csv(folder / "test.csv", index=False)
    hours = pd.date_range("2016-07-01", periods=14400, freq="h")
    ot = 10 + 3 * np.sin(2 * np.pi * np.arange(14400) / 24) + rng.normal(size=14400)
    pd.DataFrame({"date": hours, "OT": ot}).to_csv(folder / "ett.csv", index=False)
    return [
        "--m4-train",
        str(folder / "train.csv"),
        "--m4-test",
        str(folder / "test.csv"),
        "--ett",
        str(folder / "ett.csv"),
    ]


def test_the_benchmarks_quick_mode_runs_on_tiny_data(tmp_path, capsys):
    bench = load_benchmark("encoders")
    out, figure = tmp_path / "out.json", tmp_path / "out.png"
    args = ["--quick", "--jobs", "0", "--encoders", "glu,lstm", "--lengths", "24"]
    report = bench.main([*args, *_fake_data(tmp_path), "--out", str(out), "--plot", str(figure)])
    printed = capsys.readouterr().out
    for title in ("M4 Hourly", "ETTh1 OT", "Long-range", "Claims", "Defaults"):
        assert title in printed
    saved = json.loads(out.read_text())
    assert set(saved["m4"]) == set(saved["ett"]) == {"glu", "lstm"}
    sizes = saved["sizes"]["m4"]
    budget = sizes["glu"]["encoder_params"]
    for name in ("tcn", "lstm", "gru"):  # sized for every encoder, run for the chosen ones
        assert abs(sizes[name]["encoder_params"] - budget) <= 0.1 * budget
    assert np.isfinite(saved["m4"]["lstm"]["owa"]["mean"]) and saved["ett"]["glu"]["n"] == 1
    assert {r["period"] for r in report["runs"] if r["part"] == "long"} == {24}
    assert figure.read_bytes().startswith(b"\x89PNG")
    # One seed has no spread to judge by: no accuracy comparison comes out clear.
    accuracy = saved["claims"]["equal accuracy with fewer parameters (vs LSTM, GRU)"]
    assert set(accuracy["comparisons"].values()) == {0}


def test_converged_step_finds_where_the_loss_flattens():
    bench = load_benchmark("encoder_runs")
    loss = np.concatenate([np.linspace(1.0, 0.1, 50), np.full(150, 0.1)])
    assert 45 <= bench.converged_step(list(loss)) <= 60
