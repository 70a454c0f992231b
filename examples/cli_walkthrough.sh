#!/usr/bin/env bash
# A tour of the gluts command line. CI runs it (tests/cli/test_walkthrough.py), so every
# command here works as shown. It uses fast models; leave out --models for the default set,
# which includes the GLU network.
set -euo pipefail

examples=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

gluts --version

# The bundled datasets; any of these names can stand in for a CSV file.
gluts datasets list
gluts datasets export monthly_seasonal monthly.csv
head -n 3 monthly.csv

# A backtest leaderboard: 2 rolling windows of 12 months, metrics per series to a CSV and
# every window's forecasts (model, series, cutoff, time, actual, point and quantiles) to
# another, as statsforecast's cross_validation returns them.
gluts backtest monthly.csv --models snaive,naive2,drift --horizon 12 --windows 2 \
    --output metrics.csv --forecasts cv.csv --plot backtest.png
head -n 3 metrics.csv
head -n 3 cv.csv

# Forecast 12 months with 80% and 95% intervals, in the input's (long) layout.
gluts forecast monthly.csv --horizon 12 --model naive2 --level 80,95 \
    --output forecast.csv --plot forecast.png
head -n 3 forecast.csv

# An HTML report to attach to an email or a ticket: the leaderboard, the plot (inline SVG),
# a summary of the data and this command line, in one file that loads nothing. A plot shows
# at most 6 series; gluts says which it chose, and --plot-series picks others.
# --n-jobs 2 spreads the series over two processes (the results are identical to serial).
gluts backtest us_macro --models naive2,drift --horizon 4 --windows 2 --quiet --n-jobs 2 \
    --report backtest.html --plot-series unemp,cpi
echo "inline plots in backtest.html: $(grep -c '<svg' backtest.html)"
gluts detect elnino --model mad --report alerts.html --quiet > /dev/null

# Results go to stdout, so they pipe: the leaderboard as JSON.
gluts backtest monthly_seasonal --models snaive,naive2 --horizon 12 --json --quiet \
    | python -c 'import json, sys; print(json.load(sys.stdin)["leaderboard"][0]["model"])'

# Covariates are columns of the file. A promotion is planned, so known in advance
# (--covariates), and its plan for the forecast steps comes in --future; a temperature is
# measured, so known only up to now (--past-covariates). GLU reads them (the baselines take
# none); the backtest reads each window's promotions from the file itself. --threads 1 keeps
# torch to one thread (a given seed and thread count give identical forecasts).
python "$examples/sales_covariates.py"
gluts forecast sales.csv --horizon 24 --covariates promo --past-covariates temperature \
    --future future.csv --output sales_forecast.csv --threads 1
head -n 3 sales_forecast.csv
gluts backtest sales.csv --models glu,snaive --horizon 24 --windows 1 \
    --covariates promo --past-covariates temperature

# Anomaly alerts on a bundled series, compared with known events: the two strong El Nino
# episodes of 1982-83 and 1997-98. The summary says how many carry an alert; the plot
# outlines them beside the alert spans. NAB's combined_windows.json works as --labels too.
# MAD's default threshold (0.3, a one-in-20,000 row) is strict for 300 monthly rows: 0.2.
printf 'start,end\n1982-09-01,1983-07-01\n1997-05-01,1998-06-01\n' > el_nino_events.csv
gluts detect elnino --model mad --threshold 0.2 --labels el_nino_events.csv --alerts alerts.csv \
    --plot alerts.png
head -n 3 alerts.csv

# A cron job over a growing file: the first run fits and writes the detector's state; a later
# run scores only the rows added since, appends only new alerts, and on an unchanged file
# adds nothing.
gluts detect elnino --model mad --state detector.gluts --alerts cron_alerts.csv --quiet
gluts detect elnino --state detector.gluts --alerts cron_alerts.csv

# Exit code 1 for unusable data, with one line on stderr.
printf 'ds,y\n' > header_only.csv
if gluts forecast header_only.csv --horizon 3 --model naive; then exit 1; else test $? -eq 1; fi
