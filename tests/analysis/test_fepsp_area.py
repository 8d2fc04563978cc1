"""fEPSP area over a fixed window (same function for real and simulated sweeps)."""

from __future__ import annotations

import numpy as np
import pytest

from synpharm.analysis.fepsp_area import fepsp_area
from synpharm.errors import InputError

FS, STIM = 20e3, 0.005


def test_area_of_a_rectangle_with_a_baseline_offset():
    sweeps = np.full((2, 600), 0.3e-3)
    sweeps[0, 200:400] -= 1e-3  # -1 mV for 10 ms inside the window
    sweeps[1, 122:132] -= 5e-3  # 1.1-1.6 ms after the stimulus (volley): not counted
    area = fepsp_area(sweeps, FS, STIM, (0.002, 0.025))
    np.testing.assert_allclose(area, [1e-5, 0.0], atol=1e-12)


def test_area_is_linear_and_signed():
    t = np.arange(600) / FS - STIM
    shape = -np.exp(-np.clip(t - 0.003, 0, None) / 0.008) * (t > 0.003)
    a1, a2 = fepsp_area(np.stack([shape, 2.5 * shape]), FS, STIM, (0.002, 0.025))
    assert a1 > 0
    assert a2 == pytest.approx(2.5 * a1)


@pytest.mark.parametrize("window", [(0.01, 0.005), (-0.001, 0.01), (0.002, 0.04)])
def test_bad_window_names_the_field(window):
    with pytest.raises(InputError, match="window"):
        fepsp_area(np.zeros((1, 600)), FS, STIM, window)
