"""Compiled solvers of the slice models.

numba's parallel regions pass a named tuple such as
:class:`synpharm.model.slice_state.SliceConstants` into their gufunc only up to
``PARFOR_MAX_TUPLE_SIZE`` fields (default 100); the constants have more (104 since the slow
AHP of the dendritic Ca2+ spike, session 5), so the limit is raised here, before any solver
module is compiled. The environment variable is set as well because numba re-reads its
configuration from the environment whenever a ``NUMBA_*`` variable changes.
"""

from __future__ import annotations

import os

from numba.core import config as _numba_config

#: the parfor tuple limit the solvers need (SliceConstants has 104 fields)
PARFOR_TUPLE_LIMIT = 128

if int(os.environ.get("NUMBA_PARFOR_MAX_TUPLE_SIZE", "0")) < PARFOR_TUPLE_LIMIT:
    os.environ["NUMBA_PARFOR_MAX_TUPLE_SIZE"] = str(PARFOR_TUPLE_LIMIT)
_numba_config.PARFOR_MAX_TUPLE_SIZE = max(_numba_config.PARFOR_MAX_TUPLE_SIZE,
                                          PARFOR_TUPLE_LIMIT)
