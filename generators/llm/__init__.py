"""Model sampling stages: self-consistency sampling of built records and program prototypes.

The client they sample through lives in ``reasonry.models`` (shared with the judge verifier and evaluation).
"""
