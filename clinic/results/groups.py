"""Channel-layer group names, in one place: whoever sends to a group and whoever joins it must agree."""


def doctor_group(doctor_id):
    """Every open page of one doctor."""
    return f"doctor-{doctor_id}"
