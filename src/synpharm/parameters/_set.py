"""Loading and querying parameter sets."""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

from synpharm.errors import InputError
from synpharm.units import parse_quantity


@dataclass(frozen=True)
class Parameter:
    """One parameter value in the internal SI unit, with provenance."""

    name: str
    value: float
    kind: str
    text: str
    source: str = ""
    calibrated: str = ""
    note: str = ""

    @property
    def provenance(self) -> str:
        """Citation, or ``calibrated: <target>`` for fitted values."""
        return self.source if self.source else f"calibrated: {self.calibrated}"


@dataclass(frozen=True)
class ParameterSet(Mapping[str, float]):
    """An immutable mapping from parameter name to SI value, keeping each value's provenance."""

    name: str
    entries: Mapping[str, Parameter] = field(default_factory=dict)

    def __getitem__(self, key: str) -> float:
        try:
            return self.entries[key].value
        except KeyError:
            raise KeyError(f"parameter set {self.name!r} has no parameter {key!r}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def parameter(self, key: str) -> Parameter:
        """The full :class:`Parameter` record for ``key``."""
        return self.entries[key]

    def with_values(self, **values: float) -> ParameterSet:
        """A copy with some values replaced (used for ablations and virtual-cohort draws)."""
        unknown = set(values) - set(self.entries)
        if unknown:
            raise KeyError(f"parameter set {self.name!r} has no parameters {sorted(unknown)}")
        entries = dict(self.entries)
        for key, value in values.items():
            entries[key] = replace(entries[key], value=float(value), note="overridden")
        return ParameterSet(self.name, entries)

    def citations(self) -> dict[str, str]:
        """Parameter name -> provenance string."""
        return {key: entry.provenance for key, entry in self.entries.items()}

    def calibrated(self) -> dict[str, str]:
        """Parameters fitted to targets: name -> the target they were fitted to."""
        return {key: e.calibrated for key, e in self.entries.items() if e.calibrated}


def _parameter(name: str, table: object, where: str) -> Parameter:
    field_name = f"{where}.{name}"
    if not isinstance(table, dict):
        raise InputError(field_name, "is not a table", "write [name] with value, kind and source")
    if "value" not in table or "kind" not in table:
        raise InputError(field_name, "needs 'value' and 'kind'", "add both keys")
    has_source, has_fit = bool(table.get("source")), bool(table.get("calibrated"))
    if has_source == has_fit:
        raise InputError(
            field_name,
            "needs exactly one of 'source' or 'calibrated'",
            "cite the paper, or name the target the value was fitted to",
        )
    value = parse_quantity(table["value"], table["kind"], field_name)
    return Parameter(
        name=name,
        value=value,
        kind=table["kind"],
        text=str(table["value"]),
        source=table.get("source", ""),
        calibrated=table.get("calibrated", ""),
        note=table.get("note", ""),
    )


@functools.lru_cache(maxsize=64)
def _parsed_entries(path: Path, modified_ns: int, size: int) -> dict[str, Parameter]:
    """The entries of a parameter file, parsed once per process for each (path, modification
    time, size): the unit parsing dominates a load, and a scorecard loads the same few files
    ~100 times. Callers copy the dict."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise InputError(
            str(path), f"cannot read parameter file ({error})", "fix the TOML"
        ) from None
    return {key: _parameter(key, table, path.stem) for key, table in document.items()}


def load_parameter_set(path: str | Path, name: str | None = None) -> ParameterSet:
    """Read a parameter file (see module docstring) into a :class:`ParameterSet`.

    A file read before in this process and unchanged since (same modification time and size)
    is not parsed again.
    """
    path = Path(path)
    try:
        stat = path.stat()
    except OSError as error:
        raise InputError(
            str(path), f"cannot read parameter file ({error})", "fix the TOML"
        ) from None
    entries = _parsed_entries(path.resolve(), stat.st_mtime_ns, stat.st_size)
    return ParameterSet(name or path.stem, dict(entries))


def package_parameter_file(name: str) -> Path:
    """Path of a parameter file shipped with synpharm, e.g. ``'ca1_slice'``."""
    return Path(str(resources.files("synpharm.parameters").joinpath(f"{name}.toml")))
