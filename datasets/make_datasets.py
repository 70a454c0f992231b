"""Regenerate the bundled CSVs from the public-domain datasets shipped with statsmodels.

Run from anywhere with ``python datasets/make_datasets.py``; it reads only the data files
installed with statsmodels (no network) and writes long-format CSVs (``unique_id, ds, y``)
next to this script. See ``README.md`` in this folder for provenance and licences.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import statsmodels.datasets.co2 as sm_co2
import statsmodels.datasets.elec_equip as sm_elec_equip
import statsmodels.datasets.elnino as sm_elnino
import statsmodels.datasets.macrodata as sm_macrodata
import statsmodels.datasets.nile as sm_nile
import statsmodels.datasets.sunspots as sm_sunspots

HERE = Path(__file__).resolve().parent

# macrodata's 'infl' and 'realint' are derived from 'cpi' and 'tbilrate' and start with a
# placeholder 0.00 in 1959Q1, so they are left out.
MACRO_SERIES = [
    "realgdp",
    "realcons",
    "realinv",
    "realgovt",
    "realdpi",
    "cpi",
    "m1",
    "tbilrate",
    "unemp",
    "pop",
]
# Mauna Loa has months without a single weekly value until 1964; the series starts after them.
CO2_START = "1965-01-01"


def _long(unique_id: str, ds: pd.DatetimeIndex, y) -> pd.DataFrame:
    return pd.DataFrame({"unique_id": unique_id, "ds": ds, "y": pd.Series(y).to_numpy(float)})


def elnino() -> pd.DataFrame:
    """Nino 1+2 sea surface temperature, one row per month from 1950-01 to 2010-12."""
    wide = sm_elnino.load_pandas().data.set_index("YEAR")
    stacked = wide.stack()  # (year, month name) in row-major order
    ds = pd.date_range(f"{int(wide.index[0])}-01-01", periods=len(stacked), freq="MS")
    return _long("elnino", ds, stacked.to_numpy())


def co2() -> pd.DataFrame:
    """Mauna Loa CO2: monthly means of the weekly averages, 1965-01 to 2001-12."""
    weekly = sm_co2.load_pandas().data["co2"]
    monthly = weekly.resample("MS").mean().loc[CO2_START:]
    return _long("co2", monthly.index, monthly.round(3).to_numpy())


def elec_equip() -> pd.DataFrame:
    """Euro-area turnover index for electrical equipment manufacturing, 1995-01 to 2016-05."""
    data = sm_elec_equip.load_pandas().data
    return _long("elec_equip", pd.DatetimeIndex(data.index), data.iloc[:, 0].to_numpy())


def us_macro() -> pd.DataFrame:
    """Ten quarterly US macroeconomic series, 1959Q1 to 2009Q3, one unique_id each."""
    data = sm_macrodata.load_pandas().data
    ds = pd.PeriodIndex.from_fields(
        year=data["year"].astype(int), quarter=data["quarter"].astype(int), freq="Q"
    ).to_timestamp(how="start")
    return pd.concat([_long(name, ds, data[name]) for name in MACRO_SERIES], ignore_index=True)


def nile() -> pd.DataFrame:
    """Annual flow of the Nile at Aswan, 1871 to 1970."""
    data = sm_nile.load_pandas().data
    ds = pd.to_datetime(data["year"].astype(int).astype(str), format="%Y")
    return _long("nile", pd.DatetimeIndex(ds), data["volume"].to_numpy())


def sunspots() -> pd.DataFrame:
    """Yearly mean sunspot numbers, 1700 to 2008."""
    data = sm_sunspots.load_pandas().data
    ds = pd.to_datetime(data["YEAR"].astype(int).astype(str), format="%Y")
    return _long("sunspots", pd.DatetimeIndex(ds), data["SUNACTIVITY"].to_numpy())


BUILDERS = {
    "elnino": elnino,
    "co2": co2,
    "elec_equip": elec_equip,
    "us_macro": us_macro,
    "nile": nile,
    "sunspots": sunspots,
}


def main() -> None:
    """Write one CSV per builder and print its shape."""
    for name, build in BUILDERS.items():
        frame = build()
        if frame["y"].isna().any():
            raise ValueError(f"dataset {name!r} has missing values")
        path = HERE / f"{name}.csv"
        frame.to_csv(path, index=False, date_format="%Y-%m-%d")
        print(
            f"{path.name}: {len(frame)} rows, {frame['unique_id'].nunique()} series, "
            f"{frame['ds'].min():%Y-%m-%d} to {frame['ds'].max():%Y-%m-%d}"
        )


if __name__ == "__main__":
    main()
