"""Shared command line of the calibration scan scripts (``kinase_scan.py``, ``ppf_scan.py``).

Both take ``name=value`` overrides (SI) of the ``ca1_slice`` parameters and a list of seeds.
"""

from __future__ import annotations

import argparse

from synpharm.preparations.ca1_slice import Preparation, ca1_slice


def scan_parser(description: str) -> argparse.ArgumentParser:
    """Parser with the positional ``name=value`` overrides and ``--seeds`` (default 0-4)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("overrides", nargs="*", help="name=value (SI) of ca1_slice")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    return parser


def ca1_with_overrides(pairs: list[str]) -> Preparation:
    """The CA1 slice with ``name=value`` overrides applied; prints them."""
    overrides = {k: float(v) for k, v in (o.split("=", 1) for o in pairs)}
    print("overrides:", overrides or "(none)", flush=True)
    return ca1_slice(ca1_slice().parameters.with_values(**overrides))
