"""The authoring layer: what makes a lab out of a solution, and the labs' checks.

    labs.py    python -m labkit.authoring.labs: labs/ from solutions/ (make labs)
    checks.py  check() and filled(): pass with a confirmation, fail with what is wrong and a hint
"""
