#!/usr/bin/env python3
"""Recomputes the posteriordb references kept here from a checkout of posteriordb.

    python3 reference/posteriordb/verify.py /path/to/posteriordb

The checkout should be at the commit named in each reference.json ("source"). For every posterior
folder beside this script it checks that
  - the data of the examples that port it (examples/<name>.json) equal posteriordb's data,
  - every "params" entry of reference.json (mean, sd with ddof 1, numpy's default quantiles, over
    all reference draws pooled) is what the reference draws give, and
  - posteriordb_mean_value and posteriordb_mcse_mean are posteriordb's own mean_value summary.
It prints one line per check and exits 1 if any differs. Needs Python 3 and numpy.
"""
import io
import json
import math
import sys
import zipfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent.parent / "examples"
# the examples whose data is a posteriordb data set, by posterior
PORTS = {
    "eight_schools-eight_schools_noncentered": ["eight_schools_noncentered"],
    "eight_schools-eight_schools_centered": ["eight_schools_centered"],
    "kidiq-kidscore_interaction": ["kidiq_interaction", "kidiq_standardized"],
    "sblrc-blr": ["sblrc_blr"],
    "earnings-earn_height": ["earnings", "earnings_standardized"],
    "low_dim_gauss_mix-low_dim_gauss_mix": ["low_dim_gauss_mix"],
    "gp_pois_regr-gp_pois_regr": ["gp_pois_regr"],
    "diamonds-diamonds": ["diamonds"],
    "arK-arK": ["arK"],
    "arma-arma11": ["arma11"],
    "garch-garch11": ["garch11"],
    "kilpisjarvi_mod-kilpisjarvi": ["kilpisjarvi"],
    "mesquite-logmesquite": ["logmesquite"],
}


def unzip_json(path):
    with zipfile.ZipFile(path) as z:
        return json.load(io.BytesIO(z.read(z.namelist()[0])))


def close(a, b):
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


def main(pdb):
    db = Path(pdb) / "posterior_database"
    failures = 0

    def check(ok, what):
        nonlocal failures
        print(("ok   " if ok else "DIFF ") + what)
        failures += 0 if ok else 1

    for posterior, examples in PORTS.items():
        ref = json.loads((HERE / posterior / "reference.json").read_text())
        info = json.loads((db / "posteriors" / (posterior + ".json")).read_text())
        data = unzip_json(db / "data" / "data" / (info["data_name"] + ".json.zip"))
        for example in examples:
            mine = json.loads((EXAMPLES / (example + ".json")).read_text())
            check(mine == data, f"examples/{example}.json = posteriordb data {info['data_name']}")

        chains = unzip_json(db / "reference_posteriors" / "draws" / "draws" / (posterior + ".json.zip"))
        summary = json.loads((db / "reference_posteriors" / "summary_statistics" / "mean_value" / "mean_value"
                              / (posterior + ".json")).read_text())
        for name, stats in ref["params"].items():
            x = np.array([v for chain in chains for v in chain[name]])
            k = summary["names"].index(name)
            expected = {
                "mean": x.mean(), "sd": x.std(ddof=1),
                "q5": np.quantile(x, 0.05), "q50": np.quantile(x, 0.5), "q95": np.quantile(x, 0.95),
                "posteriordb_mean_value": summary["mean_value"][k],
                "posteriordb_mcse_mean": summary["mcse_mean"][k],
            }
            bad = [key for key, value in expected.items() if not close(stats[key], float(value))]
            check(not bad, f"{posterior} {name}" + (f": {bad} differ" if bad else ""))
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
