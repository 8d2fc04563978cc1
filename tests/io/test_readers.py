"""Readers: real ABF headers, MATLAB cell arrays, CSV/NumPy, and one-line errors on bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synpharm.errors import InputError
from synpharm.io import parse_sampling_rate, read_recording, si_unit

DATA = Path(__file__).resolve().parents[1] / "data"
ABF = DATA / "abf_samples"
INVIVO = DATA / "fepsp_invivo_io" / "ExampleData_fepsp_traces.mat"



# ----------------------------------------------------------------------------- ABF


def test_abf2_drug_tag_units_rate_and_sweeps():
    rec = read_recording(ABF / "2018_11_16_sh_0006.abf")
    assert rec.sampling_rate == 20_000.0
    assert rec.n_sweeps == 60 and rec.sweeps.shape == (60, 2000)  # 60 sweeps of 100 ms
    assert rec.channel_units == ("A",)
    # the file is in pA: holding currents of tens to hundreds of pA, not amperes or nA
    assert 1e-12 < np.median(np.abs(rec.sweeps)) < 1e-9
    assert np.allclose(np.diff(rec.sweep_time), 5.0)  # one sweep every 5 s
    drug = rec.drug_times()
    assert len(drug) == 1 and abs(drug[0] - 180.0) < 6.0  # "+drug at 3min"
    assert rec.tags[0].comment == "+drug at 3min"
    assert rec.induction_times() == []


def test_abf1_two_channels_with_their_own_units():
    rec = read_recording(ABF / "File_axon_3.abf")
    assert rec.sampling_rate == 20_000.0
    assert len(rec.channel_names) == 2
    assert rec.n_sweeps == 10 and set(np.bincount(rec.channel)) == {5}
    assert rec.channel_units == ("V", "V")  # 'V' and 'mV' in the file, both volts inside
    membrane = rec.sweeps[rec.channel == 1]
    assert -0.1 < np.median(membrane) < -0.03  # a membrane potential in volts (mV in the file)


def test_abf_protocol_name_and_start_time_are_read():
    rec = read_recording(ABF / "2018_11_16_sh_0006.abf")
    assert rec.protocol == "0201 memtest"
    # 2018-11-16 16:57:14.512 on the rig's clock, read as UTC
    assert rec.start_time == pytest.approx(1542387434.512)


def test_npz_protocol_and_start_time(tmp_path):
    path = tmp_path / "a.npz"
    np.savez(path, sweeps=np.zeros((2, 10)), sampling_rate=1e3, units="mV", protocol="ltp",
             start_time=5.0)  # fmt: skip
    rec = read_recording(path)
    assert (rec.protocol, rec.start_time) == ("ltp", 5.0)
    np.savez(path, sweeps=np.zeros((2, 10)), sampling_rate=1e3, units="mV", start_time=np.nan)
    with pytest.raises(InputError, match="start_time"):
        read_recording(path)


def test_stated_units_must_match_the_abf_file():
    with pytest.raises(InputError, match="does not match"):
        read_recording(ABF / "2018_11_16_sh_0006.abf", units="mV")
    rec = read_recording(ABF / "2018_11_16_sh_0006.abf", units="pA")
    assert rec.channel_units == ("A",)


@pytest.mark.parametrize("size", [300, 3000, 100_000])
def test_truncated_abf_is_one_line_error(tmp_path, size):
    source = (ABF / "2018_11_16_sh_0006.abf").read_bytes()
    path = tmp_path / "cut.abf"
    path.write_bytes(source[:size])
    with pytest.raises(InputError, match="not a readable ABF file") as error:
        read_recording(path)
    assert "\n" not in str(error.value)


def test_corrupt_abf_is_an_error(tmp_path):
    path = tmp_path / "noise.abf"
    path.write_bytes(np.random.default_rng(1).integers(0, 255, 5000, dtype=np.uint8).tobytes())
    with pytest.raises(InputError, match="ABF"):
        read_recording(path)


# ----------------------------------------------------------------------------- MATLAB


def test_mat_cell_array_rows_are_channels_columns_groups():
    rec = read_recording(INVIVO, variable="traces", sampling_rate=20e3, units="mV")
    assert rec.sweeps.shape == (78, 2970)  # 3 channels x (6 + 4 x 5) repetitions
    first = (rec.channel == 0) & (rec.group == 0)
    assert rec.sweep[first].tolist() == list(range(6))
    assert rec.sweep[(rec.channel == 2) & (rec.group == 4)].tolist() == list(range(5))
    assert rec.channel_units == ("V", "V", "V")
    import scipy.io

    raw = scipy.io.loadmat(INVIVO, squeeze_me=True)["traces"]
    row = np.flatnonzero((rec.channel == 1) & (rec.group == 3) & (rec.sweep == 2))[0]
    assert np.array_equal(rec.sweeps[row], raw[1, 3][:, 2] * 1e-3)  # mV -> V, column = trace


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"variable": "trace", "sampling_rate": 2e4, "units": "mV"}, "no variable 'trace'"),
        ({"variable": "traces", "units": "mV"}, "sampling rate"),
        ({"variable": "traces", "sampling_rate": 2e4}, "no unit"),
        ({"variable": "traces", "sampling_rate": 2e4, "units": "mM"}, "not a voltage"),
    ],
)
def test_mat_needs_variable_rate_and_units(options, message):
    with pytest.raises(InputError, match=message):
        read_recording(INVIVO, **options)


@pytest.mark.parametrize("traces", [np.zeros((0, 0)), np.array([[1.0]]), np.zeros((0, 5))])
def test_mat_without_a_trace_of_two_samples_is_an_error(tmp_path, traces):
    import scipy.io

    path = tmp_path / "empty.mat"
    scipy.io.savemat(path, {"traces": traces, "fs": 1e4})
    with pytest.raises(InputError, match="at least 2 samples"):
        read_recording(path, units="mV")


def test_mat_v73_via_hdf5(tmp_path):
    import h5py

    traces = np.arange(12.0).reshape(4, 3)  # MATLAB samples x sweeps
    path = tmp_path / "v73.mat"
    with h5py.File(path, "w", userblock_size=512) as handle:
        handle["traces"] = traces.T  # MATLAB writes column-major = transposed in HDF5
        handle["fs"] = np.array([[10e3]])
    header = b"MATLAB 7.3 MAT-file, synpharm test".ljust(116) + bytes(8) + b"\x00\x02IM"
    with path.open("r+b") as handle:
        handle.write(header)
    with pytest.raises(NotImplementedError):
        import scipy.io

        scipy.io.loadmat(path)
    rec = read_recording(path, units="uV")
    assert rec.sampling_rate == 10e3
    assert np.allclose(rec.sweeps, traces.T * 1e-6)


# ----------------------------------------------------------------------------- CSV / NumPy


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    path.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    return path


def test_csv_units_and_rate_from_header(tmp_path):
    rows = [[f"{0.05 * k:g}", str(k), str(-k)] for k in range(5)]
    path = _write_csv(tmp_path / "s.csv", ["time (ms)", "a (mV)", "b (mV)"], rows)
    rec = read_recording(path)
    assert rec.sampling_rate == pytest.approx(20e3)
    assert np.allclose(rec.sweeps, [np.arange(5) * 1e-3, -np.arange(5) * 1e-3])


def test_csv_text_in_numeric_column_names_the_cell(tmp_path):
    rows = [["0", "1"], ["0.05", "oops"], ["0.1", "2"]]
    path = _write_csv(tmp_path / "s.csv", ["time (ms)", "a (mV)"], rows)
    with pytest.raises(InputError, match=r"row 3, column 'a'.*'oops' is not a number"):
        read_recording(path)


def test_csv_mismatched_units_are_an_error(tmp_path):
    rows = [["1", "2"], ["3", "4"], ["5", "6"]]
    path = _write_csv(tmp_path / "s.csv", ["a (mV)", "b (uV)"], rows)
    with pytest.raises(InputError, match="mismatched units"):
        read_recording(path, sampling_rate=1e3)
    path = _write_csv(tmp_path / "t.csv", ["a (mV)", "b (pA)"], rows)
    with pytest.raises(InputError, match="mismatched units"):
        read_recording(path, sampling_rate=1e3)


def test_numpy_needs_units_and_rate(tmp_path):
    path = tmp_path / "s.npy"
    np.save(path, np.ones((3, 10)))
    with pytest.raises(InputError, match="sampling"):
        read_recording(path, units="mV")
    with pytest.raises(InputError, match="no unit"):
        read_recording(path, sampling_rate=1e4)
    rec = read_recording(path, sampling_rate=1e4, units="mV")
    assert rec.sweeps.shape == (3, 10) and rec.sweeps[0, 0] == pytest.approx(1e-3)
    npz = tmp_path / "s.npz"
    np.savez(npz, sweeps=np.ones((2, 5)), sampling_rate=2e4, units="uV")
    rec = read_recording(npz)
    assert rec.sampling_rate == 2e4 and rec.sweeps[0, 0] == pytest.approx(1e-6)


def test_unknown_suffix_and_missing_file(tmp_path):
    with pytest.raises(InputError, match="unknown recording format"):
        read_recording(tmp_path / "x.txt")
    with pytest.raises(FileNotFoundError):
        read_recording(tmp_path / "x.abf")


@settings(max_examples=30, deadline=None)
@given(
    st.sampled_from(["V", "mV", "uV", "pA", "nA", "A"]),
    st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=2, max_size=20),
)
def test_unit_conversion_round_trips(unit, values):
    si, scale = si_unit(unit, "units")
    assert si in ("V", "A")
    assert np.allclose(np.asarray(values) * scale / scale, values)
    assert si_unit(unit.lower(), "units") == (si, scale)


def test_sampling_rate_with_or_without_unit():
    assert parse_sampling_rate("20 kHz") == 20e3
    assert parse_sampling_rate(20000) == 20e3
    with pytest.raises(InputError):
        parse_sampling_rate("-5")


@pytest.mark.parametrize(
    ("comment", "drug", "induction"),
    [
        ("+drug at 3min", True, False),
        ("+TBS", False, True),
        ("wash-in ketamine", True, False),
        ("HFS 100 Hz", False, True),
        ("note", False, False),
    ],
)
def test_tag_meaning(comment, drug, induction):
    from synpharm.io import Tag

    tag = Tag(1.0, comment)
    assert (tag.is_drug, tag.is_induction) == (drug, induction)


@pytest.mark.parametrize("rate", [np.array([2e4, 2e4]), np.array(-2e4), np.array(np.nan)])
def test_npz_sampling_rate_must_be_one_positive_number(tmp_path, rate):
    path = tmp_path / "s.npz"
    np.savez(path, sweeps=np.ones((2, 5)), sampling_rate=rate, units="mV")
    with pytest.raises(InputError, match="sampling_rate: must be one positive number"):
        read_recording(path)


@pytest.mark.parametrize("data", [np.zeros((0, 10)), np.float64(1.0), np.ones((3, 1))])
def test_numpy_without_a_sweep_of_two_samples_is_an_error(tmp_path, data):
    path = tmp_path / "s.npy"
    np.save(path, data)
    with pytest.raises(InputError, match="at least 1 sweep of at least 2 samples"):
        read_recording(path, sampling_rate=1e4, units="mV")
