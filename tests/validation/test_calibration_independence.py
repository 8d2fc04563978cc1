"""No validation check of the shipped targets reads a quantity a calibration check reads."""

from __future__ import annotations

from synpharm.validation import PACKAGE_TARGET_FILES, Target, calibration_overlaps, load_targets


def test_shipped_validation_targets_are_independent_of_calibration():
    shipped = [t for f in PACKAGE_TARGET_FILES for t in load_targets(f).targets]
    overlaps = calibration_overlaps(shipped)
    assert overlaps == [], "\n".join(overlaps)


def _target(id_: str, role: str, condition: str, precondition: bool = False) -> Target:
    return Target.model_validate({
        "id": id_, "role": role, "source": "src", "claim": "claim", "protocol": "p",
        "checks": [{"compare": "range", "condition": condition, "readout": "ltp_percent",
                    "low": 0.0, "precondition": precondition}],
    })


def test_a_shared_quantity_is_reported_and_a_precondition_is_not():
    calibration = _target("CAL", "calibration", "drug")
    assert calibration_overlaps([calibration, _target("VAL", "validation", "drug")])
    assert not calibration_overlaps([calibration, _target("VAL", "validation", "other")])
    assert not calibration_overlaps(
        [calibration, _target("VAL", "validation", "drug", precondition=True)])
