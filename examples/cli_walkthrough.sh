#!/usr/bin/env bash
# A tour of the gluts command line. CI runs it (tests/cli/test_walkthrough.py), so every
# command here works as shown. It uses fast models; leave out --models for the default set,
# which includes the GLU network.
set -euo pipefail

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

gluts --version

# The bundled datasets; any of these names can stand in for a CSV file.
gluts datasets list
gluts datasets export monthly_seasonal monthly.csv
head -n 3 monthly.csv

# A backtest leaderboard: 2 rolling windows of 12 months, metrics per series to a CSV.
gluts backtest monthly.csv --models snaive,naive2,drift --horizon 12 --windows 2 \
    --output metrics.csv --plot backtest.png
head -n 3 metrics.csv

# Forecast 12 months with 80% and 95% intervals, in the input's (long) layout.
gluts forecast monthly.csv --horizon 12 --model naive2 --level 80,95 \
    --output forecast.csv --plot forecast.png
head -n 3 forecast.csv

# Results go to stdout, so they pipe: the leaderboard as JSON.
gluts backtest monthly_seasonal --models snaive,naive2 --horizon 12 --json --quiet \
    | python -c 'import json, sys; print(json.load(sys.stdin)["leaderboard"][0]["model"])'

# Exit code 1 for unusable data, with one line on stderr.
printf 'ds,y\n' > header_only.csv
if gluts forecast header_only.csv --horizon 3 --model naive; then exit 1; else test $? -eq 1; fi
