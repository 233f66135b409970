"""reasonry: verified reasoning training data, built by a staged Apache Beam pipeline.

The core package holds what every part shares: the record schema, the task and verifier registries, config
loading, seeded randomness and errors. Sources live in ``reasonry.generators``, checks in
``reasonry.verifiers``, filters in ``reasonry.filters`` and the Beam wiring in ``reasonry.pipelines``.
"""

__version__ = "0.1.0"
